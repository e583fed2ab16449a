// Audit of a store (`evidence audit`): re-checks everything a validator checked
// and everything the store derived, from the bytes on disk, trusting only genesis.
//
// Opens the store with LevelDB paranoid_checks and verify_checksums, then for
// every height from 1 to the head: the block decodes; chain id, height, previous
// block hash (the hash chain), validator-set hash; the last commit (quorum of
// the power of the validators in force, for the previous block) and the block time (genesis time, then
// the last commit's weighted median); the evidence and its hash; every leaf is a
// canonical record that passes CheckRecord (signatures, one check per batch);
// the leaves root; the log size and root after the block, recomputing the log
// and comparing every stored Merkle node; the record's entries in all four
// indexes (by id, document digest, case, agency and time: exact keys and
// values); the header version and the block's governance actions (each applied,
// in order, to the register the blocks before it made, which gives the register
// of the next heights: docs/governance.md), their root and the register hashes
// of a version-2 header, and that the store's own register agrees; and the
// stored commit of the block (quorum of the validators in force, block hash).
// Finally
// every key of the database is read once, so that a damaged table block
// anywhere is found, and counted by kind: the blocks must account for every
// block, commit, leaf, Merkle node and index entry (an entry of no record, or a
// key of no known kind, is damage).
//
// A damaged store gives a failed report with a reason, never a crash and never
// a pass.
//
// Thread-safety: Audit is a free function; it opens its own handle on the store
// (LevelDB allows one process at a time: stop the node or audit a copy).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "ledger/genesis.h"
#include "ledger/store.h"

namespace evidence::ledger {

struct AuditReport {
  bool ok = false;
  uint64_t head_height = 0;
  uint64_t blocks_checked = 0;
  uint64_t records_checked = 0;
  uint64_t governance_actions_checked = 0;
  uint64_t signature_checks = 0;  // record and batch signatures actually verified
  uint64_t keys_scanned = 0;
  std::optional<uint64_t> bad_height;  // first bad block, when one is to blame
  bool in_use = false;                 // a running node holds the store: nothing was checked
  std::string reason;                  // empty when ok
};

// The store a directory names: the directory itself when it holds a LevelDB
// database (its CURRENT file), else its `store/` subdirectory (a node's data
// directory: node.toml's [node] data_dir holds store/ and consensus.wal).
// NotFound, saying where a node keeps its store, when neither holds one.
Result<std::string> LocateStore(const std::string& directory);

// `progress(height, head_height)` after each block.
using AuditProgressFn = std::function<void(uint64_t height, uint64_t head_height)>;

// `directory`: a store, or a node's data directory (LocateStore).
AuditReport Audit(const std::string& directory, const Genesis& genesis,
                  const AuditProgressFn& progress = nullptr);

}  // namespace evidence::ledger
