import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64, fromHex, i64, isDigestHex, toBase64, toHex, u16, u32, u64 } from '../../src/verify/bytes.js';

test('hex is lower case only and of the asked length', () => {
  assert.equal(toHex(Uint8Array.of(0, 15, 255)), '000fff');
  assert.deepEqual(fromHex('000fff'), Uint8Array.of(0, 15, 255));
  assert.equal(fromHex('000FFF'), null);
  assert.equal(fromHex('abc'), null);
  assert.equal(fromHex('00', 4), null);
  assert.equal(isDigestHex('a'.repeat(64)), true);
  assert.equal(isDigestHex('A'.repeat(64)), false);
  assert.equal(isDigestHex('a'.repeat(63)), false);
});

test('base64 accepts only the canonical encoding, as common/encoding.cc does', () => {
  assert.deepEqual(fromBase64('AAE='), Uint8Array.of(0, 1));
  assert.equal(toBase64(Uint8Array.of(0, 1)), 'AAE=');
  assert.deepEqual(fromBase64(''), new Uint8Array(0));
  for (const bad of ['AAF=', 'AAE', 'AA E=', 'AAE=\n', '====', 'A===', '*AE=', 'AAE==']) {
    assert.equal(fromBase64(bad), null, bad);
  }
});

test('integers are big-endian; i64 is two\'s complement', () => {
  assert.equal(toHex(u16(0x1234)), '1234');
  assert.equal(toHex(u32(0xdeadbeef)), 'deadbeef');
  assert.equal(toHex(u64(2 ** 53 - 1)), '001fffffffffffff');
  assert.equal(toHex(i64(-1)), 'ffffffffffffffff');
  assert.equal(toHex(i64(1767225604000)), '0000019b76dab7a0');
});

test('UTF-8 is decoded strictly; a byte-order mark is kept for strict JSON to refuse', async () => {
  const { decodeUtf8 } = await import('../../src/verify/bytes.js');
  assert.equal(decodeUtf8(new Uint8Array([0xe8, 0xaf, 0x81])), '证');
  assert.equal(decodeUtf8(new Uint8Array([0x7b, 0xff, 0x7d])), null);
  assert.equal(decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80])), null, 'an encoded surrogate');
  assert.equal(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), '\ufeff{}');
});
