import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, toHex } from '../../src/verify/bytes.js';
import { hashFunction } from '../../src/verify/hash.js';
import { inclusionProofLength, leafHash, rootOfLeafHashes, verifyInclusion } from '../../src/verify/merkle.js';
import { vector } from '../helpers/paths.js';

const H = /** @type {(d: Uint8Array) => Uint8Array} */ (hashFunction('sha256'));
const vectors = vector('rfc6962-transparency-dev.json');

test('roots of the RFC 6962 reference trees', () => {
  for (const { leaves, root } of vectors.roots) {
    const hashes = leaves.map((hex) => leafHash(H, /** @type {Uint8Array} */ (fromHex(hex))));
    assert.equal(toHex(rootOfLeafHashes(H, hashes)), root, `${leaves.length} leaves`);
  }
});

test('inclusion proofs of the reference vectors, valid and invalid', () => {
  assert.ok(vectors.inclusion.length > 0);
  for (const c of vectors.inclusion) {
    const result = verifyInclusion(H, fromHex(c.leaf_hash), c.index, c.size, c.proof.map((p) => fromHex(p)), fromHex(c.root));
    assert.equal(result.ok, c.valid, JSON.stringify(c).slice(0, 120));
  }
});

test('every leaf of trees up to 33 leaves proves against the root, and only with an exact proof', () => {
  for (let size = 1; size <= 33; size++) {
    const hashes = Array.from({ length: size }, (_, i) => leafHash(H, Uint8Array.of(i)));
    const root = rootOfLeafHashes(H, hashes);
    for (let index = 0; index < size; index++) {
      const proof = proofOf(hashes, index);
      assert.equal(proof.length, inclusionProofLength(index, size), `${index}/${size}`);
      assert.equal(verifyInclusion(H, hashes[index], index, size, proof, root).ok, true, `${index}/${size}`);
      assert.equal(verifyInclusion(H, hashes[index], index, size, [...proof, root], root).ok, false);
      if (proof.length > 0) {
        const flipped = proof.map((p, k) => (k === 0 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
        assert.equal(verifyInclusion(H, hashes[index], index, size, flipped, root).ok, false);
      }
    }
    assert.equal(verifyInclusion(H, hashes[0], size, size, [], root).ok, false, 'index == size');
  }
});

// RFC 6962 §2.1.1 PATH(m, D[n]), as a reference to check the verifier with.
function proofOf(hashes, index) {
  if (hashes.length <= 1) return [];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  if (index < k) return [...proofOf(hashes.slice(0, k), index), rootOfLeafHashes(H, hashes.slice(k))];
  return [...proofOf(hashes.slice(k), index - k), rootOfLeafHashes(H, hashes.slice(0, k))];
}
