// The chain's register across governance changes (docs/governance.md §3,
// docs/receipt-format.md §11): the twin of ledger/governance.cc,
// governance_state.cc and governance_history.cc that a v2 receipt's verifier
// needs. Genesis is the first register; each governance action of a block makes
// the next one by the same rules as the C++ (ApplyAction: the chain, the
// sequence number, the admins' signatures and threshold, then the operation's
// own rules); the register in force for block h is the one after block
// h - ACTIVATION_DELAY. The state hash is H("EVIDENCE-STATE/v1\n" ||
// JCS(state JSON)), the document GET /v1/governance shows.
//
// A refused action throws a GovernanceError (the receipt's verifier turns it
// into receipt.bad_governance); its message says what was refused, in English,
// like the C++ message.
// Registers are plain objects that are never changed once sealed: applying an
// action copies what it changes. Pure functions.
import canonicalize from 'canonicalize';
import { concat, fromBase64, toHex, utf8 } from './bytes.js';
import { FieldReader, SchemaError } from './fields.js';
import { LEGACY_PARAMS, PARAM_BOUNDS } from './genesis.js';
import { LIMITS } from './limits.js';
import { checkCaCertificatePem, parsePublicKeyPem, verifySignature } from './keys.js';
import { parseStrictJson } from './strict_json.js';
import { SIGNATURE_ALGORITHMS } from './record.js';

export const ACTIVATION_DELAY = 2; // ledger::kGovernanceActivationDelay
const SIGNING_DOMAIN = 'EVIDENCE-GOVERNANCE/v1\n';
const STATE_DOMAIN = utf8('EVIDENCE-STATE/v1\n');
const ACTION_BYTES_MAX = 16 * 1024; // limits::kGovernanceActionBytesMax
const SIGNATURES_MAX = 64; // limits::kGovernanceSignaturesMax
const INSTITUTIONS_MAX = 64; // limits::kGovernanceInstitutionsMax
const ADMIN_KEYS_MAX = 16; // limits::kGovernanceAdminKeysMax
const AGENCY_KEYS_MAX = 16; // ledger::kGenesisAgencyKeysMax
const KEYS_EVER_MAX = 64; // ledger::kAgencyKeysEverMax
const AGENCIES_MAX = 10000;
const READERS_MAX = 10000;
const OBSERVERS_MAX = 1000;
const VALIDATORS_MAX = 1000;
const VALIDATORS_MIN_AFTER_REMOVAL = 4;
const WITNESSES_MAX = 64; // limits::kWitnessesMax
const CA_CERT_BYTES_MAX = 8192; // crypto::kCaCertificatePemBytesMax
const NAME_BYTES_MAX = 256;
const TOTAL_POWER_MAX = 1n << 60n; // ledger/vote.cc
const ACTION_NAMES = Object.freeze([
  'add-agency', 'remove-agency', 'add-agency-key', 'revoke-agency-key', 'add-reader', 'remove-reader',
  'add-validator', 'remove-validator', 'set-power', 'rotate-validator-keys', 'add-observer',
  'remove-observer', 'add-admin-key', 'revoke-admin-key', 'set-params', 'add-witness', 'remove-witness',
  'set-tsa-ca',
]);

/** A governance action refused (its code is the C++ governance.* code). */
export class GovernanceError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'GovernanceError';
    this.code = code;
  }
}

const malformed = (what) => new GovernanceError('governance.malformed', what);
const unknown = (what) => new GovernanceError('governance.unknown_entry', what);
const conflict = (what) => new GovernanceError('governance.conflict', what);
const unsafe = (what) => new GovernanceError('governance.unsafe_validator_set', what);

// ---------------------------------------------------------------- registers

/**
 * @typedef {import('./keys.js').PublicKey} PublicKey
 * @typedef {{reason: string, effective_ms: number, seq: number, height: number, time_ms: number}} Revocation
 * @typedef {{key: PublicKey, revoked?: Revocation}} RegisteredKey
 * @typedef {{seq: number, height: number, time_ms: number}} Removal
 * @typedef {{id: string, name: string, institution: string, keys: RegisteredKey[], removed?: Removal}} AgencyEntry
 * @typedef {{institution: string, keys: RegisteredKey[]}} AdminEntry
 * @typedef {import('./block.js').Validator & {nodeKey: PublicKey, address: string}} ValidatorEntry
 * @typedef {{name: string, institution: string, nodeKey: PublicKey, address: string}} ObserverEntry
 * @typedef {{id: string, role: string, token_sha256?: string, key?: PublicKey}} ReaderEntry
 * @typedef {{institution: string, caCert: string}} TsaEntry a TSA CA (PEM in canonical form) of an institution
 * @typedef {{name: string, key: PublicKey}} WitnessEntry an outside witness (Ed25519 key)
 *
 * @typedef {object} Register one state of the chain's register (ledger::GovernanceState)
 * @property {string} chainId
 * @property {string} hashName
 * @property {(data: Uint8Array) => Uint8Array} H
 * @property {number} genesisTimeMs
 * @property {boolean} governed a version-2 genesis (with admins)
 * @property {number} nextSeq
 * @property {import('./genesis.js').ChainParams} params
 * @property {AdminEntry[]} admins
 * @property {ValidatorEntry[]} validators
 * @property {number} validatorsSince
 * @property {ObserverEntry[]} observers
 * @property {AgencyEntry[]} agencies
 * @property {ReaderEntry[]} readers
 * @property {string[]} retiredKeys sorted
 * @property {TsaEntry[]} tsas
 * @property {WitnessEntry[]} witnesses
 * @property {string} validatorSetHash hex (sealed)
 * @property {string} hash hex of the state (sealed)
 */

/**
 * The register at genesis (GovernanceState::FromGenesis).
 * @param {import('./genesis.js').Genesis} genesis
 * @returns {Register}
 */
export function registerFromGenesis(genesis) {
  const registered = (keys) => keys.map((key) => ({ key }));
  return seal({
    chainId: genesis.chainId,
    hashName: genesis.hashName,
    H: genesis.H,
    genesisTimeMs: genesis.genesisTimeMs,
    governed: genesis.version === 2,
    nextSeq: 1,
    params: { ...(genesis.params ?? LEGACY_PARAMS) },
    admins: genesis.admins.map((a) => ({ institution: a.institution, keys: registered(a.keys) })),
    validators: genesis.validators.map((v) => ({ ...v })),
    validatorsSince: 1,
    observers: genesis.observers.map((o) => ({ ...o })),
    agencies: genesis.agencies.map((a) => ({ id: a.id, name: a.name, institution: a.institution, keys: registered(a.keys) })),
    readers: genesis.readers.map((r) => ({ ...r })),
    retiredKeys: [],
    tsas: (genesis.tsas ?? []).map((t) => ({ ...t })),
    witnesses: (genesis.witnesses ?? []).map((w) => ({ ...w })),
    validatorSetHash: '',
    hash: '',
  });
}

/** The register's JSON (GovernanceState::ToJson), whose JCS the state hash covers. @param {Register} s */
export function registerToJson(s) {
  const keys = (list) => list.map((k) => (k.revoked ? { key: k.key.pem, revoked: { ...k.revoked } } : { key: k.key.pem }));
  return {
    v: 1,
    chain_id: s.chainId,
    hash: s.hashName,
    genesis_time_ms: s.genesisTimeMs,
    next_seq: s.nextSeq,
    params: { ...s.params },
    validators_since: s.validatorsSince,
    admins: s.admins.map((a) => ({ institution: a.institution, keys: keys(a.keys) })),
    validators: s.validators.map(validatorToJson),
    observers: s.observers.map((o) => ({ name: o.name, institution: o.institution, node_key: o.nodeKey.pem, address: o.address })),
    agencies: s.agencies.map((a) => ({
      id: a.id,
      name: a.name,
      institution: a.institution,
      keys: keys(a.keys),
      ...(a.removed ? { removed: { ...a.removed } } : {}),
    })),
    readers: s.readers.map((r) => ({ id: r.id, role: r.role, ...(r.token_sha256 !== undefined ? { token_sha256: r.token_sha256 } : { key: r.key?.pem }) })),
    retired_keys: [...s.retiredKeys],
    // Left out when empty, so the state hash of a register without them is as before.
    ...(s.tsas.length > 0 ? { tsas: s.tsas.map((t) => ({ institution: t.institution, ca_cert: t.caCert })) } : {}),
    ...(s.witnesses.length > 0 ? { witnesses: s.witnesses.map((w) => ({ name: w.name, key: w.key.pem })) } : {}),
  };
}

function validatorToJson(v) {
  return { name: v.name, institution: v.institution, vote_key: v.voteKey.pem, node_key: v.nodeKey.pem, power: v.power, address: v.address };
}

/** The hash of a validator list (ValidatorSet::Hash): H of "<vote key id>:<power>\n" each. */
export function validatorSetHash(H, validators) {
  return toHex(H(utf8(validators.map((v) => `${v.voteKey.keyId}:${v.power}\n`).join(''))));
}

/** @param {Register} s @returns {Register} */
function seal(s) {
  s.validatorSetHash = validatorSetHash(s.H, s.validators);
  s.hash = toHex(s.H(concat(STATE_DOMAIN, utf8(canonicalize(registerToJson(s))))));
  return Object.freeze(s);
}

/** A copy whose lists and entries may be changed, then sealed. @param {Register} s @returns {Register} */
function edit(s) {
  const keys = (list) => list.map((k) => ({ ...k }));
  return {
    ...s,
    params: { ...s.params },
    admins: s.admins.map((a) => ({ ...a, keys: keys(a.keys) })),
    validators: s.validators.map((v) => ({ ...v })),
    observers: s.observers.map((o) => ({ ...o })),
    agencies: s.agencies.map((a) => ({ ...a, keys: keys(a.keys) })),
    readers: s.readers.map((r) => ({ ...r })),
    retiredKeys: [...s.retiredKeys],
    tsas: s.tsas.map((t) => ({ ...t })),
    witnesses: s.witnesses.map((w) => ({ ...w })),
  };
}

/** The agency with this id, removed or not. @param {Register} s @param {string} id */
export function findAgencyEntry(s, id) {
  return s.agencies.find((a) => a.id === id) ?? null;
}

/** The key with this id registered for the agency, whatever its status. @param {Register} s */
export function findAgencyKeyEntry(s, agencyId, keyId) {
  return findAgencyEntry(s, agencyId)?.keys.find((k) => k.key.keyId === keyId) ?? null;
}

/** The key when records signed with it are accepted: registered, not revoked, agency not removed. @param {Register} s */
export function findActiveAgencyKey(s, agencyId, keyId) {
  const agency = findAgencyEntry(s, agencyId);
  const key = agency?.keys.find((k) => k.key.keyId === keyId);
  return agency && key && !key.revoked && !agency.removed ? key.key : null;
}

function findAdminOfKey(s, keyId) {
  for (const admin of s.admins) {
    const key = admin.keys.find((k) => k.key.keyId === keyId);
    if (key) return { admin, key };
  }
  return null;
}

function keyEverUsed(s, keyId) {
  return (
    s.agencies.some((a) => a.keys.some((k) => k.key.keyId === keyId)) ||
    s.admins.some((a) => a.keys.some((k) => k.key.keyId === keyId)) ||
    s.retiredKeys.includes(keyId) ||
    s.validators.some((v) => v.voteKey.keyId === keyId || v.nodeKey.keyId === keyId) ||
    s.observers.some((o) => o.nodeKey.keyId === keyId) ||
    s.witnesses.some((w) => w.key.keyId === keyId)
  );
}

const activeKeys = (entry) => entry.keys.filter((k) => !k.revoked).length;
const signingInstitutions = (admins) => admins.filter((a) => activeKeys(a) > 0).length;

// ---------------------------------------------------------------- actions

/**
 * A governance action leaf (JCS of the signed action), read by the rules of
 * ledger::ParseAction and checked to be in canonical form.
 * @param {string} leaf
 * @returns {{value: any, chain_id: string, seq: number, action: string, body: any, sigs: {alg: string, key: string, value: Uint8Array}[]}}
 */
export function parseActionLeaf(leaf) {
  const parsed = parseStrictJson(leaf, { maxBytes: ACTION_BYTES_MAX, maxDepth: LIMITS.jsonDepthMax });
  if (!parsed.ok) throw malformed(parsed.error);
  let action;
  try {
    action = readAction(parsed.value);
  } catch (error) {
    if (error instanceof SchemaError) throw malformed(error.message);
    throw error;
  }
  if (canonicalize(parsed.value) !== leaf) throw malformed('not in canonical (JCS) form');
  return action;
}

function readAction(value) {
  const reader = new FieldReader(value, 'action');
  if (reader.signed('v') !== 1) throw reader.fail('v must be 1');
  const chainId = reader.string('chain_id');
  const chainBytes = utf8(chainId).length;
  if (chainBytes < 1 || chainBytes > LIMITS.chainIdBytesMax) throw reader.fail(`chain_id must be 1..${LIMITS.chainIdBytesMax} bytes`);
  const seq = reader.unsigned('seq');
  if (seq === 0) throw reader.fail('seq must be 1..2^53-1');
  const action = reader.string('action');
  if (!ACTION_NAMES.includes(action)) {
    throw new GovernanceError('governance.unknown_action', `"${action.slice(0, 64)}" is not a governance action`);
  }
  const body = readBody(action, reader);
  const sigs = reader.array('sigs', SIGNATURES_MAX).map((s, i) => readActionSignature(s, i));
  for (let i = 1; i < sigs.length; i++) {
    if (sigs[i].key <= sigs[i - 1].key) throw reader.fail(`sigs must be sorted by key id, one per key (sigs[${i}])`);
  }
  reader.finish();
  return { value, chain_id: chainId, seq, action, body, sigs };
}

function readActionSignature(value, i) {
  const reader = new FieldReader(value, `sigs[${i}]`);
  const alg = reader.string('alg');
  if (!SIGNATURE_ALGORITHMS.includes(alg)) throw reader.fail(`alg "${alg.slice(0, 32)}" is not p256, ed25519 or sm2`);
  const key = keyId(reader, 'key');
  const bytes = fromBase64(reader.string('value'));
  if (bytes === null || bytes.length === 0 || bytes.length > LIMITS.recordSignatureBytesMax) {
    throw reader.fail(`value is not base64 of 1..${LIMITS.recordSignatureBytesMax} bytes`);
  }
  reader.finish();
  return { alg, key, value: bytes };
}

function keyId(reader, field) {
  const value = reader.string(field);
  if (!/^[0-9a-f]{64}$/.test(value)) throw reader.fail(`${field} must be 64 lower-case hex`);
  return value;
}

function pemKey(reader, field, pem = reader.string(field)) {
  const parsed = parsePublicKeyPem(pem);
  if (!parsed.ok) throw reader.fail(`${field}: ${parsed.error}`);
  return parsed.key;
}

// ledger::ReadBody: the operands of each action (names and values are checked when applied).
function readBody(action, r) {
  switch (action) {
    case 'add-agency': {
      const a = new FieldReader(r.required('agency'), 'agency');
      const agency = {
        id: a.string('id'),
        name: a.string('name'),
        institution: a.string('institution'),
        keys: a.stringArray('keys', AGENCY_KEYS_MAX).map((pem, k) => pemKey(a, `keys[${k}]`, pem)),
      };
      a.finish();
      return agency;
    }
    case 'remove-agency':
      return { agency_id: r.string('agency_id') };
    case 'add-agency-key':
      return { agency_id: r.string('agency_id'), key: pemKey(r, 'key') };
    case 'revoke-agency-key': {
      const out = { agency_id: r.string('agency_id'), key_id: keyId(r, 'key_id'), reason: r.string('reason'), effective_ms: 0 };
      if (out.reason !== 'rotated' && out.reason !== 'compromised') throw r.fail('reason must be "rotated" or "compromised"');
      out.effective_ms = r.signed('effective_ms');
      if (out.effective_ms < 0) throw r.fail('effective_ms must be 0..2^53-1 unix ms');
      return out;
    }
    case 'add-reader':
      return readReaderOperand(r.required('reader'));
    case 'remove-reader':
      return { reader_id: r.string('reader_id') };
    case 'add-validator': {
      const v = new FieldReader(r.required('validator'), 'validator');
      const validator = {
        name: v.string('name'),
        institution: v.string('institution'),
        voteKey: pemKey(v, 'vote_key'),
        nodeKey: pemKey(v, 'node_key'),
        power: v.unsigned('power'),
        address: v.string('address'),
      };
      v.finish();
      return validator;
    }
    case 'remove-validator':
    case 'remove-observer':
      return { name: r.string('name') };
    case 'set-power':
      return { name: r.string('name'), power: r.unsigned('power') };
    case 'rotate-validator-keys': {
      const out = { name: r.string('name') };
      if (r.optional('vote_key') !== undefined) out.voteKey = pemKey(r, 'vote_key');
      if (r.optional('node_key') !== undefined) out.nodeKey = pemKey(r, 'node_key');
      if (r.optional('address') !== undefined) out.address = r.string('address');
      if (!out.voteKey && !out.nodeKey && out.address === undefined) {
        throw r.fail('rotate-validator-keys needs at least one of vote_key, node_key, address');
      }
      return out;
    }
    case 'add-observer': {
      const o = new FieldReader(r.required('observer'), 'observer');
      const observer = { name: o.string('name'), institution: o.string('institution'), nodeKey: pemKey(o, 'node_key'), address: o.string('address') };
      o.finish();
      return observer;
    }
    case 'add-admin-key':
      return { institution: r.string('institution'), key: pemKey(r, 'key') };
    case 'revoke-admin-key':
      return { institution: r.string('institution'), key_id: keyId(r, 'key_id') };
    case 'set-params':
      return { params: readParamsUpdate(r.required('params')) };
    case 'add-witness': {
      const w = new FieldReader(r.required('witness'), 'witness');
      const witness = { name: w.string('name'), key: pemKey(w, 'key') };
      w.finish();
      checkWitnessEntry(witness);
      return witness;
    }
    case 'remove-witness':
      return { name: r.string('name') };
    case 'set-tsa-ca': {
      const out = { institution: r.string('institution'), caCert: r.string('ca_cert') };
      if (utf8(out.caCert).length > CA_CERT_BYTES_MAX) throw r.fail(`ca_cert: the CA certificate is over ${CA_CERT_BYTES_MAX} bytes`);
      const checked = checkCaCertificatePem(out.caCert);
      if (!checked.ok) throw r.fail(`ca_cert: ${checked.error}`);
      return out;
    }
    default:
      throw new Error(`no operands for ${action}`); // ACTION_NAMES and this switch list the same actions
  }
}

// crypto/note.cc IsKeyName: no byte up to U+0020, no U+007F, no '+', no Unicode space.
// eslint-disable-next-line no-control-regex
const NOT_IN_KEY_NAME = /[\u0000-\u0020\u007f+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

// ledger::CheckWitnessEntry: a note key name and an Ed25519 key.
function checkWitnessEntry(witness) {
  const bytes = utf8(witness.name).length;
  if (bytes < 1 || bytes > NAME_BYTES_MAX || NOT_IN_KEY_NAME.test(witness.name)) {
    throw malformed(`witness.name must be a note key name of 1..${NAME_BYTES_MAX} bytes without spaces or '+' (c2sp.org/signed-note)`);
  }
  if (witness.key.alg !== 'ed25519') throw malformed('witness.key must be an Ed25519 key (c2sp.org/tlog-cosignature)');
}

function readReaderOperand(value) {
  const reader = new FieldReader(value, 'reader');
  /** @type {ReaderEntry} */
  const out = { id: reader.string('id'), role: reader.string('role') };
  const token = reader.optional('token_sha256');
  const pem = reader.optional('key');
  if ((token === undefined) === (pem === undefined)) throw reader.fail('exactly one of "token_sha256" and "key" is required');
  if (token !== undefined) {
    out.token_sha256 = reader.string('token_sha256');
    if (!/^[0-9a-f]{64}$/.test(out.token_sha256)) throw reader.fail('token_sha256 must be 64 lower-case hex digits');
  } else {
    out.key = pemKey(reader, 'key');
  }
  reader.finish();
  return out;
}

// ChainParamsUpdateFromJson: some of the six fields (at least one), typed, no others.
function readParamsUpdate(value) {
  const reader = new FieldReader(value, 'params');
  /** @type {Record<string, number>} */
  const update = {};
  for (const field of Object.keys(PARAM_BOUNDS)) {
    if (reader.optional(field) === undefined) continue;
    update[field] = field.endsWith('_ms') ? reader.signed(field) : reader.unsigned(field);
  }
  reader.finish();
  if (Object.keys(update).length === 0) throw reader.fail('names no parameter to change');
  return update;
}

/** The bytes every admin signs: the domain and the JCS of the action without "sigs". */
export function actionSigningBytes(value) {
  const { sigs, ...unsigned } = value;
  return utf8(SIGNING_DOMAIN + canonicalize(unsigned));
}

// Steps 1-5 of ApplyAction: the chain, the sequence, the signatures, the threshold.
function checkAuthority(s, action) {
  if (!s.governed) {
    throw new GovernanceError('governance.not_governed', "this chain's genesis (version 1) has no admin keys: its register cannot change");
  }
  if (action.chain_id !== s.chainId) {
    throw new GovernanceError('governance.chain_mismatch', `chain_id "${action.chain_id}" is not this chain's "${s.chainId}"`);
  }
  if (action.seq !== s.nextSeq) {
    throw new GovernanceError('governance.bad_sequence', `seq ${action.seq} is ${action.seq < s.nextSeq ? 'used already (a replay)' : 'out of order'}: the next action must carry seq ${s.nextSeq}`);
  }
  const signing = actionSigningBytes(action.value);
  const institutions = new Set();
  for (const sig of action.sigs) {
    const found = findAdminOfKey(s, sig.key);
    if (found === null) throw new GovernanceError('governance.unknown_admin_key', `key ${sig.key} is not an admin key of this chain`);
    if (found.key.revoked) {
      throw new GovernanceError('governance.admin_key_revoked', `admin key ${sig.key} of ${found.admin.institution} was revoked by action ${found.key.revoked.seq}`);
    }
    if (sig.alg !== found.key.key.alg || !verifySignature(found.key.key, signing, sig.value)) {
      throw new GovernanceError('governance.bad_signature', `the signature by admin key ${sig.key} (${found.admin.institution}) does not verify over this action's signing bytes`);
    }
    institutions.add(found.admin.institution);
  }
  if (institutions.size < s.params.governance_threshold) {
    throw new GovernanceError('governance.too_few_signatures', `signed by ${institutions.size} institution(s); ${s.params.governance_threshold} must sign`);
  }
}

// ledger::CheckRegisterName.
function checkName(where, value, identifier) {
  const bytes = utf8(value).length;
  if (bytes < 1 || bytes > NAME_BYTES_MAX) throw malformed(`${where} must be 1..${NAME_BYTES_MAX} bytes`);
  if (identifier && !/^[A-Za-z0-9._-]+$/.test(value)) throw malformed(`${where} may hold only A-Z a-z 0-9 . _ -`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw malformed(`${where} has a control character`);
}

function checkNewKey(s, key, what) {
  if (keyEverUsed(s, key.keyId)) {
    throw conflict(`${what} ${key.keyId} is, or was, registered already (a key is never registered twice, nor again after its revocation)`);
  }
}

function retire(e, key) {
  e.retiredKeys.push(key.keyId);
  e.retiredKeys.sort();
}

/** ledger::CheckValidatorSetSafety. */
export function checkValidatorSetSafety(before, after) {
  if (after.length < before.length && after.length < VALIDATORS_MIN_AFTER_REMOVAL) {
    throw unsafe(`the change leaves ${after.length} validators; a removal may not leave fewer than ${VALIDATORS_MIN_AFTER_REMOVAL}`);
  }
  if (after.length > VALIDATORS_MAX) throw unsafe('too many validators');
  if (after.length >= VALIDATORS_MIN_AFTER_REMOVAL) {
    const powers = after.map((v) => BigInt(v.power));
    const total = powers.reduce((sum, p) => sum + p, 0n);
    const largest = powers.reduce((max, p) => (p > max ? p : max), 0n);
    if (3n * largest >= total) throw unsafe(`a validator would hold ${largest} of ${total} voting power: no validator may hold a third or more`);
  }
}

// ValidatorSet::Create's rules, then the new list; dates the change when the voting set changes.
function changeValidators(s, e, after, height) {
  checkValidatorSetSafety(s.validators, after);
  if (after.length === 0) throw unsafe('validator set is empty');
  let total = 0n;
  const voteKeys = new Set();
  for (const v of after) {
    const power = BigInt(v.power);
    if (power === 0n) throw unsafe(`validator ${v.name} has power 0`);
    total += power;
    if (total > TOTAL_POWER_MAX) throw unsafe('total power exceeds 2^60');
    if (voteKeys.has(v.voteKey.keyId)) throw unsafe(`the set reuses the vote key ${v.voteKey.keyId}`);
    voteKeys.add(v.voteKey.keyId);
  }
  if (validatorSetHash(s.H, after) !== s.validatorSetHash) e.validatorsSince = height + ACTIVATION_DELAY;
  e.validators = after;
}

function liveAgency(e, id) {
  return e.agencies.find((a) => a.id === id && !a.removed) ?? null;
}

function validatorIndex(s, name) {
  return s.validators.findIndex((v) => v.name === name);
}

const powerInRange = (power) => power >= 1 && power <= Number.MAX_SAFE_INTEGER;

// Step 6: each operation's rules and its change on `e`, the copy of `s`.
const OPERATIONS = {
  'add-agency'(s, e, op) {
    checkName('agency.id', op.id, true);
    if (utf8(op.id).length > LIMITS.agencyIdBytesMax) throw malformed('agency.id is too long');
    checkName('agency.name', op.name, false);
    checkName('agency.institution', op.institution, false);
    if (op.keys.length === 0 || op.keys.length > AGENCY_KEYS_MAX) throw malformed(`agency.keys must hold 1..${AGENCY_KEYS_MAX} keys`);
    if (findAgencyEntry(s, op.id)) throw conflict(`agency "${op.id}" exists, or existed (an id is never reused)`);
    if (s.agencies.length >= AGENCIES_MAX) throw conflict('the register holds the most agencies it may');
    const seen = new Set();
    for (const key of op.keys) {
      checkNewKey(s, key, 'agency key');
      if (seen.has(key.keyId)) throw conflict(`agency key ${key.keyId} is listed twice`);
      seen.add(key.keyId);
    }
    e.agencies.push({ id: op.id, name: op.name, institution: op.institution, keys: op.keys.map((key) => ({ key })) });
  },
  'remove-agency'(s, e, op, ctx) {
    const agency = liveAgency(e, op.agency_id);
    if (!agency) throw unknown(`no agency "${op.agency_id}" to remove`);
    agency.removed = { seq: ctx.seq, height: ctx.height, time_ms: ctx.timeMs };
  },
  'add-agency-key'(s, e, op) {
    const agency = liveAgency(e, op.agency_id);
    if (!agency) throw unknown(`no agency "${op.agency_id}" to add a key to`);
    checkNewKey(s, op.key, 'agency key');
    if (activeKeys(agency) >= AGENCY_KEYS_MAX || agency.keys.length >= KEYS_EVER_MAX) {
      throw conflict(`agency "${op.agency_id}" has the most keys it may have`);
    }
    agency.keys.push({ key: op.key });
  },
  'revoke-agency-key'(s, e, op, ctx) {
    const agency = liveAgency(e, op.agency_id);
    if (!agency) throw unknown(`no agency "${op.agency_id}"`);
    const key = agency.keys.find((k) => k.key.keyId === op.key_id);
    if (!key) throw unknown(`agency "${op.agency_id}" has no key ${op.key_id}`);
    if (key.revoked) throw conflict(`key ${op.key_id} was revoked already`);
    key.revoked = { reason: op.reason, effective_ms: op.effective_ms, seq: ctx.seq, height: ctx.height, time_ms: ctx.timeMs };
  },
  'add-reader'(s, e, op) {
    checkName('reader.id', op.id, true);
    checkName('reader.role', op.role, true);
    if (s.readers.some((r) => r.id === op.id)) throw conflict(`reader "${op.id}" exists already`);
    if (s.readers.length >= READERS_MAX) throw conflict('the register holds the most readers it may');
    e.readers.push(op);
  },
  'remove-reader'(s, e, op) {
    const at = e.readers.findIndex((r) => r.id === op.reader_id);
    if (at < 0) throw unknown(`no reader "${op.reader_id}" to remove`);
    e.readers.splice(at, 1);
  },
  // A new validator, or an observer promoted (it leaves the observers).
  'add-validator'(s, e, v, ctx) {
    checkName('validator.name', v.name, true);
    checkName('validator.institution', v.institution, false);
    checkName('validator.address', v.address, false);
    if (!powerInRange(v.power)) throw malformed('validator.power must be 1..2^53-1');
    const admin = s.admins.find((a) => a.institution === v.institution);
    if (!admin || activeKeys(admin) === 0) {
      throw unknown(`institution "${v.institution}" has no admin key: add one (add-admin-key) before its validator`);
    }
    const promoted = e.observers.findIndex((o) => o.nodeKey.keyId === v.nodeKey.keyId);
    const observerNamed = s.observers.some((o) => o.name === v.name);
    if (validatorIndex(s, v.name) >= 0 || (observerNamed && (promoted < 0 || e.observers[promoted].name !== v.name))) {
      throw conflict(`the name "${v.name}" is taken by another node`);
    }
    checkNewKey(s, v.voteKey, 'vote key');
    if (promoted < 0) checkNewKey(s, v.nodeKey, 'node key');
    if (v.voteKey.keyId === v.nodeKey.keyId) throw conflict('vote key and node key are the same');
    changeValidators(s, e, [...s.validators.map((x) => ({ ...x })), { ...v }], ctx.height);
    if (promoted >= 0) e.observers.splice(promoted, 1);
  },
  'remove-validator'(s, e, op, ctx) {
    const index = validatorIndex(s, op.name);
    if (index < 0) throw unknown(`no validator "${op.name}" to remove`);
    changeValidators(s, e, s.validators.filter((_, i) => i !== index).map((x) => ({ ...x })), ctx.height);
    retire(e, s.validators[index].voteKey);
    retire(e, s.validators[index].nodeKey);
  },
  'set-power'(s, e, op, ctx) {
    const index = validatorIndex(s, op.name);
    if (index < 0) throw unknown(`no validator "${op.name}"`);
    if (!powerInRange(op.power)) throw malformed('power must be 1..2^53-1 (remove-validator takes a validator out)');
    if (s.validators[index].power === op.power) throw conflict(`the power is ${op.power} already`);
    changeValidators(s, e, s.validators.map((x, i) => (i === index ? { ...x, power: op.power } : { ...x })), ctx.height);
  },
  'rotate-validator-keys'(s, e, op, ctx) {
    const index = validatorIndex(s, op.name);
    if (index < 0) throw unknown(`no validator "${op.name}"`);
    const after = s.validators.map((x) => ({ ...x }));
    const v = after[index];
    if (op.voteKey) {
      checkNewKey(s, op.voteKey, 'vote key');
      v.voteKey = op.voteKey;
    }
    if (op.nodeKey) {
      checkNewKey(s, op.nodeKey, 'node key');
      v.nodeKey = op.nodeKey;
    }
    if (op.voteKey && op.nodeKey && op.voteKey.keyId === op.nodeKey.keyId) throw conflict('vote key and node key are the same');
    if (op.address !== undefined) {
      checkName('address', op.address, false);
      v.address = op.address;
    }
    changeValidators(s, e, after, ctx.height);
    if (op.voteKey) retire(e, s.validators[index].voteKey);
    if (op.nodeKey) retire(e, s.validators[index].nodeKey);
  },
  'add-observer'(s, e, o) {
    checkName('observer.name', o.name, true);
    checkName('observer.institution', o.institution, false);
    checkName('observer.address', o.address, false);
    if (validatorIndex(s, o.name) >= 0 || s.observers.some((x) => x.name === o.name)) {
      throw conflict(`the name "${o.name}" is taken by another node`);
    }
    checkNewKey(s, o.nodeKey, 'node key');
    if (s.observers.length >= OBSERVERS_MAX) throw conflict('the register holds the most observers it may');
    e.observers.push({ ...o });
  },
  'remove-observer'(s, e, op) {
    const at = e.observers.findIndex((o) => o.name === op.name);
    if (at < 0) throw unknown(`no observer "${op.name}" to remove`);
    retire(e, e.observers[at].nodeKey);
    e.observers.splice(at, 1);
  },
  // A new key of an institution's admins; a new institution joins governance.
  'add-admin-key'(s, e, op) {
    checkName('institution', op.institution, false);
    checkNewKey(s, op.key, 'admin key');
    const admin = e.admins.find((a) => a.institution === op.institution);
    if (admin) {
      if (activeKeys(admin) >= ADMIN_KEYS_MAX || admin.keys.length >= KEYS_EVER_MAX) {
        throw conflict(`${op.institution} has the most admin keys it may have`);
      }
      admin.keys.push({ key: op.key });
      return;
    }
    if (s.admins.length >= INSTITUTIONS_MAX) throw conflict('the register holds the most institutions it may');
    e.admins.push({ institution: op.institution, keys: [{ key: op.key }] });
  },
  'revoke-admin-key'(s, e, op, ctx) {
    const admin = e.admins.findLast((a) => a.institution === op.institution);
    if (!admin) throw unknown(`no institution "${op.institution}" with admin keys`);
    const key = admin.keys.findLast((k) => k.key.keyId === op.key_id);
    if (!key) throw unknown(`${op.institution} has no admin key ${op.key_id}`);
    if (key.revoked) throw conflict(`admin key ${op.key_id} was revoked already`);
    key.revoked = { reason: 'revoked', effective_ms: ctx.timeMs, seq: ctx.seq, height: ctx.height, time_ms: ctx.timeMs };
    if (activeKeys(admin) === 0) {
      const runs = s.validators.find((v) => v.institution === op.institution);
      if (runs) throw conflict(`${op.institution} runs validator "${runs.name}" and would be left without an admin key: add its new key first`);
    }
    if (signingInstitutions(e.admins) < s.params.governance_threshold) {
      throw conflict(`fewer institutions than the threshold (${s.params.governance_threshold}) would have admin keys: governance could never act again`);
    }
  },
  'set-params'(s, e, op) {
    const params = { ...s.params, ...op.params };
    for (const [field, [min, max]] of Object.entries(PARAM_BOUNDS)) {
      if (params[field] < min || params[field] > max) throw malformed(`params.${field} must be ${min}..${max}, not ${params[field]}`);
    }
    const institutions = signingInstitutions(s.admins);
    if (params.governance_threshold < 1 || params.governance_threshold > institutions) {
      throw malformed(`params.governance_threshold must be 1..${institutions} (the institutions with admin keys)`);
    }
    if (Object.keys(PARAM_BOUNDS).every((field) => params[field] === s.params[field])) throw conflict('the params have these values already');
    e.params = params;
  },
  'add-witness'(s, e, op) {
    checkWitnessEntry(op);
    if (s.witnesses.some((w) => w.name === op.name)) throw conflict(`witness "${op.name}" exists`);
    if (s.witnesses.length >= WITNESSES_MAX) throw conflict('the register holds the most witnesses it may');
    checkNewKey(s, op.key, 'witness key');
    e.witnesses.push({ name: op.name, key: op.key });
  },
  'remove-witness'(s, e, op) {
    const at = e.witnesses.findIndex((w) => w.name === op.name);
    if (at < 0) throw unknown(`no witness "${op.name}"`);
    // Its key never comes back: a cosignature made with it before stays its own.
    retire(e, e.witnesses[at].key);
    e.witnesses.splice(at, 1);
  },
  // The TSA CA of an institution of the register: set, or replaced.
  'set-tsa-ca'(s, e, op) {
    checkName('institution', op.institution, false);
    const admin = s.admins.find((a) => a.institution === op.institution);
    if (!admin || activeKeys(admin) === 0) {
      throw unknown(`institution "${op.institution}" holds no admin key (a TSA belongs to an institution of the register)`);
    }
    const tsa = e.tsas.find((t) => t.institution === op.institution);
    if (tsa) {
      if (tsa.caCert === op.caCert) throw conflict(`${op.institution}'s TSA CA is this certificate already`);
      tsa.caCert = op.caCert;
      return;
    }
    e.tsas.push({ institution: op.institution, caCert: op.caCert });
  },
};

/**
 * ledger::ApplyAction: every check, then the register after the action.
 * @param {Register} s the register after every earlier action
 * @param {ReturnType<typeof parseActionLeaf>} action
 * @param {{height: number, timeMs: number}} block the block that commits it
 * @returns {Register}
 */
export function applyAction(s, action, block) {
  checkAuthority(s, action);
  const e = edit(s);
  OPERATIONS[action.action](s, e, action.body, { seq: action.seq, height: block.height, timeMs: block.timeMs });
  e.nextSeq = s.nextSeq + 1;
  return seal(e);
}

/**
 * The actions of one block in order (ledger::ApplyActionLeaves); a refusal names the action.
 * @param {Register} s @param {string[]} leaves @param {{height: number, timeMs: number}} block
 */
export function applyActionLeaves(s, leaves, block) {
  let current = s;
  for (const [i, leaf] of leaves.entries()) {
    try {
      current = applyAction(current, parseActionLeaf(leaf), block);
    } catch (error) {
      if (error instanceof GovernanceError) throw new GovernanceError(error.code, `action ${i}: ${error.message}`);
      throw error;
    }
  }
  return current;
}

// ---------------------------------------------------------------- history

/**
 * The registers of one chain by height (ledger::GovernanceHistory): genesis at
 * 0, then one entry per block whose actions changed the register.
 */
export class GovernanceHistory {
  /** @param {Register} genesis */
  constructor(genesis) {
    /** @type {{height: number, state: Register}[]} */
    this.entries = [{ height: 0, state: genesis }];
  }

  /** Applies block `height`'s action leaves (heights increase from call to call). */
  apply(height, timeMs, leaves) {
    if (!(height > this.entries[this.entries.length - 1].height)) throw new Error('governance heights must increase');
    if (leaves.length === 0) return;
    this.entries.push({ height, state: applyActionLeaves(this.latest(), leaves, { height, timeMs }) });
  }

  /** The register after every action of the blocks up to `height`. */
  afterBlock(height) {
    let found = this.entries[0];
    for (const entry of this.entries) if (entry.height <= height) found = entry;
    return found.state;
  }

  /** The register in force for block `height` (>= 1). */
  inForce(height) {
    return height <= ACTIVATION_DELAY ? this.entries[0].state : this.afterBlock(height - ACTIVATION_DELAY);
  }

  latest() {
    return this.entries[this.entries.length - 1].state;
  }

  /** The heights of the blocks whose actions changed the register. */
  changeHeights() {
    return this.entries.slice(1).map((entry) => entry.height);
  }
}
