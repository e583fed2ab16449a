// Block headers, commits and precommit votes (docs/receipt-format.md §4-5): the
// JSON shapes of ledger/receipt.cc, the header bytes whose hash is the block hash,
// the vote bytes each precommit signs, the commit check (> 2/3 of the power) and
// the commit's weighted median time.
// Pure functions.
import { concat, equalBytes, fromBase64, fromHex, i64, isDigestHex, u32, u64, u8, utf8 } from './bytes.js';
import { FieldReader } from './fields.js';
import { LIMITS } from './limits.js';
import { verifySignature } from './keys.js';

const BLOCK_DOMAIN = utf8('EVIDENCE-BLOCK/v1\n');
const BLOCK_DOMAIN_V2 = utf8('EVIDENCE-BLOCK/v2\n'); // a header that carries the governance members
const GOVERNED_BLOCK_VERSION = 2;
const V2_HASHES = ['actions_root', 'next_validators_hash', 'state_hash'];
const VOTE_DOMAIN = utf8('EVIDENCE-VOTE/v1\n');
const PRECOMMIT = 2;
const HEADER_HASHES = ['previous_hash', 'log_root', 'leaves_root', 'validators_hash', 'evidence_hash', 'last_commit_hash'];

/**
 * @typedef {object} BlockHeader
 * @property {string} chain_id
 * @property {number} height
 * @property {number} time_ms
 * @property {string} previous_hash
 * @property {number} log_size
 * @property {string} log_root
 * @property {string} leaves_root
 * @property {string} validators_hash
 * @property {number} proposer
 * @property {string} evidence_hash
 * @property {string} last_commit_hash
 * @property {2} [version] a version-2 header (after a governance change, docs/governance.md §3) has
 *   this and the three members below; a version-1 header has none of them
 * @property {string} [actions_root]
 * @property {string} [next_validators_hash]
 * @property {string} [state_hash]
 *
 * @typedef {{validator: number, timestamp_ms: number, signature: string}} CommitSignature
 * @typedef {{height: number, round: number, block_hash: string, signatures: CommitSignature[]}} Commit
 */

/**
 * Throws a SchemaError for anything BlockHeaderFromJson refuses. With
 * `allowVersion2` (a v2 receipt's headers) the header may carry "version": 2 and
 * then its three governance members.
 * @returns {BlockHeader}
 */
export function readHeader(value, where = 'block', allowVersion2 = false) {
  const reader = new FieldReader(value, where);
  const header = {
    chain_id: reader.string('chain_id'),
    height: reader.unsigned('height'),
    time_ms: reader.signed('time_ms'),
    previous_hash: reader.string('previous_hash'),
    log_size: reader.unsigned('log_size'),
    log_root: reader.string('log_root'),
    leaves_root: reader.string('leaves_root'),
    validators_hash: reader.string('validators_hash'),
    proposer: reader.unsigned('proposer'),
    evidence_hash: reader.string('evidence_hash'),
    last_commit_hash: reader.string('last_commit_hash'),
  };
  // The genesis chain id rule (docs/receipt-format.md §6): 1..64 of A-Z a-z 0-9 . _ -
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(header.chain_id)) throw reader.fail('chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -');
  if (header.proposer > LIMITS.uint32Max) throw reader.fail('proposer out of range');
  for (const name of HEADER_HASHES) {
    if (!isDigestHex(header[name])) throw reader.fail(`${name} must be 64 lower-case hex digits`);
  }
  if (allowVersion2 && reader.object !== null && Object.prototype.hasOwnProperty.call(reader.object, 'version')) {
    if (reader.unsigned('version') !== GOVERNED_BLOCK_VERSION) throw reader.fail('version must be 2 when given');
    header.version = GOVERNED_BLOCK_VERSION;
    for (const name of V2_HASHES) {
      header[name] = reader.string(name);
      if (!isDigestHex(header[name])) throw reader.fail(`${name} must be 64 lower-case hex digits`);
    }
  }
  reader.finish();
  return header;
}

/** Throws a SchemaError for anything CommitFromJson refuses. @returns {Commit} */
export function readCommit(value, where = 'commit') {
  const reader = new FieldReader(value, where);
  const height = reader.unsigned('height');
  const round = reader.unsigned('round');
  if (round > LIMITS.uint32Max) throw reader.fail('round out of range');
  const blockHash = reader.string('block_hash');
  if (!isDigestHex(blockHash)) throw reader.fail('block_hash must be 64 lower-case hex digits');
  const signatures = reader.array('signatures', LIMITS.commitSignaturesMax).map((s, i) => {
    const item = new FieldReader(s, `${where}.signatures[${i}]`);
    const signature = {
      validator: item.unsigned('validator'),
      timestamp_ms: item.signed('timestamp_ms'),
      signature: item.string('signature'),
    };
    if (signature.validator > LIMITS.uint32Max) throw item.fail('validator index out of range');
    const bytes = fromBase64(signature.signature);
    if (bytes === null || bytes.length > LIMITS.voteSignatureBytesMax) {
      throw item.fail('signature is not base64 of at most 256 bytes');
    }
    item.finish();
    return signature;
  });
  reader.finish();
  return { height, round, block_hash: blockHash, signatures };
}

/**
 * The header bytes of §4, whose hash is the block hash; a version-2 header has
 * its own domain and the three governance hashes at the end (§11).
 * @param {BlockHeader} h
 */
export function headerBytes(h) {
  const chain = utf8(h.chain_id);
  const hash = (name) => /** @type {Uint8Array} */ (fromHex(h[name], 64));
  const governed = h.version === GOVERNED_BLOCK_VERSION;
  return concat(
    governed ? BLOCK_DOMAIN_V2 : BLOCK_DOMAIN,
    u8(chain.length),
    chain,
    u64(h.height),
    i64(h.time_ms),
    hash('previous_hash'),
    u64(h.log_size),
    hash('log_root'),
    hash('leaves_root'),
    hash('validators_hash'),
    u32(h.proposer),
    hash('evidence_hash'),
    hash('last_commit_hash'),
    ...(governed ? V2_HASHES.map(hash) : []),
  );
}

/** @param {(data: Uint8Array) => Uint8Array} H @param {BlockHeader} header */
export function blockHash(H, header) {
  return H(headerBytes(header));
}

/**
 * The bytes a validator signs for its precommit (§5).
 * @param {string} chainId @param {Commit} commit @param {number} timestampMs
 */
export function precommitBytes(chainId, commit, timestampMs) {
  const chain = utf8(chainId);
  return concat(
    VOTE_DOMAIN,
    u8(chain.length),
    chain,
    u8(PRECOMMIT),
    u64(commit.height),
    u32(commit.round),
    /** @type {Uint8Array} */ (fromHex(commit.block_hash, 64)),
    i64(timestampMs),
  );
}

/**
 * @typedef {object} Validator
 * @property {string} name
 * @property {string} institution
 * @property {import('./keys.js').PublicKey} voteKey
 * @property {number} power
 */

/**
 * ledger::VerifyCommit: indexes known and strictly increasing, every signature
 * valid, signers holding more than 2/3 of the power.
 * @param {string} chainId @param {Validator[]} validators @param {Commit} commit
 * @returns {{ok: true, power: bigint, total: bigint} | {ok: false, error: string}}
 */
export function verifyCommit(chainId, validators, commit) {
  const where = `commit for height ${commit.height}`;
  if (commit.height === 0) return { ok: false, error: 'commit for height 0 (heights start at 1)' };
  if (/^0{64}$/.test(commit.block_hash)) return { ok: false, error: `${where} is for a nil block hash` };
  if (commit.signatures.length === 0) return { ok: false, error: `${where} has no signatures` };
  if (commit.signatures.length > validators.length) return { ok: false, error: `${where} has more signatures than validators` };
  // Sums in BigInt: powers are integers up to 2^53 − 1 each.
  let power = 0n;
  let previous = -1;
  for (const [i, s] of commit.signatures.entries()) {
    const which = `${where}, signature ${i}`;
    if (s.validator >= validators.length) return { ok: false, error: `${which}: unknown validator index ${s.validator}` };
    if (s.validator <= previous) {
      return { ok: false, error: `${which}: validator indexes must be strictly increasing (repeated or unsorted ${s.validator})` };
    }
    previous = s.validator;
    const validator = validators[s.validator];
    const signature = /** @type {Uint8Array} */ (fromBase64(s.signature));
    if (!verifySignature(validator.voteKey, precommitBytes(chainId, commit, s.timestamp_ms), signature)) {
      return { ok: false, error: `${which}: bad precommit signature by validator ${s.validator} (${validator.name})` };
    }
    power += BigInt(validator.power);
  }
  const total = validators.reduce((sum, v) => sum + BigInt(v.power), 0n);
  if (!(3n * power > 2n * total)) {
    return { ok: false, error: `${where}: signers hold power ${power} of ${total}, not more than 2/3` };
  }
  return { ok: true, power, total };
}

/**
 * The weighted median of the commit's precommit times (ledger::CommitMedianTimeMs):
 * sorted by (time, validator index), the first time at which the accumulated
 * power exceeds half the signing power. Unknown indexes carry no power; no
 * signer at all gives 0. This is the time a receipt proves the record existed by.
 * @param {Validator[]} validators @param {Commit} commit
 */
export function commitMedianTimeMs(validators, commit) {
  const entries = commit.signatures
    .filter((s) => s.validator < validators.length)
    .map((s) => ({ time: s.timestamp_ms, index: s.validator, power: validators[s.validator].power }));
  if (entries.length === 0) return 0;
  entries.sort((a, b) => (a.time !== b.time ? a.time - b.time : a.index - b.index));
  const signed = entries.reduce((sum, e) => sum + BigInt(e.power), 0n);
  let accumulated = 0n;
  for (const e of entries) {
    accumulated += BigInt(e.power);
    if (2n * accumulated > signed) return e.time;
  }
  throw new Error('weighted median not reached'); // impossible: the last entry reaches all the power
}

/** @param {Uint8Array} a @param {string} hex */
export function equalsHex(a, hex) {
  const b = fromHex(hex, 64);
  return b !== null && equalBytes(a, b);
}
