import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519';
import canonicalize from 'canonicalize';
import { blockHash, commitHash, commitMedianTimeMs, precommitBytes } from '../../src/verify/block.js';
import { fromHex, toBase64, toHex } from '../../src/verify/bytes.js';
import { chainGovernance, verifyBlock } from '../../src/verify/explorer.js';
import { parseGenesis } from '../../src/verify/genesis.js';
import { GovernanceHistory, actionSigningBytes, registerFromGenesis } from '../../src/verify/governance.js';
import { sha256 } from '../../src/verify/hash.js';
import { canonicalPem, parsePublicKeyPem } from '../../src/verify/keys.js';
import { leafHash, rootOfLeafHashes } from '../../src/verify/merkle.js';
import { WEB_DIR } from '../helpers/paths.js';

const dir = join(WEB_DIR, 'test', 'fixtures', 'dev-chain');
const load = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const parsed = parseGenesis(readFileSync(join(dir, 'genesis.json'), 'utf8'));
assert.ok(parsed.ok);
const genesis = parsed.genesis;

test('a block from a node verifies, with or without its records', () => {
  for (const name of ['block.json', 'block-with-records.json']) {
    const verdict = verifyBlock(load(name), genesis);
    assert.equal(verdict.verdict, 'valid', `${name}: ${verdict.detail}`);
    assert.equal(verdict.facts?.height, 3);
    assert.equal(verdict.facts?.leafCount, 1);
    assert.equal(verdict.facts?.signers.length, 1);
  }
  assert.equal(load('block.json').records, undefined, 'the public block has no records');
});

test('a changed block fails the check that covers the change', () => {
  const block = load('block-with-records.json');
  const check = (changed) => verifyBlock(changed, genesis).check;
  assert.equal(check({ ...block, header: { ...block.header, time_ms: block.header.time_ms + 1 } }), 'header');
  assert.equal(check({ ...block, leaves: ['0'.repeat(64)] }), 'leaves');
  assert.equal(check({ ...block, leaves: [] }), 'leaves');
  assert.equal(check({ ...block, records: [{ ...block.records[0], title: 'changed' }] }), 'records');
  const commit = { ...block.commit, signatures: block.commit.signatures.map((s) => ({ ...s, timestamp_ms: s.timestamp_ms + 1 })) };
  assert.equal(check({ ...block, commit }), 'commit');
  assert.equal(check({ ...block, header: { ...block.header, chain_id: 'other' } }), 'chain');
  assert.equal(check({ ...block, leaves: 'x' }), 'format');
  assert.equal(check(null), 'format');
});

// ---------------------------------------------------------------- a governed chain
// A version-2 genesis of four validators (Ed25519 keys from fixed seeds), a
// governance block at height 3 adding a fifth validator (in force from block
// 5), and blocks 1-6 made and signed here by the rules of ledger::MakeBlockHeader.

/** An Ed25519 key pair from a fixed seed: {secret, pem, keyId}. */
function keyPair(seed) {
  const secret = sha256(new TextEncoder().encode(`explorer test key ${seed}`));
  const der = new Uint8Array([...SPKI_ED25519, ...ed25519.getPublicKey(secret)]);
  const pem = canonicalPem(der);
  const key = parsePublicKeyPem(pem);
  assert.ok(key.ok);
  return { secret, pem, keyId: key.key.keyId };
}

const SPKI_ED25519 = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const INSTITUTIONS = ['泗水县司法局', '泗水县人民检察院', '泗水县人民法院', '泗水县公证处'];
const CHAIN = 'explorer-test';
const vote = [0, 1, 2, 3, 4].map((i) => keyPair(`vote ${i}`));
const nodeKey = [0, 1, 2, 3, 4].map((i) => keyPair(`node ${i}`));
const admin = [0, 1, 2, 3].map((i) => keyPair(`admin ${i}`));
const governedGenesis = (() => {
  const answer = parseGenesis(
    JSON.stringify({
      v: 2,
      chain_id: CHAIN,
      genesis_time_ms: 1767225600000,
      hash: 'sha256',
      validators: INSTITUTIONS.map((institution, i) => ({ name: `validator-${i}`, institution, vote_key: vote[i].pem, node_key: nodeKey[i].pem, power: 1, address: `127.0.0.1:${26656 + i}` })),
      agencies: [{ id: 'sishui-market-supervision', name: '泗水县市场监督管理局', institution: '泗水县人民政府', keys: [keyPair('agency').pem] }],
      readers: [],
      params: { batch_records_max: 10000, block_bytes_max: 16777216, block_records_max: 10000, governance_threshold: 3, record_future_skew_ms: 300000, record_past_window_ms: 604800000 },
      admins: INSTITUTIONS.map((institution, i) => ({ institution, keys: [admin[i].pem] })),
      observers: [],
    }),
  );
  assert.ok(answer.ok, answer.detail);
  return answer.genesis;
})();
const H = governedGenesis.H;

function actionLeaf(seq, action, operands, signers = [0, 1, 2]) {
  const value = { v: 1, chain_id: CHAIN, seq, action, ...operands, sigs: [] };
  const signing = actionSigningBytes(value);
  value.sigs = signers
    .map((i) => ({ alg: 'ed25519', key: admin[i].keyId, value: toBase64(ed25519.sign(signing, admin[i].secret)) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return canonicalize(value);
}

const ADD_FIFTH = actionLeaf(1, 'add-validator', {
  validator: { name: 'validator-4', institution: INSTITUTIONS[0], vote_key: vote[4].pem, node_key: nodeKey[4].pem, power: 1, address: '127.0.0.1:26660' },
});
const digest = (text) => toHex(sha256(new TextEncoder().encode(text)));
const rootOf = (leaves) => toHex(rootOfLeafHashes(H, leaves.map((leaf) => leafHash(H, new TextEncoder().encode(leaf)))));

/** A commit of `header` by the validators `signers` (indexes into `voteKeys`). */
function commitOf(header, signers, voteKeys) {
  const commit = { height: header.height, round: 0, block_hash: toHex(blockHash(H, header)), signatures: [] };
  commit.signatures = signers.map((validator) => {
    const timestamp_ms = header.time_ms + 1000 + validator;
    return { validator, timestamp_ms, signature: toBase64(ed25519.sign(precommitBytes(CHAIN, commit, timestamp_ms), voteKeys[validator].secret)) };
  });
  return commit;
}

/** The chain's blocks 1..6 and its governance blocks, as the node serves them. */
function makeChain() {
  const history = new GovernanceHistory(registerFromGenesis(governedGenesis));
  const blocks = [];
  const governance = [];
  let lastCommit = { height: 0, round: 0, block_hash: '0'.repeat(64), signatures: [] };
  for (let height = 1; height <= 6; height++) {
    const actions = height === 3 ? [ADD_FIFTH] : [];
    const inForce = history.inForce(height);
    const latest = history.afterBlock(height - 1);
    const records = [`record ${height}`];
    const leaves = records.map((r) => toHex(leafHash(H, new TextEncoder().encode(r))));
    const header = {
      chain_id: CHAIN,
      height,
      time_ms: height === 1 ? governedGenesis.genesisTimeMs : commitMedianTimeMs(history.inForce(height - 1).validators, lastCommit),
      previous_hash: height === 1 ? '0'.repeat(64) : lastCommit.block_hash,
      log_size: height,
      log_root: digest(`log ${height}`),
      leaves_root: toHex(rootOfLeafHashes(H, leaves.map((hex) => fromHex(hex, 64)))),
      validators_hash: inForce.validatorSetHash,
      proposer: height % inForce.validators.length,
      evidence_hash: digest('no evidence'),
      last_commit_hash: toHex(commitHash(H, lastCommit)),
      ...(actions.length > 0 || latest.nextSeq > 1
        ? { version: 2, actions_root: rootOf(actions), next_validators_hash: latest.validatorSetHash, state_hash: latest.hash }
        : {}),
    };
    const signers = inForce.validators.length === 5 ? [1, 2, 3, 4] : [0, 1, 2];
    const commit = commitOf(header, signers, inForce.validators.length === 5 ? vote : vote.slice(0, 4));
    blocks.push({ height, hash: commit.block_hash, header, commit, last_commit: lastCommit, evidence: [], leaves });
    lastCommit = commit;
    if (actions.length > 0) governance.push({ block: header, commit, actions });
    history.apply(height, header.time_ms, actions);
  }
  return { blocks, governance };
}

const chain = makeChain();

/** The block re-signed after `change(header)` by `signers` of the validators `voteKeys`. */
function resigned(block, change, signers = [1, 2, 3, 4], voteKeys = vote) {
  const header = { ...block.header };
  change(header);
  return { ...block, header, commit: commitOf(header, signers, voteKeys) };
}

test('every block of a governed chain is valid, checked against the validators in force at its height', () => {
  const governance = chainGovernance(governedGenesis, chain.governance);
  assert.equal(governance.failedAt, null, governance.failure);
  for (const block of chain.blocks) {
    const verdict = verifyBlock(block, governedGenesis, governance);
    assert.equal(verdict.verdict, 'valid', `block ${block.height}: ${verdict.detail}`);
  }
  const facts = (height) => verifyBlock(chain.blocks[height - 1], governedGenesis, governance).facts;
  assert.equal(facts(2)?.version, 1);
  assert.equal(facts(3)?.version, 2);
  assert.deepEqual(facts(3)?.actions, [{ seq: 1, action: 'add-validator', subject: `validator-4 · ${INSTITUTIONS[0]} · power 1` }]);
  assert.deepEqual(facts(4)?.actions, []);
  assert.equal(facts(4)?.validators.length, 4, 'the change is in force two blocks after its block');
  assert.equal(facts(4)?.registerSince, 0);
  assert.equal(facts(5)?.validators.length, 5);
  assert.equal(facts(5)?.registerSince, 3);
  assert.deepEqual(facts(5)?.signers.map((s) => s.name), ['validator-1', 'validator-2', 'validator-3', 'validator-4']);
});

test('without the governance blocks, the blocks from the change on are invalid; a v1 chain needs none', () => {
  const verdicts = chain.blocks.map((block) => verifyBlock(block, governedGenesis));
  assert.deepEqual(verdicts.map((v) => v.verdict), ['valid', 'valid', 'invalid', 'invalid', 'invalid', 'invalid']);
  assert.equal(verdicts[2].code, 'block.wrong_state', 'block 3 carries actions the node did not list');
  assert.match(verdicts[2].detail, /missing/);
  assert.equal(verdicts[3].code, 'block.wrong_state');
  assert.equal(verdicts[4].code, 'block.bad_commit', 'block 5 is signed by a validator genesis does not know');
});

test('a block committed by the wrong set is invalid', () => {
  const governance = chainGovernance(governedGenesis, chain.governance);
  // Block 5 signed by three of the original four: 3 of 5 is not more than 2/3.
  const byOldSet = resigned(chain.blocks[4], () => {}, [0, 1, 2]);
  assert.equal(verifyBlock(byOldSet, governedGenesis, governance).code, 'block.bad_commit');
  // Block 5 naming the old set in its header, signed by it (as genesis alone would accept).
  const oldSet = registerFromGenesis(governedGenesis).validatorSetHash;
  const namesOldSet = resigned(chain.blocks[4], (h) => (h.validators_hash = oldSet), [0, 1, 2], vote.slice(0, 4));
  assert.equal(verifyBlock(namesOldSet, governedGenesis, governance).code, 'block.bad_commit');
  // Block 4 (the old set still in force) signed with the new validator's key.
  const early = resigned(chain.blocks[3], () => {}, [1, 2, 3, 4]);
  assert.equal(verifyBlock(early, governedGenesis, governance).code, 'block.bad_commit');
  // Signed by the set in force, but naming another one.
  const wrongHash = resigned(chain.blocks[4], (h) => (h.validators_hash = oldSet));
  const verdict = verifyBlock(wrongHash, governedGenesis, governance);
  assert.equal(verdict.code, 'block.wrong_validators');
  assert.equal(verdict.check, 'validatorsInForce');
});

test('a changed actions_root, state_hash, next_validators_hash or version is invalid, even re-signed', () => {
  const governance = chainGovernance(governedGenesis, chain.governance);
  const other = digest('other');
  const code = (block, change) => verifyBlock(resigned(block, change, ...(block.height >= 5 ? [] : [[0, 1, 2], vote.slice(0, 4)])), governedGenesis, governance).code;
  for (const block of [chain.blocks[2], chain.blocks[4]]) {
    assert.equal(code(block, (h) => (h.actions_root = other)), 'block.bad_governance', `block ${block.height}`);
    assert.equal(code(block, (h) => (h.state_hash = other)), 'block.wrong_state', `block ${block.height}`);
    assert.equal(code(block, (h) => (h.next_validators_hash = other)), 'block.wrong_state', `block ${block.height}`);
    assert.equal(code(block, (h) => {
      delete h.version;
      delete h.actions_root;
      delete h.next_validators_hash;
      delete h.state_hash;
    }), 'block.wrong_state', `block ${block.height} as version 1`);
  }
  // A version-2 header before any governance action.
  assert.equal(code(chain.blocks[1], (h) => Object.assign(h, { version: 2, actions_root: rootOf([]), next_validators_hash: h.validators_hash, state_hash: registerFromGenesis(governedGenesis).hash })), 'block.wrong_state');
  // Not re-signed: the commit does not sign the changed header.
  const unsigned = { ...chain.blocks[4], header: { ...chain.blocks[4].header, state_hash: other } };
  assert.equal(verifyBlock(unsigned, governedGenesis, governance).check, 'header');
  assert.equal(code(chain.blocks[4], (h) => (h.proposer = 5)), 'block.wrong_proposer');
});

test("a block's last commit and time are checked against the validators in force at the height before", () => {
  const governance = chainGovernance(governedGenesis, chain.governance);
  const check = (block) => verifyBlock(block, governedGenesis, governance);
  const [first, , , , fifth, sixth] = chain.blocks;
  // Block 6's last commit is block 5's, by the new set: valid (block 6 test above); its time moved.
  assert.equal(check(resigned(sixth, (h) => (h.time_ms += 1))).code, 'block.wrong_time');
  assert.equal(check(resigned(first, (h) => (h.time_ms += 1), [0, 1, 2], vote.slice(0, 4))).code, 'block.wrong_time');
  // A last commit short of a quorum, or for another block.
  const short = { ...sixth.last_commit, signatures: sixth.last_commit.signatures.slice(0, 2) };
  assert.equal(check(resigned({ ...sixth, last_commit: short }, (h) => (h.last_commit_hash = toHex(commitHash(H, short))))).code, 'block.bad_last_commit');
  assert.equal(check(resigned(sixth, (h) => (h.previous_hash = digest('other')))).code, 'block.bad_last_commit');
  assert.equal(check(resigned(sixth, (h) => (h.last_commit_hash = digest('other')))).code, 'block.bad_last_commit');
  const verdict = check(resigned(fifth, (h) => (h.last_commit_hash = '0'.repeat(64))));
  assert.equal(verdict.check, 'lastCommit');
  assert.equal(check({ ...first, last_commit: sixth.last_commit }).code, 'block.bad_last_commit');
});

test('a governance list that does not hold makes the blocks from its first bad block invalid', () => {
  const [g] = chain.governance;
  const cases = [
    [[{ ...g, actions: [] }], 3],
    [[{ ...g, commit: commitOf(g.block, [0, 1], vote) }], 3],
    [[{ ...g, block: { ...g.block, state_hash: digest('x') } }], 3],
    [[g, g], 4],
    [[g, { block: 'x' }], 4],
    ['not a list', 1],
  ];
  for (const [list, failedAt] of cases) {
    const governance = chainGovernance(governedGenesis, list);
    assert.equal(governance.failedAt, failedAt, JSON.stringify(list).slice(0, 80));
    const verdicts = chain.blocks.map((block) => verifyBlock(block, governedGenesis, governance));
    for (const [i, verdict] of verdicts.entries()) {
      if (i + 1 >= failedAt) assert.equal(verdict.code, 'block.bad_governance', `block ${i + 1}`);
      else assert.equal(verdict.verdict, 'valid', `block ${i + 1}: ${verdict.detail}`);
    }
  }
  // A governance block of another chain's validators (a forged one): refused the same way.
  const forged = resigned({ header: g.block, commit: g.commit }, () => {}, [0, 1, 2], [keyPair('x'), keyPair('y'), keyPair('z')]);
  assert.equal(chainGovernance(governedGenesis, [{ ...g, commit: forged.commit }]).failedAt, 3);
});
