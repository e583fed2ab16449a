import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatTime, isoTime, recordPath, shortHash } from '../../src/ui/format.js';

test('times are shown in Beijing time (UTC+8)', () => {
  assert.equal(formatTime(1767225606000), '2026-01-01 08:00:06');
  assert.equal(formatTime(1767225606007, { millis: true }), '2026-01-01 08:00:06.007');
  assert.equal(formatTime(Date.UTC(2026, 11, 31, 16, 0, 0)), '2027-01-01 00:00:00');
  assert.equal(isoTime(1767225606000), '2026-01-01T00:00:06.000Z');
});

test('hashes shorten, counts group', () => {
  assert.equal(shortHash('0123456789abcdef0123456789abcdef'), '0123456789…abcdef');
  assert.equal(shortHash('abcd'), 'abcd');
  assert.equal(formatCount(1234567), '1,234,567');
});

test('record paths keep whatever id a node sent inside one segment', () => {
  assert.equal(recordPath('ab12'), '/records/ab12');
  assert.equal(recordPath('ab12', 'certificate'), '/records/ab12/certificate');
  assert.equal(recordPath('../../v1/x?y#z'), '/records/..%2F..%2Fv1%2Fx%3Fy%23z');
});
