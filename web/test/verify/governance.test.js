// The register across governance actions (web/src/verify/governance.js), the
// twin of ledger/governance*.cc: the state hash of the corpus' governed chain
// as the C++ wrote it into its headers, and each rule of ApplyAction with the
// C++ code, on a version-2 genesis made here from Ed25519 keys derived from
// fixed seeds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519';
import canonicalize from 'canonicalize';
import { toBase64 } from '../../src/verify/bytes.js';
import { parseGenesis } from '../../src/verify/genesis.js';
import {
  GovernanceError,
  GovernanceHistory,
  actionSigningBytes,
  applyActionLeaves,
  findActiveAgencyKey,
  registerFromGenesis,
} from '../../src/verify/governance.js';
import { sha256 } from '../../src/verify/hash.js';
import { canonicalPem, parsePublicKeyPem } from '../../src/verify/keys.js';
import { genesisText as v1GenesisText } from '../helpers/example.js';
import { VECTORS_DIR } from '../helpers/paths.js';

const SPKI_ED25519 = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** An Ed25519 key pair from a fixed seed: {secret, pem, keyId}. */
function keyPair(seed) {
  const secret = sha256(new TextEncoder().encode(`governance test key ${seed}`));
  const der = new Uint8Array([...SPKI_ED25519, ...ed25519.getPublicKey(secret)]);
  const pem = canonicalPem(der);
  const parsed = parsePublicKeyPem(pem);
  assert.ok(parsed.ok);
  return { secret, pem, keyId: parsed.key.keyId };
}

const INSTITUTIONS = ['泗水县司法局', '泗水县人民检察院', '泗水县人民法院', '泗水县公证处'];
const vote = [0, 1, 2, 3].map((i) => keyPair(`vote ${i}`));
const node = [0, 1, 2, 3].map((i) => keyPair(`node ${i}`));
const admin = [0, 1, 2, 3].map((i) => keyPair(`admin ${i}`));
const agencyKey = keyPair('agency');
const spare = [0, 1, 2].map((i) => keyPair(`spare ${i}`));
const CHAIN = 'governance-test';

const genesisJson = {
  v: 2,
  chain_id: CHAIN,
  genesis_time_ms: 1767225600000,
  hash: 'sha256',
  validators: INSTITUTIONS.map((institution, i) => ({
    name: `validator-${i}`,
    institution,
    vote_key: vote[i].pem,
    node_key: node[i].pem,
    power: 1,
    address: `127.0.0.1:${26656 + i}`,
  })),
  agencies: [{ id: 'sishui-market-supervision', name: '泗水县市场监督管理局', institution: '泗水县人民政府', keys: [agencyKey.pem] }],
  readers: [],
  params: {
    batch_records_max: 10000,
    block_bytes_max: 16777216,
    block_records_max: 10000,
    governance_threshold: 3,
    record_future_skew_ms: 300000,
    record_past_window_ms: 604800000,
  },
  admins: INSTITUTIONS.map((institution, i) => ({ institution, keys: [admin[i].pem] })),
  observers: [],
};
const parsed = parseGenesis(JSON.stringify(genesisJson));
if (!parsed.ok) throw new Error(parsed.detail);
const genesis = parsed.genesis;

/** The leaf of an action signed by the admins of institutions `signers`. */
function leaf(seq, action, operands, signers = [0, 1, 2], chainId = CHAIN) {
  const value = { v: 1, chain_id: chainId, seq, action, ...operands, sigs: [] };
  const signing = actionSigningBytes(value);
  value.sigs = signers
    .map((i) => ({ alg: 'ed25519', key: admin[i].keyId, value: toBase64(ed25519.sign(signing, admin[i].secret)) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return canonicalize(value);
}

const addTax = (seq = 1, signers) =>
  leaf(seq, 'add-agency', { agency: { id: 'sishui-tax-bureau', name: '泗水县税务局', institution: '泗水县人民政府', keys: [spare[0].pem] } }, signers);
const block = { height: 5, timeMs: 1767225700000 };

/** The governance.* code applying these leaves on genesis gives, or null. */
function refusal(leaves, on = registerFromGenesis(genesis)) {
  try {
    applyActionLeaves(on, leaves, block);
    return null;
  } catch (error) {
    if (error instanceof GovernanceError) return error.code;
    throw error;
  }
}

test("the genesis register's hash is the one the C++ put into the governed chain's first governance block", () => {
  const dir = join(VECTORS_DIR, 'receipts');
  const governed = parseGenesis(readFileSync(join(dir, 'genesis', 'governed.json'), 'utf8'));
  assert.ok(governed.ok);
  const receipt = JSON.parse(readFileSync(join(dir, 'receipts', 'governed-new-validator-set.json'), 'utf8'));
  const [first, second] = receipt.governance;
  const history = new GovernanceHistory(registerFromGenesis(governed.genesis));
  assert.equal(history.latest().hash, first.block.state_hash);
  assert.equal(history.latest().validatorSetHash, first.block.next_validators_hash);
  history.apply(first.block.height, first.block.time_ms, first.actions);
  assert.equal(history.latest().hash, second.block.state_hash);
  // In force two blocks after the block that commits it.
  assert.equal(history.inForce(first.block.height + 1).nextSeq, 1);
  assert.equal(history.inForce(first.block.height + 2).nextSeq, 3);
  assert.deepEqual(history.changeHeights(), [first.block.height]);
});

test('an action signed by the threshold changes the register; the next must carry the next seq', () => {
  const before = registerFromGenesis(genesis);
  const after = applyActionLeaves(before, [addTax(), leaf(2, 'add-agency-key', { agency_id: 'sishui-market-supervision', key: spare[1].pem })], block);
  assert.equal(after.nextSeq, 3);
  assert.notEqual(after.hash, before.hash);
  assert.equal(after.validatorSetHash, before.validatorSetHash);
  assert.ok(findActiveAgencyKey(after, 'sishui-tax-bureau', spare[0].keyId));
  assert.equal(findActiveAgencyKey(before, 'sishui-tax-bureau', spare[0].keyId), null);
  // Registers are values: the one before is unchanged.
  assert.equal(before.agencies.length, 1);
  const revoked = applyActionLeaves(after, [leaf(3, 'revoke-agency-key', { agency_id: 'sishui-market-supervision', key_id: agencyKey.keyId, reason: 'compromised', effective_ms: 1767225650000 })], block);
  assert.equal(findActiveAgencyKey(revoked, 'sishui-market-supervision', agencyKey.keyId), null);
  assert.deepEqual(revoked.agencies[0].keys[0].revoked, { reason: 'compromised', effective_ms: 1767225650000, seq: 3, height: 5, time_ms: 1767225700000 });
});

test('the authority checks refuse with the C++ codes', () => {
  const v1 = parseGenesis(v1GenesisText);
  assert.ok(v1.ok);
  assert.equal(refusal([addTax()], registerFromGenesis(v1.genesis)), 'governance.not_governed');
  assert.equal(refusal([leaf(1, 'remove-agency', { agency_id: 'x' }, [0, 1, 2], 'other-chain')]), 'governance.chain_mismatch');
  assert.equal(refusal([addTax(2)]), 'governance.bad_sequence');
  assert.equal(refusal([addTax(), addTax(1)]), 'governance.bad_sequence', 'a replay');
  assert.equal(refusal([addTax(1, [0, 1])]), 'governance.too_few_signatures');
  const unknownSigner = JSON.parse(addTax());
  unknownSigner.sigs[0].key = spare[2].keyId;
  unknownSigner.sigs.sort((a, b) => (a.key < b.key ? -1 : 1));
  assert.equal(refusal([canonicalize(unknownSigner)]), 'governance.unknown_admin_key');
  const forged = JSON.parse(addTax());
  forged.agency.name = '泗水县税务局（伪）';
  assert.equal(refusal([canonicalize(forged)]), 'governance.bad_signature');
  assert.equal(refusal([leaf(1, 'dissolve-chain', {})]), 'governance.unknown_action');
  assert.equal(refusal([addTax().replace('{', '{ ')]), 'governance.malformed', 'not JCS');
  assert.equal(refusal([addTax().replace('"sigs"', '"extra":1,"sigs"')]), 'governance.malformed');
});

test("each operation's own rules refuse with the C++ codes", () => {
  const withTax = applyActionLeaves(registerFromGenesis(genesis), [addTax()], block);
  assert.equal(refusal([leaf(2, 'add-agency', { agency: { id: 'sishui-tax-bureau', name: 'x', institution: 'y', keys: [spare[1].pem] } })], withTax), 'governance.conflict', 'an id is never reused');
  assert.equal(refusal([leaf(2, 'add-agency-key', { agency_id: 'sishui-market-supervision', key: spare[0].pem })], withTax), 'governance.conflict', 'a key is never registered twice');
  assert.equal(refusal([leaf(1, 'remove-agency', { agency_id: 'no-such-agency' })]), 'governance.unknown_entry');
  assert.equal(refusal([leaf(1, 'remove-validator', { name: 'validator-3' })]), 'governance.unsafe_validator_set', 'fewer than 4');
  assert.equal(refusal([leaf(1, 'set-power', { name: 'validator-0', power: 2 })]), 'governance.unsafe_validator_set', 'a third of the power');
  assert.equal(refusal([leaf(1, 'set-params', { params: { governance_threshold: 5 } })]), 'governance.malformed');
  assert.equal(refusal([leaf(1, 'set-params', { params: { governance_threshold: 3 } })]), 'governance.conflict', 'no change');
  assert.equal(refusal([leaf(1, 'revoke-admin-key', { institution: INSTITUTIONS[0], key_id: admin[0].keyId })]), 'governance.conflict', 'its validator needs an admin key');
});

test('a vote key rotation changes the validator set from two blocks on', () => {
  const history = new GovernanceHistory(registerFromGenesis(genesis));
  history.apply(5, block.timeMs, [leaf(1, 'rotate-validator-keys', { name: 'validator-3', vote_key: spare[2].pem })]);
  const rotated = history.latest();
  assert.equal(rotated.validators[3].voteKey.keyId, spare[2].keyId);
  assert.equal(rotated.validatorsSince, 7);
  assert.deepEqual(rotated.retiredKeys, [vote[3].keyId]);
  assert.equal(history.inForce(6).validatorSetHash, genesis.validatorSetHash);
  assert.equal(history.inForce(7).validatorSetHash, rotated.validatorSetHash);
  assert.notEqual(rotated.validatorSetHash, genesis.validatorSetHash);
  // The retired vote key never comes back.
  assert.equal(refusal([leaf(2, 'rotate-validator-keys', { name: 'validator-2', vote_key: vote[3].pem })], rotated), 'governance.conflict');
});

test("the TSA CAs and witnesses of the register give the state hashes the C++ put into the trusted-time chain's headers", () => {
  const dir = join(VECTORS_DIR, 'receipts');
  const chain = parseGenesis(readFileSync(join(dir, 'genesis', 'governed-trusted-time.json'), 'utf8'));
  assert.ok(chain.ok);
  const receipt = JSON.parse(readFileSync(join(dir, 'receipts', 'trusted-time-after-removal.json'), 'utf8'));
  const history = new GovernanceHistory(registerFromGenesis(chain.genesis));
  assert.deepEqual(history.latest().witnesses.map((w) => w.name), ['witness.example.org/w1']);
  for (const g of receipt.governance) {
    assert.equal(history.latest().hash, g.block.state_hash);
    history.apply(g.block.height, g.block.time_ms, g.actions);
  }
  assert.equal(history.latest().hash, receipt.block.state_hash);
  const last = history.latest();
  assert.deepEqual(last.witnesses.map((w) => w.name), ['witness.example.org/w2']);
  assert.equal(last.tsas.length, 2);
  assert.notEqual(last.tsas[0].caCert, chain.genesis.tsas[0].caCert, "the court's CA replaced");
  assert.ok(last.retiredKeys.includes(chain.genesis.witnesses[0].key.keyId), 'the removed witness key retired');
});

test('the trusted-time actions refuse with the C++ codes', () => {
  const witness = (seq, name, pem) => leaf(seq, 'add-witness', { witness: { name, key: pem } });
  const withWitness = applyActionLeaves(registerFromGenesis(genesis), [witness(1, 'w.example/1', spare[0].pem)], block);
  assert.equal(withWitness.witnesses.length, 1);
  assert.equal(refusal([witness(2, 'w.example/1', spare[1].pem)], withWitness), 'governance.conflict', 'a name taken');
  assert.equal(refusal([witness(2, 'w.example/2', spare[0].pem)], withWitness), 'governance.conflict', 'a key taken');
  assert.equal(refusal([witness(1, 'w example', spare[1].pem)]), 'governance.malformed', 'not a note key name');
  assert.equal(refusal([witness(1, 'w+1', spare[1].pem)]), 'governance.malformed', 'not a note key name');
  assert.equal(refusal([witness(1, 'w.example/3', admin[0].pem)]), 'governance.conflict', 'an admin key');
  const removed = applyActionLeaves(withWitness, [leaf(2, 'remove-witness', { name: 'w.example/1' })], block);
  assert.equal(removed.witnesses.length, 0);
  assert.equal(refusal([witness(3, 'w.example/1', spare[0].pem)], removed), 'governance.conflict', 'a removed key never comes back');
  assert.equal(refusal([leaf(2, 'remove-witness', { name: 'w.example/9' })], withWitness), 'governance.unknown_entry');
  assert.equal(refusal([leaf(1, 'set-tsa-ca', { institution: INSTITUTIONS[0], ca_cert: 'not a certificate' })]), 'governance.malformed');
});
