// Consensus wire and state types: the proposal, the catch-up messages, the
// persisted signer state, and their canonical/cereal encodings.
//
// Canonical signing bytes of a proposal (big-endian, no padding):
//   "EVIDENCE-PROPOSAL/v1\n"            21 bytes ASCII
//   u8   length of chain_id, then chain_id
//   u64  height
//   u32  round
//   i32  pol_round (-1: no proof-of-lock round)
//   32   block hash (the block bytes are bound through it)
//   i64  timestamp, unix milliseconds
// Votes use ledger::VoteSigningBytes (ledger/vote.h).
//
// Wire encoding (EncodeMessage/DecodeMessage): cereal portable binary of a tag
// (u8: 1 proposal, 2 vote, 3 decided block, 4 block request) and the message's
// fields in declaration order; every length is checked against its limit before
// anything is allocated. ValidateMessage() is the one check
// the p2p layer runs on untrusted input before the consensus core sees it; the
// core then checks signatures, proposers and blocks itself.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/vote.h"

namespace evidence::consensus {

// The order of steps inside a round; also the order the signer guard uses.
enum class Step : uint8_t { kPropose = 1, kPrevote = 2, kPrecommit = 3 };
std::string_view StepName(Step step);

// Timers the core asks for. kRetransmit re-sends the validator's own messages of
// the current height (lost messages are otherwise never repaired).
enum class TimeoutKind : uint8_t { kPropose = 1, kPrevote = 2, kPrecommit = 3, kRetransmit = 4 };
std::string_view TimeoutKindName(TimeoutKind kind);

inline constexpr uint32_t kRoundMax = 1u << 30;       // rounds beyond this are refused
inline constexpr size_t kSignatureBytesMax = 512;      // DER P-256/SM2 and Ed25519 fit easily
inline constexpr size_t kCommitSignaturesMax = 1000;   // = the validator set limit
inline constexpr size_t kOwnVotesMax = 64;             // own votes kept per height (32 rounds)

struct Proposal {
  uint64_t height = 0;
  uint32_t round = 0;
  int32_t pol_round = -1;  // round of the polka that justifies re-proposing, or -1
  crypto::Digest block_hash{};
  Bytes block;  // opaque to the core: the BlockValidator hashes and checks it
  int64_t timestamp_ms = 0;
  uint32_t proposer_index = 0;
  Bytes signature;

  bool operator==(const Proposal&) const = default;
};

Bytes ProposalSigningBytes(std::string_view chain_id, const Proposal& proposal);

// Catch-up: a block that a peer committed, with its commit (the precommits).
struct DecidedBlock {
  Bytes block;
  ledger::Commit commit;

  bool operator==(const DecidedBlock&) const = default;
};

// Catch-up: "send me the decided block at this height if you have it".
struct BlockRequest {
  uint64_t height = 0;

  bool operator==(const BlockRequest&) const = default;
};

using Message = std::variant<Proposal, ledger::Vote, DecidedBlock, BlockRequest>;

// The height and round a message is about (0 round for catch-up messages).
uint64_t MessageHeight(const Message& message);

// Structural checks against the validator set (indexes, sizes, enums, rounds);
// signatures are checked by the core. Errors name the field.
Status ValidateMessage(const Message& message, size_t validator_count);

Bytes EncodeMessage(const Message& message);
Result<Message> DecodeMessage(ByteView bytes);

// What the signer must remember across a crash so it never signs a vote that
// conflicts with one it already sent (CometBFT's last-signed state plus the lock).
// The node writes it to the WAL and fsyncs BEFORE sending what it signed.
struct PersistedState {
  // Last signed (height, round, step); step 0 = nothing signed yet.
  uint64_t height = 0;
  uint32_t round = 0;
  uint8_t step = 0;
  // Lock and valid value of `height` (-1: none), with their blocks so that a
  // restarted proposer can still re-propose them. Each block is written once:
  // valid_proposal carries the valid value's block when it is known, and
  // locked_block / valid_block are empty when another field carries that block.
  int32_t locked_round = -1;
  crypto::Digest locked_hash{};
  Bytes locked_block;
  int32_t valid_round = -1;
  crypto::Digest valid_hash{};
  Bytes valid_block;
  // Own signed votes of `height` (the most recent rounds only), to re-send.
  std::vector<ledger::Vote> own_votes;
  // The prevotes (anyone's) for valid_hash at valid_round: the proof-of-lock
  // that lets peers accept our re-proposal, which may hold the only copy of a
  // Byzantine validator's vote.
  std::vector<ledger::Vote> polka_votes;
  // The proposer-signed proposal (with its block) of the valid value, relayed so
  // that peers who lost the block can adopt the valid value too.
  std::optional<Proposal> valid_proposal;

  bool operator==(const PersistedState&) const = default;
};

Bytes EncodePersistedState(const PersistedState& state);
Result<PersistedState> DecodePersistedState(ByteView bytes);

}  // namespace evidence::consensus
