// Blocks and their canonical bytes (DESIGN.md §3, docs/receipt-format.md).
//
// A block header is hashed in one canonical byte form (all integers big-endian,
// fixed width, no padding):
//   "EVIDENCE-BLOCK/v1\n"   18 bytes ASCII
//   u8  length of chain_id, then chain_id (1..64 bytes)
//   u64 height              (1 for the first block)
//   i64 time_ms             BFT time: genesis time at height 1, else the weighted
//                           median of last_commit's precommit timestamps
//   32  previous_hash       block hash of height-1 (zeros at height 1)
//   u64 log_size            leaves in the whole log after this block
//   32  log_root            RFC 6962 root of those leaves
//   32  leaves_root         RFC 6962 root of this block's leaves (H() if none)
//   32  validators_hash     ValidatorSet::Hash of the validators
//   u32 proposer            validator index
//   32  evidence_hash       EvidenceHash(evidence) (zeros if none)
//   32  last_commit_hash    CommitHash(last_commit) (zeros at height 1)
// block hash = H(header bytes), H the chain's hash.
//
// Version 2 (docs/governance.md §3): a block that carries governance actions,
// and every block after the first one that did, has a version-2 header; every
// other block keeps version 1 (so a chain that never changed its register has
// exactly the blocks, stores and v1 receipts it always had). Its bytes:
//   "EVIDENCE-BLOCK/v2\n"   18 bytes ASCII
//   the version-1 fields above, in the same order, then
//   32  actions_root          RFC 6962 root over H(0x00 || action leaf) of the
//                             block's governance actions (H() if none)
//   32  next_validators_hash  ValidatorSet::Hash of the validators that sign
//                             block height + 1
//   32  state_hash            GovernanceState::Hash of the register in force for
//                             block height + 1 (the register after every action
//                             of the blocks up to height - 1; the actions of this
//                             block apply to it and take effect at height + 2)
//
// Commit bytes (for last_commit_hash):
//   "EVIDENCE-COMMIT/v1\n" u64 height u32 round 32 block_hash u32 count
//   then per signature: u32 validator_index i64 timestamp_ms u16 length, signature
// Evidence bytes: "EVIDENCE-EVIDENCE/v1\n" u32 count, then per pair, for vote a then b:
//   u32 length, VoteSigningBytes, u32 validator_index, u16 length, signature
//
// Block = header + leaves (the JCS bytes of each record, sig included) + last_commit
// + evidence (+ actions: the JCS of each governance action, version 2 only).
// Whole blocks are stored and sent as cereal portable binary (EncodeBlock /
// DecodeBlock). A version-1 header's binary form is unchanged; a version-2
// header's starts with an empty chain id (u32 0, which no chain has) and u32 2,
// then the version-1 form and the three digests; a version-2 block appends
// its actions after the evidence.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/check.h"
#include "common/limits.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/serialization.h"
#include "ledger/vote.h"

namespace evidence::ledger {

inline constexpr std::string_view kBlockHeaderDomain = "EVIDENCE-BLOCK/v1\n";
inline constexpr std::string_view kBlockHeaderDomainV2 = "EVIDENCE-BLOCK/v2\n";
inline constexpr uint32_t kBlockVersionLegacy = 1;
inline constexpr uint32_t kBlockVersionGoverned = 2;
inline constexpr size_t kEvidenceMax = 100;

struct BlockHeader {
  // 1 or 2; the version-2 members are zeros in a version-1 header.
  uint32_t version = kBlockVersionLegacy;
  std::string chain_id;
  uint64_t height = 0;
  int64_t time_ms = 0;
  crypto::Digest previous_hash{};
  uint64_t log_size = 0;
  crypto::Digest log_root{};
  crypto::Digest leaves_root{};
  crypto::Digest validators_hash{};
  uint32_t proposer = 0;
  crypto::Digest evidence_hash{};
  crypto::Digest last_commit_hash{};
  // Version 2 only.
  crypto::Digest actions_root{};
  crypto::Digest next_validators_hash{};
  crypto::Digest state_hash{};

  bool operator==(const BlockHeader&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    if (version != kBlockVersionLegacy) {
      archive(uint32_t{0}, version);  // an empty chain id marks a versioned header
    }
    serialization::SaveBytes(archive, chain_id);
    archive(height, time_ms, previous_hash, log_size, log_root, leaves_root, validators_hash,
            proposer, evidence_hash, last_commit_hash);
    if (version != kBlockVersionLegacy) archive(actions_root, next_validators_hash, state_hash);
  }
  template <class Archive>
  void load(Archive& archive) {
    serialization::LoadBytes(archive, chain_id, limits::kChainIdBytesMax);
    version = kBlockVersionLegacy;
    if (chain_id.empty()) {
      archive(version);
      if (version != kBlockVersionGoverned) throw cereal::Exception("unknown block header version");
      serialization::LoadBytes(archive, chain_id, limits::kChainIdBytesMax);
      if (chain_id.empty()) throw cereal::Exception("block header without a chain id");
    }
    archive(height, time_ms, previous_hash, log_size, log_root, leaves_root, validators_hash,
            proposer, evidence_hash, last_commit_hash);
    if (version != kBlockVersionLegacy) archive(actions_root, next_validators_hash, state_hash);
  }
};

// Two conflicting votes (same validator, height, round and type, different block
// hashes), both signed.
struct DuplicateVoteEvidence {
  Vote a;
  Vote b;
  bool operator==(const DuplicateVoteEvidence&) const = default;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(a, b);
  }
};

struct Block {
  BlockHeader header;
  std::vector<std::string> leaves;  // JCS of each record
  Commit last_commit;               // empty (height 0, no signatures) at height 1
  std::vector<DuplicateVoteEvidence> evidence;
  // JCS of each governance action (ledger/governance.h), version 2 only.
  std::vector<std::string> actions;

  bool operator==(const Block&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    // A version-1 block has no place for actions (a bug of the proposer).
    EVIDENCE_CHECK(header.version != kBlockVersionLegacy || actions.empty());
    archive(header);
    archive(static_cast<uint32_t>(leaves.size()));
    for (const std::string& leaf : leaves) serialization::SaveBytes(archive, leaf);
    archive(last_commit);
    serialization::SaveVector(archive, evidence);
    if (header.version != kBlockVersionLegacy) {
      archive(static_cast<uint32_t>(actions.size()));
      for (const std::string& action : actions) serialization::SaveBytes(archive, action);
    }
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(header);
    uint32_t count = 0;
    archive(count);
    if (count > limits::kBlockRecordsMax) throw cereal::Exception("block has too many leaves");
    leaves.assign(count, std::string());
    for (std::string& leaf : leaves) {
      serialization::LoadBytes(archive, leaf, limits::kRecordJcsBytesMax);
    }
    archive(last_commit);
    serialization::LoadVector(archive, evidence, kEvidenceMax);
    actions.clear();
    if (header.version != kBlockVersionLegacy) {
      archive(count);
      if (count > limits::kGovernanceActionsPerBlockMax) {
        throw cereal::Exception("block has too many governance actions");
      }
      actions.assign(count, std::string());
      for (std::string& action : actions) {
        serialization::LoadBytes(archive, action, limits::kGovernanceActionBytesMax);
      }
    }
  }
};

// Requires chain_id of at most 64 bytes (decoding guarantees it) and a known
// version (version 1 with zero version-2 members).
Bytes EncodeBlockHeader(const BlockHeader& header);
crypto::Digest BlockHash(crypto::HashAlgorithm algorithm, const BlockHeader& header);
Bytes EncodeCommit(const Commit& commit);
// Zeros for an empty commit (no signatures).
crypto::Digest CommitHash(crypto::HashAlgorithm algorithm, const Commit& commit);
crypto::Digest EvidenceHash(crypto::HashAlgorithm algorithm, std::string_view chain_id,
                            const std::vector<DuplicateVoteEvidence>& evidence);
// RFC 6962 root over H(0x00 || leaf) of each leaf (also the actions_root of
// the actions' leaves).
crypto::Digest LeavesRoot(crypto::HashAlgorithm algorithm, const std::vector<std::string>& leaves);

// Checks that the pair is real evidence: same validator, height, round, type,
// different block hashes, both signatures valid under the validator's key.
Status VerifyDuplicateVote(std::string_view chain_id, const ValidatorSet& validators,
                           const DuplicateVoteEvidence& evidence);

// cereal portable binary; Decode refuses malformed or trailing bytes (never throws).
Bytes EncodeBlock(const Block& block);
Result<Block> DecodeBlock(ByteView bytes);
Bytes EncodeCommitBinary(const Commit& commit);
Result<Commit> DecodeCommitBinary(ByteView bytes);

}  // namespace evidence::ledger
