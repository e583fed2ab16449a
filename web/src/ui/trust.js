// Which genesis the page verifies against: the node's (GET /v1/genesis), or a
// genesis file the user chose (kept for this browser tab in sessionStorage).
// The node's genesis fingerprint is remembered per chain in localStorage; if a
// node later serves another genesis for the same chain, the page says so, keeps
// the old fingerprint and verifies nothing (the new genesis is only a candidate,
// shown so its fingerprint can be checked) until the user accepts it or picks a
// genesis file of their own: a node that swapped its genesis could otherwise
// make its own receipts look valid.
import { getGenesis } from '../api.js';
import { decodeUtf8, parseGenesis } from '../verify/index.js';

const LOCAL_KEY = 'evidence-ledger.local-genesis';
const PIN_PREFIX = 'evidence-ledger.genesis-pin.';

/**
 * @typedef {object} Trust
 * @property {import('../verify/genesis.js').Genesis|null} genesis what the page verifies against (null: verify nothing)
 * @property {import('../verify/genesis.js').Genesis|null} candidate the node's genesis while it differs from the pinned one
 * @property {'node'|'local'} source
 * @property {boolean} changed the node's genesis differs from the pinned one
 * @property {string|null} error what went wrong (genesis is null then)
 */

/** @returns {Promise<Trust>} */
export async function loadTrust() {
  const local = storage('sessionStorage')?.getItem(LOCAL_KEY);
  if (local) {
    const parsed = parseGenesis(local);
    if (parsed.ok) return { genesis: parsed.genesis, candidate: null, source: 'local', changed: false, error: null };
    storage('sessionStorage')?.removeItem(LOCAL_KEY);
  }
  const answer = await getGenesis();
  if (!answer.ok) return { genesis: null, candidate: null, source: 'node', changed: false, error: answer.detail || `HTTP ${answer.status}` };
  const parsed = parseGenesis(answer.data);
  if (!parsed.ok) return { genesis: null, candidate: null, source: 'node', changed: false, error: parsed.detail };
  const pins = storage('localStorage');
  const key = PIN_PREFIX + parsed.genesis.chainId;
  const pinned = pins?.getItem(key);
  if (!pinned) pins?.setItem(key, parsed.genesis.fingerprint);
  if (pinned && pinned !== parsed.genesis.fingerprint) return { genesis: null, candidate: parsed.genesis, source: 'node', changed: true, error: null };
  return { genesis: parsed.genesis, candidate: null, source: 'node', changed: false, error: null };
}

/** Remembers the node's current genesis as the trusted one. @param {Trust} trust */
export function acceptNodeGenesis(trust) {
  const genesis = trust.candidate ?? trust.genesis;
  if (genesis) storage('localStorage')?.setItem(PIN_PREFIX + genesis.chainId, genesis.fingerprint);
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
