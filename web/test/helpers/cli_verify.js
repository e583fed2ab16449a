// What `evidence verify` (the C++ verifier) says about a receipt: its error code
// ("receipt.*"), or null when the receipt proves the document.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CODES = /\b(receipt\.(?:malformed|unsupported_version|wrong_chain|bad_governance|digest_mismatch|bad_record_signature|bad_inclusion|header_mismatch|bad_commit|validator_set_mismatch)|genesis\.invalid):/;

/**
 * @param {string} cli path of the evidence CLI
 * @param {string} dir a scratch directory holding document and genesis.json
 * @param {string} documentPath
 * @param {string} receiptText
 */
export function cliVerdict(cli, dir, documentPath, receiptText) {
  const receiptPath = join(dir, 'receipt.json');
  writeFileSync(receiptPath, receiptText);
  const run = spawnSync(cli, ['verify', documentPath, '--receipt', receiptPath, '--genesis', join(dir, 'genesis.json')], { encoding: 'utf8' });
  if (run.status === 0) return null;
  const code = CODES.exec(run.stderr);
  if (!code) throw new Error(`evidence verify exited ${run.status} without a code: ${run.stderr}`);
  return code[1];
}
