// Validation rules of records and blocks. Every refusal is a Status whose message
// starts with a stable code (ledger/errors.h), e.g. "record.bad_signature: ...".
// The rules come from the governance state in force (ledger/governance_state.h):
// its agencies and keys, its validators and its ChainParams — never from a
// node's configuration.
//
// Records:
//   CheckRecord       stateless and register rules: shape and sizes, chain id, time
//                     not later than now + params.record_future_skew_ms nor earlier
//                     than now - params.record_past_window_ms, digest format, agency
//                     registered (not removed), key registered for that agency and
//                     not revoked, batch size within params.batch_records_max,
//                     signature (batch signature + path for batched records).
//   CheckRecordAuthorship  the same without the time window (for copies of
//                     records already held).
//   CheckRecordIsNew  stateful: the record id is not in the log yet. The same
//                     record twice is idempotent ("record.duplicate" tells the
//                     caller to answer with the existing entry, not a second one).
// Blocks: ValidateBlock checks a proposed block against the state of the store
// (see ChainState) in the order listed in its comment.
//
// Thread-safety: pure functions; a BatchSignatureCache argument must not be shared
// between threads.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/block.h"
#include "ledger/errors.h"
#include "ledger/genesis.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"

namespace evidence::ledger {

Status CheckRecord(const GovernanceState& state, const Record& record, int64_t now_ms,
                   BatchSignatureCache* cache = nullptr);

// The rules of CheckRecord that do not depend on time: shape, chain id, agency
// and key registered, signature. For a copy of a record the node already holds
// (the record id does not cover `sig`, so a copy with another or a damaged
// signature has the same id).
Status CheckRecordAuthorship(const GovernanceState& state, const Record& record,
                             BatchSignatureCache* cache = nullptr);

// `contains(id)` answers whether the log holds the record id (a store lookup).
using ContainsRecordFn = std::function<Result<bool>(const crypto::Digest& record_id)>;
Status CheckRecordIsNew(const crypto::Digest& record_id, const ContainsRecordFn& contains);

// What a block is checked against: the state after the last committed block.
struct ChainState {
  uint64_t height = 0;                 // last committed height (0: empty chain)
  crypto::Digest last_block_hash{};    // zeros when height is 0
  int64_t last_block_time_ms = 0;      // genesis time when height is 0
  crypto::CompactRange log{crypto::MerkleHasher(crypto::HashAlgorithm::kSha256)};  // after it
  ContainsRecordFn contains_record;    // log lookup by record id
  // The governance state in force for the next block (height + 1): its
  // validators sign it, its register and params judge its records.
  GovernanceStatePtr next;
  // The one in force for the last block (height): its validators signed the
  // commit of `height` that the next block carries. Equal to `next` at height 0.
  GovernanceStatePtr last;
  // The register after every action of the blocks up to `height`: the actions
  // of the next block apply to it, and it is in force for block height + 2
  // (the next block's header carries its hash and its validators' hash).
  GovernanceStatePtr latest;
};

// Checks, in order: chain id; height = state.height + 1; previous hash; validator
// set hash; proposer index; size limits (params); last commit (empty at height
// 1, else a valid commit of height-1 for the previous block hash, by the
// validators of `last`) and its hash; block time (genesis time at height 1,
// else the commit's median time, never earlier than the previous block);
// evidence and its hash; the header version (ledger/governance_history.h,
// RequiredBlockVersion) and, in a version-2 block, its governance actions
// (each applies, in order, to `latest`: ledger/governance.h), actions_root,
// next_validators_hash and state_hash (of `latest`); every leaf a canonical valid record (CheckRecord with
// the block time as now, under `next`), no record twice in the block or already
// in the log; leaves root; log size and log root after the block.
Status ValidateBlock(const ChainState& state, const Block& block,
                     BatchSignatureCache* cache = nullptr);

// A leaf this node checked before (e.g. on admission to its record pool): the
// exact JCS bytes of a record that passed CheckRecord on this chain (every
// record rule, signature included), with its id, its claimed time, its agency
// and the id of the key that signed it.
struct CheckedLeaf {
  crypto::Digest id{};
  int64_t time_ms = 0;
  std::string agency;
  std::string key_id;
  uint64_t batch_size = 0;  // 0 when not batched
};
// Looks a leaf up by its exact bytes; nullopt when this node has not checked it.
// It must answer only for leaves whose CheckRecord passed on this chain.
using CheckedLeafFn = std::function<std::optional<CheckedLeaf>(std::string_view leaf)>;

// ValidateBlock, except that a leaf `checked_before` knows is not parsed,
// canonicalised or signature-checked again: only the rules that depend on the
// block apply to it (its time within the window of the block time, its key
// still registered and its batch within the limit in the state in force, not
// twice in the block, not in the log, the roots). Every other leaf is checked
// in full. Adds the signature checks it made to `*signature_checks` when given.
Status ValidateBlock(const ChainState& state, const Block& block, BatchSignatureCache* cache,
                     const CheckedLeafFn& checked_before, uint64_t* signature_checks);

// The same with the answers already looked up: `checked[i]` for block.leaves[i]
// (same size as the leaves).
Status ValidateBlock(const ChainState& state, const Block& block, BatchSignatureCache* cache,
                     const std::vector<std::optional<CheckedLeaf>>& checked,
                     uint64_t* signature_checks);

// The header fields a proposer fills from the state and the block's contents
// (everything except proposer), so a valid block is easy to build.
// `actions` are the leaves of the governance actions the block carries (the
// version follows RequiredBlockVersion).
BlockHeader MakeBlockHeader(const ChainState& state, const std::vector<std::string>& leaves,
                            const Commit& last_commit,
                            const std::vector<DuplicateVoteEvidence>& evidence,
                            uint32_t proposer, const std::vector<std::string>& actions = {});

}  // namespace evidence::ledger
