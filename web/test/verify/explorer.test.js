import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyBlock } from '../../src/verify/explorer.js';
import { parseGenesis } from '../../src/verify/genesis.js';
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
