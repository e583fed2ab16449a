#include "ledger/vote.h"

#include <algorithm>
#include <set>
#include <string>

#include "common/check.h"
#include "common/limits.h"

namespace evidence::ledger {
namespace {

constexpr std::string_view kVoteDomain = "EVIDENCE-VOTE/v1\n";

// Bounds that keep 3 * power and 2 * total far from overflow.
constexpr uint64_t kTotalPowerMax = uint64_t{1} << 60;
constexpr size_t kValidatorsMax = kCommitSignaturesMax;

void PutBigEndian(Bytes& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(value >> shift));
  }
}

}  // namespace

bool Vote::is_nil() const {
  return std::all_of(block_hash.begin(), block_hash.end(), [](uint8_t b) { return b == 0; });
}

Bytes VoteSigningBytes(std::string_view chain_id, const Vote& vote) {
  // Chain ids are validated (genesis) before votes are made or checked.
  EVIDENCE_CHECK(chain_id.size() <= limits::kChainIdBytesMax);
  Bytes out;
  out.reserve(kVoteDomain.size() + 1 + chain_id.size() + 1 + 8 + 4 + crypto::kDigestBytes + 8);
  out.insert(out.end(), kVoteDomain.begin(), kVoteDomain.end());
  out.push_back(static_cast<uint8_t>(chain_id.size()));
  out.insert(out.end(), chain_id.begin(), chain_id.end());
  out.push_back(static_cast<uint8_t>(vote.type));
  PutBigEndian(out, vote.height, 8);
  PutBigEndian(out, vote.round, 4);
  out.insert(out.end(), vote.block_hash.begin(), vote.block_hash.end());
  PutBigEndian(out, static_cast<uint64_t>(vote.timestamp_ms), 8);
  return out;
}

Result<ValidatorSet> ValidatorSet::Create(std::vector<Validator> validators) {
  if (validators.empty()) return Status::InvalidArgument("validator set is empty");
  if (validators.size() > kValidatorsMax) {
    return Status::InvalidArgument("validator set has " + std::to_string(validators.size()) +
                                   " validators, more than the limit " +
                                   std::to_string(kValidatorsMax));
  }
  std::set<std::string> key_ids;
  uint64_t total = 0;
  for (size_t i = 0; i < validators.size(); ++i) {
    const Validator& v = validators[i];
    std::string where = "validator " + std::to_string(i) + " (" + v.name + ")";
    if (v.power == 0) return Status::InvalidArgument(where + " has power 0");
    if (v.power > kTotalPowerMax || total + v.power > kTotalPowerMax) {
      return Status::InvalidArgument(where + ": total power exceeds 2^60");
    }
    total += v.power;
    if (!key_ids.insert(v.vote_key.key_id()).second) {
      return Status::InvalidArgument(where + " reuses the vote key " + v.vote_key.key_id());
    }
  }
  ValidatorSet set;
  set.validators_ = std::move(validators);
  set.total_power_ = total;
  return set;
}

int ValidatorSet::IndexOfKey(std::string_view key_id) const {
  for (size_t i = 0; i < validators_.size(); ++i) {
    if (validators_[i].vote_key.key_id() == key_id) return static_cast<int>(i);
  }
  return -1;
}

crypto::Digest ValidatorSet::Hash(crypto::HashAlgorithm algorithm) const {
  crypto::Hasher hasher(algorithm);
  for (const Validator& v : validators_) {
    hasher.Update(v.vote_key.key_id());
    hasher.Update(std::string_view(":"));
    hasher.Update(std::to_string(v.power));
    hasher.Update(std::string_view("\n"));
  }
  return hasher.Finish();
}

Status VerifyCommit(std::string_view chain_id, const ValidatorSet& validators,
                    const Commit& commit) {
  if (chain_id.size() > limits::kChainIdBytesMax) {
    return Status::InvalidArgument("commit check: chain id longer than " +
                                   std::to_string(limits::kChainIdBytesMax) + " bytes");
  }
  std::string where = "commit for height " + std::to_string(commit.height);
  if (commit.height == 0) return Status::InvalidArgument("commit for height 0 (heights start at 1)");
  Vote probe;
  probe.block_hash = commit.block_hash;
  if (probe.is_nil()) return Status::InvalidArgument(where + " is for a nil block hash");
  if (commit.signatures.empty()) return Status::InvalidArgument(where + " has no signatures");
  if (commit.signatures.size() > validators.size()) {
    return Status::InvalidArgument(where + " has more signatures than validators");
  }
  uint64_t power = 0;
  for (size_t i = 0; i < commit.signatures.size(); ++i) {
    const CommitSignature& s = commit.signatures[i];
    std::string which = where + ", signature " + std::to_string(i);
    if (s.validator_index >= validators.size()) {
      return Status::InvalidArgument(which + ": unknown validator index " +
                                     std::to_string(s.validator_index));
    }
    if (i > 0 && s.validator_index <= commit.signatures[i - 1].validator_index) {
      return Status::InvalidArgument(
          which + ": validator indexes must be strictly increasing (repeated or unsorted " +
          std::to_string(s.validator_index) + ")");
    }
    if (s.signature.size() > kVoteSignatureBytesMax) {
      return Status::InvalidArgument(which + ": signature longer than " +
                                     std::to_string(kVoteSignatureBytesMax) + " bytes");
    }
    Vote vote;
    vote.type = VoteType::kPrecommit;
    vote.height = commit.height;
    vote.round = commit.round;
    vote.block_hash = commit.block_hash;
    vote.timestamp_ms = s.timestamp_ms;
    const Validator& validator = validators.at(s.validator_index);
    if (!validator.vote_key.Verify(VoteSigningBytes(chain_id, vote), s.signature)) {
      return Status::InvalidArgument(which + ": bad precommit signature by validator " +
                                     std::to_string(s.validator_index) + " (" + validator.name +
                                     ")");
    }
    power += validator.power;
  }
  if (!validators.IsQuorum(power)) {
    return Status::InvalidArgument(where + ": signers hold power " + std::to_string(power) +
                                   " of " + std::to_string(validators.total_power()) +
                                   ", not more than 2/3");
  }
  return Status::Ok();
}

int64_t CommitMedianTimeMs(const ValidatorSet& validators, const Commit& commit) {
  // (timestamp, validator index, power); the index breaks ties so the order is total.
  struct Entry {
    int64_t timestamp_ms;
    uint32_t index;
    uint64_t power;
  };
  std::vector<Entry> entries;
  uint64_t signed_power = 0;
  for (const CommitSignature& s : commit.signatures) {
    // Unknown indexes carry no power; VerifyCommit refuses such commits anyway.
    if (s.validator_index >= validators.size()) continue;
    uint64_t power = validators.at(s.validator_index).power;
    entries.push_back({s.timestamp_ms, s.validator_index, power});
    signed_power += power;
  }
  if (entries.empty()) return 0;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.timestamp_ms != b.timestamp_ms ? a.timestamp_ms < b.timestamp_ms : a.index < b.index;
  });
  uint64_t accumulated = 0;
  for (const Entry& e : entries) {
    accumulated += e.power;
    if (2 * accumulated > signed_power) return e.timestamp_ms;
  }
  EVIDENCE_CHECK_MSG(false, "weighted median not reached");
  return 0;
}

}  // namespace evidence::ledger
