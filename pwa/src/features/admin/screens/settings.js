// Cài đặt (/admin/settings): the A4 report's letterhead — who issues it (one line per level,
// the parent body first), its document number prefix ("Số: …/BC-SCT"), and its recipient —
// and the help contact the sign-in screen shows to a locked-out user.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, errorBox, errorText, field, formErrors, input, title } from './common.js';

const FIELDS = ['issuer', 'number_prefix', 'recipient'];

export default function settingsScreen(ctx) {
  const root = adminRoot();
  const state = { loading: true, error: '', busy: false, done: '', errors: {}, general: [] };
  const form = { issuer: '', number_prefix: '', recipient: '' };
  const support = { value: '', fallback: '', busy: false, done: '', errors: [] };

  async function load() {
    try {
      const [body, settings] = await Promise.all([admin.getReportSettings(), admin.getAdminSettings()]);
      for (const name of FIELDS) form[name] = body[name] ?? '';
      support.fallback = settings.default_support_contact ?? '';
      support.value = settings.updated_at ? settings.support_contact : '';
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

  async function saveSupport(event) {
    event.preventDefault();
    if (support.busy) return;
    const { t } = ctx;
    support.done = '';
    support.errors = support.value.trim().length > 300 ? [t('admin.settings.supportTooLong')] : [];
    if (!support.errors.length) {
      support.busy = true;
      draw();
      try {
        const saved = await admin.setSupportContact(support.value.trim());
        support.value = saved.updated_at ? saved.support_contact : '';
        support.done = t('admin.settings.supportSaved');
      } catch (err) {
        const { fields, general } = formErrors(t, err, ['support_contact']);
        support.errors = [...(fields.support_contact ?? []), ...general];
      }
      support.busy = false;
    }
    draw();
    (root.querySelector('#setting-support[aria-invalid="true"]') ?? root.querySelector('#support-saved'))?.focus();
  }

  function supportForm() {
    const { t } = ctx;
    return h('form', { class: 'form admin-form', novalidate: true, onsubmit: saveSupport },
      h('h3', { class: 'list-title' }, t('admin.settings.support')),
      support.done ? h('p', { id: 'support-saved', class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, support.done)) : null,
      field('setting-support', t('admin.settings.supportContact'),
        input('setting-support', support.value, { autocomplete: 'off', maxlength: '300', oninput: (ev) => { support.value = ev.target.value; } }),
        { errors: support.errors, help: `${t('admin.settings.supportHelp')} ${support.fallback ? t('admin.settings.supportDefault', { contact: support.fallback }) : t('admin.settings.supportNone')}` }),
      h('button', { type: 'submit', class: 'btn btn--primary', disabled: support.busy }, icon('check'), t(support.busy ? 'admin.saving' : 'admin.settings.supportSubmit')));
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
        h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy }, icon('check'), t(state.busy ? 'admin.saving' : 'admin.settings.submit'))),
      state.loading ? null : supportForm());
  }

  draw();
  load();
  return { root, draw };
}
