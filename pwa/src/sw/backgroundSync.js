// Background Sync: the browser wakes the worker when a signal returns. The page owns the
// outbox and the sync engine (one code path, tested), so the worker only asks open pages to
// sync; with no page open the visits simply wait, safe in IndexedDB, for the next app open.
import { SYNC_TAG } from '../shared/constants.js';

export function listenForBackgroundSync(scope) {
  scope.addEventListener('sync', (event) => {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(
      scope.clients.matchAll({ type: 'window' }).then((clients) => {
        for (const client of clients) client.postMessage({ type: 'sync-requested' });
      }),
    );
  });
}
