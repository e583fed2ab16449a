// The shared receipt corpus (tests/vectors/receipts/manifest.json, written by the
// C++ generator; README.md beside it): every case gives the same answer here as
// `evidence verify` — exit status, code of the first failed check, and for a
// valid receipt the time it proves (existed no later than).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyFiles } from '../../src/verify/files.js';
import { VECTORS_DIR } from '../helpers/paths.js';

const dir = join(VECTORS_DIR, 'receipts');
const manifestPath = join(dir, 'manifest.json');

test('the receipt corpus: every case as evidence verify answers it', (t) => {
  if (!existsSync(manifestPath)) return t.skip('tests/vectors/receipts is not in this checkout yet');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  assert.ok(manifest.cases.length > 100);
  const read = (path) => new Uint8Array(readFileSync(join(dir, path)));
  const disagreements = [];
  for (const c of manifest.cases) {
    const answer = verifyFiles({ genesis: read(c.genesis), receipt: read(c.receipt), document: read(c.document) });
    const existedBy = answer.facts?.existedByMs ?? null;
    if (answer.exit !== c.exit || answer.code !== c.code || existedBy !== c.existed_by_ms) {
      disagreements.push(`${c.name}: expected exit ${c.exit} ${c.code} ${c.existed_by_ms}, got exit ${answer.exit} ${answer.code} ${existedBy} (${answer.detail})`);
    }
  }
  assert.deepEqual(disagreements, []);
});
