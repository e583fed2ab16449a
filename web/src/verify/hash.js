// The two hash functions a chain or a document digest may name (genesis "hash",
// record "digest"): SHA-256 (@noble/hashes) and SM3 (sm-crypto-v2, GB/T 32905).
// Both give 32 bytes. Pure functions.
import { sha256 } from '@noble/hashes/sha2';
import { sm3 as sm3Hex } from 'sm-crypto-v2';
import { fromHex } from './bytes.js';

export const HASH_NAMES = Object.freeze(['sha256', 'sm3']);

/** @param {Uint8Array} data @returns {Uint8Array} */
export function sm3(data) {
  return /** @type {Uint8Array} */ (fromHex(sm3Hex(data), 64));
}

/**
 * The hash function called `name`, or null for a name that is not a hash here.
 * @param {string} name "sha256" or "sm3"
 * @returns {((data: Uint8Array) => Uint8Array) | null}
 */
export function hashFunction(name) {
  if (name === 'sha256') return (data) => sha256(data);
  if (name === 'sm3') return sm3;
  return null;
}

export { sha256 };
