import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../src/verify/bytes.js';
import { SchemaError } from '../../src/verify/fields.js';
import { hashFunction } from '../../src/verify/hash.js';
import { leafHash } from '../../src/verify/merkle.js';
import { readRecord, recordId, recordLeaf, signingBytes, verifyRecordSignature } from '../../src/verify/record.js';
import { findAgencyKey } from '../../src/verify/genesis.js';
import { genesis, receipt } from '../helpers/example.js';

const H = /** @type {(d: Uint8Array) => Uint8Array} */ (hashFunction('sha256'));

test('the worked example: signing bytes, record id, leaf hash (docs/receipt-format.md §9)', () => {
  const record = readRecord(receipt().record);
  assert.equal(signingBytes(record).length, 19 + 413);
  assert.equal(toHex(recordId(H, record)), '406176a7c6682f9042f18dee956cb7fe048a5d3330d9753f5cb514b309c702b7');
  assert.equal(toHex(leafHash(H, recordLeaf(record))), 'd09e0aebd62cae3d205fa4e207ab69903b0125f2f4c317ca176bdf67ce56b458');
  const key = findAgencyKey(genesis, record.agency, record.sig.key);
  assert.ok(key);
  assert.deepEqual(verifyRecordSignature(H, key, record), { ok: true });
  assert.equal(verifyRecordSignature(H, key, { ...record, title: 'changed' }).ok, false);
});

test('the record schema refuses what ledger::RecordFromJson refuses', () => {
  const base = receipt().record;
  const cases = {
    'unknown field': { ...base, extra: 1 },
    'missing title': (({ title: _t, ...rest }) => rest)(base),
    'v 2': { ...base, v: 2 },
    'unknown kind': { ...base, kind: 'memo' },
    'empty case id': { ...base, case_id: '' },
    'control character': { ...base, stage: 'a\u0001' },
    'agency not an identifier': { ...base, agency: 'a b' },
    'upper-case digest': { ...base, digest: base.digest.toUpperCase() },
    'repeated link': { ...base, links: [base.links[0], base.links[0]] },
    'negative time': { ...base, time: -1 },
    'size as string': { ...base, size: '75' },
    'unknown alg': { ...base, sig: { ...base.sig, alg: 'rsa' } },
    'non-canonical base64': { ...base, sig: { ...base.sig, value: base.sig.value.replace('==', '=') } },
    'title over 1024 bytes': { ...base, title: '证'.repeat(342) },
  };
  for (const [what, value] of Object.entries(cases)) {
    assert.throws(() => readRecord(value), SchemaError, what);
  }
  assert.equal(utf8('证'.repeat(342)).length, 1026);
});
