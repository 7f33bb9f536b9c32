// Registers the service worker built from src/sw/sw.js (served as /sw.js, scope /).
// The plugin's `virtual:pwa-register` wraps workbox-window; no inline script is injected.
import { registerSW } from 'virtual:pwa-register';

import { CACHE_FEATURES } from '../shared/constants.js';

const ANSWER_TIMEOUT_MS = 120_000;

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

/**
 * Asks the service worker to cache the chunks of these features (src/sw/featureCaches.js): the
 * precache holds the shell and the inspector's screens only. Resolves true once they are cached
 * (at once when they already were, or when none of them needs it), false when the worker could
 * not fetch them, or when there is no service worker.
 * @param {string[]} names feature names (features/<name>)
 */
export async function cacheFeatures(names) {
  if (!('serviceWorker' in navigator)) return false;
  const { active } = await navigator.serviceWorker.ready;
  if (!active) return false;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    // A worker of an older version does not answer: not ready offline (until it is updated).
    const timer = setTimeout(() => resolve(false), ANSWER_TIMEOUT_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data?.ok === true);
    };
    active.postMessage({ type: CACHE_FEATURES, features: names }, [channel.port2]);
  });
}
