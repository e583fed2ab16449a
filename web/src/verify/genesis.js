// The genesis file (docs/receipt-format.md §2): everything a verifier trusts.
// parseGenesis checks it as ledger/genesis.cc does (strict JSON, every field
// required and typed, keys that parse, unique names, ids and agency keys) and
// returns what verification needs: the chain's hash, validators with parsed vote
// keys, agencies with parsed keys, the validator set hash and the genesis
// fingerprint H(JCS(genesis)) (ledger::Genesis::Hash).
// Version 2 (`"v": 2`, docs/governance.md) adds the chain's params, the
// institutions' admin keys and observers, checked by the same rules as
// ledger/genesis.cc and ledger/chain_params.cc; a version-1 file has no "v".
// Pure functions.
import canonicalize from 'canonicalize';
import { decodeUtf8, isDigestHex, toHex, utf8 } from './bytes.js';
import { FieldReader, SchemaError } from './fields.js';
import { hashFunction } from './hash.js';
import { LIMITS } from './limits.js';
import { checkCaCertificatePem, parsePublicKeyPem } from './keys.js';
import { parseStrictJson } from './strict_json.js';

const NAME_BYTES_MAX = 256; // ledger::kGenesisNameBytesMax
const VALIDATORS_MAX = 1000;
const AGENCIES_MAX = 10000;
const AGENCY_KEYS_MAX = 16;
const READERS_MAX = 10000;
const READER_ROLES = Object.freeze(['court', 'procuratorate', 'reconsideration', 'supervisor']); // ledger/roles.h
const OBSERVERS_MAX = 1000; // limits::kObserversMax
const ADMIN_INSTITUTIONS_MAX = 64; // limits::kGovernanceInstitutionsMax
const ADMIN_KEYS_MAX = 16; // limits::kGovernanceAdminKeysMax, per institution
const TSAS_MAX = 64; // limits::kGovernanceInstitutionsMax
const WITNESSES_MAX = 64; // limits::kWitnessesMax
const CA_CERT_BYTES_MAX = 8192; // crypto::kCaCertificatePemBytesMax
const DAY_MS = 24 * 3600 * 1000;
// ledger/chain_params.cc CheckChainParams: each parameter's protocol bounds.
export const PARAM_BOUNDS = Object.freeze({
  batch_records_max: [1, LIMITS.batchRecordsMax],
  block_bytes_max: [4096, 16 * 1024 * 1024],
  block_records_max: [1, 10000],
  governance_threshold: [0, ADMIN_INSTITUTIONS_MAX],
  record_future_skew_ms: [0, DAY_MS],
  record_past_window_ms: [0, 3650 * DAY_MS],
});
// ledger::kLegacyChainParams: the rules of a version-1 genesis (no "params").
export const LEGACY_PARAMS = Object.freeze({
  batch_records_max: LIMITS.batchRecordsMax,
  block_bytes_max: 16 * 1024 * 1024,
  block_records_max: 10000,
  governance_threshold: 0,
  record_future_skew_ms: 5 * 60 * 1000,
  record_past_window_ms: 7 * DAY_MS,
});

/**
 * @typedef {object} Agency
 * @property {string} id
 * @property {string} name
 * @property {string} institution
 * @property {import('./keys.js').PublicKey[]} keys
 *
 * @typedef {object} ChainParams the chain's rules (ledger/chain_params.h)
 * @property {number} batch_records_max
 * @property {number} block_bytes_max
 * @property {number} block_records_max
 * @property {number} governance_threshold institutions whose admins must sign an action
 * @property {number} record_future_skew_ms
 * @property {number} record_past_window_ms
 *
 * @typedef {object} Genesis
 * @property {1|2} version
 * @property {string} chainId
 * @property {number} genesisTimeMs
 * @property {'sha256'|'sm3'} hashName
 * @property {(data: Uint8Array) => Uint8Array} H
 * @property {import('./block.js').Validator[]} validators
 * @property {Agency[]} agencies
 * @property {{id: string, role: string, token_sha256?: string, key?: import('./keys.js').PublicKey}[]} readers
 * @property {ChainParams|null} params version 2 only
 * @property {{institution: string, keys: import('./keys.js').PublicKey[]}[]} admins empty in version 1
 * @property {{name: string, institution: string, nodeKey: import('./keys.js').PublicKey, address: string}[]} observers
 * @property {{institution: string, caCert: string}[]} tsas TSA CAs (canonical PEM), empty in version 1
 * @property {{name: string, key: import('./keys.js').PublicKey}[]} witnesses empty in version 1
 * @property {string} validatorSetHash hex
 * @property {string} fingerprint hex H(JCS(genesis))
 */

/**
 * @param {string} text the genesis JSON
 * @returns {{ok: true, genesis: Genesis} | {ok: false, code: 'genesis.invalid', detail: string}}
 */
export function parseGenesis(text) {
  const parsed = parseStrictJson(text, { maxBytes: LIMITS.genesisBytesMax, maxDepth: LIMITS.jsonDepthMax });
  if (!parsed.ok) return invalid(parsed.error);
  try {
    return { ok: true, genesis: readGenesis(parsed.value) };
  } catch (error) {
    if (error instanceof SchemaError) return invalid(error.message);
    throw error;
  }
}

/**
 * The genesis file as bytes (as read from disk): UTF-8 or invalid.
 * @param {Uint8Array} bytes
 */
export function parseGenesisBytes(bytes) {
  const text = decodeUtf8(bytes);
  return text === null ? invalid('the genesis file is not UTF-8') : parseGenesis(text);
}

function invalid(detail) {
  return /** @type {const} */ ({ ok: false, code: 'genesis.invalid', detail });
}

function readGenesis(value) {
  const reader = new FieldReader(value, 'genesis');
  const version = reader.optional('v') === undefined ? 1 : reader.signed('v');
  if (reader.optional('v') !== undefined && version !== 2) throw reader.fail('v must be 2 (version 1 has no "v")');
  const chainId = reader.string('chain_id');
  const genesisTimeMs = reader.signed('genesis_time_ms');
  const hashName = reader.string('hash');
  const H = hashFunction(hashName);
  if (H === null) throw reader.fail(`hash must be "sha256" or "sm3", not "${hashName.slice(0, 32)}"`);
  const validators = reader.array('validators', VALIDATORS_MAX).map(readValidator);
  const agencies = reader.array('agencies', AGENCIES_MAX).map(readAgency);
  const readers = reader.array('readers', READERS_MAX).map(readReader);
  const params = version === 2 ? readParams(reader.required('params')) : null;
  const admins = version === 2 ? reader.array('admins', ADMIN_INSTITUTIONS_MAX).map(readAdmin) : [];
  const observers = version === 2 ? reader.array('observers', OBSERVERS_MAX).map(readObserver) : [];
  // Version 2, optional (left out when empty): trusted time, no part of a receipt.
  const tsas = version === 2 && reader.optional('tsas') !== undefined ? reader.array('tsas', TSAS_MAX).map(readTsa) : null;
  const witnesses =
    version === 2 && reader.optional('witnesses') !== undefined ? reader.array('witnesses', WITNESSES_MAX).map(readWitness) : null;
  reader.finish();
  if (!identifier(chainId) || utf8(chainId).length > LIMITS.chainIdBytesMax) {
    throw reader.fail('chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -');
  }
  if (genesisTimeMs < 0) throw reader.fail('genesis_time_ms must be 0..2^53-1 unix ms');
  if (validators.length === 0) throw reader.fail('validator set is empty');
  unique([...validators.map((v) => v.name), ...observers.map((o) => o.name)], 'validators[].name and observers[].name');
  unique(validators.map((v) => v.voteKey.keyId), 'validators[].vote_key');
  unique([...validators.map((v) => v.nodeKey.keyId), ...observers.map((o) => o.nodeKey.keyId)], 'validators[].node_key and observers[].node_key');
  unique(agencies.map((a) => a.id), 'agencies[].id');
  unique(agencies.flatMap((a) => a.keys.map((k) => k.keyId)), 'agencies[].keys');
  unique(readers.map((r) => r.id), 'readers[].id');
  if (version === 2) checkAdmins(/** @type {ChainParams} */ (params), admins, validators, observers, agencies);
  if (version === 2) checkTrustedTime(tsas, witnesses, admins, validators, observers, agencies);
  const setText = validators.map((v) => `${v.voteKey.keyId}:${v.power}\n`).join('');
  return {
    version: /** @type {1|2} */ (version),
    chainId,
    genesisTimeMs,
    hashName: /** @type {'sha256'|'sm3'} */ (hashName),
    H,
    validators,
    agencies,
    readers,
    params,
    admins,
    observers,
    // TSA CAs and outside witnesses (version 2; docs/timestamps.md, docs/witness.md): the
    // register's first entries, and the witnesses of a checkpoint beside a receipt.
    tsas: tsas ?? [],
    witnesses: witnesses ?? [],
    validatorSetHash: toHex(H(utf8(setText))),
    fingerprint: toHex(H(utf8(canonicalize(value)))),
  };
}

function readValidator(value, i) {
  const reader = new FieldReader(value, `genesis.validators[${i}]`);
  const validator = {
    name: name(reader, 'name', true),
    institution: name(reader, 'institution', false),
    voteKey: key(reader, 'vote_key'),
    nodeKey: key(reader, 'node_key'),
    power: reader.unsigned('power'),
    address: name(reader, 'address', false),
  };
  if (validator.power < 1) throw reader.fail('power must be at least 1');
  reader.finish();
  return validator;
}

function readAgency(value, i) {
  const reader = new FieldReader(value, `genesis.agencies[${i}]`);
  const agency = {
    id: name(reader, 'id', true),
    name: name(reader, 'name', false),
    institution: name(reader, 'institution', false),
    keys: reader.stringArray('keys', AGENCY_KEYS_MAX).map((pem, k) => {
      const parsed = parsePublicKeyPem(pem);
      if (!parsed.ok) throw reader.fail(`keys[${k}]: ${parsed.error}`);
      return parsed.key;
    }),
  };
  if (utf8(agency.id).length > LIMITS.agencyIdBytesMax) throw reader.fail('id is too long');
  if (agency.keys.length === 0) throw reader.fail('has no keys');
  reader.finish();
  return agency;
}

function readReader(value, i) {
  const reader = new FieldReader(value, `genesis.readers[${i}]`);
  const out = { id: name(reader, 'id', true), role: name(reader, 'role', true) };
  // ledger/roles.h: a role outside the table would have no rights at all.
  if (!READER_ROLES.includes(out.role)) throw reader.fail(`role must be one of ${READER_ROLES.join(', ')}`);
  const token = reader.optional('token_sha256');
  const pem = reader.optional('key');
  if ((token === undefined) === (pem === undefined)) {
    throw reader.fail('exactly one of "token_sha256" and "key" is required');
  }
  if (token !== undefined && !isDigestHex(token)) throw reader.fail('token_sha256 must be 64 lower-case hex digits');
  if (token !== undefined) out.token_sha256 = token;
  if (pem !== undefined) out.key = key(reader, 'key');
  reader.finish();
  return out;
}

// ledger/chain_params.cc ChainParamsFromJson and CheckChainParams: all six
// fields, integers within their bounds.
function readParams(value) {
  const reader = new FieldReader(value, 'genesis.params');
  /** @type {any} */
  const params = {};
  for (const [field, [min, max]] of Object.entries(PARAM_BOUNDS)) {
    const v = field.endsWith('_ms') ? reader.signed(field) : reader.unsigned(field);
    if (v < min || v > max) throw reader.fail(`${field} must be ${min}..${max}, not ${v}`);
    params[field] = v;
  }
  reader.finish();
  return /** @type {ChainParams} */ (params);
}

function readAdmin(value, i) {
  const reader = new FieldReader(value, `genesis.admins[${i}]`);
  const admin = {
    institution: name(reader, 'institution', false),
    keys: reader.stringArray('keys', ADMIN_KEYS_MAX).map((pem, k) => {
      const parsed = parsePublicKeyPem(pem);
      if (!parsed.ok) throw reader.fail(`keys[${k}]: ${parsed.error}`);
      return parsed.key;
    }),
  };
  if (admin.keys.length === 0) throw reader.fail(`keys must hold 1..${ADMIN_KEYS_MAX} keys`);
  reader.finish();
  return admin;
}

function readObserver(value, i) {
  const reader = new FieldReader(value, `genesis.observers[${i}]`);
  const observer = {
    name: name(reader, 'name', true),
    institution: name(reader, 'institution', false),
    nodeKey: key(reader, 'node_key'),
    address: name(reader, 'address', false),
  };
  reader.finish();
  return observer;
}

function readTsa(value, i) {
  const reader = new FieldReader(value, `genesis.tsas[${i}]`);
  const institution = name(reader, 'institution', false);
  const pem = reader.string('ca_cert');
  if (utf8(pem).length > CA_CERT_BYTES_MAX) throw reader.fail(`ca_cert is over ${CA_CERT_BYTES_MAX} bytes`);
  const checked = checkCaCertificatePem(pem);
  if (!checked.ok) throw reader.fail(`ca_cert: ${checked.error}`);
  reader.finish();
  return { institution, caCert: pem };
}

// crypto/note.cc IsKeyName: no byte up to U+0020, no U+007F, no '+', no Unicode space.
// eslint-disable-next-line no-control-regex
const NOT_IN_KEY_NAME = /[\u0000-\u0020\u007f+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

function readWitness(value, i) {
  const reader = new FieldReader(value, `genesis.witnesses[${i}]`);
  const witnessName = reader.string('name');
  const bytes = utf8(witnessName).length;
  if (bytes < 1 || bytes > NAME_BYTES_MAX || NOT_IN_KEY_NAME.test(witnessName)) {
    throw reader.fail(`name must be a note key name of 1..${NAME_BYTES_MAX} bytes without spaces or '+'`);
  }
  const witnessKey = key(reader, 'key');
  if (witnessKey.alg !== 'ed25519') throw reader.fail('key must be an Ed25519 key (c2sp.org/tlog-cosignature)');
  reader.finish();
  return { name: witnessName, key: witnessKey };
}

// ledger/genesis.cc CheckTrustedTime: lists of 1..64 when present, each TSA CA of
// an institution with admin keys (one each), witness names unique and witness
// keys no other key of genesis.
function checkTrustedTime(tsas, witnesses, admins, validators, observers, agencies) {
  if ((tsas !== null && tsas.length === 0) || (witnesses !== null && witnesses.length === 0)) {
    throw new SchemaError('genesis: tsas and witnesses hold 1..64 entries when present (an empty list is left out)');
  }
  const institutions = new Set(admins.map((a) => a.institution));
  for (const [i, tsa] of (tsas ?? []).entries()) {
    if (!institutions.has(tsa.institution)) throw new SchemaError(`genesis: tsas[${i}]: institution has no admin keys`);
  }
  unique((tsas ?? []).map((t) => t.institution), 'tsas[].institution');
  unique((witnesses ?? []).map((w) => w.name), 'witnesses[].name');
  const otherKeys = new Set([
    ...validators.flatMap((v) => [v.voteKey.keyId, v.nodeKey.keyId]),
    ...observers.map((o) => o.nodeKey.keyId),
    ...agencies.flatMap((a) => a.keys.map((k) => k.keyId)),
    ...admins.flatMap((a) => a.keys.map((k) => k.keyId)),
  ]);
  for (const [i, w] of (witnesses ?? []).entries()) {
    if (otherKeys.has(w.key.keyId)) throw new SchemaError(`genesis: witnesses[${i}]: key ${w.key.keyId} is registered twice (witness keys must be separate)`);
    otherKeys.add(w.key.keyId);
  }
}

// ledger/genesis.cc CheckAdmins: admin keys separate from every vote, node and
// agency key and never repeated, every validator's institution among the admins,
// a threshold the admin institutions can reach.
function checkAdmins(params, admins, validators, observers, agencies) {
  if (admins.length === 0) throw new SchemaError('genesis: admins: at least one institution with admin keys is required');
  const otherKeys = new Set([
    ...validators.flatMap((v) => [v.voteKey.keyId, v.nodeKey.keyId]),
    ...observers.map((o) => o.nodeKey.keyId),
    ...agencies.flatMap((a) => a.keys.map((k) => k.keyId)),
  ]);
  for (const [i, admin] of admins.entries()) {
    for (const k of admin.keys) {
      if (otherKeys.has(k.keyId)) throw new SchemaError(`genesis: admins[${i}]: key ${k.keyId} is also a vote, node or agency key; admin keys must be separate`);
    }
  }
  unique(admins.map((a) => a.institution), 'admins[].institution');
  unique(admins.flatMap((a) => a.keys.map((k) => k.keyId)), 'admins[].keys');
  const institutions = new Set(admins.map((a) => a.institution));
  for (const [i, v] of validators.entries()) {
    if (!institutions.has(v.institution)) throw new SchemaError(`genesis: validators[${i}]: institution "${v.institution.slice(0, 64)}" has no admin keys`);
  }
  if (params.governance_threshold < 1 || params.governance_threshold > admins.length) {
    throw new SchemaError(`genesis: params.governance_threshold must be 1..${admins.length} (the institutions with admin keys)`);
  }
}

function name(reader, field, asIdentifier) {
  const value = reader.string(field);
  const bytes = utf8(value).length;
  if (bytes < 1 || bytes > NAME_BYTES_MAX) throw reader.fail(`${field} must be 1..${NAME_BYTES_MAX} bytes`);
  if (asIdentifier && !identifier(value)) throw reader.fail(`${field} may hold only A-Z a-z 0-9 . _ -`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw reader.fail(`${field} has a control character`);
  return value;
}

function key(reader, field) {
  const parsed = parsePublicKeyPem(reader.string(field));
  if (!parsed.ok) throw reader.fail(`${field}: ${parsed.error}`);
  return parsed.key;
}

function identifier(text) {
  return /^[A-Za-z0-9._-]+$/.test(text);
}

function unique(values, what) {
  const seen = new Set();
  for (const v of values) {
    if (seen.has(v)) throw new SchemaError(`genesis: ${what} "${String(v).slice(0, 64)}" is repeated`);
    seen.add(v);
  }
}

/**
 * The key `keyId` registered for `agencyId`, or null (ledger::Genesis::FindAgencyKey).
 * @param {Genesis} genesis @param {string} agencyId @param {string} keyId
 */
export function findAgencyKey(genesis, agencyId, keyId) {
  const agency = genesis.agencies.find((a) => a.id === agencyId);
  return agency?.keys.find((k) => k.keyId === keyId) ?? null;
}

/** @param {Genesis} genesis @param {string} agencyId @returns {Agency|null} */
export function findAgency(genesis, agencyId) {
  return genesis.agencies.find((a) => a.id === agencyId) ?? null;
}
