// Votes, commits and validator sets: the types that consensus produces and that
// receipts and audits check. Shared by ledger/ (verification) and node/consensus/.
//
// Canonical signing bytes of a vote (everything big-endian, no padding):
//   "EVIDENCE-VOTE/v1\n"                 17 bytes ASCII
//   u8   length of chain_id, then chain_id (UTF-8, at most 64 bytes)
//   u8   type (1 = prevote, 2 = precommit)
//   u64  height
//   u32  round
//   32   block hash (32 zero bytes = a vote for nil)
//   i64  timestamp, unix milliseconds (the validator's clock; BFT time uses it)
// The validator is not in the bytes: the signature binds its key.
//
// cereal serialization (storage, wire, WAL) bounds every length it reads:
// signatures at most kVoteSignatureBytesMax bytes, commits at most
// kCommitSignaturesMax signatures (ledger/serialization.h).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <cereal/types/array.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/serialization.h"

namespace evidence::ledger {

inline constexpr size_t kVoteSignatureBytesMax = 256;
inline constexpr size_t kCommitSignaturesMax = 1000;  // = the validator set size limit

enum class VoteType : uint8_t { kPrevote = 1, kPrecommit = 2 };

struct Vote {
  VoteType type = VoteType::kPrevote;
  uint64_t height = 0;
  uint32_t round = 0;
  crypto::Digest block_hash{};  // all zero: nil
  int64_t timestamp_ms = 0;
  uint32_t validator_index = 0;  // position in the validator set
  Bytes signature;

  bool is_nil() const;
  bool operator==(const Vote&) const = default;

  template <class Archive>
  void save(Archive& archive) const {
    archive(type, height, round, block_hash, timestamp_ms, validator_index);
    serialization::SaveBytes(archive, signature);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(type, height, round, block_hash, timestamp_ms, validator_index);
    serialization::LoadBytes(archive, signature, kVoteSignatureBytesMax);
  }
};

Bytes VoteSigningBytes(std::string_view chain_id, const Vote& vote);

struct Validator {
  std::string name;         // e.g. "justice-bureau"
  std::string institution;  // e.g. "司法局"
  crypto::PublicKey vote_key;
  uint64_t power = 1;
};

// Ordered set of validators; index = position. Immutable once built.
class ValidatorSet {
 public:
  static Result<ValidatorSet> Create(std::vector<Validator> validators);

  size_t size() const { return validators_.size(); }
  const Validator& at(size_t index) const { return validators_.at(index); }
  const std::vector<Validator>& validators() const { return validators_; }
  uint64_t total_power() const { return total_power_; }
  // Index of the validator with this vote key id, or -1.
  int IndexOfKey(std::string_view key_id) const;
  // More than 2/3 of the total power: 3 * power > 2 * total.
  bool IsQuorum(uint64_t power) const { return 3 * power > 2 * total_power_; }
  // At least one honest validator: 3 * power > total.
  bool IsOneThirdPlus(uint64_t power) const { return 3 * power > total_power_; }
  // H(for each validator: key id, ":", power, "\n") with the chain's hash.
  crypto::Digest Hash(crypto::HashAlgorithm algorithm) const;

 private:
  std::vector<Validator> validators_;
  uint64_t total_power_ = 0;
};

// A precommit signature inside a commit.
struct CommitSignature {
  uint32_t validator_index = 0;
  int64_t timestamp_ms = 0;
  Bytes signature;
  bool operator==(const CommitSignature&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    archive(validator_index, timestamp_ms);
    serialization::SaveBytes(archive, signature);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(validator_index, timestamp_ms);
    serialization::LoadBytes(archive, signature, kVoteSignatureBytesMax);
  }
};

// Proof that a block is final: precommits for `block_hash` at (height, round)
// by more than 2/3 of the voting power.
struct Commit {
  uint64_t height = 0;
  uint32_t round = 0;
  crypto::Digest block_hash{};
  std::vector<CommitSignature> signatures;  // sorted by validator_index, no repeats

  bool operator==(const Commit&) const = default;
  template <class Archive>
  void save(Archive& archive) const {
    archive(height, round, block_hash);
    serialization::SaveVector(archive, signatures);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(height, round, block_hash);
    serialization::LoadVector(archive, signatures, kCommitSignaturesMax);
  }
};

// Checks every signature (refuses unknown indexes, repeats, unsorted order and
// bad signatures) and that the signers hold more than 2/3 of the power.
Status VerifyCommit(std::string_view chain_id, const ValidatorSet& validators,
                    const Commit& commit);

// BFT time: the median of the commit's precommit timestamps, weighted by power
// (the timestamp at which more than half the signing power is reached, in sorted order).
int64_t CommitMedianTimeMs(const ValidatorSet& validators, const Commit& commit);

}  // namespace evidence::ledger
