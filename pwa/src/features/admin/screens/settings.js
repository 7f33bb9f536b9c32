// Cài đặt (/admin/settings): the A4 report's letterhead — who issues it (one line per level,
// the parent body first), its document number prefix ("Số: …/BC-SCT"), and its recipient.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, errorBox, errorText, field, formErrors, input, title } from './common.js';

const FIELDS = ['issuer', 'number_prefix', 'recipient'];

export default function settingsScreen(ctx) {
  const root = adminRoot();
  const state = { loading: true, error: '', busy: false, done: '', errors: {}, general: [] };
  const form = { issuer: '', number_prefix: '', recipient: '' };

  async function load() {
    try {
      const body = await admin.getReportSettings();
      for (const name of FIELDS) form[name] = body[name] ?? '';
      state.error = '';
    } catch (err) {
      state.error = errorText(ctx.t, err);
    }
    state.loading = false;
    draw();
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    const { t } = ctx;
    state.errors = {};
    for (const name of FIELDS) if (!form[name].trim()) state.errors[name] = [t('admin.settings.required')];
    state.general = [];
    state.done = '';
    if (!Object.keys(state.errors).length) {
      state.busy = true;
      draw();
      try {
        const saved = await admin.setReportSettings(Object.fromEntries(FIELDS.map((n) => [n, form[n].trim()])));
        for (const name of FIELDS) form[name] = saved[name];
        state.done = t('admin.settings.saved');
      } catch (err) {
        ({ fields: state.errors, general: state.general } = formErrors(t, err, FIELDS));
        // The server's one rule with no form check here: said in the reader's words.
        if (state.errors.recipient) state.errors.recipient = [t('admin.settings.sameBody')];
        if (state.errors.number_prefix) state.errors.number_prefix = [t('admin.settings.badPrefix')];
      }
      state.busy = false;
    }
    draw();
    (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box') ?? root.querySelector('.note--ok'))?.focus();
  }

  function draw() {
    const { t } = ctx;
    const e = (name) => state.errors[name] ?? [];
    const bind = (name) => ({ oninput: (ev) => { form[name] = ev.target.value; } });
    const lines = form.issuer.split('\n').map((l) => l.trim()).filter(Boolean);
    replaceChildren(root,
      title(t('admin.settings.title')),
      h('p', { class: 'lead' }, t('admin.settings.lead')),
      errorBox(state.error),
      state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : h('form', { class: 'form admin-form', novalidate: true, onsubmit: submit },
        h('h3', { class: 'list-title' }, t('admin.settings.report')),
        state.done ? h('p', { class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, state.done)) : null,
        errorBox(state.general),
        field('setting-issuer', t('admin.settings.issuer'), h('textarea', { id: 'setting-issuer', name: 'setting-issuer', class: 'input', rows: '2', value: form.issuer, ...bind('issuer') }),
          { errors: e('issuer'), help: t('admin.settings.issuerHelp'), required: true }),
        field('setting-number', t('admin.settings.numberPrefix'), input('setting-number', form.number_prefix, { autocomplete: 'off', ...bind('number_prefix') }),
          { errors: e('number_prefix'), help: t('admin.settings.numberHelp', { prefix: form.number_prefix || '…' }), required: true }),
        field('setting-recipient', t('admin.settings.recipient'), input('setting-recipient', form.recipient, { autocomplete: 'off', ...bind('recipient') }),
          { errors: e('recipient'), help: t('admin.settings.recipientHelp', { issuer: lines.at(-1) ?? '…' }), required: true }),
        h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy }, icon('check'), t(state.busy ? 'admin.saving' : 'admin.settings.submit'))));
  }

  draw();
  load();
  return { root, draw };
}
