// What the shell knows about this phone beyond sync: its name on the server (renamable), the
// help contact for the sign-in screen, persistent storage, and installing the app to the home
// screen (the browser's beforeinstallprompt, or a short guide for iOS Safari, which has none).
import { h } from '../shared/dom.js';

const SUPPORT_KEY = 'cho-xanh.support';
const PERSIST_LATER_KEY = 'cho-xanh.persist-later';
const PERSIST_LATER_MS = 7 * 24 * 3600 * 1000; // "Để sau" hides the note for a week

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage blocked: the note simply shows again */
  }
}

/** The help contact the server last gave (kept, so the sign-in screen shows it offline). */
export function supportContact() {
  return stored(SUPPORT_KEY) ?? '';
}

/** iPhone/iPad Safari: no install prompt exists, the Share menu does it. */
export function isIosSafari(ua = globalThis.navigator?.userAgent ?? '') {
  return /iPhone|iPad|iPod/.test(ua) && !/CriOS|FxiOS|EdgiOS/.test(ua);
}

function isStandalone() {
  return globalThis.matchMedia?.('(display-mode: standalone)').matches || globalThis.navigator?.standalone === true;
}

/** Roles whose phones hold work not yet sent (the others read live data). */
const PHONE_ROLES = ['inspector', 'ward_officer'];

export function createPhoneExtras(ctx, onChange, notesHost) {
  const { app } = ctx;
  const changed = () => {
    drawNotes();
    onChange();
  };
  const device = { id: null, name: null, editing: false, busy: false, message: '' };
  let installPrompt = null;
  let installed = isStandalone();
  const deviceEl = h('div', { class: 'syncbar__device' });

  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault(); // offered in the app, at the moment it helps
    installPrompt = event;
    changed();
  });
  window.addEventListener('appinstalled', () => {
    installPrompt = null;
    installed = true;
    app.persistRefused = false;
    ctx.flash(ctx.t('install.done'), 'ok');
    changed();
  });

  async function install() {
    const prompt = installPrompt;
    if (!prompt) return;
    installPrompt = null;
    await prompt.prompt();
    const choice = await prompt.userChoice.catch(() => null);
    if (choice?.outcome === 'accepted') installed = true;
    changed();
  }

  function drawDevice() {
    const { t } = ctx;
    if (!app.session || !device.id) {
      deviceEl.replaceChildren();
      return deviceEl;
    }
    const parts = [];
    if (device.editing) {
      const input = h('input', { id: 'device-name', name: 'device_name', type: 'text', maxlength: '200', value: device.name ?? '', autocomplete: 'off' });
      parts.push(
        h('form', {
          class: 'syncbar__deviceForm',
          onsubmit: async (event) => {
            event.preventDefault();
            const name = input.value.trim();
            if (!name || device.busy) return;
            device.busy = true;
            try {
              device.name = await ctx.store.renameDevice(name);
              device.editing = false;
              device.message = t('device.saved', { name: device.name });
            } catch (err) {
              device.message = t('device.renameFailed', { message: String(err?.message ?? err).replace(/[.\s]+$/, '') });
            }
            device.busy = false;
            drawDevice();
          },
        },
        h('label', { class: 'field__label', htmlFor: 'device-name' }, t('device.label')),
        h('div', { class: 'input-with-button' }, input, h('button', { type: 'submit', class: 'btn btn--small' }, t('device.save')))),
      );
    } else {
      parts.push(
        h('p', null, `${t('device.label')}: `, h('strong', null, device.name || '—'), ' ',
          h('button', {
            type: 'button',
            class: 'btn btn--small btn--ghost',
            onclick: () => {
              device.editing = true;
              device.message = '';
              drawDevice();
              deviceEl.querySelector('input')?.focus();
            },
          }, t('device.rename'))),
      );
    }
    if (device.message) parts.push(h('p', { class: 'hint', role: 'status' }, device.message));
    deviceEl.replaceChildren(...parts);
    return deviceEl;
  }

  ctx.deviceDetails = () => (device.editing ? deviceEl : drawDevice());

  /** The install button (when the browser offers it), else a short guide; null once installed. */
  ctx.installOffer = ({ compact = false } = {}) => {
    const { t } = ctx;
    if (installed) return null;
    if (installPrompt) return h('button', { type: 'button', class: 'btn btn--small', onclick: install }, t('install.button'));
    if (compact && !isIosSafari()) return null; // the banner's text already says what to do
    return h('p', { class: 'hint' }, t(isIosSafari() ? 'install.iosGuide' : 'install.menuGuide'));
  };

  /** The persistent-storage note, in the page (it scrolls away; the sync bar stays compact). */
  function drawNotes() {
    const { t } = ctx;
    const show = app.persistRefused && app.session && ctx.routeName() !== 'login';
    notesHost.replaceChildren(
      ...(show
        ? [h('div', { class: 'note note--info note--block phone-note', role: 'note' },
            h('p', null, t('persist.refused')),
            h('div', { class: 'row' },
              ctx.installOffer({ compact: true }),
              h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: () => ctx.dismissPersist() }, t('persist.later'))))]
        : []),
    );
  }

  ctx.dismissPersist = () => {
    store(PERSIST_LATER_KEY, String(Date.now()));
    app.persistRefused = false;
    changed();
  };

  return {
    /** Asks for persistent storage; a refusal is shown (unless put away lately, or installed). */
    async askPersistence() {
      const granted = await ctx.store.requestPersistence();
      const later = Number(stored(PERSIST_LATER_KEY) ?? 0);
      const phoneRole = PHONE_ROLES.includes(app.session?.user?.role);
      const refused = phoneRole && !granted && !installed && Date.now() - later > PERSIST_LATER_MS;
      if (refused !== app.persistRefused) {
        app.persistRefused = refused;
        changed();
      }
    },
    async loadDevice() {
      const info = await ctx.store.deviceInfo();
      device.id = info.deviceId;
      device.name = info.deviceName;
      if (!device.editing) drawDevice();
      changed();
    },
    drawNotes,
    rememberSupport(text) {
      if (typeof text === 'string') store(SUPPORT_KEY, text.trim() ? text.trim() : null);
    },
  };
}
