// The digests of a chosen file, computed in this browser: SHA-256 with WebCrypto
// where the page has it (secure contexts), @noble/hashes otherwise; SM3 with the
// verifier's SM3. The bytes are read here and go nowhere else.
import { documentDigests, toHex } from '../verify/index.js';

/**
 * @param {Blob} file
 * @returns {Promise<string[]>} ["sha256:<hex>", "sm3:<hex>"]
 */
export async function digestFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const [sm3] = documentDigests(bytes, ['sm3']);
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const sha = new Uint8Array(await subtle.digest('SHA-256', bytes));
    return [`sha256:${toHex(sha)}`, sm3];
  }
  return [...documentDigests(bytes, ['sha256']), sm3];
}

/** @param {Blob} file @returns {Promise<Uint8Array>} the file's bytes */
export async function readBytes(file) {
  return new Uint8Array(await file.arrayBuffer());
}
