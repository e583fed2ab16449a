import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { verifyReceipt, verifyReceiptBytes, verifyReceiptText } from '../../src/verify/receipt.js';
import { cliVerdict } from '../helpers/cli_verify.js';
import { documentBytes, documentDigest, genesis, genesisText, receipt, receiptText } from '../helpers/example.js';
import { evidenceCli } from '../helpers/paths.js';

test('the worked example is valid and proves what docs/receipt-format.md §9 says', () => {
  const verdict = verifyReceiptText(receiptText, genesis, documentDigest);
  assert.equal(verdict.verdict, 'valid', verdict.detail);
  const f = /** @type {import('../../src/verify/receipt.js').Facts} */ (verdict.facts);
  assert.equal(f.recordId, '406176a7c6682f9042f18dee956cb7fe048a5d3330d9753f5cb514b309c702b7');
  assert.equal(f.agency.id, 'sishui-justice-bureau');
  assert.equal(f.record.case_id, '(2026)鲁0831行复12号');
  assert.equal(f.height, 2);
  assert.equal(f.leafIndex, 2);
  assert.equal(f.treeSize, 6);
  assert.equal(f.blockTimeMs, 1767225603000);
  assert.equal(f.existedByMs, 1767225606000, 'T: 4 precommits at ..604..607 s, the first past half the power');
  assert.deepEqual(f.signers.map((s) => s.index), [0, 1, 2, 3]);
  assert.equal(f.signingPower, 4n);
  assert.equal(f.documentChecked, true);
  const alone = verifyReceipt(receipt(), genesis, null);
  assert.equal(alone.verdict, 'valid');
  assert.equal(alone.facts?.documentChecked, false);
});

test('each check fails with its own code', () => {
  const r = receipt();
  const code = (value, digest = documentDigest) => verifyReceipt(value, genesis, digest).code;
  assert.equal(code(r, 'sha256:' + '0'.repeat(64)), 'receipt.digest_mismatch');
  assert.equal(code({ ...r, record: { ...r.record, title: 'x' } }), 'receipt.bad_record_signature');
  const flipped = r.inclusion_proof.map((p, i) => (i === 1 ? (p[0] === 'a' ? 'b' : 'a') + p.slice(1) : p));
  assert.equal(code({ ...r, inclusion_proof: flipped }), 'receipt.bad_inclusion');
  assert.equal(code({ ...r, tree_size: 7 }), 'receipt.bad_inclusion');
  assert.equal(code({ ...r, block: { ...r.block, proposer: 3 } }), 'receipt.header_mismatch');
  assert.equal(code({ ...r, commit: { ...r.commit, signatures: r.commit.signatures.slice(0, 2) } }), 'receipt.bad_commit');
  assert.equal(code({ ...r, validator_set_hash: '0'.repeat(64) }), 'receipt.validator_set_mismatch');
  assert.equal(code({ ...r, block: { ...r.block, chain_id: 'other' } }), 'receipt.wrong_chain');
  assert.equal(code({ ...r, v: 2 }), 'receipt.unsupported_version');
  assert.equal(code({ ...r, extra: 1 }), 'receipt.malformed');
  assert.equal(verifyReceiptText(receiptText.replace('{', '{"v":1,'), genesis, documentDigest).code, 'receipt.malformed', 'duplicate key');
  assert.equal(verifyReceiptText('[]', genesis, documentDigest).code, 'receipt.malformed');
  const bytes = new TextEncoder().encode(receiptText);
  assert.equal(verifyReceiptBytes(bytes, genesis, documentDigest).verdict, 'valid');
  const title = bytes.indexOf(0xe8); // inside the Chinese title, a byte no UTF-8 has
  assert.equal(verifyReceiptBytes(bytes.map((b, i) => (i === title ? 0xff : b)), genesis, documentDigest).code, 'receipt.malformed');
});

// Every scalar of the example changed in turn (as tests/ledger/receipt_test.cc
// AnyOneChangedFieldMakesVerifyFail does): never valid here, and where the C++
// CLI is built, the same code as `evidence verify` on every one of them.
test('any one changed field fails, with the code evidence verify gives', (t) => {
  const cli = evidenceCli();
  const dir = mkdtempSync(join(tmpdir(), 'web-receipt-'));
  try {
    writeFileSync(join(dir, 'genesis.json'), genesisText);
    writeFileSync(join(dir, 'document.txt'), documentBytes);
    const original = receipt();
    const paths = scalarPaths(original);
    assert.ok(paths.length > 40);
    let compared = 0;
    for (const path of paths) {
      const copy = receipt();
      mutate(copy, path);
      const text = canonicalize(copy);
      const verdict = verifyReceiptText(text, genesis, documentDigest);
      assert.equal(verdict.verdict, 'invalid', `changing ${path.join('.')} still verifies`);
      if (cli) {
        assert.equal(verdict.code, cliVerdict(cli, dir, join(dir, 'document.txt'), text), `changing ${path.join('.')}`);
        compared++;
      }
    }
    if (!cli) t.diagnostic('the evidence CLI is not built: codes not compared with evidence verify');
    else assert.equal(compared, paths.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function scalarPaths(value, prefix = []) {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => scalarPaths(child, [...prefix, key]));
  }
  return [prefix];
}

// The C++ test's change: the middle character of a string to another digit or
// hex letter, integers + 1.
function mutate(root, path) {
  const parent = path.slice(0, -1).reduce((node, key) => node[key], root);
  const key = path[path.length - 1];
  const value = parent[key];
  if (typeof value === 'number') parent[key] = value + 1;
  else if (typeof value === 'string') {
    if (value === '') parent[key] = 'x';
    else {
      const at = Math.floor(value.length / 2);
      const c = value[at];
      const replacement = /[0-9]/.test(c) ? (c === '1' ? '2' : '1') : /[a-f]/i.test(c) ? (c === 'a' ? 'b' : 'a') : c === '1' ? '2' : '1';
      parent[key] = value.slice(0, at) + replacement + value.slice(at + 1);
    }
  }
}
