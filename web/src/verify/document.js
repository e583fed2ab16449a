// The digest of a document as records name it: "sha256:<hex>" or "sm3:<hex>".
// The portal computes it where the document is (in the browser) and sends only
// the digest, never the bytes. Pure.
import { toHex } from './bytes.js';
import { hashFunction } from './hash.js';

/**
 * @param {Uint8Array} bytes the document
 * @param {('sha256'|'sm3')[]} algorithms
 * @returns {string[]} one "alg:hex" per algorithm, in order
 */
export function documentDigests(bytes, algorithms) {
  return algorithms.map((name) => {
    const H = hashFunction(name);
    if (H === null) throw new Error(`unknown document hash ${name}`);
    return `${name}:${toHex(H(bytes))}`;
  });
}
