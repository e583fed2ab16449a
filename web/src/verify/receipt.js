// Receipt v1 verification (docs/receipt-format.md §6-7), the browser's and the
// offline page's twin of ledger::VerifyReceiptForDigest and `evidence verify`:
// the same checks in the same order, stopping at the first failure with the same
// error code.
//   parse                                   receipt.malformed
//   v an integer other than 1               receipt.unsupported_version
//   1. chain ids are the genesis chain's    receipt.wrong_chain
//   2. the document's digest                receipt.digest_mismatch
//   3. the agency's signature               receipt.bad_record_signature
//   4. inclusion in the block's log root    receipt.bad_inclusion
//   5. header hash = commit.block_hash      receipt.header_mismatch
//   6. precommits by > 2/3 of the power     receipt.bad_commit
//   7. the genesis validator set            receipt.validator_set_mismatch
// A verdict is data: {verdict, check, code, detail, facts}. `facts` (what a valid
// receipt proves, including the time T the document existed by: the weighted
// median of the commit's precommit times) is set only when the verdict is valid.
// Pure functions: no DOM, no network, no clock.
import { decodeUtf8, fromHex, toHex } from './bytes.js';
import { blockHash, commitMedianTimeMs, equalsHex, readCommit, readHeader, verifyCommit } from './block.js';
import { FieldReader, SchemaError } from './fields.js';
import { findAgency, findAgencyKey } from './genesis.js';
import { LIMITS } from './limits.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { recordId, recordLeaf, readRecord, verifyRecordSignature } from './record.js';
import { parseStrictJson } from './strict_json.js';
import { isDigestHex } from './bytes.js';

/**
 * @typedef {'valid'|'invalid'|'not-found'} VerdictName
 * @typedef {'format'|'chain'|'document'|'signature'|'inclusion'|'header'|'commit'|'validators'|null} CheckName
 *
 * @typedef {object} Signer
 * @property {number} index
 * @property {string} name
 * @property {string} institution
 * @property {number} power
 * @property {number} timestampMs
 *
 * @typedef {object} Facts what a valid receipt proves
 * @property {string} recordId
 * @property {import('./record.js').Record} record
 * @property {{id: string, name: string, institution: string}} agency
 * @property {boolean} documentChecked whether a document digest was compared
 * @property {number} existedByMs T: the document existed no later than this
 * @property {number} recordTimeMs the time the agency claims
 * @property {number} blockTimeMs the block header's BFT time
 * @property {number} height
 * @property {string} blockHash
 * @property {number} leafIndex
 * @property {number} treeSize
 * @property {string} logRoot
 * @property {Signer[]} signers
 * @property {bigint} signingPower
 * @property {bigint} totalPower
 *
 * @typedef {object} Verdict
 * @property {VerdictName} verdict
 * @property {CheckName} check the check that failed (null when valid)
 * @property {string|null} code the C++ error code of that check (null when valid)
 * @property {string} detail what failed, in English, for the technical details
 * @property {Facts} [facts]
 */

/**
 * Verifies receipt JSON text (strictly parsed, as `evidence verify` reads a file).
 * @param {string} text
 * @param {import('./genesis.js').Genesis} genesis
 * @param {string|null} documentDigest "sha256:<hex>"/"sm3:<hex>" of the document, or null to check the receipt alone
 * @returns {Verdict}
 */
export function verifyReceiptText(text, genesis, documentDigest) {
  const parsed = parseStrictJson(text, { maxBytes: LIMITS.receiptBytesMax, maxDepth: LIMITS.jsonDepthMax });
  if (!parsed.ok) return invalid('format', 'receipt.malformed', parsed.error);
  return verifyReceipt(parsed.value, genesis, documentDigest);
}

/**
 * Verifies a receipt file's bytes: UTF-8 strict JSON, then as verifyReceiptText.
 * @param {Uint8Array} bytes
 * @param {import('./genesis.js').Genesis} genesis
 * @param {string|null} documentDigest
 * @returns {Verdict}
 */
export function verifyReceiptBytes(bytes, genesis, documentDigest) {
  const text = decodeUtf8(bytes);
  if (text === null) return invalid('format', 'receipt.malformed', 'the receipt is not UTF-8');
  return verifyReceiptText(text, genesis, documentDigest);
}

/**
 * Verifies a receipt already parsed from JSON (e.g. inside an API answer).
 * @param {any} value
 * @param {import('./genesis.js').Genesis} genesis
 * @param {string|null} documentDigest
 * @returns {Verdict}
 */
export function verifyReceipt(value, genesis, documentDigest) {
  let receipt;
  try {
    receipt = readReceipt(value);
  } catch (error) {
    if (error instanceof UnsupportedVersion) return invalid('format', 'receipt.unsupported_version', error.message);
    if (error instanceof SchemaError) return invalid('format', 'receipt.malformed', error.message);
    throw error;
  }
  return checkReceipt(receipt, genesis, documentDigest);
}

/** A receipt whose `v` is an integer other than 1 (read before its other members). */
class UnsupportedVersion extends Error {}

/** Throws a SchemaError for anything ledger::ReceiptFromJson refuses. */
function readReceipt(value) {
  const reader = new FieldReader(value, 'receipt');
  const version = reader.signed('v');
  if (version !== 1) throw new UnsupportedVersion(`receipt version ${version}: this verifier knows version 1 only`);
  let record;
  try {
    record = readRecord(reader.required('record'));
  } catch (error) {
    if (error instanceof SchemaError) throw reader.fail(`record: ${error.message}`);
    throw error;
  }
  const receipt = {
    record,
    leafIndex: reader.unsigned('leaf_index'),
    treeSize: reader.unsigned('tree_size'),
    proof: reader.stringArray('inclusion_proof', LIMITS.inclusionProofLengthMax),
    header: readHeader(reader.required('block')),
    commit: readCommit(reader.required('commit')),
    validatorSetHash: reader.string('validator_set_hash'),
  };
  if (!receipt.proof.every(isDigestHex)) throw reader.fail('inclusion_proof must hold 64 lower-case hex digits');
  if (!isDigestHex(receipt.validatorSetHash)) throw reader.fail('validator_set_hash must be 64 lower-case hex digits');
  reader.finish();
  return receipt;
}

function checkReceipt(r, genesis, documentDigest) {
  const H = genesis.H;
  // 1. The chain.
  for (const [field, chainId] of [['record.chain_id', r.record.chain_id], ['block.chain_id', r.header.chain_id]]) {
    if (chainId !== genesis.chainId) {
      return invalid('chain', 'receipt.wrong_chain', `${field} is "${chainId}", but the genesis is for "${genesis.chainId}"`);
    }
  }
  // 2. The document.
  if (documentDigest !== null && documentDigest !== r.record.digest) {
    return invalid('document', 'receipt.digest_mismatch', `the document's digest ${documentDigest} is not the recorded digest ${r.record.digest}`);
  }
  // 3. Authorship.
  const key = findAgencyKey(genesis, r.record.agency, r.record.sig.key);
  if (key === null) {
    return invalid('signature', 'receipt.bad_record_signature', `key ${r.record.sig.key} is not registered in genesis for agency "${r.record.agency}"`);
  }
  const signature = verifyRecordSignature(H, key, r.record);
  if (!signature.ok) return invalid('signature', 'receipt.bad_record_signature', signature.error);
  // 4. Inclusion in the block's log root.
  if (r.treeSize !== r.header.log_size) {
    return invalid('inclusion', 'receipt.bad_inclusion', `tree_size ${r.treeSize} is not the block's log_size ${r.header.log_size}`);
  }
  const proof = r.proof.map((hex) => /** @type {Uint8Array} */ (fromHex(hex, 64)));
  const root = /** @type {Uint8Array} */ (fromHex(r.header.log_root, 64));
  const included = verifyInclusion(H, leafHash(H, recordLeaf(r.record)), r.leafIndex, r.treeSize, proof, root);
  if (!included.ok) return invalid('inclusion', 'receipt.bad_inclusion', included.error);
  // 5. The header is the committed block.
  const hash = blockHash(H, r.header);
  if (!equalsHex(hash, r.commit.block_hash) || r.commit.height !== r.header.height) {
    return invalid('header', 'receipt.header_mismatch', "the block header's hash is not the block hash the commit signs");
  }
  // 6. The commit.
  const commit = verifyCommit(genesis.chainId, genesis.validators, r.commit);
  if (!commit.ok) return invalid('commit', 'receipt.bad_commit', commit.error);
  // 7. The validator set.
  if (r.validatorSetHash !== genesis.validatorSetHash || r.header.validators_hash !== genesis.validatorSetHash) {
    return invalid('validators', 'receipt.validator_set_mismatch', "the receipt's validator set is not the genesis validator set");
  }
  return { verdict: 'valid', check: null, code: null, detail: 'every check holds', facts: factsOf(r, genesis, hash, commit, documentDigest !== null) };
}

function factsOf(r, genesis, hash, commit, documentChecked) {
  const agency = /** @type {import('./genesis.js').Agency} */ (findAgency(genesis, r.record.agency));
  return {
    recordId: toHex(recordId(genesis.H, r.record)),
    record: r.record,
    agency: { id: agency.id, name: agency.name, institution: agency.institution },
    documentChecked,
    existedByMs: commitMedianTimeMs(genesis.validators, r.commit),
    recordTimeMs: r.record.time,
    blockTimeMs: r.header.time_ms,
    height: r.header.height,
    blockHash: toHex(hash),
    leafIndex: r.leafIndex,
    treeSize: r.treeSize,
    logRoot: r.header.log_root,
    signers: r.commit.signatures.map((s) => {
      const v = genesis.validators[s.validator];
      return { index: s.validator, name: v.name, institution: v.institution, power: v.power, timestampMs: s.timestamp_ms };
    }),
    signingPower: commit.power,
    totalPower: commit.total,
  };
}

/** @returns {Verdict} */
function invalid(check, code, detail) {
  return { verdict: 'invalid', check, code, detail };
}
