// Two-step verification, the pure parts of the account screen: the QR code drawn from the
// otpauth:// URI in the page, the secret grouped for typing, what a typed code is, the gate.
import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';

import { cleanCode, codeKind, groupSecret, mustEnrol, qrPath, recoveryText } from '../../src/features/account/totp.js';

const URI = 'otpauth://totp/Ch%E1%BB%A3%20Xanh:admin?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Ch%E1%BB%A3%20Xanh';

/** Paints the path's rectangles back onto a grid (the path uses only M x y h w v1 h-w z). */
function paint(size, path) {
  const grid = Array.from({ length: size }, () => Array(size).fill(false));
  for (const [, x, y, w] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(w); i += 1) grid[Number(y)][Number(x) + i] = true;
  }
  return grid;
}

describe('qrPath', () => {
  it('draws exactly the dark modules of the QR code, with a quiet zone', () => {
    const { size, path } = qrPath(URI);
    const { data } = encode(URI, { ecc: 'M', border: 4 });
    expect(size).toBe(data.length);
    expect(paint(size, path)).toEqual(data);
    // The quiet zone (4 modules) is light on every side.
    expect(paint(size, path)[0].some(Boolean)).toBe(false);
    expect(paint(size, path).every((row) => !row[size - 1])).toBe(true);
  });

  it('is one short path of rectangles, not one element per module', () => {
    const { path } = qrPath(URI);
    expect(path).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/);
    expect(path.length).toBeLessThan(20_000);
  });
});

describe('codes', () => {
  it('groups the secret in fours for typing', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDE')).toBe('ABCD E');
    expect(groupSecret(undefined)).toBe('');
  });

  it('tells a 6-digit code from a recovery code', () => {
    expect(codeKind('123456')).toBe('code');
    expect(codeKind(' 123 456 ')).toBe('code');
    expect(codeKind('AB2C-DE3F-GH4J-KL5M')).toBe('recovery');
    expect(codeKind('ab2cde3fgh4jkl5m')).toBe('recovery');
    expect(codeKind('12345')).toBe(null);
    expect(codeKind('')).toBe(null);
  });

  it('sends a code without its spaces, a recovery code as typed', () => {
    expect(cleanCode(' 123 456 ')).toBe('123456');
    expect(cleanCode(' AB2C-DE3F-GH4J-KL5M ')).toBe('AB2C-DE3F-GH4J-KL5M');
  });

  it('writes the recovery codes one a line under the account name', () => {
    expect(recoveryText(['A', 'B'], { username: 'admin' })).toBe('Chợ Xanh — admin\nA\nB\n');
  });
});

describe('mustEnrol', () => {
  it('holds while the role requires it and it is off', () => {
    expect(mustEnrol({ totp: { required: true, enabled: false } })).toBe(true);
    expect(mustEnrol({ totp: { required: true, enabled: true } })).toBe(false);
    expect(mustEnrol({ totp: { required: false, enabled: false } })).toBe(false);
    expect(mustEnrol({})).toBe(false);
    expect(mustEnrol(null)).toBe(false);
  });
});
