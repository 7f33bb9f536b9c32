// Thiết bị (/admin/devices[?user_id=]): every phone's sign-in, most recently seen first.
// Revoking signs that phone out: its next sync asks to sign in again, its unsent visits stay.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, chip, confirmAction, errorBox, errorText, field, roleLabel, select, title, when } from './common.js';

const STATE_CHIPS = { active: ['ok', 'check'], revoked: ['bad', 'cross'], expired: ['wait', 'clock'] };

export function deviceCard(t, device, onRevoke, busy, mine = false) {
  const [tone, iconName] = STATE_CHIPS[device.status] ?? STATE_CHIPS.expired;
  const who = device.user.display_name || device.user.username;
  const name = device.device_name || t('admin.devices.unnamed');
  return h('li', { class: 'admin-item', dataset: { deviceId: device.device_id } },
    h('div', { class: 'admin-item__head' },
      h('span', { class: 'admin-item__name' }, `${who} — ${name}`),
      mine ? chip('info', 'user', t('admin.devices.mine')) : null,
      chip(tone, iconName, t(`admin.devices.status.${device.status}`))),
    h('p', { class: 'admin-item__meta' }, `${device.user.username} · ${roleLabel(t, device.user.role)} · ${device.device_id}`),
    h('dl', { class: 'admin-facts' },
      h('dt', null, t('admin.devices.lastSeen')), h('dd', null, when(device.last_seen_at)),
      h('dt', null, t('admin.devices.lastSync')), h('dd', null, device.last_synced_at ? when(device.last_synced_at) : t('admin.devices.neverSynced')),
      h('dt', null, t('admin.devices.expires')), h('dd', null, when(device.expires_at)),
      device.revoked_at ? [h('dt', null, t('admin.devices.revokedAt')), h('dd', null, when(device.revoked_at))] : null),
    device.status === 'active'
      ? h('div', { class: 'row' }, h('button', {
        type: 'button', class: 'btn btn--warn btn--small', disabled: busy,
        'aria-label': t('admin.devices.revokeNamed', { name: `${who} — ${name}` }),
        onclick: () => onRevoke(device),
      }, icon('lock'), t('admin.devices.revoke')))
      : null);
}

export default function devicesScreen(ctx, { query }) {
  const root = adminRoot();
  const userId = query.get('user_id') || '';
  const filter = { active: 'yes' };
  const state = { loading: true, devices: [], total: 0, error: '', done: '', busy: false, limit: admin.PAGE_SIZE, mine: null };

  // Searching as one types sends a request per pause: only the latest answer may be drawn
  // (an earlier, slower one would put back the unfiltered list).
  let latest = 0;

  async function load() {
    const mine = ++latest;
    try {
      state.mine ??= await admin.thisDeviceId();
      const body = await admin.listDevices({ user_id: userId, active: filter.active === '' ? '' : filter.active === 'yes', limit: state.limit });
      if (mine !== latest) return; // a newer search is under way
      Object.assign(state, { devices: body.devices, total: body.total, error: '' });
    } catch (err) {
      if (mine !== latest) return;
      state.error = errorText(ctx.t, err);
    }
    state.loading = false;
    draw();
  }

  async function revoke(device) {
    const { t } = ctx;
    const name = `${device.user.display_name || device.user.username} — ${device.device_name || device.device_id}`;
    const question = device.device_id === state.mine ? 'admin.devices.confirmRevokeMine' : 'admin.devices.confirmRevoke';
    if (!confirmAction(t(question, { name }))) return;
    state.busy = true;
    draw();
    try {
      await admin.revokeDevice(device.id);
      state.done = t('admin.devices.revoked', { name });
      state.error = '';
    } catch (err) {
      state.error = errorText(t, err);
    }
    state.busy = false;
    await load();
    root.querySelector('[role="status"].note, .error-box')?.focus();
  }

  function draw() {
    const { t } = ctx;
    replaceChildren(root,
      title(t('admin.devices.title')),
      h('p', { class: 'lead' }, t('admin.devices.lead')),
      userId ? h('p', { class: 'hint' }, t('admin.devices.oneUser'), ' ', h('a', { href: '/admin/devices' }, t('admin.devices.allUsers'))) : null,
      h('form', { class: 'admin-filters', onsubmit: (e) => e.preventDefault() },
        field('devices-active', t('admin.devices.show'), select('devices-active',
          [['yes', t('admin.devices.onlyActive')], ['', t('admin.all')], ['no', t('admin.devices.onlyInactive')]], filter.active,
          { onchange: (e) => { filter.active = e.target.value; load(); } }))),
      state.done ? h('p', { class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, state.done)) : null,
      errorBox(state.error),
      state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : null,
      !state.loading
        ? [h('p', { class: 'count' }, t('admin.devices.count', { count: state.total })),
          state.devices.length
            ? h('ul', { class: 'admin-list' }, state.devices.map((d) => deviceCard(t, d, revoke, state.busy, d.device_id === state.mine)))
            : h('p', { class: 'empty' }, t('admin.devices.none')),
          state.total > state.devices.length
            ? h('button', { type: 'button', class: 'btn btn--ghost btn--block', onclick: () => { state.limit += admin.PAGE_SIZE; load(); } },
              t('admin.more', { count: state.total - state.devices.length }))
            : null]
        : null);
  }

  draw();
  load();
  return { root, draw };
}
