// The visit form as data: built FROM the shared form definition (shared_schema/forms/*.json), so
// a new form version needs no new screen code. Pure functions, no DOM.
import { validateAnswers } from './formValidator.js';

const pick = (labels, lang) => (labels ? labels[lang] ?? labels.vi ?? '' : '');

/** Code points, as the validator (and the server) count them. */
export const charCount = (text) => [...String(text ?? '')].length;

/**
 * What the screen draws for each field, in display order.
 * kind: 'integer' (numeric keypad), 'boolean' (two big Có/Không toggles),
 *       'choices' (checkboxes; `exclusive` values stand alone), 'textarea' (with a counter), 'text'.
 */
export function buildFormModel(form, lang = 'vi') {
  return form.fields.map((spec) => {
    const base = {
      name: spec.name,
      label: pick(spec.label, lang),
      help: pick(spec.help, lang),
      required: !!spec.required,
    };
    switch (spec.type) {
      case 'integer':
        return { ...base, kind: 'integer', min: spec.min ?? null, max: spec.max ?? null, maxField: spec.max_field ?? null };
      case 'boolean':
        return { ...base, kind: 'boolean' };
      case 'enum_list':
        return {
          ...base,
          kind: 'choices',
          options: spec.options.map((o) => ({ value: o.value, label: pick(o.label, lang) })),
          exclusive: [...(spec.exclusive ?? [])],
        };
      case 'string':
        return {
          ...base,
          kind: spec.max_length == null || spec.max_length > 200 ? 'textarea' : 'text',
          maxLength: spec.max_length ?? null,
        };
      default:
        throw new Error(`unsupported field type ${spec.type} for ${spec.name}`);
    }
  });
}

/** Blank values for a new visit: the raw state the inputs hold. */
export function emptyValues(form) {
  const values = {};
  for (const spec of form.fields) {
    if (spec.type === 'enum_list') values[spec.name] = Array.isArray(spec.default) ? [...spec.default] : [];
    else if (spec.type === 'boolean') values[spec.name] = null;
    else values[spec.name] = '';
  }
  return values;
}

/** Values for the inputs from saved answers (editing a returned visit). */
export function toValues(form, answers = {}) {
  const values = emptyValues(form);
  for (const spec of form.fields) {
    const v = answers?.[spec.name];
    if (v === undefined || v === null) continue;
    if (spec.type === 'enum_list') values[spec.name] = Array.isArray(v) ? [...v] : [];
    else if (spec.type === 'boolean') values[spec.name] = typeof v === 'boolean' ? v : null;
    else values[spec.name] = String(v);
  }
  return values;
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * Answers for saveVisit/validateAnswers from the raw input values. Blank optional fields are
 * left out; a blank required field is left out too so the validator says "required"; text that
 * is not a whole number is kept as text so the validator says "must be a whole number".
 */
export function toAnswers(form, values) {
  const answers = {};
  for (const spec of form.fields) {
    const v = values?.[spec.name];
    switch (spec.type) {
      case 'integer': {
        const text = typeof v === 'number' ? String(v) : String(v ?? '').trim();
        if (text === '') break;
        answers[spec.name] = INTEGER_TEXT.test(text) ? Number(text) : text;
        break;
      }
      case 'boolean':
        if (typeof v === 'boolean') answers[spec.name] = v;
        break;
      case 'enum_list':
        answers[spec.name] = Array.isArray(v) ? [...v] : [];
        break;
      default:
        if (typeof v === 'string' && v.trim() !== '') answers[spec.name] = v;
    }
  }
  return answers;
}

/**
 * Ticking or unticking one checkbox. An exclusive value ("none") ticked alone clears the others;
 * ticking another value clears the exclusive one. Order follows `order` (the form's options).
 */
export function toggleChoice(selected, value, checked, exclusive = [], order = []) {
  let next = new Set(selected ?? []);
  if (checked) {
    if (exclusive.includes(value)) next = new Set([value]);
    else {
      exclusive.forEach((v) => next.delete(v));
      next.add(value);
    }
  } else next.delete(value);
  const rank = (v) => (order.includes(v) ? order.indexOf(v) : order.length);
  return [...next].sort((a, b) => rank(a) - rank(b));
}

/** field → messages in `lang` (the validator's own wording, the same as the server's). */
export function fieldErrors(form, answers, lang = 'vi') {
  const out = {};
  for (const [field, list] of Object.entries(validateAnswers(form, answers))) {
    out[field] = list.map((e) => (lang === 'en' ? e.message_en : e.message_vi));
  }
  return out;
}

/** Whether the answers say the market is compliant (the server decides; this is a preview). */
export function previewCompliant(form, answers) {
  const rule = form.compliant_when;
  if (!rule || !(rule.field in answers) || typeof answers[rule.field] !== 'number') return null;
  return answers[rule.field] === rule.equals;
}
