// The shared receipt corpus (tests/vectors/receipts/manifest.json, written by the
// C++ generator; README.md beside it): every case gives the same answer here as
// `evidence verify` — exit status, code of the first failed check, and for a
// valid receipt the time it proves (existed no later than). The worked examples
// of docs/receipt-format.md section 9 (docs/receipt-examples/) verify too, with
// the time their steps.json gives. The C++ CLI and the page's Python verifier are
// held to the same answers (tests/receipts/receipt_corpus_test.py).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyFiles } from '../../src/verify/files.js';
import { REPO_DIR, VECTORS_DIR } from '../helpers/paths.js';

const dir = join(VECTORS_DIR, 'receipts');
const examplesDir = join(REPO_DIR, 'docs', 'receipt-examples');
const bytes = (path) => new Uint8Array(readFileSync(path));

test('the receipt corpus: every case as evidence verify answers it', () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.ok(manifest.cases.length > 100);
  const disagreements = [];
  for (const c of manifest.cases) {
    const answer = verifyFiles({
      genesis: bytes(join(dir, c.genesis)),
      receipt: bytes(join(dir, c.receipt)),
      document: bytes(join(dir, c.document)),
    });
    const existedBy = answer.facts?.existedByMs ?? null;
    if (answer.exit !== c.exit || answer.code !== c.code || existedBy !== c.existed_by_ms) {
      disagreements.push(`${c.name}: expected exit ${c.exit} ${c.code} ${c.existed_by_ms}, got exit ${answer.exit} ${answer.code} ${existedBy} (${answer.detail})`);
    }
  }
  assert.deepEqual(disagreements, []);
});

// Receipts v2 (docs/receipt-format.md §11): the governed chain's receipts and
// their changed governance blocks, with the notes and warnings a valid one gives.
test('the receipts-v2 corpus: every case as evidence verify answers it', () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest-v2.json'), 'utf8'));
  assert.ok(manifest.cases.length > 30);
  assert.ok(manifest.cases.some((c) => c.warnings > 0) && manifest.cases.some((c) => c.notes > 0));
  const disagreements = [];
  for (const c of manifest.cases) {
    const answer = verifyFiles({
      genesis: bytes(join(dir, c.genesis)),
      receipt: bytes(join(dir, c.receipt)),
      document: bytes(join(dir, c.document)),
    });
    const existedBy = answer.facts?.existedByMs ?? null;
    const got = `exit ${answer.exit} ${answer.code} ${existedBy}`;
    if (got !== `exit ${c.exit} ${c.code} ${c.existed_by_ms}`) {
      disagreements.push(`${c.name}: expected exit ${c.exit} ${c.code} ${c.existed_by_ms}, got ${got} (${answer.detail})`);
    } else if (c.exit === 0) {
      const g = answer.facts.governance;
      if (g.notes.length !== c.notes || g.warnings.length !== c.warnings) {
        disagreements.push(`${c.name}: expected ${c.notes} notes, ${c.warnings} warnings, got ${g.notes.length}, ${g.warnings.length}`);
      }
    }
  }
  assert.deepEqual(disagreements, []);
});

test('the worked examples of docs/receipt-format.md verify, proving their steps.json time', () => {
  const names = readdirSync(examplesDir).sort();
  assert.deepEqual(names, ['sha256-ed25519-batched', 'sha256-ed25519-single', 'sm3-sm2-single']);
  for (const name of names) {
    const at = (file) => join(examplesDir, name, file);
    const steps = JSON.parse(readFileSync(at('steps.json'), 'utf8'));
    const answer = verifyFiles({
      genesis: bytes(at('genesis.json')),
      receipt: bytes(at('receipt.json')),
      document: bytes(at('document.txt')),
    });
    assert.equal(answer.exit, 0, `${name}: ${answer.code} ${answer.detail}`);
    assert.equal(answer.facts.existedByMs, steps.existed_by_ms, name);
  }
});
