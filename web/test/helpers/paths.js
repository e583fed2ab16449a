// Where the tests find the repository's shared vectors and programs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = join(WEB_DIR, '..');
export const VECTORS_DIR = join(REPO_DIR, 'tests', 'vectors');

/** @param {string} name a file under tests/vectors */
export function vector(name) {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8'));
}

/**
 * The `evidence` CLI: $EVIDENCE_CLI (ctest sets it), else build/bin/evidence of
 * this checkout, else null (tests that need it say so and skip).
 */
export function evidenceCli() {
  const candidates = [process.env.EVIDENCE_CLI, join(REPO_DIR, 'build', 'bin', 'evidence')];
  return candidates.find((path) => path && existsSync(path)) ?? null;
}
