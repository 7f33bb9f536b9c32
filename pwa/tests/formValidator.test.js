// The shared form examples (shared_schema/examples) against the PWA validator, with the same
// expectations as tests/unit/test_form_examples.py on the server. Example convention: an object
// that is exactly {"$repeat": s, "times": n} stands for s repeated n times (shared_schema/README.md).
import { describe, expect, it } from 'vitest';

import form from '../../shared_schema/forms/market_visit-2023.1.json';
import validExamples from '../../shared_schema/examples/answers_valid.json';
import invalidExamples from '../../shared_schema/examples/answers_invalid.json';
import {
  RULE_CODES,
  formatMessage,
  isValid,
  ruleErrors,
  validateAnswers,
} from '../src/shared/formValidator.js';

function expand(value) {
  if (Array.isArray(value)) return value.map(expand);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 2 && keys[0] === '$repeat' && keys[1] === 'times') {
      return value.$repeat.repeat(value.times);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

const OK = {
  stalls_total: 40,
  stalls_using_nondegradable: 0,
  signage_present: true,
  outreach_held: false,
};

describe('shared valid examples', () => {
  it.each(validExamples.map((e) => [e.name, e]))('%s is accepted', (_name, example) => {
    const answers = expand(example.answers);
    expect(ruleErrors(form, answers)).toEqual({});
    expect(validateAnswers(form, answers)).toEqual({});
    expect(isValid(form, answers)).toBe(true);
  });
});

describe('shared invalid examples', () => {
  it.each(invalidExamples.map((e) => [e.name, e]))('%s is refused', (_name, example) => {
    const answers = expand(example.answers);
    const { field, rule } = example.expect;
    const errors = ruleErrors(form, answers);
    expect(Object.keys(errors)).toContain(field);
    expect(errors[field]).toContain(rule);
    // Each example breaks exactly one rule, so nothing else is reported.
    expect(errors).toEqual({ [field]: [rule] });
    const messages = validateAnswers(form, answers);
    expect(messages[field]).toHaveLength(1);
    expect(messages[field][0].rule).toBe(rule);
    expect(messages[field][0].message_vi).toBeTruthy();
    expect(messages[field][0].message_en).toBeTruthy();
    expect(isValid(form, answers)).toBe(false);
  });
});

describe('example files', () => {
  it('are large enough, uniquely named and cover every rule and field', () => {
    expect(validExamples.length).toBeGreaterThanOrEqual(15);
    expect(invalidExamples.length).toBeGreaterThanOrEqual(30);
    const names = [...validExamples, ...invalidExamples].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const rules = new Set(invalidExamples.map((e) => e.expect.rule));
    expect([...rules].sort()).toEqual([...RULE_CODES].sort());
    const fields = new Set(invalidExamples.map((e) => e.expect.field));
    for (const spec of form.fields) expect(fields).toContain(spec.name);
    expect(Object.keys(form.messages).sort()).toEqual([...RULE_CODES].sort());
  });
});

describe('messages', () => {
  it('are the form templates filled in, in English and Vietnamese', () => {
    const answers = { ...OK, stalls_total: 0, alternatives: ['none', 'paper_bag'] };
    expect(validateAnswers(form, answers)).toEqual({
      stalls_total: [
        {
          rule: 'min',
          message_vi: '“Số hộ kinh doanh được kiểm tra” phải từ 1 trở lên.',
          message_en: 'Number of stalls inspected must be at least 1.',
        },
      ],
      alternatives: [
        {
          rule: 'exclusive',
          message_vi:
            '“Bao bì thay thế đang dùng”: không được chọn “Không có” cùng với lựa chọn khác.',
          message_en:
            'Alternative packaging in use: “None” cannot be combined with other choices.',
        },
      ],
    });
    expect(formatMessage(form, 'stalls_using_nondegradable', 'max_field', 'en')).toBe(
      'Stalls using non-biodegradable nylon bags must not be greater than ' +
        'Number of stalls inspected.',
    );
    expect(formatMessage(form, 'colour', 'unknown', 'en')).toBe('Unknown field: colour.');
    // A yes/no question is chosen, a number entered (messages_by_type, as the server words them).
    expect(formatMessage(form, 'signage_present', 'required', 'vi')).toBe('Vui lòng chọn “Có biển, khẩu hiệu tuyên truyền”.');
    expect(formatMessage(form, 'stalls_total', 'required', 'vi')).toBe('Vui lòng nhập “Số hộ kinh doanh được kiểm tra”.');
    expect(validateAnswers(form, 'x')._schema[0].message_en).toBe(
      'Answers must be a JSON object.',
    );
  });
});

describe('behaviour', () => {
  it('reports every error at once', () => {
    expect(ruleErrors(form, {})).toEqual({
      stalls_total: ['required'],
      stalls_using_nondegradable: ['required'],
      signage_present: ['required'],
      outreach_held: ['required'],
    });
    const answers = { ...OK, stalls_using_nondegradable: 41, notes: 5, extra: 1 };
    expect(ruleErrors(form, answers)).toEqual({
      stalls_using_nondegradable: ['max_field'],
      notes: ['type'],
      extra: ['unknown'],
    });
  });

  it('does not check max_field against an invalid bound', () => {
    const answers = { ...OK, stalls_total: '40', stalls_using_nondegradable: 41 };
    expect(ruleErrors(form, answers)).toEqual({ stalls_total: ['type'] });
  });

  it('reports each list rule once', () => {
    expect(ruleErrors(form, { ...OK, alternatives: ['nylon', 'plastic', 3] })).toEqual({
      alternatives: ['enum'],
    });
    expect(ruleErrors(form, { ...OK, alternatives: ['none', 'paper_bag', 'paper_bag'] })).toEqual(
      { alternatives: ['unique', 'exclusive'] },
    );
  });

  it('treats an undefined answer as absent and counts code points, not UTF-16 units', () => {
    expect(ruleErrors(form, { ...OK, notes: undefined })).toEqual({});
    expect(ruleErrors(form, { ...OK, stalls_total: undefined })).toEqual({
      stalls_total: ['required'],
    });
    expect('🌿'.repeat(2000).length).toBe(4000);
    expect(ruleErrors(form, { ...OK, notes: '🌿'.repeat(2000) })).toEqual({});
  });

  it('reports an own __proto__ key as unknown without touching prototypes', () => {
    const answers = JSON.parse(
      '{"stalls_total":1,"stalls_using_nondegradable":0,"signage_present":true,' +
        '"outreach_held":true,"__proto__":{"x":1}}',
    );
    const errors = ruleErrors(form, answers);
    expect(Object.keys(errors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(errors)).toBe(Object.prototype);
  });
});
