// Page-side i18n: remembers the choice in localStorage and applies strings to the DOM.
// Elements carry `data-i18n="key"`; text is always set with textContent, never innerHTML.
import { LANG_STORAGE_KEY } from '../shared/constants.js';
import { DEFAULT_LANG, normalizeLang, t } from '../shared/i18n.js';

export function loadLang(storage = globalThis.localStorage) {
  try {
    const saved = storage?.getItem(LANG_STORAGE_KEY);
    return saved ? normalizeLang(saved) : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG; // storage blocked (private mode, policy): use the default quietly
  }
}

export function saveLang(lang, storage = globalThis.localStorage) {
  try {
    storage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* not fatal: the choice simply is not remembered */
  }
}

/** Writes every `[data-i18n]` string in `root` and sets <html lang>. */
export function applyStatic(lang, root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(lang, el.dataset.i18n);
  }
}
