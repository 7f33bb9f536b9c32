// The review page's versions (issue #14): what changed since the reviewer's last decision, and
// people named by display name, with the username only where two share one.
import { describe, expect, it } from 'vitest';

import { personName } from '../../src/features/review/screens/parts.js';
import { changedSinceDecision, decisionsOf, latestVersion, versionsOf } from '../../src/features/review/screens/versions.js';
import { enumLabel } from '../../src/shared/enums.js';

const t = (key, params) => `${key}${params ? JSON.stringify(params) : ''}`;
const person = (id, name) => ({ id, name, username: `u${id}` });
const HISTORY = [
  { event: 'submit', rev: 1, at: '2026-12-01T01:00:00.000Z', by: person(5, 'Kiểm') },
  { event: 'decision', rev: 2, at: '2026-12-01T02:00:00.000Z', decision: 'return', reviewer_id: 9, visit_rev: 2, by: person(9, 'Phương') },
  { event: 'edit', rev: 3, at: '2026-12-01T03:00:00.000Z', by: person(5, 'Kiểm'), changes: { stalls_using_nondegradable: [4, 1], notes: [null, 'a'] } },
  { event: 'edit', rev: 4, at: '2026-12-01T04:00:00.000Z', by: person(5, 'Kiểm'), changes: { stalls_using_nondegradable: [1, 0], notes: ['a', null] } },
];

describe('changes since the last decision', () => {
  it('folds the edits after the decision: first old value, last new value', () => {
    expect(changedSinceDecision(HISTORY, 9)).toEqual({ stalls_using_nondegradable: [4, 0] });
  });

  it('an edit that puts a value back is no change; no decision yet: nothing to highlight', () => {
    expect(changedSinceDecision(HISTORY, 9)).not.toHaveProperty('notes');
    expect(changedSinceDecision(HISTORY.slice(0, 1), 9)).toEqual({});
  });

  it("uses the viewer's own last decision when they made one, else anyone's", () => {
    const later = [...HISTORY, { event: 'decision', rev: 5, decision: 'reopen', reviewer_id: 11, visit_rev: 5 },
      { event: 'edit', rev: 6, changes: { stalls_total: [40, 41] } }];
    expect(changedSinceDecision(later, 9)).toEqual({ stalls_using_nondegradable: [4, 0], stalls_total: [40, 41] });
    expect(changedSinceDecision(later, 11)).toEqual({ stalls_total: [40, 41] });
  });

  it('splits versions and decisions; old decision items without `event` count as decisions', () => {
    expect(versionsOf(HISTORY).map((i) => i.rev)).toEqual([1, 3, 4]);
    expect(decisionsOf([...HISTORY, { decision: 'approve', visit_rev: 5 }]).length).toBe(2);
    expect(latestVersion(HISTORY).rev).toBe(4);
  });
});

describe('names of people', () => {
  const people = {
    5: { id: 5, username: 'kiemtra', display_name: 'Nguyễn Văn An' },
    6: { id: 6, username: 'an2', display_name: 'Nguyễn Văn An' },
    7: { id: 7, username: 'binh', display_name: 'Trần Bình' },
  };
  it('the display name, with the username where two share it', () => {
    expect(personName(t, people, 7)).toBe('Trần Bình');
    expect(personName(t, people, 5)).toBe('Nguyễn Văn An (kiemtra)');
    expect(personName(t, people, 6)).toBe('Nguyễn Văn An (an2)');
  });
  it('the id only when the phone never learnt the name', () => {
    expect(personName(t, people, 99)).toBe('review.inspectorUnknown{"id":99}');
  });
});

describe('one word per status', () => {
  it('the shared words (shared_schema/enums.json)', () => {
    expect(enumLabel('indicator_status', 'non_compliant')).toBe('Không đạt');
    expect(enumLabel('market_class', 'unclassified')).toBe('Chợ chưa xếp hạng');
    expect(enumLabel('visit_status', 'returned')).toBe('Bị trả lại');
  });
});
