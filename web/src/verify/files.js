// The three files a verifier is given — genesis, receipt, document — to the
// answer `evidence verify` gives for them (docs/receipt-format.md §8): the
// verdict, and the exit status 0 (valid), 1 (the receipt does not prove the
// document) or 2 (unusable input: a genesis or receipt that breaks the format).
// The genesis is read first, then the receipt; the document is hashed with the
// algorithm the receipt's record names. Pure.
import { decodeUtf8 } from './bytes.js';
import { documentDigests } from './document.js';
import { parseGenesisBytes } from './genesis.js';
import { verifyReceiptBytes } from './receipt.js';

/** Codes that mean the input is unusable rather than unproven (exit status 2). */
export const UNUSABLE_CODES = Object.freeze(['genesis.invalid', 'receipt.malformed', 'receipt.unsupported_version']);

/**
 * @param {{genesis: Uint8Array, receipt: Uint8Array, document: Uint8Array}} files (document: the file's bytes)
 * @returns {import('./receipt.js').Verdict & {exit: 0|1|2}}
 */
export function verifyFiles(files) {
  const { genesis, receipt } = files;
  const parsed = parseGenesisBytes(genesis);
  if (!parsed.ok) return { verdict: 'invalid', check: 'format', code: parsed.code, detail: parsed.detail, exit: 2 };
  const verdict = verifyReceiptBytes(receipt, parsed.genesis, documentDigestFor(receipt, files.document));
  const exit = verdict.verdict === 'valid' ? 0 : verdict.code !== null && UNUSABLE_CODES.includes(verdict.code) ? 2 : 1;
  return { ...verdict, exit };
}

// The document's digest in the algorithm the receipt's record names (a receipt
// that names none, or does not parse, fails before the digest matters).
function documentDigestFor(receipt, documentBytes) {
  const text = decodeUtf8(receipt) ?? '';
  const algorithm = /"digest"\s*:\s*"sm3:/.test(text) ? 'sm3' : 'sha256';
  return documentDigests(documentBytes, [algorithm])[0];
}
