// RFC 6962 / RFC 9162 Merkle arithmetic over the chain's hash H:
// leaf hash H(0x00 ‖ leaf), interior node H(0x01 ‖ left ‖ right), the root of a
// list of leaf hashes, and the inclusion-proof check of RFC 9162 §2.1.3.2 with
// the proof length required exact (as crypto/merkle.cc does).
// Pure functions.
import { concat, equalBytes } from './bytes.js';

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/** @typedef {(data: Uint8Array) => Uint8Array} HashFn */

/** @param {HashFn} H @param {Uint8Array} leaf */
export function leafHash(H, leaf) {
  return H(concat(LEAF_PREFIX, leaf));
}

/** @param {HashFn} H @param {Uint8Array} left @param {Uint8Array} right */
export function nodeHash(H, left, right) {
  return H(concat(NODE_PREFIX, left, right));
}

/**
 * Root of the tree whose leaves have these hashes (H() of nothing when empty).
 * @param {HashFn} H @param {Uint8Array[]} leafHashes
 */
export function rootOfLeafHashes(H, leafHashes) {
  if (leafHashes.length === 0) return H(new Uint8Array(0));
  let level = leafHashes;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(H, level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * Number of hashes in the inclusion proof of leaf `index` (< size) in a tree of
 * `size`: the levels below the node where the paths to `index` and to the last
 * leaf split, plus one left sibling per set bit of `index` above it.
 * @param {number} index @param {number} size
 */
export function inclusionProofLength(index, size) {
  const split = BigInt(index) ^ BigInt(size - 1);
  const inner = split.toString(2).length - (split === 0n ? 1 : 0);
  const above = BigInt(index) >> BigInt(inner);
  return inner + [...above.toString(2)].filter((bit) => bit === '1').length;
}

/**
 * The root an inclusion proof leads to, or an error that says why it cannot.
 * Sizes and indexes are safe integers (JSON integers are at most 2^53 − 1).
 * @param {HashFn} H @param {Uint8Array} leaf @param {number} index @param {number} size
 * @param {Uint8Array[]} proof
 * @returns {{ok: true, root: Uint8Array} | {ok: false, error: string}}
 */
export function rootFromInclusionProof(H, leaf, index, size, proof) {
  if (!(index < size)) {
    return { ok: false, error: `leaf index ${index} is not in a tree of ${size} leaves` };
  }
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) {
    return {
      ok: false,
      error: `wrong inclusion proof length: got ${proof.length} hashes, leaf ${index} of a tree of ${size} leaves needs exactly ${expected}`,
    };
  }
  // RFC 9162 §2.1.3.2, steps 2-5; Math.floor keeps 53-bit sizes exact.
  let fn = index;
  let sn = size - 1;
  let root = leaf;
  for (const sibling of proof) {
    if (fn % 2 === 1 || fn === sn) {
      root = nodeHash(H, sibling, root);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      root = nodeHash(H, root, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { ok: true, root };
}

/**
 * @param {HashFn} H @param {Uint8Array} leaf @param {number} index @param {number} size
 * @param {Uint8Array[]} proof @param {Uint8Array} root
 * @returns {{ok: true} | {ok: false, error: string}}
 */
export function verifyInclusion(H, leaf, index, size, proof, root) {
  const computed = rootFromInclusionProof(H, leaf, index, size, proof);
  if (!computed.ok) return computed;
  if (!equalBytes(computed.root, root)) {
    return { ok: false, error: `root mismatch: the inclusion proof of leaf ${index} leads to another root` };
  }
  return { ok: true };
}
