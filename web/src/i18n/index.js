// The strings people read, from one table per language (zh-CN default, en).
// The chosen language is kept in localStorage; pages re-render on a change.
// The lookup (translate) is pure; the current language is the only state.
import en from './en.js';
import zh from './zh-CN.js';

export const TABLES = Object.freeze({ 'zh-CN': zh, en });
export const DEFAULT_LANGUAGE = 'zh-CN';
const STORAGE_KEY = 'evidence-ledger.language';

let current = DEFAULT_LANGUAGE;
/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * The string `key` in `language` with `params` filled in. A key missing from the
 * table is a bug; it shows as the key itself so it is seen, never as blank.
 * @param {string} language @param {string} key @param {Record<string, any>} [params]
 */
export function translate(language, key, params = {}) {
  const table = TABLES[language] ?? TABLES[DEFAULT_LANGUAGE];
  const value = table[key];
  if (value === undefined) return key;
  return typeof value === 'function' ? value(params) : value;
}

/** @param {string} key @param {Record<string, any>} [params] */
export function t(key, params) {
  return translate(current, key, params);
}

/** Whether `key` has a string (for optional labels such as stages). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(TABLES[current], key);
}

export function language() {
  return current;
}

/** Reads the saved choice (call once at start; storage may be unavailable). */
export function loadLanguage() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved && saved in TABLES) current = saved;
  } catch {
    // Storage refused (privacy settings): stay with the default.
  }
  return current;
}

/** @param {string} next */
export function setLanguage(next) {
  if (!(next in TABLES) || next === current) return;
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Not saved; the choice still holds for this page.
  }
  for (const listener of listeners) listener();
}

/** @param {() => void} listener */
export function onLanguageChange(listener) {
  listeners.add(listener);
}
