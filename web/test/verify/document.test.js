import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentDigests } from '../../src/verify/document.js';
import { documentBytes, documentDigest } from '../helpers/example.js';

test('document digests as records name them', () => {
  const [sha256, sm3] = documentDigests(documentBytes, ['sha256', 'sm3']);
  assert.equal(sha256, documentDigest);
  assert.match(sm3, /^sm3:[0-9a-f]{64}$/);
  assert.throws(() => documentDigests(documentBytes, /** @type {any} */ (['md5'])));
});
