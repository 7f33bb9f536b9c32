// Registers the service worker built from src/sw/sw.js (served as /sw.js, scope /).
// The plugin's `virtual:pwa-register` wraps workbox-window; no inline script is injected.
import { registerSW } from 'virtual:pwa-register';

/**
 * @param {(status: 'checking'|'ready'|'unsupported'|'error') => void} onStatus
 * @param {(applyUpdate: () => Promise<void>) => void} onUpdate called when a new version waits
 */
export function startServiceWorker(onStatus, onUpdate) {
  if (!('serviceWorker' in navigator)) {
    onStatus('unsupported');
    return;
  }
  onStatus('checking');

  const updateSW = registerSW({
    immediate: true,
    onOfflineReady() {
      onStatus('ready');
    },
    onNeedRefresh() {
      // Posts SKIP_WAITING to the waiting worker, then reloads once it controls the page.
      onUpdate(() => updateSW(true));
    },
    onRegisterError() {
      onStatus('error');
    },
  });

  // An active worker (from this visit or an earlier one) means the app shell is precached.
  navigator.serviceWorker.ready.then(() => onStatus('ready'));
}
