// The reader's bearer token (a reader registered in genesis), kept in this
// browser tab only (sessionStorage), sent only as "Authorization: Bearer".
const KEY = 'evidence-ledger.reader-token';

/** @returns {string|null} */
export function readerToken() {
  try {
    return globalThis.sessionStorage?.getItem(KEY) || null;
  } catch {
    return null;
  }
}

/** @param {string|null} token */
export function setReaderToken(token) {
  try {
    if (token) globalThis.sessionStorage?.setItem(KEY, token);
    else globalThis.sessionStorage?.removeItem(KEY);
  } catch {
    // Storage refused: the token lives only as long as the page.
  }
}
