import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/verify/bytes.js';
import { blockHash, commitMedianTimeMs, headerBytes, precommitBytes, readCommit, readHeader, verifyCommit } from '../../src/verify/block.js';
import { SchemaError } from '../../src/verify/fields.js';
import { genesis, receipt } from '../helpers/example.js';

test('header bytes and block hash of the worked example (§9 step 5)', () => {
  const header = readHeader(receipt().block);
  assert.equal(headerBytes(header).length, 239 + 15);
  assert.equal(toHex(blockHash(genesis.H, header)), 'a9935bb46f815f7b1852a6611f5f25495b1cc5775aba736e5c5467b91f9c5c9f');
});

test('validator 0\'s precommit bytes (§9 step 6)', () => {
  const commit = readCommit(receipt().commit);
  const expected =
    '45564944454e43452d564f54452f76310a' + '0f' + '7369736875692d65766964656e6365' + '02' + '0000000000000002' + '00000000' +
    'a9935bb46f815f7b1852a6611f5f25495b1cc5775aba736e5c5467b91f9c5c9f' + '0000019b76dab7a0';
  assert.equal(toHex(precommitBytes('sishui-evidence', commit, commit.signatures[0].timestamp_ms)), expected);
});

test('a commit needs more than 2/3 of the power, known increasing indexes and good signatures', () => {
  const commit = readCommit(receipt().commit);
  assert.equal(verifyCommit(genesis.chainId, genesis.validators, commit).ok, true);
  const three = { ...commit, signatures: commit.signatures.slice(0, 3) };
  assert.equal(verifyCommit(genesis.chainId, genesis.validators, three).ok, true, '3 of 4 > 2/3');
  const two = { ...commit, signatures: commit.signatures.slice(0, 2) };
  assert.match(verifyCommit(genesis.chainId, genesis.validators, two).error, /not more than 2\/3/);
  const repeated = { ...commit, signatures: [commit.signatures[0], commit.signatures[0], commit.signatures[1]] };
  assert.match(verifyCommit(genesis.chainId, genesis.validators, repeated).error, /strictly increasing/);
  const moved = { ...commit, signatures: commit.signatures.map((s, i) => (i === 1 ? { ...s, timestamp_ms: s.timestamp_ms + 1 } : s)) };
  assert.match(verifyCommit(genesis.chainId, genesis.validators, moved).error, /bad precommit signature by validator 1/);
  assert.equal(verifyCommit('other-chain', genesis.validators, commit).ok, false);
});

test('the weighted median of precommit times (ledger::CommitMedianTimeMs)', () => {
  const v = (power) => ({ name: 'v', institution: 'i', voteKey: null, power });
  const sig = (validator, timestamp_ms) => ({ validator, timestamp_ms, signature: '' });
  const commit = (...signatures) => ({ height: 1, round: 0, block_hash: '', signatures });
  const four = [v(1), v(1), v(1), v(1)];
  // Even total weight: the first time past half the signing power (3 of 4).
  assert.equal(commitMedianTimeMs(four, commit(sig(0, 4), sig(1, 5), sig(2, 6), sig(3, 7))), 6);
  assert.equal(commitMedianTimeMs(four, commit(sig(0, 7), sig(1, 4), sig(2, 6))), 6, 'order of signatures does not matter');
  assert.equal(commitMedianTimeMs([v(5), v(1), v(1)], commit(sig(0, 100), sig(1, 1), sig(2, 2))), 100, 'weighted');
  assert.equal(commitMedianTimeMs(four, commit()), 0);
  assert.equal(commitMedianTimeMs(four, commit(sig(9, 1), sig(0, 3))), 3, 'unknown indexes carry no power');
});

test('header and commit shapes are strict', () => {
  const block = receipt().block;
  assert.throws(() => readHeader({ ...block, extra: 1 }), SchemaError);
  assert.throws(() => readHeader({ ...block, log_root: block.log_root.toUpperCase() }), SchemaError);
  assert.throws(() => readHeader({ ...block, proposer: 2 ** 32 }), SchemaError);
  const commit = receipt().commit;
  assert.throws(() => readCommit({ ...commit, round: -1 }), SchemaError);
  assert.throws(() => readCommit({ ...commit, signatures: [{ ...commit.signatures[0], signature: 'a' }] }), SchemaError);
});
