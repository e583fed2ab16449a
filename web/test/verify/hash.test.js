import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, toHex, utf8 } from '../../src/verify/bytes.js';
import { hashFunction } from '../../src/verify/hash.js';
import { vector } from '../helpers/paths.js';

test('SM3 gives the GB/T 32905-2016 examples (tests/vectors/sm3.json)', () => {
  const sm3 = hashFunction('sm3');
  const { tests } = vector('sm3.json');
  assert.ok(tests.length >= 3);
  for (const t of tests) assert.equal(toHex(sm3(fromHex(t.msg_hex))), t.digest, t.name);
});

test('SHA-256 of "abc" (FIPS 180-4)', () => {
  assert.equal(toHex(hashFunction('sha256')(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('no other hash names', () => {
  assert.equal(hashFunction('md5'), null);
  assert.equal(hashFunction('SHA256'), null);
});
