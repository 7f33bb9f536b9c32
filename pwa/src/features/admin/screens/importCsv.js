// Nhập CSV (/admin/markets/import, /admin/org-units/import): pick a file, check it first (a dry
// run: the server reads every line and writes nothing), see the errors by line number, then
// import for real. Imports are all or nothing (DESIGN §11): one bad line, nothing is written.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, backLink, errorText, forgetUnits, title } from './common.js';

function importScreen(kind, ctx) {
  const root = adminRoot();
  const keys = kind === 'markets'
    ? { title: 'admin.import.marketsTitle', back: '/admin/markets', backText: 'admin.markets.back', example: 'admin.import.marketsExample' }
    : { title: 'admin.import.unitsTitle', back: '/admin/org-units', backText: 'admin.units.back', example: 'admin.import.unitsExample' };
  // checked: the dry run's result for this very file; done: the real import's result
  const state = { file: null, busy: '', checked: null, done: null, lines: [], general: '' };

  async function send(dryRun) {
    if (!state.file || state.busy) return;
    state.busy = dryRun ? 'check' : 'import';
    state.lines = [];
    state.general = '';
    if (dryRun) state.checked = null;
    state.done = null;
    draw();
    try {
      const result = await admin.importCsv(kind, state.file, { dryRun });
      if (dryRun) state.checked = result;
      else {
        state.done = result;
        state.checked = null;
        if (kind === 'org_units') forgetUnits();
      }
    } catch (err) {
      state.checked = null;
      state.lines = err?.code === 'validation_failed' ? admin.lineErrors(err) : [];
      state.general = state.lines.length ? ctx.t('admin.import.failed', { count: state.lines.length }) : errorText(ctx.t, err);
    }
    state.busy = '';
    draw();
    root.querySelector('.import-result')?.focus();
  }

  function result() {
    const { t } = ctx;
    if (state.general) {
      return h('div', { class: 'import-result note note--block note--bad', role: 'alert', tabindex: '-1' },
        h('p', { class: 'note__title' }, icon('alert'), state.general),
        state.lines.length
          ? h('ul', { class: 'plain import-lines' }, state.lines.map(({ line, messages }) =>
            h('li', null, h('strong', null, line ? t('admin.import.line', { line }) : t('admin.import.file')), ' ', messages.join(' '))))
          : null,
        h('p', null, t('admin.import.nothingWritten')));
    }
    if (state.checked) {
      return h('div', { class: 'import-result note note--block note--info', role: 'status', tabindex: '-1' },
        h('p', { class: 'note__title' }, icon('check'), t('admin.import.checkedOk')),
        h('p', null, t('admin.import.summary', state.checked)),
        h('button', { type: 'button', class: 'btn btn--primary', disabled: !!state.busy, onclick: () => send(false) },
          icon('upload'), t(state.busy === 'import' ? 'admin.import.importing' : 'admin.import.run')));
    }
    if (state.done) {
      return h('div', { class: 'import-result note note--block note--ok', role: 'status', tabindex: '-1' },
        h('p', { class: 'note__title' }, icon('check'), t('admin.import.done')),
        h('p', null, t('admin.import.summary', state.done)),
        h('a', { class: 'link', href: keys.back }, t(keys.backText)));
    }
    return null;
  }

  // Made once: a redraw must not replace it, or the browser shows "no file chosen" for the file
  // that was just checked.
  const fileInput = h('input', {
    id: 'import-file', type: 'file', accept: '.csv,text/csv', class: 'input',
    'aria-describedby': 'import-columns',
    onchange: (ev) => {
      state.file = ev.target.files?.[0] ?? null;
      Object.assign(state, { checked: null, done: null, lines: [], general: '' });
      draw();
    },
  });

  function draw() {
    const { t } = ctx;
    const columns = admin.IMPORT_COLUMNS[kind];
    replaceChildren(root,
      backLink(keys.back, t(keys.backText)),
      title(t(keys.title)),
      h('p', { class: 'lead' }, t('admin.import.lead')),
      h('div', { class: 'card', id: 'import-columns' },
        h('p', { class: 'card__text' }, t('admin.import.columns')),
        h('code', { class: 'import-columns' }, columns.join(',')),
        h('p', { class: 'hint' }, t(keys.example)),
        h('p', { class: 'hint' }, t('admin.import.encoding'))),
      h('div', { class: 'field' },
        h('label', { class: 'field__label', htmlFor: 'import-file' }, t('admin.import.file')),
        fileInput,
        state.file ? h('p', { class: 'hint' }, t('admin.import.chosen', { name: state.file.name })) : null),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn--secondary', disabled: !state.file || !!state.busy, onclick: () => send(true) },
          icon('check'), t(state.busy === 'check' ? 'admin.import.checking' : 'admin.import.check'))),
      result());
  }

  draw();
  return { root, draw };
}

export const marketsImportScreen = (ctx) => importScreen('markets', ctx);
export const orgUnitsImportScreen = (ctx) => importScreen('org_units', ctx);
