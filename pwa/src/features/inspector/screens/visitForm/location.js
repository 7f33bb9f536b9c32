// The form's location box: take (or retake) a GPS fix and say how far it is from the market.
import { h, icon, replaceChildren } from '../../../../shared/dom.js';
import { formatDistance, formatNumber } from '../../../../shared/format.js';
import { assessFix, FAR_FROM_MARKET_M } from '../../geo.js';
import { getPosition, positionErrorKey } from '../../location.js';

/** → {locate, drawLocation} working on the form's `state.location` and `refs.location`. */
export function createLocationBox({ ctx, state, refs, isDestroyed, scheduleDraft }) {
  async function locate() {
    state.location = { ...state.location, status: 'locating' };
    drawLocation();
    try {
      const fix = await getPosition({ highAccuracy: true });
      if (isDestroyed()) return;
      state.location = { status: 'ok', fix: { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m }, errorKey: null };
      state.dirty = state.dirty || !!state.visit;
      scheduleDraft();
    } catch (err) {
      if (isDestroyed()) return;
      // Keep an earlier fix rather than losing it because a retry failed.
      state.location = state.location.fix
        ? { status: 'ok', fix: state.location.fix, errorKey: positionErrorKey(err) }
        : { status: 'error', fix: null, errorKey: positionErrorKey(err) };
    }
    drawLocation();
  }

  function drawLocation() {
    const box = refs.location;
    if (!box) return;
    const { t, lang } = ctx;
    const { status, fix, errorKey } = state.location;
    const lines = [];
    if (status === 'locating') lines.push(h('p', { class: 'loc__line' }, t('geo.locating')));
    if (fix) {
      const { distance_m, far, poor } = assessFix(fix, state.market);
      lines.push(
        h('p', { class: 'loc__line loc__line--ok' }, icon('pin'), ' ',
          t('geo.accuracy', { accuracy: formatNumber(fix.accuracy_m ?? 0, lang) })),
      );
      if (distance_m !== null) {
        lines.push(h('p', { class: 'loc__line' }, t('geo.distance', { distance: formatDistance(distance_m, lang) })));
      }
      if (far) {
        lines.push(h('p', { class: 'note note--warn' }, icon('alert'),
          h('span', null, t('geo.far', { distance: formatDistance(distance_m, lang), limit: formatNumber(FAR_FROM_MARKET_M, lang) }))));
      }
      if (poor) lines.push(h('p', { class: 'note note--warn' }, icon('alert'), h('span', null, t('geo.poor'))));
      if (errorKey && status === 'ok') lines.push(h('p', { class: 'hint' }, t(errorKey)));
    } else if (status === 'error') {
      lines.push(h('p', { class: 'note note--warn' }, icon('alert'), h('span', null, t(errorKey))));
      lines.push(h('p', { class: 'hint' }, t('geo.optional')));
    } else if (status === 'idle') {
      lines.push(h('p', { class: 'loc__line' }, t('geo.none')));
    }
    replaceChildren(
      box,
      h('div', { role: 'status', class: 'loc__status' }, lines),
      h('button', {
        type: 'button',
        class: 'btn btn--secondary',
        disabled: status === 'locating',
        onclick: locate,
      }, icon('pin'), ' ', t(fix ? 'geo.retake' : 'geo.take')),
    );
  }

  return { locate, drawLocation };
}
