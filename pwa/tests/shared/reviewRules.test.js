// The review rules come from shared_schema/review.json (shared/reviewRules.js): the values the
// phone used to hard-code, and the decisions a role may give a visit in each status.
import { describe, expect, it } from 'vitest';

import reviewJson from '../../../shared_schema/review.json';
import { buildRules, reviewRules } from '../../src/shared/reviewRules.js';
import { MAX_COMMENT, NEEDS_COMMENT, REOPENERS, TRANSITIONS } from '../../src/data/decisions.js';

describe('reviewRules (shared_schema/review.json)', () => {
  it('gives what data/decisions.js used to hard-code', () => {
    expect(Object.fromEntries(Object.entries(TRANSITIONS).map(([d, s]) => [d, { from: [...s.from], to: s.to }]))).toEqual({
      approve: { from: ['submitted'], to: 'approved' },
      return: { from: ['submitted'], to: 'returned' },
      reject: { from: ['submitted'], to: 'rejected' },
      reopen: { from: ['approved', 'rejected'], to: 'submitted' },
    });
    expect([...NEEDS_COMMENT]).toEqual(['return', 'reject', 'reopen']);
    expect([...REOPENERS]).toEqual(['city_officer', 'admin']);
    expect(MAX_COMMENT).toBe(2000);
    expect([...reviewRules.lockedStatuses]).toEqual(['approved', 'rejected']);
    expect([...reviewRules.reviewerRoles]).toEqual(['ward_officer', 'city_officer', 'admin']);
  });

  it.each([
    ['submitted', 'ward_officer', ['approve', 'return', 'reject']],
    ['submitted', 'city_officer', ['approve', 'return', 'reject']],
    ['approved', 'ward_officer', []],
    ['approved', 'admin', ['reopen']],
    ['rejected', 'city_officer', ['reopen']],
    ['returned', 'admin', []],
    ['submitted', 'inspector', []],
  ])('a %s visit, %s → %j', (status, role, decisions) => {
    expect(reviewRules.decisionsFor(status, role)).toEqual(decisions);
  });

  it('follows a changed copy of the JSON', () => {
    const copy = structuredClone(reviewJson);
    copy.transitions.reopen.roles.push('ward_officer');
    copy.transitions.approve.comment_required = true;
    delete copy.transitions.reject;
    copy.editable_statuses = ['submitted'];
    const rules = buildRules(copy);
    expect(rules.decisionsFor('approved', 'ward_officer')).toEqual(['reopen']);
    expect(rules.decisionsFor('submitted', 'ward_officer')).toEqual(['approve', 'return']);
    expect([...rules.needsComment]).toEqual(['approve', 'return', 'reopen']);
    expect([...rules.lockedStatuses]).toEqual(['returned', 'approved', 'rejected']);
  });
});
