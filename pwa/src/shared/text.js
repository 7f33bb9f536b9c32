// Text helpers for searching Vietnamese names with or without diacritics.
// "cho hom" finds "Chợ Hôm"; "dong xuan" finds "Đồng Xuân". No DOM here.

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const SPACES = /\s+/g;

/**
 * Folds text for matching: NFD, combining marks removed, đ/Đ → d, lower case, spaces collapsed.
 * @param {unknown} text
 * @returns {string}
 */
export function fold(text) {
  if (text === null || text === undefined) return '';
  return String(text)
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(SPACES, ' ')
    .trim();
}

/** The folded words of a search query (empty list for a blank query). */
export function queryTokens(query) {
  const folded = fold(query);
  return folded ? folded.split(' ') : [];
}

/**
 * True when every query word occurs in the (already folded) haystack.
 * @param {string[]} tokens from queryTokens()
 * @param {string} haystack from fold()
 */
export function matchesTokens(tokens, haystack) {
  return tokens.every((token) => haystack.includes(token));
}

/** Convenience: does `query` match any of `texts` (all words, anywhere, diacritics ignored)? */
export function matches(query, ...texts) {
  return matchesTokens(queryTokens(query), fold(texts.filter(Boolean).join(' ')));
}
