#include "ledger/block.h"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>

#include "crypto/merkle.h"
#include "ledger/errors.h"

namespace evidence::ledger {
namespace {

constexpr std::string_view kCommitDomain = "EVIDENCE-COMMIT/v1\n";
constexpr std::string_view kEvidenceDomain = "EVIDENCE-EVIDENCE/v1\n";

void Put(Bytes& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(value >> shift));
  }
}
void Put(Bytes& out, const crypto::Digest& digest) {
  out.insert(out.end(), digest.begin(), digest.end());
}
void Put(Bytes& out, std::string_view text) { out.insert(out.end(), text.begin(), text.end()); }
void Put(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }


template <class T>
Bytes EncodeBinary(const T& value) {
  std::ostringstream stream;
  {
    cereal::PortableBinaryOutputArchive archive(stream);
    archive(value);
  }
  std::string text = stream.str();
  return Bytes(text.begin(), text.end());
}

template <class T>
Result<T> DecodeBinary(ByteView bytes, std::string_view what) {
  std::istringstream stream(std::string(AsStringView(bytes)));
  T value{};
  try {
    cereal::PortableBinaryInputArchive archive(stream);
    archive(value);
  } catch (const std::exception& e) {
    return Status::Corruption("cannot decode " + std::string(what) + ": " + e.what());
  }
  if (stream.peek() != std::char_traits<char>::eof()) {
    return Status::Corruption("cannot decode " + std::string(what) + ": trailing bytes");
  }
  return value;
}

}  // namespace

Bytes EncodeBlockHeader(const BlockHeader& h) {
  EVIDENCE_CHECK(h.chain_id.size() <= limits::kChainIdBytesMax);
  const bool governed = h.version == kBlockVersionGoverned;
  EVIDENCE_CHECK(governed || h.version == kBlockVersionLegacy);
  EVIDENCE_CHECK(governed || (h.actions_root == crypto::Digest{} &&
                              h.next_validators_hash == crypto::Digest{} &&
                              h.state_hash == crypto::Digest{}));
  Bytes out;
  out.reserve(kBlockHeaderDomain.size() + 1 + h.chain_id.size() + 8 * 3 + 4 + 32 * 9);
  Put(out, governed ? kBlockHeaderDomainV2 : kBlockHeaderDomain);
  Put(out, h.chain_id.size(), 1);
  Put(out, std::string_view(h.chain_id));
  Put(out, h.height, 8);
  Put(out, static_cast<uint64_t>(h.time_ms), 8);
  Put(out, h.previous_hash);
  Put(out, h.log_size, 8);
  Put(out, h.log_root);
  Put(out, h.leaves_root);
  Put(out, h.validators_hash);
  Put(out, h.proposer, 4);
  Put(out, h.evidence_hash);
  Put(out, h.last_commit_hash);
  if (governed) {
    Put(out, h.actions_root);
    Put(out, h.next_validators_hash);
    Put(out, h.state_hash);
  }
  return out;
}

crypto::Digest BlockHash(crypto::HashAlgorithm algorithm, const BlockHeader& header) {
  return crypto::Hash(algorithm, EncodeBlockHeader(header));
}

Bytes EncodeCommit(const Commit& commit) {
  Bytes out;
  Put(out, kCommitDomain);
  Put(out, commit.height, 8);
  Put(out, commit.round, 4);
  Put(out, commit.block_hash);
  Put(out, commit.signatures.size(), 4);
  for (const CommitSignature& s : commit.signatures) {
    EVIDENCE_CHECK(s.signature.size() <= kVoteSignatureBytesMax);
    Put(out, s.validator_index, 4);
    Put(out, static_cast<uint64_t>(s.timestamp_ms), 8);
    Put(out, s.signature.size(), 2);
    Put(out, ByteView(s.signature));
  }
  return out;
}

crypto::Digest CommitHash(crypto::HashAlgorithm algorithm, const Commit& commit) {
  if (commit.signatures.empty()) return crypto::Digest{};
  return crypto::Hash(algorithm, EncodeCommit(commit));
}

crypto::Digest EvidenceHash(crypto::HashAlgorithm algorithm, std::string_view chain_id,
                            const std::vector<DuplicateVoteEvidence>& evidence) {
  if (evidence.empty()) return crypto::Digest{};
  Bytes out;
  Put(out, kEvidenceDomain);
  Put(out, evidence.size(), 4);
  for (const DuplicateVoteEvidence& e : evidence) {
    for (const Vote* vote : {&e.a, &e.b}) {
      Bytes signing = VoteSigningBytes(chain_id, *vote);
      Put(out, signing.size(), 4);
      Put(out, ByteView(signing));
      Put(out, vote->validator_index, 4);
      EVIDENCE_CHECK(vote->signature.size() <= kVoteSignatureBytesMax);
      Put(out, vote->signature.size(), 2);
      Put(out, ByteView(vote->signature));
    }
  }
  return crypto::Hash(algorithm, out);
}

crypto::Digest LeavesRoot(crypto::HashAlgorithm algorithm, const std::vector<std::string>& leaves) {
  crypto::MerkleHasher hasher(algorithm);
  std::vector<crypto::Digest> hashes;
  hashes.reserve(leaves.size());
  for (const std::string& leaf : leaves) hashes.push_back(hasher.HashLeaf(AsBytes(leaf)));
  return crypto::MerkleRoot(hasher, hashes);
}

Status VerifyDuplicateVote(std::string_view chain_id, const ValidatorSet& validators,
                           const DuplicateVoteEvidence& e) {
  auto bad = [](std::string_view why) {
    return LedgerError(ErrorCode::kBlockWrongEvidence, why);
  };
  if (e.a.validator_index != e.b.validator_index || e.a.height != e.b.height ||
      e.a.round != e.b.round || e.a.type != e.b.type) {
    return bad("the two votes are not by one validator for one height, round and step");
  }
  if (e.a.block_hash == e.b.block_hash) return bad("the two votes are for the same block");
  if (e.a.validator_index >= validators.size()) return bad("unknown validator index");
  if (e.a.type != VoteType::kPrevote && e.a.type != VoteType::kPrecommit) {
    return bad("unknown vote type");
  }
  const crypto::PublicKey& key = validators.at(e.a.validator_index).vote_key;
  for (const Vote* vote : {&e.a, &e.b}) {
    if (vote->signature.size() > kVoteSignatureBytesMax ||
        !key.Verify(VoteSigningBytes(chain_id, *vote), vote->signature)) {
      return bad("a vote's signature does not verify");
    }
  }
  return Status::Ok();
}

Bytes EncodeBlock(const Block& block) { return EncodeBinary(block); }
Result<Block> DecodeBlock(ByteView bytes) { return DecodeBinary<Block>(bytes, "block"); }
Bytes EncodeCommitBinary(const Commit& commit) { return EncodeBinary(commit); }
Result<Commit> DecodeCommitBinary(ByteView bytes) {
  return DecodeBinary<Commit>(bytes, "commit");
}

}  // namespace evidence::ledger
