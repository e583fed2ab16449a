// Receipt verification (docs/receipt-format.md §6-7 and §11), the browser's and
// the offline page's twin of ledger::VerifyReceiptForDigest and `evidence
// verify`: the same checks in the same order, stopping at the first failure with
// the same error code.
//   parse                                   receipt.malformed
//   v an integer other than 1 or 2          receipt.unsupported_version
// Version 1 (everything against genesis):
//   1. chain ids are the genesis chain's    receipt.wrong_chain
//   2. the document's digest                receipt.digest_mismatch
//   3. the agency's signature               receipt.bad_record_signature
//   4. inclusion in the block's log root    receipt.bad_inclusion
//   5. header hash = commit.block_hash      receipt.header_mismatch
//   6. precommits by > 2/3 of the power     receipt.bad_commit
//   7. the genesis validator set            receipt.validator_set_mismatch
// Version 2 (after a governance change): 1, then the governance blocks replayed
// from genesis (each the block its commit signs by the validators in force at
// its height, its state_hash the register the earlier ones give, its actions
// those of its actions_root and each applying: receipt.bad_governance), the
// block's state_hash that register (receipt.bad_governance), then 2-7 against
// the register in force at the record's block; a later revocation of the
// record's key gives a note, a compromised one from before the record's claimed
// time a warning.
// A verdict is data: {verdict, check, code, detail, facts}. `facts` (what a valid
// receipt proves, including the time T the document existed by: the weighted
// median of the commit's precommit times) is set only when the verdict is valid.
// Pure functions: no DOM, no network, no clock.
import { decodeUtf8, fromHex, toHex, utf8 } from './bytes.js';
import { blockHash, commitMedianTimeMs, equalsHex, readCommit, readHeader, verifyCommit } from './block.js';
import { FieldReader, SchemaError } from './fields.js';
import { findAgency, findAgencyKey } from './genesis.js';
import { ACTIVATION_DELAY, GovernanceError, GovernanceHistory, findActiveAgencyKey, findAgencyEntry, findAgencyKeyEntry, registerFromGenesis } from './governance.js';
import { rootOfLeafHashes } from './merkle.js';
import { LIMITS } from './limits.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { recordId, recordLeaf, readRecord, verifyRecordSignature } from './record.js';
import { parseStrictJson } from './strict_json.js';
import { isDigestHex } from './bytes.js';

/**
 * @typedef {'valid'|'invalid'|'not-found'} VerdictName
 * @typedef {'format'|'chain'|'governance'|'document'|'signature'|'inclusion'|'header'|'commit'|'validators'|null} CheckName
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
 * @property {Governance} governance which register the receipt was checked against
 *
 * @typedef {object} Governance (ledger::ProvenFacts' governance members)
 * @property {1|2} receiptVersion
 * @property {number} blocks governance blocks the receipt carries
 * @property {number} changesInForce of those, the ones in force at the record's block
 * @property {number} lastChangeHeight the height of the last governance block in force (0: genesis)
 * @property {string} stateHash hex of the register in force at the record's block
 * @property {Remark[]} notes e.g. the key was revoked after this record was committed
 * @property {Remark[]} warnings e.g. the key was compromised from before this record's time
 *
 * @typedef {object} Remark a note or warning, as data (the UI words it; `text` is the C++ wording)
 * @property {'key-revoked'|'key-compromised'|'agency-removed'} kind
 * @property {string} text
 * @property {string} [keyId]
 * @property {string} [reason] "rotated" | "compromised"
 * @property {string} [agency]
 * @property {number} seq the governance action
 * @property {number} height the block that committed it
 * @property {number} [timeMs] that block's time
 * @property {number} [effectiveMs] compromised: from when the key is not to be trusted
 * @property {number} [recordTimeMs]
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
  // ledger::ParseReceipt: the v2 bound first, the v1 one once the version is known.
  const parsed = parseStrictJson(text, { maxBytes: LIMITS.receiptV2BytesMax, maxDepth: LIMITS.jsonDepthMax });
  if (!parsed.ok) return invalid('format', 'receipt.malformed', parsed.error);
  const receipt = read(parsed.value);
  if ('verdict' in receipt) return receipt;
  if (receipt.version === 1 && utf8(text).length > LIMITS.receiptBytesMax) {
    return invalid('format', 'receipt.malformed', `a version-1 receipt is at most ${LIMITS.receiptBytesMax} bytes`);
  }
  return checkReceipt(receipt, genesis, documentDigest);
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
  const receipt = read(value);
  return 'verdict' in receipt ? receipt : checkReceipt(receipt, genesis, documentDigest);
}

/** The receipt, or the verdict that it is malformed or of an unknown version. */
function read(value) {
  try {
    return readReceipt(value);
  } catch (error) {
    if (error instanceof UnsupportedVersion) return invalid('format', 'receipt.unsupported_version', error.message);
    if (error instanceof SchemaError) return invalid('format', 'receipt.malformed', error.message);
    throw error;
  }
}

/** A receipt whose `v` is an integer other than 1 or 2 (read before its other members). */
class UnsupportedVersion extends Error {}

/** Throws a SchemaError for anything ledger::ReceiptFromJson refuses. */
function readReceipt(value) {
  const reader = new FieldReader(value, 'receipt');
  const version = reader.signed('v');
  if (version !== 1 && version !== 2) {
    throw new UnsupportedVersion(`receipt version ${version}: this verifier knows versions 1 and 2 (a later one may know it)`);
  }
  let record;
  try {
    record = readRecord(reader.required('record'));
  } catch (error) {
    if (error instanceof SchemaError) throw reader.fail(`record: ${error.message}`);
    throw error;
  }
  const leafIndex = reader.unsigned('leaf_index');
  const treeSize = reader.unsigned('tree_size');
  const proof = reader.stringArray('inclusion_proof', LIMITS.inclusionProofLengthMax);
  if (!proof.every(isDigestHex)) throw reader.fail('inclusion_proof must hold 64 lower-case hex digits');
  const receipt = {
    version,
    record,
    leafIndex,
    treeSize,
    proof,
    header: readHeader(reader.required('block'), 'block', version === 2),
    commit: readCommit(reader.required('commit')),
    validatorSetHash: reader.string('validator_set_hash'),
    /** @type {{header: import('./block.js').BlockHeader, commit: import('./block.js').Commit, actions: string[]}[]} */
    governance: [],
  };
  if (!isDigestHex(receipt.validatorSetHash)) throw reader.fail('validator_set_hash must be 64 lower-case hex digits');
  if (version === 2) receipt.governance = reader.array('governance', LIMITS.receiptGovernanceBlocksMax).map(readGovernanceBlock);
  reader.finish();
  return receipt;
}

// ledger GovernanceBlockFromJson: a header (version 2 allowed), its commit, its action leaves.
function readGovernanceBlock(value, i) {
  const where = `governance[${i}]`;
  const reader = new FieldReader(value, where);
  const header = readHeader(reader.required('block'), `${where}.block`, true);
  const commit = readCommit(reader.required('commit'), `${where}.commit`);
  const actions = reader.stringArray('actions', LIMITS.governanceActionsPerBlockMax);
  for (const action of actions) {
    const bytes = utf8(action).length;
    if (bytes === 0 || bytes > LIMITS.governanceActionBytesMax) {
      throw reader.fail(`actions: an action of 1..${LIMITS.governanceActionBytesMax} bytes`);
    }
  }
  reader.finish();
  return { header, commit, actions };
}

function checkReceipt(r, genesis, documentDigest) {
  return r.version === 2 ? checkReceiptV2(r, genesis, documentDigest) : checkReceiptV1(r, genesis, documentDigest);
}

function checkReceiptV1(r, genesis, documentDigest) {
  // 1. The chain.
  const chain = checkChain(r, genesis);
  if (chain) return chain;
  // 2-7 against genesis.
  const checked = checkRecordInBlock(r, genesis, documentDigest, {
    key: findAgencyKey(genesis, r.record.agency, r.record.sig.key),
    keyWhere: 'in genesis',
    validators: genesis.validators,
    setHash: genesis.validatorSetHash,
    setWhat: 'the genesis validator set',
  });
  if ('verdict' in checked) return checked;
  const governance = {
    receiptVersion: /** @type {1} */ (1),
    blocks: 0,
    changesInForce: 0,
    lastChangeHeight: 0,
    stateHash: registerFromGenesis(genesis).hash,
    notes: [],
    warnings: [],
  };
  const agency = /** @type {import('./genesis.js').Agency} */ (findAgency(genesis, r.record.agency));
  const facts = factsOf(r, genesis.H, genesis.validators, agency, checked.hash, checked.commit, documentDigest !== null, governance);
  return { verdict: 'valid', check: null, code: null, detail: 'every check holds', facts };
}

/** Check 1: both chain ids are the genesis chain's; null when they are. */
function checkChain(r, genesis) {
  for (const [field, chainId] of [['record.chain_id', r.record.chain_id], ['block.chain_id', r.header.chain_id]]) {
    if (chainId !== genesis.chainId) {
      return invalid('chain', 'receipt.wrong_chain', `${field} is "${chainId}", but the genesis is for "${genesis.chainId}"`);
    }
  }
  return null;
}

/**
 * Checks 2-7 against one register (genesis's for v1, the one in force at the
 * block for v2): the document, the record's signature by `key` (null: the
 * register has no such key for the agency), inclusion, the header, the commit by
 * `validators` and their set hash. The verdict of the first failure, or the
 * block hash and the commit's power.
 * @returns {Verdict | {hash: Uint8Array, commit: {ok: true, power: bigint, total: bigint}}}
 */
function checkRecordInBlock(r, genesis, documentDigest, { key, keyWhere, validators, setHash, setWhat }) {
  const H = genesis.H;
  // 2. The document.
  if (documentDigest !== null && documentDigest !== r.record.digest) {
    return invalid('document', 'receipt.digest_mismatch', `the document's digest ${documentDigest} is not the recorded digest ${r.record.digest}`);
  }
  // 3. Authorship.
  if (key === null) {
    return invalid('signature', 'receipt.bad_record_signature', `key ${r.record.sig.key} is not registered ${keyWhere} for agency "${r.record.agency}"`);
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
  const commit = verifyCommit(genesis.chainId, validators, r.commit);
  if (!commit.ok) return invalid('commit', 'receipt.bad_commit', commit.error);
  // 7. The validator set.
  if (r.validatorSetHash !== setHash || r.header.validators_hash !== setHash) {
    return invalid('validators', 'receipt.validator_set_mismatch', `the receipt's validator set is not ${setWhat}`);
  }
  return { hash, commit };
}

function factsOf(r, H, validators, agency, hash, commit, documentChecked, governance) {
  return {
    recordId: toHex(recordId(H, r.record)),
    record: r.record,
    agency: { id: agency.id, name: agency.name, institution: agency.institution },
    documentChecked,
    existedByMs: commitMedianTimeMs(validators, r.commit),
    recordTimeMs: r.record.time,
    blockTimeMs: r.header.time_ms,
    height: r.header.height,
    blockHash: toHex(hash),
    leafIndex: r.leafIndex,
    treeSize: r.treeSize,
    logRoot: r.header.log_root,
    signers: r.commit.signatures.map((s) => {
      const v = validators[s.validator];
      return { index: s.validator, name: v.name, institution: v.institution, power: v.power, timestampMs: s.timestamp_ms };
    }),
    signingPower: commit.power,
    totalPower: commit.total,
    governance,
  };
}

// ---------------------------------------------------------------- version 2

/** A governance block that does not hold: receipt.bad_governance. */
class BadGovernance extends Error {}

// ReplayGovernance: the receipt's governance blocks from genesis, each proven by
// a commit of the validators in force at its height and applied in order.
function replayGovernance(r, genesis) {
  const H = genesis.H;
  const history = new GovernanceHistory(registerFromGenesis(genesis));
  let previous = 0;
  for (const [i, g] of r.governance.entries()) {
    const h = g.header;
    const bad = (why) => new BadGovernance(`governance[${i}] (block ${h.height}): ${why}`);
    if (h.chain_id !== genesis.chainId) throw bad("another chain's block");
    if (h.version !== 2) throw bad('not a version-2 block header');
    if (h.height <= previous) throw bad('heights must increase');
    previous = h.height;
    if (g.actions.length === 0) throw bad('carries no governance action');
    if (!equalsHex(blockHash(H, h), g.commit.block_hash) || g.commit.height !== h.height) {
      throw bad('the header is not the block its commit signs');
    }
    const inForce = history.inForce(h.height);
    const quorum = verifyCommit(genesis.chainId, inForce.validators, g.commit);
    if (!quorum.ok) throw bad(`commit: ${quorum.error}`);
    if (h.validators_hash !== inForce.validatorSetHash) throw bad('validators_hash is not the hash of the validators in force');
    const before = history.latest();
    if (h.state_hash !== before.hash || h.next_validators_hash !== before.validatorSetHash) {
      throw bad('state_hash is not the register the governance blocks before it give (is one missing?)');
    }
    const actionsRoot = rootOfLeafHashes(H, g.actions.map((leaf) => leafHash(H, utf8(leaf))));
    if (!equalsHex(actionsRoot, /** @type {string} */ (h.actions_root))) throw bad('actions_root does not match the actions');
    try {
      history.apply(h.height, h.time_ms, g.actions);
    } catch (error) {
      if (error instanceof GovernanceError) throw bad(error.message);
      throw error;
    }
  }
  return history;
}

function checkReceiptV2(r, genesis, documentDigest) {
  const chain = checkChain(r, genesis);
  if (chain) return chain;
  let history;
  try {
    history = replayGovernance(r, genesis);
  } catch (error) {
    if (error instanceof BadGovernance) return invalid('governance', 'receipt.bad_governance', error.message);
    throw error;
  }
  const height = r.header.height;
  if (height === 0) return invalid('header', 'receipt.header_mismatch', 'block height 0');
  const inForce = history.inForce(height);
  const before = history.afterBlock(height - 1);
  // The block commits to the register the governance blocks below it give.
  const complete = r.header.version === 2
    ? r.header.state_hash === before.hash && r.header.next_validators_hash === before.validatorSetHash
    : before.nextSeq === 1;
  if (!complete) {
    return invalid('governance', 'receipt.bad_governance', `the block's state_hash is not the register the receipt's governance blocks give (one below block ${height} is missing?)`);
  }
  // 2-7 against the register in force at the block.
  const checked = checkRecordInBlock(r, genesis, documentDigest, {
    key: findActiveAgencyKey(inForce, r.record.agency, r.record.sig.key),
    keyWhere: `in the register in force at block ${height}`,
    validators: inForce.validators,
    setHash: inForce.validatorSetHash,
    setWhat: `the one in force at block ${height}`,
  });
  if ('verdict' in checked) return checked;
  const { hash, commit } = checked;
  const inForceChanges = history.changeHeights().filter((at) => at + ACTIVATION_DELAY <= height);
  const governance = {
    receiptVersion: /** @type {2} */ (2),
    blocks: r.governance.length,
    changesInForce: inForceChanges.length,
    lastChangeHeight: inForceChanges.length > 0 ? inForceChanges[inForceChanges.length - 1] : 0,
    stateHash: inForce.hash,
    ...laterChanges(history.latest(), r.record, height),
  };
  const agency = /** @type {import('./governance.js').AgencyEntry} */ (findAgencyEntry(inForce, r.record.agency));
  const facts = factsOf(r, genesis.H, inForce.validators, agency, hash, commit, documentDigest !== null, governance);
  return { verdict: 'valid', check: null, code: null, detail: 'every check holds', facts };
}

// NoteLaterChanges: what the register known last says about the record's key
// and agency after its block.
function laterChanges(latest, record, height) {
  /** @type {Remark[]} */
  const notes = [];
  /** @type {Remark[]} */
  const warnings = [];
  const key = findAgencyKeyEntry(latest, record.agency, record.sig.key);
  if (key?.revoked && key.revoked.height >= height) {
    const r = key.revoked;
    const when = `key ${record.sig.key} was revoked (${r.reason}) by governance action ${r.seq} in block ${r.height} at time_ms ${r.time_ms}, after this record was committed`;
    const remark = { keyId: record.sig.key, reason: r.reason, agency: record.agency, seq: r.seq, height: r.height, timeMs: r.time_ms, effectiveMs: r.effective_ms, recordTimeMs: record.time };
    if (r.reason === 'compromised' && record.time >= r.effective_ms) {
      const text = `${when}; it is not to be trusted from effective_ms ${r.effective_ms}, and this record's agency-claimed time ${record.time} is not earlier: whoever held the stolen key may have signed it`;
      warnings.push({ kind: 'key-compromised', text, ...remark });
    } else {
      notes.push({ kind: 'key-revoked', text: `${when}: the record stays valid`, ...remark });
    }
  }
  const agency = findAgencyEntry(latest, record.agency);
  if (agency?.removed && agency.removed.height >= height) {
    const m = agency.removed;
    notes.push({
      kind: 'agency-removed',
      text: `agency "${record.agency}" was removed by governance action ${m.seq} in block ${m.height}, after this record was committed`,
      agency: record.agency,
      seq: m.seq,
      height: m.height,
      timeMs: m.time_ms,
    });
  }
  return { notes, warnings };
}

/** @returns {Verdict} */
function invalid(check, code, detail) {
  return { verdict: 'invalid', check, code, detail };
}
