// Checks of a block as GET /v1/blocks answers it ({height, hash, header, commit,
// last_commit, leaves: [leaf hash hex], records?: [...] for readers}), so the
// explorer shows only what it verified itself: the header hashes to the block
// hash the commit signs, the commit carries > 2/3 of the genesis power, the
// header names the genesis validator set, the leaf hashes make the header's
// leaves_root, and any records given hash to those leaves.
// Pure functions.
import { fromHex, toHex } from './bytes.js';
import { blockHash, commitMedianTimeMs, equalsHex, readCommit, readHeader, verifyCommit } from './block.js';
import { SchemaError } from './fields.js';
import { leafHash, rootOfLeafHashes } from './merkle.js';
import { readRecord, recordLeaf } from './record.js';
import { isDigestHex } from './bytes.js';

/**
 * @param {any} block @param {import('./genesis.js').Genesis} genesis
 * @returns {{verdict: 'valid'|'invalid', check: string|null, code: string|null, detail: string,
 *            facts?: {height: number, blockHash: string, timeMs: number, committedAtMs: number,
 *                     signers: {index: number, name: string, institution: string, timestampMs: number}[],
 *                     leafCount: number, logSize: number, logRoot: string, proposer: string}}}
 */
export function verifyBlock(block, genesis) {
  const H = genesis.H;
  let header, commit;
  try {
    header = readHeader(block?.header, 'block.header');
    commit = readCommit(block?.commit, 'block.commit');
    if (!Array.isArray(block.leaves) || !block.leaves.every(isDigestHex)) {
      throw new SchemaError('block.leaves must be a list of 64 lower-case hex digits');
    }
  } catch (error) {
    if (error instanceof SchemaError) return bad('format', 'block.malformed', error.message);
    throw error;
  }
  if (header.chain_id !== genesis.chainId) return bad('chain', 'block.wrong_chain', `block of chain "${header.chain_id}"`);
  const hash = blockHash(H, header);
  if (!equalsHex(hash, commit.block_hash) || commit.height !== header.height) {
    return bad('header', 'block.malformed', "the header's hash is not the block hash the commit signs");
  }
  const verified = verifyCommit(genesis.chainId, genesis.validators, commit);
  if (!verified.ok) return bad('commit', 'block.bad_commit', verified.error);
  if (header.validators_hash !== genesis.validatorSetHash) {
    return bad('validators', 'block.wrong_validators', 'the block names another validator set than genesis');
  }
  const leaves = block.leaves.map((hex) => /** @type {Uint8Array} */ (fromHex(hex, 64)));
  if (!equalsHex(rootOfLeafHashes(H, leaves), header.leaves_root)) {
    return bad('leaves', 'block.wrong_leaves_root', "the leaf hashes do not make the header's leaves_root");
  }
  if (block.records !== undefined) {
    const recordCheck = checkRecords(H, block.records, block.leaves);
    if (recordCheck) return bad('records', 'block.bad_record', recordCheck);
  }
  const proposer = genesis.validators[header.proposer];
  return {
    verdict: 'valid',
    check: null,
    code: null,
    detail: 'every check holds',
    facts: {
      height: header.height,
      blockHash: toHex(hash),
      timeMs: header.time_ms,
      committedAtMs: commitMedianTimeMs(genesis.validators, commit),
      signers: commit.signatures.map((s) => ({
        index: s.validator,
        name: genesis.validators[s.validator].name,
        institution: genesis.validators[s.validator].institution,
        timestampMs: s.timestamp_ms,
      })),
      leafCount: leaves.length,
      logSize: header.log_size,
      logRoot: header.log_root,
      proposer: proposer ? proposer.name : String(header.proposer),
    },
  };
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
