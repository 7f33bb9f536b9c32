import { describe, expect, it } from 'vitest';

import form from '../../../shared_schema/forms/market_visit-2023.1.json';
import {
  buildFormModel,
  charCount,
  emptyValues,
  fieldErrors,
  previewCompliant,
  toAnswers,
  toggleChoice,
  toValues,
} from '../../src/shared/formModel.js';

describe('buildFormModel()', () => {
  it('draws every field of the form, in order, with the right control', () => {
    const model = buildFormModel(form, 'vi');
    expect(model.map((f) => [f.name, f.kind])).toEqual([
      ['stalls_total', 'integer'],
      ['stalls_using_nondegradable', 'integer'],
      ['alternatives', 'choices'],
      ['signage_present', 'boolean'],
      ['outreach_held', 'boolean'],
      ['notes', 'textarea'],
    ]);
  });

  it('uses the labels and help of the chosen language', () => {
    const vi = buildFormModel(form, 'vi');
    const en = buildFormModel(form, 'en');
    expect(vi[0].label).toBe('Số hộ kinh doanh được kiểm tra');
    expect(en[0].label).toBe('Number of stalls inspected');
    expect(vi[0].help).toMatch(/1–5000/);
    expect(vi[2].options.find((o) => o.value === 'none').label).toBe('Không có');
    expect(en[2].options.find((o) => o.value === 'none').label).toBe('None');
  });

  it('carries the rules the screen needs', () => {
    const [total, using, alternatives, signage, , notes] = buildFormModel(form, 'vi');
    expect(total).toMatchObject({ required: true, min: 1, max: 5000 });
    expect(using).toMatchObject({ required: true, min: 0, maxField: 'stalls_total' });
    expect(alternatives).toMatchObject({ required: false, exclusive: ['none'] });
    expect(signage.required).toBe(true);
    expect(notes).toMatchObject({ required: false, maxLength: 2000 });
  });

  it('refuses a field type it cannot draw', () => {
    expect(() => buildFormModel({ fields: [{ name: 'x', type: 'date' }] })).toThrow(/unsupported/);
  });
});

describe('values ↔ answers', () => {
  it('starts blank', () => {
    expect(emptyValues(form)).toEqual({
      stalls_total: '',
      stalls_using_nondegradable: '',
      alternatives: [],
      signage_present: null,
      outreach_held: null,
      notes: '',
    });
  });

  it('types the answers the way the validator wants them', () => {
    const answers = toAnswers(form, {
      stalls_total: ' 40 ',
      stalls_using_nondegradable: '0',
      alternatives: ['paper_bag'],
      signage_present: true,
      outreach_held: false,
      notes: 'Ban quản lý hợp tác tốt',
    });
    expect(answers).toEqual({
      stalls_total: 40,
      stalls_using_nondegradable: 0,
      alternatives: ['paper_bag'],
      signage_present: true,
      outreach_held: false,
      notes: 'Ban quản lý hợp tác tốt',
    });
    expect(fieldErrors(form, answers)).toEqual({});
  });

  it('leaves blanks out so the validator says "required", and keeps non-numbers as text', () => {
    const answers = toAnswers(form, { ...emptyValues(form), stalls_total: '12,5', notes: '   ' });
    expect(answers).toEqual({ stalls_total: '12,5', alternatives: [] });
    const errors = fieldErrors(form, answers, 'vi');
    expect(errors.stalls_total).toEqual(['“Số hộ kinh doanh được kiểm tra” phải là một số nguyên.']);
    expect(errors.stalls_using_nondegradable).toEqual(['Vui lòng nhập “Số hộ sử dụng túi nilon khó phân hủy”.']);
    expect(errors.signage_present[0]).toMatch(/^Vui lòng chọn/); // a yes/no question is chosen
    expect(errors.notes).toBeUndefined();
  });

  it('reports the same messages as the server, in English too', () => {
    const answers = toAnswers(form, { ...emptyValues(form), stalls_total: '10', stalls_using_nondegradable: '11', signage_present: true, outreach_held: true });
    expect(fieldErrors(form, answers, 'en')).toEqual({
      stalls_using_nondegradable: ['Stalls using non-biodegradable nylon bags must not be greater than Number of stalls inspected.'],
    });
    expect(fieldErrors(form, answers, 'vi').stalls_using_nondegradable[0]).toMatch(/không được lớn hơn/);
  });

  it('counts note length in code points, as the server does', () => {
    expect(charCount('ồ😀')).toBe(2);
    const answers = toAnswers(form, { ...emptyValues(form), notes: 'x'.repeat(2001) });
    expect(fieldErrors(form, answers).notes[0]).toMatch(/2000/);
  });

  it('prefills an edit from saved answers', () => {
    const saved = { stalls_total: 30, stalls_using_nondegradable: 2, alternatives: ['cloth_bag'], signage_present: false, outreach_held: true };
    const values = toValues(form, saved);
    expect(values).toMatchObject({ stalls_total: '30', stalls_using_nondegradable: '2', signage_present: false, notes: '' });
    expect(toAnswers(form, values)).toEqual(saved);
  });
});

describe('toggleChoice()', () => {
  const order = form.fields[2].options.map((o) => o.value);
  const exclusive = ['none'];

  it('adds and removes in form order', () => {
    let selected = toggleChoice([], 'cloth_bag', true, exclusive, order);
    selected = toggleChoice(selected, 'paper_bag', true, exclusive, order);
    expect(selected).toEqual(['paper_bag', 'cloth_bag']);
    expect(toggleChoice(selected, 'paper_bag', false, exclusive, order)).toEqual(['cloth_bag']);
  });

  it('"none" stands alone: ticking it clears the rest, ticking another clears it', () => {
    const withNone = toggleChoice(['paper_bag', 'cloth_bag'], 'none', true, exclusive, order);
    expect(withNone).toEqual(['none']);
    expect(toggleChoice(withNone, 'leaf_wrap', true, exclusive, order)).toEqual(['leaf_wrap']);
  });

  it('can never produce an exclusivity error', () => {
    let selected = [];
    for (const value of [...order, 'none', 'paper_bag', 'none']) {
      selected = toggleChoice(selected, value, true, exclusive, order);
      const answers = { stalls_total: 1, stalls_using_nondegradable: 0, signage_present: true, outreach_held: true, alternatives: selected };
      expect(fieldErrors(form, answers)).toEqual({});
    }
  });
});

describe('previewCompliant()', () => {
  it('follows compliant_when (0 stalls using nylon)', () => {
    expect(previewCompliant(form, { stalls_using_nondegradable: 0 })).toBe(true);
    expect(previewCompliant(form, { stalls_using_nondegradable: 3 })).toBe(false);
    expect(previewCompliant(form, {})).toBeNull();
    expect(previewCompliant(form, { stalls_using_nondegradable: '3a' })).toBeNull();
  });

  it('follows a changed copy of the form: the verdict is data, not code', () => {
    const answers = { stalls_total: 40, stalls_using_nondegradable: 2 };
    expect(previewCompliant(form, answers)).toBe(false);
    const tolerant = structuredClone(form);
    tolerant.compliant_when.equals = 2;
    expect(previewCompliant(tolerant, answers)).toBe(true);
    expect(previewCompliant(tolerant, { ...answers, stalls_using_nondegradable: 0 })).toBe(false);
    const byTotal = structuredClone(form);
    byTotal.compliant_when = { field: 'stalls_total', equals: 40 };
    expect(previewCompliant(byTotal, answers)).toBe(true);
    expect(previewCompliant(byTotal, { stalls_using_nondegradable: 0 })).toBeNull(); // field not answered
    expect(previewCompliant(form, answers)).toBe(false); // the bundled form is untouched
  });
});
