import { describe, expect, it } from 'vitest';

import { STATES, canEdit, countPending, groupVisits, isLocked, needsAction, stateInfo } from '../../src/features/inspector/visitModel.js';
import { t } from '../../src/shared/i18n.js';

describe('visit states', () => {
  it('have Vietnamese chips for every state of the data layer', () => {
    const vi = Object.fromEntries(Object.entries(STATES).map(([state, info]) => [state, t('vi', info.key)]));
    expect(vi).toEqual({
      pending: 'Chờ gửi',
      sent: 'Đã gửi',
      returned: 'Bị trả lại',
      approved: 'Đã duyệt',
      rejected: 'Bị từ chối',
      conflict: 'Xung đột',
      refused: 'Bị từ chối nhận',
    });
    for (const info of Object.values(STATES)) {
      expect(info.icon).toBeTruthy(); // never colour alone
      expect(t('en', info.key)).not.toBe(info.key);
    }
  });

  it('falls back to pending for an unknown state', () => {
    expect(stateInfo('weird')).toBe(STATES.pending);
  });

  it('locks approved and rejected visits; lets the inspector fix returned and refused ones', () => {
    expect(['approved', 'rejected'].every(isLocked)).toBe(true);
    expect(['pending', 'sent', 'returned', 'conflict', 'refused'].some(isLocked)).toBe(false);
    expect(['pending', 'sent', 'returned', 'refused'].every(canEdit)).toBe(true);
    expect(['approved', 'rejected', 'conflict'].some(canEdit)).toBe(false);
  });
});

describe('groupVisits()', () => {
  const visits = [
    { id: 'a', state: 'approved', observed_at: '2023-03-01T08:00:00+07:00' },
    { id: 'b', state: 'returned', observed_at: '2023-02-01T08:00:00+07:00' },
    { id: 'c', state: 'pending', observed_at: '2023-03-05T08:00:00+07:00' },
    { id: 'd', state: 'conflict', observed_at: '2023-03-02T08:00:00+07:00' },
    { id: 'e', state: 'pending', observed_at: 'garbage' },
  ];

  it('puts what needs the inspector first, each group newest first', () => {
    const { action, others } = groupVisits(visits);
    expect(action.map((v) => v.id)).toEqual(['d', 'b']);
    expect(others.map((v) => v.id)).toEqual(['c', 'a', 'e']);
    expect(needsAction('refused')).toBe(true);
  });

  it('counts visits waiting to be sent', () => {
    expect(countPending(visits)).toBe(2);
    expect(countPending(undefined)).toBe(0);
  });
});
