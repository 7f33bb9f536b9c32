// Nhật ký quản trị (/admin/audit): every administrative act, newest first, filtered by action,
// actor, target type and dates; "Tải thêm" asks for the next page by cursor; the CSV holds the
// same rows. The trail is read-only here as on the server.
import * as admin from '../store.js';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '../auditMessages.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, chip, errorBox, errorText, field, input, roleLabel, select, title, when } from './common.js';

const TONES = { 'auth.login_failed': ['wait', 'alert'], 'auth.locked': ['bad', 'lock'] };

function value(t, key, v) {
  if (v === null || v === undefined || v === '') return t('admin.audit.empty');
  if (typeof v === 'boolean') return t(v ? 'admin.audit.yes' : 'admin.audit.no');
  if (key === 'role') return roleLabel(t, v);
  if (key === 'reason') return known(t, `admin.audit.reason.${v}`, v);
  if (key === 'target' && typeof v === 'number') return `${Math.round(v * 1000) / 10}%`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The message for `key`, or `fallback` when there is none (a new field, a new reason). */
function known(t, key, fallback) {
  const text = t(key);
  return text === key ? String(fallback) : text;
}

function fieldName(t, key) {
  return known(t, `admin.audit.field.${key}`, key);
}

/** The details as short lines: "Vai trò: Cán bộ kiểm tra → Cán bộ phường", "created: 1". */
export function detailLines(t, details = {}) {
  const lines = [];
  const { before, after, via, ...rest } = details;
  if (after && typeof after === 'object') {
    for (const key of Object.keys(after)) {
      lines.push(`${fieldName(t, key)}: ${value(t, key, before?.[key])} → ${value(t, key, after[key])}`);
    }
  } else if (after !== undefined) {
    lines.push(`${fieldName(t, 'target')}: ${value(t, 'target', before)} → ${value(t, 'target', after)}`);
  }
  for (const [key, v] of Object.entries(rest)) lines.push(`${fieldName(t, key)}: ${value(t, key, v)}`);
  return lines;
}

function actorText(t, event) {
  if (event.actor) return event.actor.username;
  return t(event.details?.via === 'cli' ? 'admin.audit.cli' : 'admin.audit.nobody');
}

export function eventCard(t, event) {
  const [tone, iconName] = TONES[event.action] ?? ['info', 'edit'];
  const type = t(`admin.audit.type.${event.target.type}`);
  const lines = detailLines(t, event.details);
  return h('li', { class: 'admin-item audit-item', dataset: { eventId: String(event.id), action: event.action } },
    h('div', { class: 'admin-item__head' },
      chip(tone, iconName, t(`admin.audit.action.${event.action}`)),
      h('span', { class: 'admin-item__name' }, event.target.label || event.target.id || type),
      h('time', { class: 'audit-item__at', dateTime: event.at }, when(event.at))),
    h('dl', { class: 'admin-facts' },
      h('dt', null, t('admin.audit.by')), h('dd', { class: 'audit-item__actor' }, actorText(t, event)),
      h('dt', null, t('admin.audit.target')), h('dd', null, `${type}${event.target.id ? ` #${event.target.id}` : ''}`),
      event.ip ? [h('dt', null, t('admin.audit.where')), h('dd', null, [event.ip, event.device_id].filter(Boolean).join(' · '))] : null,
      lines.length ? [h('dt', null, t('admin.audit.details')), h('dd', null, h('ul', { class: 'plain audit-item__details' }, lines.map((l) => h('li', null, l))))] : null));
}

export default function auditScreen(ctx) {
  const root = adminRoot();
  const filter = { action: '', actor: '', target_type: '', since: '', until: '' };
  const state = { loading: true, events: [], cursor: null, error: '', more: false, csvBusy: false };
  let latest = 0;

  async function load({ append = false } = {}) {
    const mine = ++latest;
    state.more = append;
    if (!append) state.loading = true;
    draw();
    try {
      const body = await admin.listAudit({ ...filter, cursor: append ? state.cursor : '' });
      if (mine !== latest) return;
      state.events = append ? state.events.concat(body.events) : body.events;
      Object.assign(state, { cursor: body.cursor, error: '' });
    } catch (err) {
      if (mine !== latest) return;
      state.error = errorText(ctx.t, err);
    }
    Object.assign(state, { loading: false, more: false });
    draw();
  }

  async function downloadCsv() {
    state.csvBusy = true;
    draw();
    try {
      const file = await admin.downloadAuditCsv(filter);
      ctx.flash?.(ctx.t('admin.audit.csvDone', { file }), 'ok');
    } catch (err) {
      state.error = errorText(ctx.t, err);
    }
    state.csvBusy = false;
    draw();
  }

  function change(key) {
    return (e) => {
      filter[key] = e.target.value;
      load();
    };
  }

  function filters(t) {
    const actor = input('audit-actor', filter.actor, { autocomplete: 'off', spellcheck: false, maxLength: 64, placeholder: t('admin.audit.actorHint') });
    return h('form', {
      class: 'admin-filters', role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        filter.actor = actor.value.trim();
        load();
      },
    },
    field('audit-action', t('admin.audit.action'), select('audit-action',
      [['', t('admin.all')], ...AUDIT_ACTIONS.map((a) => [a, t(`admin.audit.action.${a}`)])], filter.action, { onchange: change('action') })),
    field('audit-actor', t('admin.audit.actor'), actor),
    field('audit-type', t('admin.audit.targetType'), select('audit-type',
      [['', t('admin.all')], ...AUDIT_TARGET_TYPES.map((v) => [v, t(`admin.audit.type.${v}`)])], filter.target_type, { onchange: change('target_type') })),
    field('audit-since', t('admin.audit.since'), input('audit-since', filter.since, { type: 'date', onchange: change('since') })),
    field('audit-until', t('admin.audit.until'), input('audit-until', filter.until, { type: 'date', onchange: change('until') })),
    h('div', { class: 'field audit-filters__go' }, h('button', { type: 'submit', class: 'btn btn--primary' }, icon('filter'), t('admin.audit.apply'))));
  }

  function draw() {
    const { t } = ctx;
    const active = document.activeElement?.id;
    replaceChildren(root,
      title(t('admin.audit.title')),
      h('p', { class: 'lead' }, t('admin.audit.lead')),
      filters(t),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'audit-csv', class: 'btn btn--ghost', disabled: state.csvBusy, onclick: downloadCsv },
          icon('download'), t(state.csvBusy ? 'admin.audit.csvBusy' : 'admin.audit.csv'))),
      errorBox(state.error),
      state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : null,
      !state.loading
        ? [h('p', { class: 'count', 'aria-live': 'polite' }, t('admin.audit.shown', { count: state.events.length })),
          state.events.length
            ? h('ol', { class: 'admin-list audit-list' }, state.events.map((e) => eventCard(t, e)))
            : h('p', { class: 'empty' }, t('admin.audit.none')),
          state.cursor
            ? h('button', { type: 'button', id: 'audit-more', class: 'btn btn--ghost btn--block', disabled: state.more, onclick: () => load({ append: true }) },
              t(state.more ? 'admin.audit.moreBusy' : 'admin.audit.more'))
            : null]
        : null);
    if (active && root.querySelector(`#${active}`)) root.querySelector(`#${active}`).focus({ preventScroll: true });
  }

  load();
  return { root, draw };
}
