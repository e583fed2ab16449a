// Evidence records (docs/receipt-format.md §3): the strict shape ledger/record.cc
// accepts, and the bytes behind them.
//   signing bytes = "EVIDENCE-RECORD/v1\n" ‖ JCS(record without "sig")
//   record id     = H(signing bytes)
//   leaf          = JCS(whole record)        leaf hash = H(0x00 ‖ leaf)
// A batched record (sig.batch) is signed through its batch: the path leads from
// H(0x00 ‖ record id) to the batch root, and the agency signed
//   "EVIDENCE-BATCH/v1\n" ‖ JCS({agency, chain_id, root, size, v: 1}).
// JCS is the `canonicalize` package (RFC 8785, by the RFC's author).
// Pure functions.
import canonicalize from 'canonicalize';
import { concat, fromBase64, fromHex, isDigestHex, toHex, utf8 } from './bytes.js';
import { FieldReader, SchemaError } from './fields.js';
import { LIMITS } from './limits.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { equalBytes } from './bytes.js';
import { verifySignature } from './keys.js';

export const RECORD_KINDS = Object.freeze([
  'enforcement_record',
  'review_opinion',
  'reconsideration_document',
  'litigation_document',
  'other',
]);
export const SIGNATURE_ALGORITHMS = Object.freeze(['p256', 'ed25519', 'sm2']);

const RECORD_DOMAIN = utf8('EVIDENCE-RECORD/v1\n');
const BATCH_DOMAIN = utf8('EVIDENCE-BATCH/v1\n');

/**
 * @typedef {object} Record the record JSON, checked (sig included)
 * @property {number} v
 * @property {string} chain_id
 * @property {string} kind
 * @property {string} case_id
 * @property {string} stage
 * @property {string} agency
 * @property {string} digest
 * @property {number} size
 * @property {string} media_type
 * @property {string} title
 * @property {string[]} links
 * @property {number} time
 * @property {{alg: string, key: string, value: string,
 *             batch?: {root: string, size: number, index: number, path: string[]}}} sig
 */

/**
 * The record in `value`, checked as ledger::RecordFromJson checks it; throws a
 * SchemaError naming the first problem.
 * @param {any} value @returns {Record}
 */
export function readRecord(value) {
  const reader = new FieldReader(value, 'record');
  const record = {
    v: reader.signed('v'),
    chain_id: reader.string('chain_id'),
    kind: reader.string('kind'),
    case_id: reader.string('case_id'),
    stage: reader.string('stage'),
    agency: reader.string('agency'),
    digest: reader.string('digest'),
    size: reader.unsigned('size'),
    media_type: reader.string('media_type'),
    title: reader.string('title'),
    links: reader.stringArray('links', LIMITS.recordJcsBytesMax),
    time: reader.signed('time'),
    sig: readSig(reader.required('sig')),
  };
  reader.finish();
  checkShape(record);
  return record;
}

function readSig(value) {
  const reader = new FieldReader(value, 'record.sig');
  const alg = reader.string('alg');
  if (!SIGNATURE_ALGORITHMS.includes(alg)) throw reader.fail(`sig.alg "${alg.slice(0, 32)}" is not p256, ed25519 or sm2`);
  const sig = { alg, key: reader.string('key'), value: reader.string('value') };
  if (fromBase64(sig.value) === null) throw reader.fail('sig.value is not canonical base64');
  const batch = reader.optional('batch');
  if (batch !== undefined) sig.batch = readBatch(batch);
  reader.finish();
  return sig;
}

function readBatch(value) {
  const reader = new FieldReader(value, 'record.sig.batch');
  const root = reader.string('root');
  if (!isDigestHex(root)) throw reader.fail('root must be 64 lower-case hex digits');
  const batch = {
    root,
    size: reader.unsigned('size'),
    index: reader.unsigned('index'),
    path: reader.stringArray('path', LIMITS.batchPathLengthMax),
  };
  for (const hex of batch.path) {
    if (!isDigestHex(hex)) throw reader.fail('path must hold 64 lower-case hex digits');
  }
  reader.finish();
  return batch;
}

// ledger::CheckRecordShape.
function checkShape(r) {
  const bad = (detail) => new SchemaError(`record: ${detail}`);
  if (r.v !== 1) throw bad(`v is ${r.v}, only 1 is supported`);
  checkText('chain_id', r.chain_id, 1, LIMITS.chainIdBytesMax);
  if (!isIdentifier(r.chain_id)) throw bad('chain_id may hold only A-Z a-z 0-9 . _ -');
  if (!RECORD_KINDS.includes(r.kind)) throw bad(`kind "${r.kind.slice(0, 64)}" is not a record kind`);
  checkText('case_id', r.case_id, 1, LIMITS.caseIdBytesMax);
  checkText('stage', r.stage, 1, LIMITS.stageBytesMax);
  checkText('agency', r.agency, 1, LIMITS.agencyIdBytesMax);
  if (!isIdentifier(r.agency)) throw bad('agency may hold only A-Z a-z 0-9 . _ -');
  if (parseDocumentDigest(r.digest) === null) throw bad(`digest "${r.digest.slice(0, 80)}" is not sha256:<64 hex> or sm3:<64 hex>`);
  checkText('media_type', r.media_type, 1, LIMITS.mediaTypeBytesMax);
  checkText('title', r.title, 0, LIMITS.titleBytesMax);
  if (r.links.length > LIMITS.linksMax) throw bad(`more than ${LIMITS.linksMax} links`);
  if (!r.links.every(isDigestHex)) throw bad('a link must be a record id (64 lower-case hex)');
  if (new Set(r.links).size !== r.links.length) throw bad('a link is repeated');
  if (r.time < 0) throw bad('time must be 0..2^53-1 unix ms');
  if (!isDigestHex(r.sig.key)) throw bad('sig.key must be 64 lower-case hex digits');
  const value = /** @type {Uint8Array} */ (fromBase64(r.sig.value));
  if (value.length === 0 || value.length > LIMITS.recordSignatureBytesMax) {
    throw bad(`sig.value must decode to 1..${LIMITS.recordSignatureBytesMax} bytes`);
  }
  const batch = r.sig.batch;
  if (batch) {
    if (batch.size === 0 || batch.size > LIMITS.batchRecordsMax) throw bad(`sig.batch.size must be 1..${LIMITS.batchRecordsMax}`);
    if (batch.index >= batch.size) throw bad('sig.batch.index must be less than sig.batch.size');
  }
  const leafBytes = recordLeaf(r).length;
  if (leafBytes > LIMITS.recordJcsBytesMax) {
    throw bad(`canonical record is ${leafBytes} bytes, over the limit of ${LIMITS.recordJcsBytesMax}`);
  }
}

function checkText(field, value, minBytes, maxBytes) {
  const bytes = utf8(value).length;
  if (bytes > maxBytes) throw new SchemaError(`record: ${field} is ${bytes} bytes, over the limit of ${maxBytes}`);
  if (bytes < minBytes) throw new SchemaError(`record: ${field} is empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new SchemaError(`record: ${field} contains a control character`);
}

function isIdentifier(text) {
  return /^[A-Za-z0-9._-]+$/.test(text);
}

/**
 * "sha256:<64 hex>" or "sm3:<64 hex>" as {algorithm, hex}, else null.
 * @param {string} text @returns {{algorithm: 'sha256'|'sm3', hex: string} | null}
 */
export function parseDocumentDigest(text) {
  const match = /^(sha256|sm3):([0-9a-f]{64})$/.exec(text);
  return match ? { algorithm: /** @type {'sha256'|'sm3'} */ (match[1]), hex: match[2] } : null;
}

/** @param {Record} record @returns {Uint8Array} */
export function signingBytes(record) {
  const { sig: _sig, ...unsigned } = record;
  return concat(RECORD_DOMAIN, utf8(canonicalize(unsigned)));
}

/** @param {(data: Uint8Array) => Uint8Array} H @param {Record} record */
export function recordId(H, record) {
  return H(signingBytes(record));
}

/** @param {Record} record @returns {Uint8Array} the log leaf: JCS of the whole record */
export function recordLeaf(record) {
  return utf8(canonicalize(record));
}

/**
 * Whether the record's signature (or its batch path and batch signature) holds
 * under `key`; an error names what does not.
 * @param {(data: Uint8Array) => Uint8Array} H
 * @param {import('./keys.js').PublicKey} key
 * @param {Record} record
 * @returns {{ok: true} | {ok: false, error: string}}
 */
export function verifyRecordSignature(H, key, record) {
  if (key.keyId !== record.sig.key || key.alg !== record.sig.alg) {
    return { ok: false, error: 'sig.key/sig.alg do not name the key it is checked with' };
  }
  const value = /** @type {Uint8Array} */ (fromBase64(record.sig.value));
  const batch = record.sig.batch;
  if (!batch) {
    return verifySignature(key, signingBytes(record), value)
      ? { ok: true }
      : { ok: false, error: `signature does not verify under key ${key.keyId}` };
  }
  const path = batch.path.map((hex) => /** @type {Uint8Array} */ (fromHex(hex, 64)));
  const root = rootFromInclusionProof(H, leafHash(H, recordId(H, record)), batch.index, batch.size, path);
  if (!root.ok) return { ok: false, error: `record is not in its batch: ${root.error}` };
  if (!equalBytes(root.root, /** @type {Uint8Array} */ (fromHex(batch.root, 64)))) {
    return { ok: false, error: 'the batch path leads to another root than sig.batch.root' };
  }
  const header = { agency: record.agency, chain_id: record.chain_id, root: batch.root, size: batch.size, v: 1 };
  return verifySignature(key, concat(BATCH_DOMAIN, utf8(canonicalize(header))), value)
    ? { ok: true }
    : { ok: false, error: `batch signature does not verify under key ${key.keyId}` };
}

/**
 * The hex id of a record given as JSON, or null when it is not a valid record.
 * @param {{H: (data: Uint8Array) => Uint8Array}} genesis @param {any} value
 */
export function recordIdHex(genesis, value) {
  try {
    return toHex(recordId(genesis.H, readRecord(value)));
  } catch (error) {
    if (error instanceof SchemaError) return null;
    throw error;
  }
}
