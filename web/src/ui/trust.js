// Which genesis the page verifies against: the node's (GET /v1/genesis), or a
// genesis file the user chose (kept for this browser tab in sessionStorage).
// The node's genesis fingerprint is remembered per chain in localStorage; if a
// node later serves another genesis for the same chain, the page says so and
// keeps the old fingerprint until the user accepts the new one.
import { getGenesis } from '../api.js';
import { decodeUtf8, parseGenesis } from '../verify/index.js';

const LOCAL_KEY = 'evidence-ledger.local-genesis';
const PIN_PREFIX = 'evidence-ledger.genesis-pin.';

/**
 * @typedef {object} Trust
 * @property {import('../verify/genesis.js').Genesis|null} genesis
 * @property {'node'|'local'} source
 * @property {boolean} changed the node's genesis differs from the pinned one
 * @property {string|null} error what went wrong (genesis is null then)
 */

/** @returns {Promise<Trust>} */
export async function loadTrust() {
  const local = storage('sessionStorage')?.getItem(LOCAL_KEY);
  if (local) {
    const parsed = parseGenesis(local);
    if (parsed.ok) return { genesis: parsed.genesis, source: 'local', changed: false, error: null };
    storage('sessionStorage')?.removeItem(LOCAL_KEY);
  }
  const answer = await getGenesis();
  if (!answer.ok) return { genesis: null, source: 'node', changed: false, error: answer.detail || `HTTP ${answer.status}` };
  const parsed = parseGenesis(answer.data);
  if (!parsed.ok) return { genesis: null, source: 'node', changed: false, error: parsed.detail };
  const pins = storage('localStorage');
  const key = PIN_PREFIX + parsed.genesis.chainId;
  const pinned = pins?.getItem(key);
  if (!pinned) pins?.setItem(key, parsed.genesis.fingerprint);
  return { genesis: parsed.genesis, source: 'node', changed: Boolean(pinned) && pinned !== parsed.genesis.fingerprint, error: null };
}

/** Remembers the node's current genesis as the trusted one. @param {Trust} trust */
export function acceptNodeGenesis(trust) {
  if (trust.genesis) storage('localStorage')?.setItem(PIN_PREFIX + trust.genesis.chainId, trust.genesis.fingerprint);
}

/**
 * Uses a genesis file the user chose; returns the parse error, or null.
 * @param {Uint8Array} bytes the file
 */
export function useLocalGenesis(bytes) {
  const text = decodeUtf8(bytes);
  if (text === null) return 'the genesis file is not UTF-8';
  const parsed = parseGenesis(text);
  if (!parsed.ok) return parsed.detail;
  storage('sessionStorage')?.setItem(LOCAL_KEY, text);
  return null;
}

export function forgetLocalGenesis() {
  storage('sessionStorage')?.removeItem(LOCAL_KEY);
}

// Storage can be switched off by the browser's privacy settings (reading the
// global itself then throws).
/** @param {'sessionStorage'|'localStorage'} name @returns {Storage|null} */
function storage(name) {
  try {
    return globalThis[name] ?? null;
  } catch {
    return null;
  }
}
