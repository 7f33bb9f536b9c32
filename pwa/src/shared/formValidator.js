// Survey answers validation for the PWA, driven by the shared form definition
// (shared_schema/forms/market_visit-<version>.json, DESIGN.md §4).
//
// The server validator (server/forms/validation.py) reads the same JSON and applies the same
// rules, reports the same rule codes and fills the same message templates; both are tested
// against shared_schema/examples. No dependencies: pass the form object in (the app imports the
// JSON), e.g. validateAnswers(form, answers).
//
// Rule codes: required, type, min, max, max_field, max_length, enum, unique, exclusive,
// unknown (a key the form does not define; the error key is that key) and not_object (answers
// that are not a JSON object; the error key is "_schema").
//
// Types are strict: integers must be integer numbers (never booleans or numeric strings; a
// fractional number is a type error; note that JSON 3.0 is the number 3 in JavaScript, while
// the server, which sees the raw JSON, refuses 3.0), booleans must be true/false, strings must be
// strings. String length counts Unicode code points (an emoji is one character), as in Python.

export const SCHEMA_KEY = '_schema';

export const RULE_CODES = Object.freeze([
  'required',
  'type',
  'min',
  'max',
  'max_field',
  'max_length',
  'enum',
  'unique',
  'exclusive',
  'unknown',
  'not_object',
]);

const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isSet = (value) => value !== undefined && value !== null;

const codePointLength = (text) => [...text].length;

const TYPE_CHECKS = {
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  enum_list: (v) => Array.isArray(v),
};

// The rule codes a present, non-null value of the right type breaks (cross-field rules aside).
function valueRules(spec, value) {
  if (spec.type === 'enum_list') {
    const allowed = new Set(spec.options.map((option) => option.value));
    if (value.some((item) => typeof item !== 'string' || !allowed.has(item))) return ['enum'];
  }
  const codes = [];
  if (isSet(spec.min) && value < spec.min) codes.push('min');
  if (isSet(spec.max) && value > spec.max) codes.push('max');
  if (isSet(spec.max_length) && codePointLength(value) > spec.max_length) codes.push('max_length');
  if (spec.unique && new Set(value).size !== value.length) codes.push('unique');
  if (spec.exclusive) {
    const present = new Set(value);
    if (spec.exclusive.some((v) => present.has(v) && present.size > 1)) codes.push('exclusive');
  }
  return codes;
}

/**
 * Field name (or "_schema") -> broken rule codes; {} when the answers are valid.
 * @param {object} form the form definition (shared_schema/forms/*.json)
 * @param {unknown} answers
 * @returns {Record<string, string[]>}
 */
export function ruleErrors(form, answers) {
  if (!isPlainObject(answers)) return { [SCHEMA_KEY]: ['not_object'] };
  const errors = new Map();
  const add = (key, code) => {
    if (!errors.has(key)) errors.set(key, []);
    if (!errors.get(key).includes(code)) errors.get(key).push(code);
  };
  const passed = new Map(); // fields whose own checks all passed, for cross-field rules
  for (const spec of form.fields) {
    const { name } = spec;
    const check = TYPE_CHECKS[spec.type];
    if (!check) throw new Error(`unsupported field type ${spec.type} for ${name}`);
    if (!hasOwn(answers, name) || answers[name] === undefined) {
      if (spec.required) add(name, 'required');
      continue;
    }
    const value = answers[name];
    if (value === null) {
      if (!spec.nullable) add(name, spec.required ? 'required' : 'type');
      continue;
    }
    if (!check(value)) {
      add(name, 'type');
      continue;
    }
    const codes = valueRules(spec, value);
    codes.forEach((code) => add(name, code));
    if (codes.length === 0) passed.set(name, value);
  }
  const known = new Set(form.fields.map((spec) => spec.name));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) add(key, 'unknown');
  }
  for (const spec of form.fields) {
    const bound = spec.max_field;
    if (!bound || !passed.has(spec.name) || !passed.has(bound)) continue;
    const value = passed.get(spec.name);
    const limit = passed.get(bound);
    if (typeof value === 'number' && typeof limit === 'number' && value > limit) {
      add(spec.name, 'max_field');
    }
  }
  return Object.fromEntries(errors);
}

/**
 * The form's message for `rule` on `field`, filled in, in `lang` ("vi" or "en").
 * Placeholders: {field} {field_label} {type_label} {min} {max} {max_length} {max_field}
 * {max_field_label} {options} {exclusive_label}; an unknown one is left as it is.
 */
export function formatMessage(form, field, rule, lang = 'vi') {
  const spec = form.fields.find((f) => f.name === field);
  const options = new Map((spec?.options ?? []).map((o) => [o.value, o.label[lang]]));
  const bound = spec?.max_field ? form.fields.find((f) => f.name === spec.max_field) : undefined;
  const params = {
    field,
    field_label: spec ? spec.label[lang] : field,
    type_label: spec ? form.type_labels[spec.type][lang] : '',
    min: spec?.min,
    max: spec?.max,
    max_length: spec?.max_length,
    max_field: spec?.max_field,
    max_field_label: bound ? bound.label[lang] : '',
    options: [...options.values()].join(', '),
    exclusive_label: (spec?.exclusive ?? []).map((v) => options.get(v) ?? v).join(', '),
  };
  // A choice is chosen, not typed: a field type may word a rule its own way.
  const template = (form.messages_by_type?.[spec?.type]?.[rule] ?? form.messages[rule])[lang];
  return template.replace(/\{(\w+)\}/g, (match, key) =>
    hasOwn(params, key) && isSet(params[key]) ? String(params[key]) : match,
  );
}

/**
 * Field name (or "_schema") -> [{rule, message_vi, message_en}]; {} when the answers are valid.
 * The PWA shows message_vi; message_en is what the server puts in its API error.
 */
export function validateAnswers(form, answers) {
  const errors = ruleErrors(form, answers);
  return Object.fromEntries(
    Object.entries(errors).map(([field, rules]) => [
      field,
      rules.map((rule) => ({
        rule,
        message_vi: formatMessage(form, field, rule, 'vi'),
        message_en: formatMessage(form, field, rule, 'en'),
      })),
    ]),
  );
}

/** True when the answers satisfy every rule of the form. */
export function isValid(form, answers) {
  return Object.keys(ruleErrors(form, answers)).length === 0;
}
