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
// Commit bytes (for last_commit_hash):
//   "EVIDENCE-COMMIT/v1\n" u64 height u32 round 32 block_hash u32 count
//   then per signature: u32 validator_index i64 timestamp_ms u16 length, signature
// Evidence bytes: "EVIDENCE-EVIDENCE/v1\n" u32 count, then per pair, for vote a then b:
//   u32 length, VoteSigningBytes, u32 validator_index, u16 length, signature
//
// Block = header + leaves (the JCS bytes of each record, sig included) + last_commit
// + evidence. Whole blocks are stored and sent as cereal portable binary
// (EncodeBlock / DecodeBlock).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/serialization.h"
#include "ledger/vote.h"

namespace evidence::ledger {

inline constexpr std::string_view kBlockHeaderDomain = "EVIDENCE-BLOCK/v1\n";
inline constexpr size_t kEvidenceMax = 100;
// Duplicate-vote evidence of votes at height v may be recorded in blocks v + 1
// to v + kEvidenceHeightsMax only (ValidateBlock): within that window every
// node knows which equivocations the chain recorded already (ChainState).
inline constexpr uint64_t kEvidenceHeightsMax = 64;

struct BlockHeader {
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

  bool operator==(const BlockHeader&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    serialization::SaveBytes(archive, chain_id);
    archive(height, time_ms, previous_hash, log_size, log_root, leaves_root, validators_hash,
            proposer, evidence_hash, last_commit_hash);
  }
  template <class Archive>
  void load(Archive& archive) {
    serialization::LoadBytes(archive, chain_id, limits::kChainIdBytesMax);
    archive(height, time_ms, previous_hash, log_size, log_root, leaves_root, validators_hash,
            proposer, evidence_hash, last_commit_hash);
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

// What makes two pieces of evidence the same equivocation: the validator and
// the (height, round, type) it signed two votes for. A chain records each once.
struct EvidenceKey {
  uint32_t validator_index = 0;
  uint64_t height = 0;
  uint32_t round = 0;
  VoteType type = VoteType::kPrevote;
  auto operator<=>(const EvidenceKey&) const = default;
};
EvidenceKey KeyOf(const DuplicateVoteEvidence& evidence);

struct Block {
  BlockHeader header;
  std::vector<std::string> leaves;  // JCS of each record
  Commit last_commit;               // empty (height 0, no signatures) at height 1
  std::vector<DuplicateVoteEvidence> evidence;

  bool operator==(const Block&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    archive(header);
    archive(static_cast<uint32_t>(leaves.size()));
    for (const std::string& leaf : leaves) serialization::SaveBytes(archive, leaf);
    archive(last_commit);
    serialization::SaveVector(archive, evidence);
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
  }
};

// Requires chain_id of at most 64 bytes (decoding guarantees it).
Bytes EncodeBlockHeader(const BlockHeader& header);
crypto::Digest BlockHash(crypto::HashAlgorithm algorithm, const BlockHeader& header);
Bytes EncodeCommit(const Commit& commit);
// Zeros for an empty commit (no signatures).
crypto::Digest CommitHash(crypto::HashAlgorithm algorithm, const Commit& commit);
crypto::Digest EvidenceHash(crypto::HashAlgorithm algorithm, std::string_view chain_id,
                            const std::vector<DuplicateVoteEvidence>& evidence);
// RFC 6962 root over H(0x00 || leaf) of each leaf.
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
