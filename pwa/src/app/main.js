// Page entry. Small on purpose: state in one object, one render function, modules beside it.
import './styles.css';

import { t } from '../shared/i18n.js';
import { fetchHealth } from './health.js';
import { applyStatic, loadLang, saveLang } from './i18n-dom.js';
import { startServiceWorker } from './sw-register.js';

const state = {
  lang: loadLang(),
  online: navigator.onLine,
  /** @type {'checking'|'ready'|'unsupported'|'error'} */
  offlineReady: 'checking',
  /** @type {null | (() => Promise<void>)} */
  applyUpdate: null,
  /** @type {string | null} */
  serverVersion: null,
};

const $ = (id) => document.getElementById(id);

function render() {
  const { lang } = state;
  applyStatic(lang);

  for (const btn of document.querySelectorAll('[data-lang]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang));
  }

  const net = $('net');
  net.dataset.state = state.online ? 'online' : 'offline';
  net.classList.toggle('pill--online', state.online);
  net.classList.toggle('pill--offline', !state.online);
  $('net-text').textContent = t(lang, state.online ? 'net.online' : 'net.offline');

  const ready = $('offline-ready');
  ready.dataset.state = state.offlineReady;
  ready.textContent = t(lang, `sw.${state.offlineReady}`);

  $('update').hidden = !state.applyUpdate;
  $('update-text').textContent = t(lang, 'sw.update');
  $('update-btn').textContent = t(lang, 'sw.updateButton');

  const server = $('server-version');
  server.hidden = !state.serverVersion;
  server.textContent = state.serverVersion
    ? t(lang, 'server.version', { version: state.serverVersion })
    : '';
}

function set(patch) {
  Object.assign(state, patch);
  render();
}

async function refreshHealth() {
  const health = await fetchHealth();
  if (health && typeof health.version === 'string' && health.version) {
    set({ serverVersion: health.version });
  }
}

function init() {
  for (const btn of document.querySelectorAll('[data-lang]')) {
    btn.addEventListener('click', () => {
      saveLang(btn.dataset.lang);
      set({ lang: btn.dataset.lang });
    });
  }
  $('update-btn').addEventListener('click', () => {
    const apply = state.applyUpdate;
    if (apply) apply();
  });

  window.addEventListener('online', () => {
    set({ online: true });
    refreshHealth();
  });
  window.addEventListener('offline', () => set({ online: false }));

  render();
  startServiceWorker(
    (offlineReady) => {
      // 'ready' is final for this page; a late 'checking' must not overwrite it.
      if (state.offlineReady !== 'ready') set({ offlineReady });
    },
    (applyUpdate) => set({ applyUpdate }),
  );
  refreshHealth();
}

init();
