// Two-factor sign-in, the pure parts (tested in tests/app/totp.test.js): the QR code of the
// otpauth:// URI drawn here as one SVG path (uqr computes the modules; nothing leaves the page),
// the secret in groups of four for typing, what a typed code is, and who must enrol first.
import { encode } from 'uqr';

/**
 * The QR code of `text` as {size, path}: `size` modules a side (quiet zone included) and one
 * SVG path of unit squares, for <svg viewBox="0 0 size size"><path d=path/></svg>.
 */
export function qrPath(text, { border = 4 } = {}) {
  const { data, size } = encode(text, { ecc: 'M', border });
  const parts = [];
  data.forEach((row, y) => {
    // Runs of dark modules on a row become one rectangle each: a shorter path.
    let x = 0;
    while (x < size) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < size && row[x]) x += 1;
      parts.push(`M${start} ${y}h${x - start}v1h-${x - start}z`);
    }
  });
  return { size, path: parts.join('') };
}

/** "JBSWY3DPEHPK3PXP…" → "JBSW Y3DP EHPK 3PXP …" (easier to copy by hand into an app). */
export function groupSecret(secret) {
  return String(secret ?? '').replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/** What was typed at the code step: 'code' (6 digits), 'recovery' (a recovery code) or null. */
export function codeKind(typed) {
  const text = String(typed ?? '').replace(/[\s-]/g, '');
  if (/^\d{6}$/.test(text)) return 'code';
  if (/^[0-9A-Za-z]{16}$/.test(text)) return 'recovery';
  return null;
}

/** The code as the server takes it: digits without spaces; a recovery code as typed, trimmed. */
export function cleanCode(typed) {
  const text = String(typed ?? '').trim();
  return codeKind(text) === 'code' ? text.replace(/\s/g, '') : text;
}

export { mustEnrol } from './enrol.js';

/** The recovery codes as a text file's content, for "Tải về" (download). */
export function recoveryText(codes, { username, issuer = 'Chợ Xanh' } = {}) {
  return [`${issuer} — ${username ?? ''}`.trim(), ...codes, ''].join('\n');
}
