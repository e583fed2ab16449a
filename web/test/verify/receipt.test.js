import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { documentDigests } from '../../src/verify/document.js';
import { parseGenesis } from '../../src/verify/genesis.js';
import { verifyReceipt, verifyReceiptBytes, verifyReceiptText } from '../../src/verify/receipt.js';
import { cliVerdict } from '../helpers/cli_verify.js';
import { documentBytes, documentDigest, genesis, genesisText, receipt, receiptText } from '../helpers/example.js';
import { evidenceCli, VECTORS_DIR } from '../helpers/paths.js';

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
  // A v1 receipt called v2 lacks the governance blocks (ledger::ReceiptFromJson: malformed).
  assert.equal(code({ ...r, v: 2 }), 'receipt.malformed');
  assert.equal(code({ ...r, v: 3 }), 'receipt.unsupported_version');
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

// ---------------------------------------------------------------- receipts v2

// The governed chain of the corpus (tests/vectors/receipts, manifest-v2.json):
// block 8's receipt carries the governance blocks of heights 2 (an agency and a
// key added), 4 (two keys revoked) and 6 (validator 3's vote key rotated), and
// its commit is by the rotated set.
const v2Dir = join(VECTORS_DIR, 'receipts');
const v2GenesisText = readFileSync(join(v2Dir, 'genesis', 'governed.json'), 'utf8');
const v2Genesis = (() => {
  const parsed = parseGenesis(v2GenesisText);
  if (!parsed.ok) throw new Error(parsed.detail);
  return parsed.genesis;
})();
const v2Receipt = (name) => JSON.parse(readFileSync(join(v2Dir, 'receipts', `${name}.json`), 'utf8'));
const v2Document = (name) => new Uint8Array(readFileSync(join(v2Dir, 'documents', name)));
const v2Digest = (name) => documentDigests(v2Document(name), ['sha256'])[0];

test('a v2 receipt verifies with the original genesis and says which register it used', () => {
  const verdict = verifyReceipt(v2Receipt('governed-new-validator-set'), v2Genesis, v2Digest('gov-new-set.txt'));
  assert.equal(verdict.verdict, 'valid', verdict.detail);
  const f = /** @type {import('../../src/verify/receipt.js').Facts} */ (verdict.facts);
  assert.equal(f.height, 8);
  assert.deepEqual(
    { ...f.governance, notes: f.governance.notes.length, warnings: f.governance.warnings.length, stateHash: f.governance.stateHash.length },
    { receiptVersion: 2, blocks: 3, changesInForce: 3, lastChangeHeight: 6, stateHash: 64, notes: 0, warnings: 0 },
  );
  // Validator 3 signed with its rotated key: the signers are the set in force.
  assert.deepEqual(f.signers.map((s) => s.index), [0, 1, 2, 3]);
  // The register in force at block 8 is the one after block 6 (its header's state_hash is the one before).
  const tax = verifyReceipt(v2Receipt('governed-new-agency'), v2Genesis, v2Digest('gov-new-agency.txt'));
  assert.equal(tax.verdict, 'valid', tax.detail);
  assert.equal(tax.facts?.agency.id, 'sishui-tax-bureau');
  assert.equal(tax.facts?.governance.lastChangeHeight, 2);
  assert.equal(tax.facts?.governance.changesInForce, 1);
  // Old receipts keep verifying: block 1's v1 receipt on the same genesis.
  const v1 = verifyReceipt(v2Receipt('governed-v1-before-changes'), v2Genesis, v2Digest('gov-before-changes.txt'));
  assert.equal(v1.verdict, 'valid', v1.detail);
  assert.equal(v1.facts?.governance.receiptVersion, 1);
  assert.equal(v1.facts?.governance.lastChangeHeight, 0);
});

test('a key revoked after the record gives a note; compromised from before its time, a warning', () => {
  const rotated = verifyReceipt(v2Receipt('governed-rotated-key-note'), v2Genesis, v2Digest('gov-rotated-key.txt'));
  assert.equal(rotated.verdict, 'valid', rotated.detail);
  assert.deepEqual(rotated.facts?.governance.warnings, []);
  const [note] = /** @type {any} */ (rotated.facts).governance.notes;
  assert.equal(note.kind, 'key-revoked');
  assert.equal(note.reason, 'rotated');
  assert.equal(note.height, 4);
  assert.match(note.text, /after this record was committed: the record stays valid/);
  const early = verifyReceipt(v2Receipt('governed-compromised-key-before'), v2Genesis, v2Digest('gov-compromised-before.txt'));
  assert.equal(early.facts?.governance.notes[0].reason, 'compromised');
  assert.deepEqual(early.facts?.governance.warnings, []);
  const late = verifyReceipt(v2Receipt('governed-compromised-key-warning'), v2Genesis, v2Digest('gov-compromised-after.txt'));
  assert.equal(late.verdict, 'valid', late.detail);
  assert.deepEqual(late.facts?.governance.notes, []);
  const [warning] = /** @type {any} */ (late.facts).governance.warnings;
  assert.equal(warning.kind, 'key-compromised');
  assert.ok(warning.recordTimeMs >= warning.effectiveMs);
  assert.match(warning.text, /stolen key/);
});

// Every scalar of the governance blocks and of the v2 header changed in turn,
// and every member of them left out: never valid, and where the C++ CLI is
// built, the code `evidence verify` gives.
test('any one changed or missing governance member fails, with the code evidence verify gives', (t) => {
  const cli = evidenceCli();
  const dir = mkdtempSync(join(tmpdir(), 'web-receipt-v2-'));
  try {
    writeFileSync(join(dir, 'genesis.json'), v2GenesisText);
    writeFileSync(join(dir, 'document.txt'), v2Document('gov-new-set.txt'));
    const digest = v2Digest('gov-new-set.txt');
    const original = v2Receipt('governed-new-validator-set');
    const changed = [
      ...scalarPaths(original.governance, ['governance']),
      ...['version', 'actions_root', 'next_validators_hash', 'state_hash'].map((m) => ['block', m]),
    ].map((path) => ({ path, change: (copy) => mutate(copy, path) }));
    const missing = memberPaths(original.governance, ['governance']).map((path) => ({ path: [...path, '(missing)'], change: (copy) => remove(copy, path) }));
    assert.ok(changed.length > 60 && missing.length > 30, `${changed.length} changed, ${missing.length} missing`);
    let compared = 0;
    for (const { path, change } of [...changed, ...missing]) {
      const copy = v2Receipt('governed-new-validator-set');
      change(copy);
      const text = canonicalize(copy);
      const verdict = verifyReceiptText(text, v2Genesis, digest);
      assert.equal(verdict.verdict, 'invalid', `changing ${path.join('.')} still verifies`);
      if (cli) {
        assert.equal(verdict.code, cliVerdict(cli, dir, join(dir, 'document.txt'), text), `changing ${path.join('.')}`);
        compared++;
      }
    }
    if (!cli) t.diagnostic('the evidence CLI is not built: codes not compared with evidence verify');
    else assert.equal(compared, changed.length + missing.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The paths of every object member (array elements are not members: one
// precommit fewer may still be a quorum; whole blocks and actions left out are
// corpus cases).
function memberPaths(value, prefix) {
  if (value === null || typeof value !== 'object') return [];
  const own = Array.isArray(value) ? [] : Object.keys(value).map((key) => [...prefix, key]);
  return [...own, ...Object.entries(value).flatMap(([key, child]) => memberPaths(child, [...prefix, key]))];
}

function remove(root, path) {
  const parent = path.slice(0, -1).reduce((node, key) => node[key], root);
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}
