import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashFunction } from '../../src/verify/hash.js';
import { toHex, utf8 } from '../../src/verify/bytes.js';
import { findAgency, findAgencyKey, parseGenesis } from '../../src/verify/genesis.js';
import { genesis, genesisText } from '../helpers/example.js';

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
