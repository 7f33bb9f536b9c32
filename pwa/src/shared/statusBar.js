// The sync bar under the header, on every screen once signed in. One compact line: the pill
// (what the phone can do now: online and reaching the server, no network, or a network but no
// server), the visits waiting, and "Đồng bộ ngay". Tapping the pill opens the details: what the
// state means, the last sync, the last error, progress, this device's name, installation.
// Warnings that ask for an action (signed out, storage low, a new app version) stay in sight
// below the line; the note about storage the browser may clear is in the page (app/phone.js).
import { h, icon, replaceChildren } from './dom.js';
import { formatWhen } from './format.js';

/** The sentence next to the online pill (pure, for tests). */
export function syncSummary(t, status, now = new Date()) {
  const parts = [];
  parts.push(status.pending > 0 ? t(status.pending === 1 ? 'sync.pending.one' : 'sync.pending.other', { count: status.pending }) : t('sync.allSent'));
  parts.push(status.lastSyncedAt ? t('sync.lastSynced', { time: formatWhen(status.lastSyncedAt, now) }) : t('sync.never'));
  return parts;
}

/**
 * What the phone can do now (pure, for tests): 'offline' (the browser says no network),
 * 'unreachable' (a network, but the server did not answer the last check or sync), 'online'
 * (the server answered), 'checking' (a network, no answer yet either way).
 */
export function connectionState(online, reachable) {
  if (!online) return 'offline';
  if (reachable === false) return 'unreachable';
  return reachable ? 'online' : 'checking';
}

const PILL_TONE = { online: 'pill--online', offline: 'pill--offline', unreachable: 'pill--unreachable', checking: 'pill--checking' };

export function createStatusBar(host, ctx) {
  const els = {
    pill: h('button', {
      type: 'button',
      class: 'pill',
      'aria-expanded': 'false',
      'aria-controls': 'syncbar-details',
      onclick: () => {
        els.expanded = !els.expanded;
        update();
      },
    }),
    button: h('button', { type: 'button', class: 'btn btn--small syncbar__btn', onclick: () => ctx.syncNow() }),
    progress: h('progress', { class: 'syncbar__progressbar', hidden: true }),
    details: h('div', { id: 'syncbar-details', class: 'syncbar__details', hidden: true }),
    banners: h('div', { class: 'syncbar__banners' }),
    expanded: false,
  };
  els.pending = h('span', { class: 'syncbar__pending', role: 'status' });
  replaceChildren(
    host,
    h('div', { class: 'syncbar__row' }, els.pill, els.pending, els.button),
    els.progress,
    els.details,
    els.banners,
  );

  function drawDetails(state) {
    const { t, app } = ctx;
    const s = app.status;
    const [, last] = syncSummary(t, s);
    const networkError = s.lastErrorCode === 'network_error';
    // A "no answer" error is stale once the server answered again (the pill says so).
    const showError = s.lastError && !s.syncing && !s.needsLogin && !(networkError && state === 'online');
    const { done = 0, total = 0 } = s.progress ?? {};
    replaceChildren(
      els.details,
      h('p', { class: 'syncbar__explain' }, t(`net.explain.${state}`)),
      h('p', { class: 'syncbar__last' }, last),
      s.syncing ? h('p', { class: 'syncbar__count' }, total ? t('sync.progress', { done, total }) : t('sync.busy')) : null,
      showError ? h('p', { class: 'syncbar__error' }, icon('alert'), ' ', t('sync.error', { message: s.lastError.replace(/[.\s]+$/, '') })) : null,
      ctx.deviceDetails?.() ?? null,
      ctx.installOffer?.() ?? null,
    );
  }

  function update() {
    const { t, app } = ctx;
    const s = app.status;
    host.setAttribute('aria-label', t('sync.label'));
    host.setAttribute('role', 'region');
    // Nothing to sync before anyone signs in, nor on the sign-in screen itself (it says what
    // it needs); the bar comes with the session.
    host.hidden = !app.session || ctx.routeName() === 'login';
    document.body.classList.toggle('has-syncbar', !host.hidden);

    const state = connectionState(s.online, app.reachable);
    const hasError = !!s.lastError && !s.syncing && !s.needsLogin && state === 'online';
    els.pill.className = `pill ${PILL_TONE[state]}`;
    els.pill.dataset.state = state;
    els.pill.setAttribute('aria-expanded', String(els.expanded));
    els.pill.title = t('sync.details');
    replaceChildren(
      els.pill,
      h('span', { class: 'pill__dot', 'aria-hidden': 'true' }),
      h('span', { class: 'pill__text' }, t(`net.${state}`)),
      hasError ? h('span', { class: 'pill__flag', 'aria-hidden': 'true' }, '!') : null,
      h('span', { class: `pill__chevron${els.expanded ? ' pill__chevron--open' : ''}`, 'aria-hidden': 'true' }, '▾'),
    );

    const [waiting] = syncSummary(t, s);
    // Rewrite the live region only when its words change, so screen readers are not flooded.
    if (els.pending.textContent !== waiting) els.pending.textContent = waiting;
    els.pending.classList.toggle('syncbar__pending--none', s.pending === 0);

    els.button.disabled = s.syncing;
    const label = t(s.syncing ? 'sync.busy' : 'sync.now');
    els.button.setAttribute('aria-label', label);
    els.button.title = label;
    replaceChildren(els.button, icon('sync', s.syncing ? 'spin' : ''), h('span', { class: 'syncbar__btnText' }, label));

    els.progress.hidden = !s.syncing;
    if (s.syncing) {
      const { done = 0, total = 0 } = s.progress ?? {};
      els.progress.max = total || 1;
      els.progress.setAttribute('aria-label', t('sync.busy'));
      if (total) els.progress.value = Math.min(done, total);
      else els.progress.removeAttribute('value'); // the indeterminate bar
    }

    // Drawn while folded too: what it says is the page's (tests and screen readers read it).
    els.details.hidden = !els.expanded;
    if (!els.details.contains(document.activeElement)) drawDetails(state); // not under typing fingers

    const bannerKey = [ctx.lang, app.session?.expired, s.needsLogin, s.signedOutReason, s.pending, app.storageLow, !!app.applyUpdate, ctx.routeName()].join('|');
    if (bannerKey === els.bannerKey) return;
    els.bannerKey = bannerKey;
    const banners = [];
    // Only for a phone that was signed in: a fresh install also reports needsLogin.
    if (app.session && (app.session.expired || s.needsLogin)) {
      const revoked = s.signedOutReason === 'token_revoked' || app.session.reason === 'token_revoked';
      const key = revoked ? 'session.revoked' : 'session.expired';
      banners.push(
        h('div', { class: 'banner banner--warn', role: 'alert' },
          icon('alert'),
          h('span', { class: 'banner__text' }, s.pending > 0 ? t(`${key}Pending`, { count: s.pending }) : t(key)),
          ctx.routeName() === 'login' ? null : h('a', { class: 'btn btn--small btn--warn', href: ctx.loginHref() }, t('session.relogin'))),
      );
    }
    if (app.storageLow) {
      banners.push(h('div', { class: 'banner banner--warn', role: 'alert' }, icon('alert'), h('span', { class: 'banner__text' }, t('storage.low'))));
    }
    if (app.applyUpdate) {
      banners.push(
        h('div', { class: 'banner banner--info' },
          h('span', { class: 'banner__text' }, t('sw.update')),
          h('button', { type: 'button', class: 'btn btn--small', onclick: () => ctx.applyUpdate() }, t('sw.updateButton'))),
      );
    }
    replaceChildren(els.banners, banners);
  }

  update();
  return {
    update,
    /** Redraws the details (e.g. the device name changed) when they are open. */
    refreshDetails: () => {
      els.bannerKey = null;
      update();
    },
  };
}
