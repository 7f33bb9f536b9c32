// Pieces every admin screen uses: the screen frame, labelled fields with their errors, the
// searchable org-unit picker, error text from the API's error shape, confirmations.
import * as admin from '../store.js';
import { h, icon } from '../../../shared/dom.js';
import { formatWhen } from '../../../shared/format.js';

let unitsCache = null;

/** Every org unit (cached for the page; an org-unit import calls forgetUnits). */
export async function loadUnits() {
  unitsCache ??= admin.listOrgUnits().then((body) => body.org_units, (err) => {
    unitsCache = null;
    throw err;
  });
  return unitsCache;
}

export function forgetUnits() {
  unitsCache = null;
}

export function adminRoot() {
  return h('section', { class: 'screen screen--admin', 'aria-labelledby': 'screen-title' });
}

export function title(text) {
  return h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, text);
}

export function backLink(href, text) {
  return h('p', { class: 'back' }, h('a', { class: 'link', href }, icon('back'), text));
}

/** The sentence for an error with no field of its own (network, signed out, conflicts…). */
export function errorText(t, err) {
  const key = admin.errorKey(err);
  if (key) return t(key);
  if (err?.code === 'validation_failed') return t('admin.error.validation');
  return String(err?.message ?? err ?? '');
}

// Refusals we can say in the reader's language, at the field they are about.
const FIELD_CODES = { user_exists: ['username', 'admin.error.userExists'] };

/**
 * A refused form save → {fields: {field: [sentences]}, general: [sentences]}: the API's field
 * messages go next to the fields the form has; the box above says what to do.
 */
export function formErrors(t, err, known) {
  const { fields, other } = admin.fieldErrors(err, known);
  const [field, key] = FIELD_CODES[err?.code] ?? [];
  if (field && known.includes(field)) fields[field] = [t(key)];
  const general = Object.keys(fields).length ? t('admin.error.validation') : errorText(t, err);
  return { fields, general: [general, ...other] };
}

/** A red box with role=alert, or null when there is nothing to say. */
export function errorBox(messages, id) {
  const list = [].concat(messages ?? []).filter(Boolean);
  if (!list.length) return null;
  return h('div', { class: 'error-box', role: 'alert', id, tabindex: '-1' }, icon('alert'),
    list.length === 1 ? h('span', null, list[0]) : h('ul', { class: 'plain' }, list.map((m) => h('li', null, m))));
}

/**
 * A labelled field: label, optional help, the control, its error (linked by aria-describedby,
 * and the control marked aria-invalid). `errors` is a list of sentences.
 */
export function field(id, label, control, { errors = [], help = '', required = false } = {}) {
  const described = [help ? `${id}-help` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  if (described) control.setAttribute('aria-describedby', described);
  if (errors.length) control.setAttribute('aria-invalid', 'true');
  if (required) control.setAttribute('aria-required', 'true'); // the "*" is for the eye only
  return h('div', { class: 'field' },
    h('label', { class: 'field__label', htmlFor: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    help ? h('p', { class: 'field__help', id: `${id}-help` }, help) : null,
    control,
    errors.length ? h('p', { class: 'field__error', id: `${id}-error` }, icon('alert'), h('span', null, errors.join(' '))) : null);
}

export function input(id, value, props = {}) {
  return h('input', { id, name: id, type: 'text', class: 'input', value: value ?? '', ...props });
}

/** <select> of [value, label] pairs. */
export function select(id, options, value, props = {}) {
  return h('select', { id, name: id, class: 'input', ...props },
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, label)));
}

/**
 * A searchable org-unit picker: a search box that narrows a <select>. `onChange(id|null)`.
 * `empty` is the label of the "none" option (null: a unit is required).
 */
export function unitPicker(t, { id, label, units, value, empty = null, errors = [], onChange, required = false }) {
  let query = '';
  const selectEl = h('select', { id, name: id, class: 'input' });
  const fill = () => {
    const found = admin.searchUnits(units, query);
    const options = [];
    if (empty !== null) options.push(h('option', { value: '' }, empty));
    else if (!value) options.push(h('option', { value: '' }, t('admin.unit.choose')));
    const chosen = units.find((u) => u.id === value);
    if (chosen && !found.some((f) => f.unit.id === value)) found.unshift({ unit: chosen, depth: 0, label: chosen.name });
    for (const { unit, depth, label: text } of found.slice(0, 400)) {
      const indent = '\u00a0\u00a0'.repeat(depth);
      options.push(h('option', { value: String(unit.id), selected: unit.id === value }, `${indent}${text} (${unit.code})`));
    }
    selectEl.textContent = '';
    for (const option of options) selectEl.appendChild(option);
    count.textContent = query ? t('admin.unit.found', { count: found.length }) : '';
  };
  const count = h('span', { class: 'hint', 'aria-live': 'polite' });
  const search = h('input', {
    id: `${id}-search`, type: 'search', class: 'input admin-picker__search', autocomplete: 'off',
    placeholder: t('admin.unit.searchPlaceholder'), 'aria-label': t('admin.unit.search', { label }),
    oninput: () => {
      query = search.value;
      fill();
    },
  });
  selectEl.addEventListener('change', () => {
    value = selectEl.value ? Number(selectEl.value) : null;
    onChange(value);
  });
  fill();
  const box = field(id, label, selectEl, { errors, required });
  box.insertBefore(h('div', { class: 'admin-picker' }, search, count), selectEl);
  return box;
}

export function confirmAction(text) {
  return window.confirm(text);
}

export function roleLabel(t, role) {
  return t(`role.${role}`);
}

/** "2024-06-30" → "30/06/2024" (a calendar day: no time zone may shift it). */
export function day(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(text ?? '');
}

/** "Hôm nay 08:30", "08:30 12/03/2024" (shared formatWhen), or '—'. */
export function when(value) {
  return (value && formatWhen(value)) || '—';
}

/** A chip with an icon and text (state never shown by colour alone). */
export function chip(tone, iconName, text) {
  return h('span', { class: `chip chip--${tone}` }, icon(iconName), h('span', null, text));
}
