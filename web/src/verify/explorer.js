// Checks of a block as GET /v1/blocks answers it ({height, hash, header, commit,
// last_commit, leaves: [leaf hash hex], records?: [...] for readers}), so the
// explorer shows only what it verified itself, with no trust in the node beyond
// what the genesis file proves.
//
// The register in force at each height comes from the governance blocks of GET
// /v1/governance/blocks (each {block, commit, actions}, as a v2 receipt carries
// it), replayed from genesis by the receipt's rules (receipt.js
// applyGovernanceBlock): each is the block its commit signs, by more than 2/3
// of the validators in force at its height, its state_hash the register the
// earlier ones give, its actions those of its actions_root, each applying.
// A block is then checked as ledger::ValidateBlock checks what one block shows:
//   format      the header (version 1 or 2), commit, leaves    block.malformed
//   chain       the genesis chain                              block.wrong_chain
//   header      its hash is the block hash the commit signs    block.malformed
//   governance  the governance blocks up to it replayed        block.bad_governance
//   commit      > 2/3 of the power of the validators in force  block.bad_commit
//   validatorsInForce  validators_hash is theirs               block.wrong_validators
//   header      the proposer is one of them                    block.wrong_proposer
//   lastCommit  last_commit_hash of its last commit; block 1:  block.bad_last_commit
//               an empty one, at the genesis time; later ones: block.wrong_time
//               the previous block's (previous_hash) by > 2/3
//               of the validators in force at height - 1, the
//               time their weighted median
//   governance  the version the register requires (2 once an   block.wrong_state
//               action was committed or when it carries one),
//               actions_root of its actions,                   block.bad_governance
//               next_validators_hash and state_hash of the     block.wrong_state
//               register after the block before it
//   leaves      the leaf hashes make leaves_root               block.wrong_leaves_root
//   records     any records given hash to those leaves         block.bad_record
// A node that leaves a governance block out of its list is caught: that block's
// actions_root (or a later block's state_hash) does not hold.
// Pure functions.
import { fromHex, toHex, utf8 } from './bytes.js';
import { blockHash, commitHash, commitMedianTimeMs, equalsHex, readCommit, readHeader, verifyCommit } from './block.js';
import { SchemaError } from './fields.js';
import { ACTIVATION_DELAY, GovernanceError, GovernanceHistory, parseActionLeaf, registerFromGenesis } from './governance.js';
import { leafHash, rootOfLeafHashes } from './merkle.js';
import { applyGovernanceBlock, readGovernanceBlock } from './receipt.js';
import { readRecord, recordLeaf } from './record.js';
import { isDigestHex } from './bytes.js';

/**
 * @typedef {{seq: number, action: string, subject: string}} ShownAction a governance action as the explorer lists it
 *
 * @typedef {object} ChainGovernance the register by height, from the governance blocks proven so far
 * @property {GovernanceHistory} history
 * @property {Map<number, string[]>} actionsAt the action leaves of each proven governance block
 * @property {Map<number, ShownAction[]>} shownAt the same, read for display
 * @property {number|null} failedAt the height from which nothing can be checked (a governance
 *   block that does not hold, or an unreadable one after the last good one), null when all hold
 * @property {string} failure why (English)
 */

/**
 * Replays the governance blocks (GET /v1/governance/blocks' `blocks`, all pages,
 * in height order) from genesis, up to the first that does not hold.
 * @param {import('./genesis.js').Genesis} genesis @param {any[]} values
 * @returns {ChainGovernance}
 */
export function chainGovernance(genesis, values) {
  const history = new GovernanceHistory(registerFromGenesis(genesis));
  /** @type {ChainGovernance} */
  const out = { history, actionsAt: new Map(), shownAt: new Map(), failedAt: null, failure: '' };
  let previous = 0;
  for (const [i, value] of (Array.isArray(values) ? values : [null]).entries()) {
    let g;
    try {
      g = readGovernanceBlock(value, i, `governance block ${i}`);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      return { ...out, failedAt: previous + 1, failure: error.message };
    }
    const why = applyGovernanceBlock(genesis, history, g, previous);
    if (why !== null) return { ...out, failedAt: Math.max(g.header.height, previous + 1), failure: `governance block ${g.header.height}: ${why}` };
    out.actionsAt.set(g.header.height, g.actions);
    out.shownAt.set(g.header.height, g.actions.map(showAction));
    previous = g.header.height;
  }
  return out;
}

/**
 * What the explorer lists of an action already applied (so it parses).
 * @param {string} leaf @returns {ShownAction}
 */
function showAction(leaf) {
  let parsed;
  try {
    parsed = parseActionLeaf(leaf);
  } catch (error) {
    if (error instanceof GovernanceError) return { seq: 0, action: 'unknown', subject: error.message };
    throw error;
  }
  const b = parsed.body;
  const subjects = {
    'add-agency': () => `${b.id} · ${b.name} (${b.institution})`,
    'remove-agency': () => b.agency_id,
    'add-agency-key': () => `${b.agency_id} · ${b.key.keyId.slice(0, 16)}…`,
    'revoke-agency-key': () => `${b.agency_id} · ${b.key_id.slice(0, 16)}… (${b.reason})`,
    'add-reader': () => `${b.id} (${b.role})`,
    'remove-reader': () => b.reader_id,
    'add-validator': () => `${b.name} · ${b.institution} · power ${b.power}`,
    'remove-validator': () => b.name,
    'set-power': () => `${b.name} → ${b.power}`,
    'rotate-validator-keys': () => b.name,
    'add-observer': () => `${b.name} · ${b.institution}`,
    'remove-observer': () => b.name,
    'add-admin-key': () => `${b.institution} · ${b.key.keyId.slice(0, 16)}…`,
    'revoke-admin-key': () => `${b.institution} · ${b.key_id.slice(0, 16)}…`,
    'set-params': () => Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(', '),
  };
  return { seq: parsed.seq, action: parsed.action, subject: subjects[parsed.action]() };
}

/**
 * @param {any} block @param {import('./genesis.js').Genesis} genesis
 * @param {ChainGovernance} [governance] the chain's governance blocks replayed (default: none,
 *   a chain whose register never changed)
 * @returns {{verdict: 'valid'|'invalid', check: string|null, code: string|null, detail: string,
 *            facts?: {height: number, blockHash: string, timeMs: number, committedAtMs: number,
 *                     signers: {index: number, name: string, institution: string, timestampMs: number}[],
 *                     leafCount: number, logSize: number, logRoot: string, proposer: string,
 *                     version: number, validators: {name: string, institution: string}[],
 *                     registerSince: number, stateHash: string, actions: ShownAction[]}}}
 */
export function verifyBlock(block, genesis, governance = chainGovernance(genesis, [])) {
  const H = genesis.H;
  let header, commit, lastCommit;
  try {
    header = readHeader(block?.header, 'block.header', true);
    commit = readCommit(block?.commit, 'block.commit');
    lastCommit = readCommit(block?.last_commit, 'block.last_commit');
    if (!Array.isArray(block.leaves) || !block.leaves.every(isDigestHex)) {
      throw new SchemaError('block.leaves must be a list of 64 lower-case hex digits');
    }
  } catch (error) {
    if (error instanceof SchemaError) return bad('format', 'block.malformed', error.message);
    throw error;
  }
  if (header.chain_id !== genesis.chainId) return bad('chain', 'block.wrong_chain', `block of chain "${header.chain_id}"`);
  const hash = blockHash(H, header);
  if (!equalsHex(hash, commit.block_hash) || commit.height !== header.height || header.height === 0) {
    return bad('header', 'block.malformed', "the header's hash is not the block hash the commit signs");
  }
  const height = header.height;
  if (governance.failedAt !== null && height >= governance.failedAt) {
    return bad('governance', 'block.bad_governance', `the governance blocks up to this one do not hold: ${governance.failure}`);
  }
  // The validators in force (CheckHeaderBasics, the commit of this block).
  const inForce = governance.history.inForce(height);
  const verified = verifyCommit(genesis.chainId, inForce.validators, commit);
  if (!verified.ok) return bad('commit', 'block.bad_commit', verified.error);
  if (header.validators_hash !== inForce.validatorSetHash) {
    return bad('validatorsInForce', 'block.wrong_validators', `validators_hash is not the hash of the validators in force at block ${height}`);
  }
  if (header.proposer >= inForce.validators.length) return bad('header', 'block.wrong_proposer', 'proposer index out of range');
  const last = checkLastCommit(genesis, governance, header, lastCommit);
  if (last) return last;
  // CheckGovernance: the version, and the governance members of a version-2 header.
  const actions = governance.actionsAt.get(height) ?? [];
  const before = governance.history.afterBlock(height - 1);
  const version = actions.length > 0 || before.nextSeq > 1 ? 2 : 1;
  if ((header.version ?? 1) !== version) {
    const why = version === 1 ? ' (no governance action before it: is a governance block missing from the list?)' : '';
    return bad('governance', 'block.wrong_state', `header version ${header.version ?? 1}, expected ${version}${why}`);
  }
  if (version === 2) {
    const actionsRoot = rootOfLeafHashes(H, actions.map((leaf) => leafHash(H, utf8(leaf))));
    if (!equalsHex(actionsRoot, /** @type {string} */ (header.actions_root))) {
      return bad('governance', 'block.bad_governance', 'actions_root does not match the actions (is a governance block missing from the list?)');
    }
    if (header.next_validators_hash !== before.validatorSetHash) {
      return bad('governance', 'block.wrong_state', `next_validators_hash is not the hash of the validators of block ${height + 1}`);
    }
    if (header.state_hash !== before.hash) {
      return bad('governance', 'block.wrong_state', `state_hash is not the hash of the register in force for block ${height + 1}`);
    }
  }
  const leaves = block.leaves.map((hex) => /** @type {Uint8Array} */ (fromHex(hex, 64)));
  if (!equalsHex(rootOfLeafHashes(H, leaves), header.leaves_root)) {
    return bad('leaves', 'block.wrong_leaves_root', "the leaf hashes do not make the header's leaves_root");
  }
  if (block.records !== undefined) {
    const recordCheck = checkRecords(H, block.records, block.leaves);
    if (recordCheck) return bad('records', 'block.bad_record', recordCheck);
  }
  const changes = governance.history.changeHeights().filter((at) => at + ACTIVATION_DELAY <= height);
  return {
    verdict: 'valid',
    check: null,
    code: null,
    detail: 'every check holds',
    facts: {
      height,
      blockHash: toHex(hash),
      timeMs: header.time_ms,
      committedAtMs: commitMedianTimeMs(inForce.validators, commit),
      signers: commit.signatures.map((s) => ({
        index: s.validator,
        name: inForce.validators[s.validator].name,
        institution: inForce.validators[s.validator].institution,
        timestampMs: s.timestamp_ms,
      })),
      leafCount: leaves.length,
      logSize: header.log_size,
      logRoot: header.log_root,
      proposer: inForce.validators[header.proposer].name,
      version,
      validators: inForce.validators.map((v) => ({ name: v.name, institution: v.institution })),
      registerSince: changes.length > 0 ? changes[changes.length - 1] : 0,
      stateHash: inForce.hash,
      actions: governance.shownAt.get(height) ?? [],
    },
  };
}

// ledger CheckLastCommit, as far as one block shows it (the previous block's
// hash is its previous_hash, which the commit of that block signs).
function checkLastCommit(genesis, governance, header, lastCommit) {
  const lastBad = (detail) => bad('lastCommit', 'block.bad_last_commit', detail);
  if (header.height === 1) {
    if (lastCommit.height !== 0 || lastCommit.round !== 0 || !/^0{64}$/.test(lastCommit.block_hash) || lastCommit.signatures.length !== 0) {
      return lastBad('block 1 must have an empty last commit');
    }
    if (header.time_ms !== genesis.genesisTimeMs) return bad('lastCommit', 'block.wrong_time', 'block 1 time must be the genesis time');
  } else {
    if (lastCommit.height !== header.height - 1 || lastCommit.block_hash !== header.previous_hash) {
      return lastBad(`last commit is not for block ${header.height - 1}`);
    }
    const signers = governance.history.inForce(header.height - 1).validators;
    const verified = verifyCommit(genesis.chainId, signers, lastCommit);
    if (!verified.ok) return lastBad(verified.error);
    const median = commitMedianTimeMs(signers, lastCommit);
    if (header.time_ms !== median) return bad('lastCommit', 'block.wrong_time', `time ${header.time_ms} is not the median of the last commit, ${median}`);
  }
  if (!equalsHex(commitHash(genesis.H, lastCommit), header.last_commit_hash)) return lastBad('last_commit_hash does not match');
  return null;
}

function checkRecords(H, records, leaves) {
  if (!Array.isArray(records) || records.length !== leaves.length) return 'records do not match the leaves';
  for (const [i, value] of records.entries()) {
    try {
      if (!equalsHex(leafHash(H, recordLeaf(readRecord(value))), leaves[i])) return `record ${i} is not leaf ${i}`;
    } catch (error) {
      if (error instanceof SchemaError) return error.message;
      throw error;
    }
  }
  return null;
}

function bad(check, code, detail) {
  return { verdict: /** @type {const} */ ('invalid'), check, code, detail };
}
