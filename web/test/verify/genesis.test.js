import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { hashFunction } from '../../src/verify/hash.js';
import { toHex, utf8 } from '../../src/verify/bytes.js';
import { findAgency, findAgencyKey, parseGenesis } from '../../src/verify/genesis.js';
import { verifyReceipt } from '../../src/verify/receipt.js';
import { cliVerdict } from '../helpers/cli_verify.js';
import { documentBytes, documentDigest, genesis, genesisText, receipt, receiptText } from '../helpers/example.js';
import { evidenceCli } from '../helpers/paths.js';

test('the example genesis: validator set hash (§9 step 7) and fingerprint H(JCS(genesis))', () => {
  assert.equal(genesis.chainId, 'sishui-evidence');
  assert.equal(genesis.validators.length, 4);
  assert.equal(genesis.validatorSetHash, '9c1a61e631bd9eb75a0e8bbc11e0943e1880b5f32d083b71f8a3a5692dec018d');
  // The file is ledger::Genesis::ToJson(): JCS and a newline, so its hash without
  // the newline is ledger::Genesis::Hash().
  assert.equal(genesis.fingerprint, toHex(hashFunction('sha256')(utf8(genesisText.replace(/\n$/, '')))));
  assert.equal(findAgency(genesis, 'sishui-justice-bureau')?.name, '泗水县司法局行政复议办公室');
  assert.equal(findAgencyKey(genesis, 'sishui-justice-bureau', '133334d153eb20a8238f94d093cfd3e5d44a20b4843909ed6224cc7d8601fe90')?.alg, 'ed25519');
  assert.equal(findAgencyKey(genesis, 'sishui-justice-bureau', '0'.repeat(64)), null);
});

test('a genesis that ledger/genesis.cc refuses is refused with genesis.invalid', () => {
  const value = JSON.parse(genesisText);
  const cases = {
    'not JSON': '{',
    'unknown hash': JSON.stringify({ ...value, hash: 'md5' }),
    'no validators': JSON.stringify({ ...value, validators: [] }),
    'unknown field': JSON.stringify({ ...value, extra: 1 }),
    'bad vote key': JSON.stringify({ ...value, validators: [{ ...value.validators[0], vote_key: 'x' }] }),
    'repeated agency': JSON.stringify({ ...value, agencies: [value.agencies[0], value.agencies[0]] }),
    'zero power': JSON.stringify({ ...value, validators: [{ ...value.validators[0], power: 0 }] }),
    'repeated node key': JSON.stringify({ ...value, validators: [value.validators[0], { ...value.validators[1], node_key: value.validators[0].node_key }] }),
    'key with CRLF': JSON.stringify({ ...value, validators: [{ ...value.validators[0], vote_key: value.validators[0].vote_key.replace(/\n/g, '\r\n') }] }),
  };
  for (const [what, text] of Object.entries(cases)) {
    const parsed = parseGenesis(text);
    assert.equal(parsed.ok, false, what);
    assert.equal(parsed.code, 'genesis.invalid', what);
  }
});

test('genesis bytes must be UTF-8', async () => {
  const { parseGenesisBytes } = await import('../../src/verify/genesis.js');
  assert.equal(parseGenesisBytes(new TextEncoder().encode(genesisText)).ok, true);
  assert.equal(parseGenesisBytes(new Uint8Array([0x7b, 0xff])).code, 'genesis.invalid');
});

// Version 2 (docs/governance.md): the example genesis with params, each
// validator institution's admin key and an observer, as `evidence genesis
// --spec` writes it.
function adminKey() {
  return generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
}
const PARAMS = { batch_records_max: 10000, block_bytes_max: 16777216, block_records_max: 10000, governance_threshold: 3, record_future_skew_ms: 300000, record_past_window_ms: 604800000 };
function versionTwo() {
  const value = JSON.parse(genesisText);
  const institutions = [...new Set(value.validators.map((v) => v.institution))];
  return {
    v: 2,
    ...value,
    params: { ...PARAMS },
    admins: institutions.map((institution) => ({ institution, keys: [adminKey()] })),
    observers: [{ name: 'supervision-office', institution: '泗水县司法局', node_key: adminKey(), address: '127.0.0.1:9' }],
  };
}

test('a version-2 genesis: params, admins and observers read; fingerprint H(JCS(genesis)); receipts verify as before', () => {
  const value = versionTwo();
  const parsed = parseGenesis(JSON.stringify(value));
  assert.equal(parsed.ok, true, parsed.detail);
  const v2 = parsed.genesis;
  assert.equal(v2.version, 2);
  assert.deepEqual(v2.params, PARAMS);
  assert.equal(v2.admins.length, value.admins.length);
  assert.equal(v2.observers[0].name, 'supervision-office');
  assert.equal(v2.fingerprint, toHex(hashFunction('sha256')(utf8(canonicalize(value)))));
  assert.equal(v2.validatorSetHash, genesis.validatorSetHash, 'observers do not vote');
  assert.equal(genesis.version, 1);
  assert.equal(genesis.params, null);
  const verdict = verifyReceipt(receipt(), v2, documentDigest);
  assert.equal(verdict.verdict, 'valid', verdict.detail);
});

test('a version-2 genesis that ledger/genesis.cc refuses is refused with genesis.invalid, as evidence verify refuses it', (t) => {
  const base = versionTwo();
  const v1 = JSON.parse(genesisText);
  const without = (field) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== field));
  const cases = {
    'v 1 written out': { ...v1, v: 1 },
    'v 3': { ...base, v: 3 },
    'v a string': { ...base, v: '2' },
    'no params': without('params'),
    'no admins': without('admins'),
    'no observers': without('observers'),
    'params in a version-1 file': { ...v1, params: PARAMS },
    'admins in a version-1 file': { ...v1, admins: base.admins },
    'a params field missing': { ...base, params: { ...PARAMS, block_bytes_max: undefined } },
    'an unknown params field': { ...base, params: { ...PARAMS, extra: 1 } },
    'block_bytes_max below 4096': { ...base, params: { ...PARAMS, block_bytes_max: 4095 } },
    'batch_records_max 0': { ...base, params: { ...PARAMS, batch_records_max: 0 } },
    'future skew over a day': { ...base, params: { ...PARAMS, record_future_skew_ms: 86400001 } },
    'past window negative': { ...base, params: { ...PARAMS, record_past_window_ms: -1 } },
    'threshold 0': { ...base, params: { ...PARAMS, governance_threshold: 0 } },
    'threshold above the admin institutions': { ...base, params: { ...PARAMS, governance_threshold: base.admins.length + 1 } },
    'admins empty': { ...base, admins: [] },
    'an admin without keys': { ...base, admins: [{ ...base.admins[0], keys: [] }, ...base.admins.slice(1)] },
    'an institution twice': { ...base, admins: [...base.admins, { institution: base.admins[0].institution, keys: [adminKey()] }] },
    'an admin key twice': { ...base, admins: [{ ...base.admins[0], keys: [base.admins[1].keys[0]] }, ...base.admins.slice(1)] },
    'an admin key that is an agency key': { ...base, admins: [{ ...base.admins[0], keys: [v1.agencies[0].keys[0]] }, ...base.admins.slice(1)] },
    'an admin key that is a vote key': { ...base, admins: [{ ...base.admins[0], keys: [v1.validators[0].vote_key] }, ...base.admins.slice(1)] },
    'a validator institution without admins': { ...base, admins: base.admins.slice(1), params: { ...PARAMS, governance_threshold: 1 } },
    'an observer named like a validator': { ...base, observers: [{ ...base.observers[0], name: v1.validators[0].name }] },
    'an observer with a validator node key': { ...base, observers: [{ ...base.observers[0], node_key: v1.validators[0].node_key }] },
    'an observer with an unknown field': { ...base, observers: [{ ...base.observers[0], power: 1 }] },
  };
  const cli = evidenceCli();
  const dir = mkdtempSync(join(tmpdir(), 'web-genesis-'));
  try {
    writeFileSync(join(dir, 'document.txt'), documentBytes);
    const cliSays = (value) => {
      writeFileSync(join(dir, 'genesis.json'), JSON.stringify(value));
      return cliVerdict(/** @type {string} */ (cli), dir, join(dir, 'document.txt'), receiptText);
    };
    if (cli) assert.equal(cliSays(base), null, 'evidence verify: the receipt is valid with the version-2 genesis');
    for (const [what, value] of Object.entries(cases)) {
      const parsed = parseGenesis(JSON.stringify(value));
      assert.equal(parsed.ok, false, what);
      assert.equal(parsed.code, 'genesis.invalid', what);
      if (cli) assert.equal(cliSays(value), 'genesis.invalid', `evidence verify: ${what}`);
    }
    if (!cli) t.diagnostic('the evidence CLI is not built: not compared with evidence verify');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
