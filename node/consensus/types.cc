#include "node/consensus/types.h"

#include <cereal/archives/portable_binary.hpp>

#include <sstream>
#include <stdexcept>

#include "common/limits.h"

namespace evidence::consensus {
namespace {

constexpr std::string_view kProposalDomain = "EVIDENCE-PROPOSAL/v1\n";
constexpr uint8_t kTagProposal = 1;
constexpr uint8_t kTagVote = 2;
constexpr uint8_t kTagDecidedBlock = 3;
constexpr uint8_t kTagBlockRequest = 4;

// Thrown only inside this file and turned into a Status at the decode boundary.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void PutBigEndian(Bytes& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

template <class Archive>
void SaveBytes(Archive& archive, const Bytes& bytes) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(bytes.size())));
  archive(cereal::binary_data(bytes.data(), bytes.size()));
}

template <class Archive>
void LoadBytes(Archive& archive, Bytes& bytes, size_t bytes_max, const char* what) {
  cereal::size_type size = 0;
  archive(cereal::make_size_tag(size));
  if (size > bytes_max) throw DecodeError(std::string(what) + " is too long");
  bytes.resize(size);
  archive(cereal::binary_data(bytes.data(), size));
}

template <class Archive>
void SaveDigest(Archive& archive, const crypto::Digest& digest) {
  archive(cereal::binary_data(digest.data(), digest.size()));
}
template <class Archive>
void LoadDigest(Archive& archive, crypto::Digest& digest) {
  archive(cereal::binary_data(digest.data(), digest.size()));
}

template <class Archive>
void SaveVote(Archive& a, const ledger::Vote& v) {
  a(static_cast<uint8_t>(v.type), v.height, v.round);
  SaveDigest(a, v.block_hash);
  a(v.timestamp_ms, v.validator_index);
  SaveBytes(a, v.signature);
}
template <class Archive>
void LoadVote(Archive& a, ledger::Vote& v) {
  uint8_t type = 0;
  a(type, v.height, v.round);
  v.type = static_cast<ledger::VoteType>(type);
  LoadDigest(a, v.block_hash);
  a(v.timestamp_ms, v.validator_index);
  LoadBytes(a, v.signature, kSignatureBytesMax, "vote signature");
}

template <class Archive>
void SaveProposal(Archive& a, const Proposal& p) {
  a(p.height, p.round, p.pol_round);
  SaveDigest(a, p.block_hash);
  SaveBytes(a, p.block);
  a(p.timestamp_ms, p.proposer_index);
  SaveBytes(a, p.signature);
}
template <class Archive>
void LoadProposal(Archive& a, Proposal& p) {
  a(p.height, p.round, p.pol_round);
  LoadDigest(a, p.block_hash);
  LoadBytes(a, p.block, limits::kBlockBytesMax, "proposal block");
  a(p.timestamp_ms, p.proposer_index);
  LoadBytes(a, p.signature, kSignatureBytesMax, "proposal signature");
}

template <class Archive>
void SaveDecided(Archive& a, const DecidedBlock& d) {
  SaveBytes(a, d.block);
  a(d.commit.height, d.commit.round);
  SaveDigest(a, d.commit.block_hash);
  a(cereal::make_size_tag(static_cast<cereal::size_type>(d.commit.signatures.size())));
  for (const ledger::CommitSignature& s : d.commit.signatures) {
    a(s.validator_index, s.timestamp_ms);
    SaveBytes(a, s.signature);
  }
}
template <class Archive>
void LoadDecided(Archive& a, DecidedBlock& d) {
  LoadBytes(a, d.block, limits::kBlockBytesMax, "decided block");
  a(d.commit.height, d.commit.round);
  LoadDigest(a, d.commit.block_hash);
  cereal::size_type count = 0;
  a(cereal::make_size_tag(count));
  if (count > kCommitSignaturesMax) throw DecodeError("commit has too many signatures");
  d.commit.signatures.resize(count);
  for (ledger::CommitSignature& s : d.commit.signatures) {
    a(s.validator_index, s.timestamp_ms);
    LoadBytes(a, s.signature, kSignatureBytesMax, "commit signature");
  }
}

template <class Archive>
void SaveState(Archive& a, const PersistedState& s) {
  a(s.height, s.round, s.step, s.locked_round);
  SaveDigest(a, s.locked_hash);
  SaveBytes(a, s.locked_block);
  a(s.valid_round);
  SaveDigest(a, s.valid_hash);
  SaveBytes(a, s.valid_block);
  a(cereal::make_size_tag(static_cast<cereal::size_type>(s.own_votes.size())));
  for (const ledger::Vote& v : s.own_votes) SaveVote(a, v);
  a(cereal::make_size_tag(static_cast<cereal::size_type>(s.polka_votes.size())));
  for (const ledger::Vote& v : s.polka_votes) SaveVote(a, v);
  a(static_cast<uint8_t>(s.valid_proposal.has_value()));
  if (s.valid_proposal) SaveProposal(a, *s.valid_proposal);
}
template <class Archive>
void LoadState(Archive& a, PersistedState& s) {
  a(s.height, s.round, s.step, s.locked_round);
  LoadDigest(a, s.locked_hash);
  LoadBytes(a, s.locked_block, limits::kBlockBytesMax, "locked block");
  a(s.valid_round);
  LoadDigest(a, s.valid_hash);
  LoadBytes(a, s.valid_block, limits::kBlockBytesMax, "valid block");
  cereal::size_type count = 0;
  a(cereal::make_size_tag(count));
  if (count > kOwnVotesMax) throw DecodeError("too many own votes");
  s.own_votes.resize(count);
  for (ledger::Vote& v : s.own_votes) LoadVote(a, v);
  a(cereal::make_size_tag(count));
  if (count > kCommitSignaturesMax) throw DecodeError("too many polka votes");
  s.polka_votes.resize(count);
  for (ledger::Vote& v : s.polka_votes) LoadVote(a, v);
  uint8_t has_proposal = 0;
  a(has_proposal);
  if (has_proposal > 1) throw DecodeError("bad valid proposal flag");
  if (has_proposal == 1) {
    s.valid_proposal.emplace();
    LoadProposal(a, *s.valid_proposal);
  }
}

Bytes StreamBytes(const std::ostringstream& stream) {
  std::string s = stream.str();
  return Bytes(s.begin(), s.end());
}

// Runs `load` over `bytes` and insists on consuming all of them.
template <class Load>
Status DecodeAll(ByteView bytes, const char* what, Load&& load) {
  if (bytes.size() > limits::kFrameBytesMax) {
    return Status::InvalidArgument(std::string(what) + " exceeds the frame size limit");
  }
  std::istringstream stream(std::string(AsStringView(bytes)));
  try {
    cereal::PortableBinaryInputArchive archive(stream);
    load(archive);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("malformed ") + what + ": " + e.what());
  }
  if (stream.peek() != std::char_traits<char>::eof()) {
    return Status::InvalidArgument(std::string("trailing bytes after ") + what);
  }
  return Status::Ok();
}

Status CheckIndex(uint32_t index, size_t validator_count, const char* what) {
  if (index >= validator_count) {
    return Status::InvalidArgument(std::string(what) + " " + std::to_string(index) +
                                   " is not in the validator set of " +
                                   std::to_string(validator_count));
  }
  return Status::Ok();
}

Status ValidateVote(const ledger::Vote& v, size_t validator_count) {
  if (v.type != ledger::VoteType::kPrevote && v.type != ledger::VoteType::kPrecommit) {
    return Status::InvalidArgument("vote type must be 1 (prevote) or 2 (precommit)");
  }
  if (v.height == 0) return Status::InvalidArgument("vote height must be at least 1");
  if (v.round >= kRoundMax) return Status::InvalidArgument("vote round is too large");
  if (v.signature.empty()) return Status::InvalidArgument("vote has no signature");
  return CheckIndex(v.validator_index, validator_count, "vote validator index");
}

Status ValidateProposal(const Proposal& p, size_t validator_count) {
  if (p.height == 0) return Status::InvalidArgument("proposal height must be at least 1");
  if (p.round >= kRoundMax) return Status::InvalidArgument("proposal round is too large");
  if (p.pol_round < -1 || p.pol_round >= static_cast<int64_t>(p.round)) {
    return Status::InvalidArgument("proposal pol_round must be -1 or below its round");
  }
  if (p.block.empty()) return Status::InvalidArgument("proposal carries no block");
  if (p.signature.empty()) return Status::InvalidArgument("proposal has no signature");
  return CheckIndex(p.proposer_index, validator_count, "proposer index");
}

Status ValidateDecided(const DecidedBlock& d, size_t validator_count) {
  if (d.commit.height == 0) return Status::InvalidArgument("commit height must be at least 1");
  if (d.block.empty()) return Status::InvalidArgument("decided block is empty");
  if (d.commit.signatures.empty() || d.commit.signatures.size() > validator_count) {
    return Status::InvalidArgument("commit must carry 1 to validator-count signatures");
  }
  for (size_t i = 0; i < d.commit.signatures.size(); ++i) {
    const ledger::CommitSignature& s = d.commit.signatures[i];
    EVIDENCE_RETURN_IF_ERROR(CheckIndex(s.validator_index, validator_count, "commit signer"));
    if (i > 0 && s.validator_index <= d.commit.signatures[i - 1].validator_index) {
      return Status::InvalidArgument("commit signatures must be sorted by validator, no repeats");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kPropose: return "propose";
    case Step::kPrevote: return "prevote";
    case Step::kPrecommit: return "precommit";
  }
  return "unknown";
}

std::string_view TimeoutKindName(TimeoutKind kind) {
  switch (kind) {
    case TimeoutKind::kPropose: return "propose";
    case TimeoutKind::kPrevote: return "prevote";
    case TimeoutKind::kPrecommit: return "precommit";
    case TimeoutKind::kRetransmit: return "retransmit";
  }
  return "unknown";
}

Bytes ProposalSigningBytes(std::string_view chain_id, const Proposal& proposal) {
  EVIDENCE_CHECK(chain_id.size() <= limits::kChainIdBytesMax);
  Bytes out(kProposalDomain.begin(), kProposalDomain.end());
  out.push_back(static_cast<uint8_t>(chain_id.size()));
  out.insert(out.end(), chain_id.begin(), chain_id.end());
  PutBigEndian(out, proposal.height, 8);
  PutBigEndian(out, proposal.round, 4);
  PutBigEndian(out, static_cast<uint32_t>(proposal.pol_round), 4);
  out.insert(out.end(), proposal.block_hash.begin(), proposal.block_hash.end());
  PutBigEndian(out, static_cast<uint64_t>(proposal.timestamp_ms), 8);
  return out;
}

uint64_t MessageHeight(const Message& message) {
  struct Visitor {
    uint64_t operator()(const Proposal& p) const { return p.height; }
    uint64_t operator()(const ledger::Vote& v) const { return v.height; }
    uint64_t operator()(const DecidedBlock& d) const { return d.commit.height; }
    uint64_t operator()(const BlockRequest& r) const { return r.height; }
  };
  return std::visit(Visitor{}, message);
}

Status ValidateMessage(const Message& message, size_t validator_count) {
  struct Visitor {
    size_t count;
    Status operator()(const Proposal& p) const { return ValidateProposal(p, count); }
    Status operator()(const ledger::Vote& v) const { return ValidateVote(v, count); }
    Status operator()(const DecidedBlock& d) const { return ValidateDecided(d, count); }
    Status operator()(const BlockRequest& r) const {
      if (r.height == 0) return Status::InvalidArgument("block request height must be at least 1");
      return Status::Ok();
    }
  };
  return std::visit(Visitor{validator_count}, message);
}

Bytes EncodeMessage(const Message& message) {
  std::ostringstream stream;
  {
    cereal::PortableBinaryOutputArchive archive(stream);
    if (const auto* p = std::get_if<Proposal>(&message)) {
      archive(kTagProposal);
      SaveProposal(archive, *p);
    } else if (const auto* v = std::get_if<ledger::Vote>(&message)) {
      archive(kTagVote);
      SaveVote(archive, *v);
    } else if (const auto* d = std::get_if<DecidedBlock>(&message)) {
      archive(kTagDecidedBlock);
      SaveDecided(archive, *d);
    } else {
      archive(kTagBlockRequest, std::get<BlockRequest>(message).height);
    }
  }
  return StreamBytes(stream);
}

Result<Message> DecodeMessage(ByteView bytes) {
  Message message;
  Status status = DecodeAll(bytes, "consensus message", [&](auto& archive) {
    uint8_t tag = 0;
    archive(tag);
    if (tag == kTagProposal) {
      Proposal p;
      LoadProposal(archive, p);
      message = std::move(p);
    } else if (tag == kTagVote) {
      ledger::Vote v;
      LoadVote(archive, v);
      message = std::move(v);
    } else if (tag == kTagDecidedBlock) {
      DecidedBlock d;
      LoadDecided(archive, d);
      message = std::move(d);
    } else if (tag == kTagBlockRequest) {
      BlockRequest r;
      archive(r.height);
      message = r;
    } else {
      throw DecodeError("unknown message tag " + std::to_string(tag));
    }
  });
  if (!status.ok()) return status;
  return message;
}

Bytes EncodePersistedState(const PersistedState& state) {
  EVIDENCE_CHECK(state.own_votes.size() <= kOwnVotesMax);
  std::ostringstream stream;
  {
    cereal::PortableBinaryOutputArchive archive(stream);
    SaveState(archive, state);
  }
  return StreamBytes(stream);
}

Result<PersistedState> DecodePersistedState(ByteView bytes) {
  PersistedState state;
  Status status = DecodeAll(bytes, "persisted consensus state",
                            [&](auto& archive) { LoadState(archive, state); });
  if (!status.ok()) return status;
  if (state.step > static_cast<uint8_t>(Step::kPrecommit)) {
    return Status::Corruption("persisted consensus state has an unknown step");
  }
  // Rounds the core could never have reached (it refuses messages at kRoundMax
  // and above): restoring one would walk the proposer schedule that far.
  auto round_ok = [](int64_t round) { return round >= -1 && round < int64_t{kRoundMax}; };
  if (state.round >= kRoundMax || !round_ok(state.locked_round) || !round_ok(state.valid_round)) {
    return Status::Corruption("persisted consensus state has a round out of range");
  }
  return state;
}

}  // namespace evidence::consensus
