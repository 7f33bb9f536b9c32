// The sync bar under the header, on every screen: online/offline, visits waiting, last sync,
// progress, "Đồng bộ ngay", and the warnings that matter (session expired, storage low,
// a new app version).
import { h, icon, replaceChildren } from './dom.js';
import { formatWhen } from './format.js';

/** The sentence next to the online pill (pure, for tests). */
export function syncSummary(t, status, now = new Date()) {
  const parts = [];
  parts.push(status.pending > 0 ? t(status.pending === 1 ? 'sync.pending.one' : 'sync.pending.other', { count: status.pending }) : t('sync.allSent'));
  parts.push(status.lastSyncedAt ? t('sync.lastSynced', { time: formatWhen(status.lastSyncedAt, now) }) : t('sync.never'));
  return parts;
}

export function createStatusBar(host, ctx) {
  const els = {
    pill: h('span', { class: 'pill' }),
    button: h('button', { type: 'button', class: 'btn btn--small syncbar__btn', onclick: () => ctx.syncNow() }),
    progressRow: h('div', { class: 'syncbar__progress', hidden: true }),
    banners: h('div', { class: 'syncbar__banners' }),
  };
  els.pending = h('span', { class: 'syncbar__pending', role: 'status' });
  els.last = h('span', { class: 'syncbar__last' });
  replaceChildren(
    host,
    h('div', { class: 'syncbar__row' }, els.pill, els.pending),
    h('div', { class: 'syncbar__row' }, els.last, els.button),
    els.progressRow,
    els.banners,
  );

  function update() {
    const { t, app } = ctx;
    const s = app.status;
    host.setAttribute('aria-label', t('sync.label'));
    host.setAttribute('role', 'region');

    els.pill.className = `pill ${s.online ? 'pill--online' : 'pill--offline'}`;
    replaceChildren(els.pill, h('span', { class: 'pill__dot', 'aria-hidden': 'true' }), t(s.online ? 'net.online' : 'net.offline'));

    const [waiting, last] = syncSummary(t, s);
    // Rewrite the live region only when its words change, so screen readers are not flooded.
    if (els.pending.textContent !== waiting) els.pending.textContent = waiting;
    els.pending.classList.toggle('syncbar__pending--none', s.pending === 0);
    els.last.textContent = last;

    els.button.disabled = s.syncing;
    replaceChildren(els.button, icon('sync', s.syncing ? 'spin' : ''), h('span', null, t(s.syncing ? 'sync.busy' : 'sync.now')));

    els.progressRow.hidden = !s.syncing;
    if (s.syncing) {
      const { done = 0, total = 0 } = s.progress ?? {};
      const bar = h('progress', { class: 'progress', max: String(total || 1), 'aria-label': t('sync.busy') });
      if (total) bar.value = Math.min(done, total); // no value: the indeterminate bar
      replaceChildren(els.progressRow, bar, h('span', { class: 'syncbar__count' }, total ? t('sync.progress', { done, total }) : t('sync.busy')));
    }

    const bannerKey = [ctx.lang, app.session?.expired, s.needsLogin, s.pending, app.storageLow, s.lastError, s.syncing, s.online, !!app.applyUpdate, ctx.routeName()].join('|');
    if (bannerKey === els.bannerKey) return;
    els.bannerKey = bannerKey;
    const banners = [];
    // Only for a phone that was signed in: a fresh install also reports needsLogin.
    if (app.session && (app.session.expired || s.needsLogin)) {
      banners.push(
        h('div', { class: 'banner banner--warn', role: 'alert' },
          icon('alert'),
          h('span', { class: 'banner__text' }, s.pending > 0 ? t('session.expiredPending', { count: s.pending }) : t('session.expired')),
          ctx.routeName() === 'login' ? null : h('a', { class: 'btn btn--small btn--warn', href: ctx.loginHref() }, t('session.relogin'))),
      );
    }
    if (app.storageLow) {
      banners.push(h('div', { class: 'banner banner--warn', role: 'alert' }, icon('alert'), h('span', { class: 'banner__text' }, t('storage.low'))));
    }
    if (s.lastError && !s.syncing && !s.needsLogin && s.online) {
      banners.push(h('div', { class: 'banner banner--bad' }, icon('alert'), h('span', { class: 'banner__text' }, t('sync.error', { message: s.lastError.replace(/[.\s]+$/, '') }))));
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
  return { update };
}
