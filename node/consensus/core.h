// ConsensusCore: Tendermint BFT consensus (Buchman, Kwon, Milosevic, "The latest
// gossip on BFT consensus", 2018, Algorithm 1) as a pure deterministic state
// machine. Inputs are messages, timer expiries, "block ready" and "records
// pending", each with the caller's clock (now_ms); outputs are effects appended
// to an outbox (interfaces.h). No I/O, threads, clocks or randomness here: the
// same inputs always give the same effects. docs/consensus.md is the prose spec.
//
// Safety guard (CometBFT's CheckHRS): the core never signs for a (height, round,
// step) below the last one it signed, and at the same (height, round, step) it
// only re-sends the identical vote. The last signed state, the lock and the own
// votes of the height are emitted as a Persist effect before the messages they
// cover, and come back through Restore() after a crash; a restored state of a
// height above the store's is kept until the core has synced up to it, and the
// votes in it are re-sent there.
//
// Idle: a round's propose timer only runs while the round has work: the
// application reported waiting records in this round (OnRecordsPending,
// OnBlockReady), there is a lock or valid value to decide, or a peer is active
// at this round or a later one. A round that ends without a decision forgets
// the records signal (the application repeats it while records wait), so an
// idle network signs nothing, makes no empty blocks, and a stray wake costs at
// most one round of nil votes (docs/consensus.md).
//
// Memory (issue 17, finding 1): nothing a peer sends is kept before its
// signature (and, for a proposal, its proposer and block hash) is checked, and
// what is kept is bounded per signer: for the next height at most
// kNextHeightVotesPerValidatorMax votes and one proposal; at the current height
// at most kProposerBlockBudgets blocks of block_bytes_max brought by each
// proposer, and votes only for rounds up to future_rounds_window ahead. So one
// Byzantine validator can make the core hold a few of its own blocks, never
// more: RetainedBytes() <= RetainedBytesBound() at every step (the simulator
// checks it). A message for an earlier height is answered (PeerBehind) only to
// the peer that sent it (never to the validator it names), at most once per
// fetch interval per peer, and only when signed.
//
// Validator sets (docs/governance.md §3): height H is decided by the set
// ValidatorSets gives for H: its votes are counted, its proposals checked and
// its proposer chosen (the rotation restarting at the set's `since`) with that
// set, and messages of H + 1 are checked against the set of H + 1 before they
// are kept. The core votes at a height as the member whose vote key its signer
// holds; a height whose set has none is followed as an observer. Every budget
// kept per validator is keyed by the index in the set of the height it is
// spent at and starts again at each height: a validator removed keeps nothing,
// a validator added starts with its full share.
//
// Thread-safety: not thread-safe; one strand owns a core.
// Invariants: height never decreases; round never decreases within a height;
// at most one decision per height; the outbox order is the order effects must run.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "ledger/vote.h"
#include "node/consensus/deviations.h"
#include "node/consensus/interfaces.h"
#include "node/consensus/proposer.h"
#include "node/consensus/types.h"
#include "node/consensus/vote_set.h"

namespace evidence::consensus {

struct CoreConfig {
  std::string chain_id;
  // Round r waits base + r * delta (Algorithm 1's timeouts that grow with the round).
  int64_t timeout_propose_ms = 3000;
  int64_t timeout_propose_delta_ms = 500;
  int64_t timeout_vote_ms = 1000;  // prevote and precommit
  int64_t timeout_vote_delta_ms = 500;
  int64_t retransmit_interval_ms = 2000;
  int64_t fetch_interval_ms = 1000;  // at most one FetchBlock / PeerBehind per peer per interval
  uint32_t future_rounds_window = 32;  // rounds above the current one whose messages are kept
  // The largest block a proposal may carry (the protocol's limit; the simulator
  // uses a small one). The core's memory bound is counted in these.
  size_t block_bytes_max = limits::kBlockBytesMax;
};

// What one validator's messages may make the core keep (limits.h).
inline constexpr size_t kNextHeightVotesPerValidatorMax =
    limits::kConsensusNextHeightVotesPerValidatorMax;
inline constexpr size_t kNextHeightProposalsPerValidatorMax =
    limits::kConsensusNextHeightProposalsPerValidatorMax;
// Blocks of block_bytes_max each proposer may bring into one height.
inline constexpr size_t kProposerBlockBudgets = limits::kConsensusProposerBlocksPerHeightMax;

class ConsensusCore {
 public:
  // `signer` is null for a node that never votes (an observer). The
  // referenced objects must outlive the core. `deviations` is the test-only
  // seam (deviations.h); a node passes none.
  ConsensusCore(CoreConfig config, const ValidatorSets& validator_sets, Signer* signer,
                const SignatureVerifier& verifier, BlockValidator& blocks,
                const Deviations* deviations = nullptr);

  // Before Start: the state of the last Persist effect that reached the disk.
  void Restore(const PersistedState& state);
  // `height` is the first undecided height (last committed + 1);
  // `previous_time_ms` the BFT time of the last commit (genesis time at height 1).
  void Start(uint64_t height, int64_t previous_time_ms, int64_t now_ms);

  // Messages checked by ValidateMessage(); BlockRequest is the application's.
  // `from`: the peer that delivered it (a validator index), when known: a
  // message for a decided height is answered to it, never to the validator
  // the message names (who may not have asked).
  void OnMessage(const Message& message, int64_t now_ms,
                 std::optional<uint32_t> from = std::nullopt);
  void OnTimeout(uint64_t height, uint32_t round, TimeoutKind kind, int64_t now_ms);
  // The application's answer to RequestBlock (ignored for another height).
  void OnBlockReady(uint64_t height, Bytes block, int64_t now_ms);
  // The application has records waiting for a block. Valid for the current
  // round: at every new round the application says it again while records wait.
  void OnRecordsPending(int64_t now_ms);

  std::vector<Effect> TakeEffects();

  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  Step step() const { return step_; }
  int32_t locked_round() const { return locked_round_; }
  const crypto::Digest& locked_hash() const { return locked_hash_; }
  int32_t valid_round() const { return valid_round_; }
  uint64_t rounds_started() const { return rounds_started_; }
  // The proposer of (height, round) under the set of `height`.
  uint32_t ProposerAt(uint64_t height, uint32_t round);
  // Steps the current height's proposer schedule has walked (tests check the
  // work stays bounded).
  uint64_t proposer_schedule_steps() const;
  // The set of the current height, and our index in it (empty: not a member).
  const ledger::ValidatorSet& validators() const;
  std::optional<uint32_t> own_index() const { return current_.own_index; }
  PersistedState CurrentPersistedState() const;

  // Bytes of blocks, votes and proposals the core holds now, and the most it
  // may hold at its current round (the memory bound above).
  size_t RetainedBytes() const;
  size_t RetainedBytesBound() const;

 private:
  // The validators of one height and what the core derives from them.
  struct HeightSet {
    std::shared_ptr<const ledger::ValidatorSet> set;
    uint64_t since = 0;
    std::unique_ptr<ProposerSchedule> proposers;
    std::optional<uint32_t> own_index;  // the member whose vote key the signer holds
  };
  struct BlockInfo {
    Bytes block;
    bool valid = false;
  };
  struct RoundState {
    explicit RoundState(const ledger::ValidatorSet& validators)
        : prevotes(validators), precommits(validators) {}
    VoteSet prevotes;
    VoteSet precommits;
    std::vector<Proposal> proposals;  // from the round's proposer, block bytes in blocks_
    bool prevote_timeout_scheduled = false;
    bool precommit_timeout_scheduled = false;
    bool polka_handled = false;
  };
  enum class Guard { kSign, kResend, kRefuse };

  // Inputs.
  void HandleProposal(const Proposal& proposal);
  void HandleVote(const ledger::Vote& vote);
  void HandleDecided(const DecidedBlock& decided);
  // For a message not of the current height: keeps it (next height), asks for
  // the block we lack (ahead) or answers the peer that is behind. False when
  // the message is of the current height and must be handled.
  bool HandleOtherHeight(const Message& message);
  void KeepForNextHeight(const Message& message);
  void AnswerPeerBehind(const Message& message);
  bool VerifySignature(const ledger::ValidatorSet& validators, const Message& message) const;
  // The set of `height` (through the deviation seam); null set when unknown.
  HeightValidators LookUpSet(uint64_t height) const;
  HeightSet MakeHeightSet(HeightValidators validators) const;
  // The set of height_ + 1, looked up at its first use in a height (the
  // application has committed height_ - 1 by then) and the next-height budgets
  // sized for it.
  const HeightSet& NextSet();
  uint32_t ProposerIn(HeightSet& set, uint64_t height, uint32_t round);
  bool ProposalBlockFits(const Proposal& proposal) const;
  bool ChargeProposer(uint32_t proposer, size_t bytes);
  void NoteRound(uint32_t validator_index, uint32_t round);
  void Wake();
  bool RoundHasWork(uint32_t round) const;
  void RestoreBlock(int32_t round, const crypto::Digest& hash, const Bytes& block);
  uint32_t RestoreHeight(const PersistedState& state);

  // Algorithm 1's upon-rules; each returns true when it changed the state.
  void Evaluate();
  bool TryDecide();
  bool TryRoundSkip();
  bool TryProposalRules();
  bool TryPolka();
  bool TryPrevoteNil();
  bool TryLaterValidValue();
  void ScheduleVoteTimeouts();

  void EnterHeight(uint64_t height);
  void StartHeight(uint64_t height);
  void EnterSet(uint64_t height);
  // Called at every input: the height it started at (see TryDecide).
  void BeginInput(int64_t now_ms);
  void StartRound(uint32_t round);
  void Propose();
  void Decide(uint32_t round, const crypto::Digest& block_hash);
  void FinishHeight(const Bytes& block, const ledger::Commit& commit);
  void Prevote(const crypto::Digest& block_hash);
  void Precommit(const crypto::Digest& block_hash);
  void SignAndSendVote(ledger::VoteType type, const crypto::Digest& block_hash);
  void SignAndSendProposal(const Bytes& block, const crypto::Digest& hash, int32_t pol_round);
  Guard CheckHrs(uint32_t round, Step step, const crypto::Digest& block_hash) const;
  void EnsureRetransmit();
  void Retransmit();
  void RequestFetch(const crypto::Digest& block_hash);
  std::optional<Proposal> ValidProposal() const;
  void Emit(Effect effect) { effects_.push_back(std::move(effect)); }
  void EmitTimeout(TimeoutKind kind, int64_t duration_ms);

  bool IsQuorum(Tally tally) const { return quorum_.IsQuorum(*current_.set, tally); }
  bool IsOneThirdPlus(Tally tally) const { return quorum_.IsOneThirdPlus(*current_.set, tally); }
  RoundState& Round(uint32_t round);
  const RoundState* FindRound(uint32_t round) const;
  int64_t VoteTimestamp() const;

  CoreConfig config_;
  const ValidatorSets& validator_sets_;
  Signer* signer_;
  const SignatureVerifier& verifier_;
  BlockValidator& blocks_;
  const Deviations deviations_;
  const PowerQuorum power_quorum_{};
  const QuorumRule& quorum_;  // power_quorum_ unless a test deviates

  HeightSet current_;               // the set of height_ (from Start on)
  std::optional<HeightSet> next_;   // the set of height_ + 1, once looked up

  bool started_ = false;
  int64_t now_ms_ = 0;
  int64_t previous_time_ms_ = 0;
  uint64_t height_ = 0;
  uint64_t input_height_ = 0;  // height_ when the input being handled arrived
  uint32_t round_ = 0;
  Step step_ = Step::kPropose;
  uint64_t rounds_started_ = 0;

  int32_t locked_round_ = -1;
  crypto::Digest locked_hash_{};
  int32_t valid_round_ = -1;
  crypto::Digest valid_hash_{};

  std::map<uint32_t, RoundState> rounds_;
  std::map<crypto::Digest, BlockInfo> block_store_;  // blocks seen at this height
  // Per validator of the current set (index in it), at this height.
  std::vector<uint32_t> max_round_seen_;
  std::vector<bool> peer_seen_;  // a valid message at this height
  std::vector<size_t> proposer_block_bytes_;
  bool round_skip_dirty_ = false;
  std::deque<Message> next_height_messages_;  // signature-checked, bounded per signer
  // Per validator of the next height's set (sized when it is looked up).
  std::vector<uint32_t> next_height_votes_;
  std::vector<uint32_t> next_height_proposals_;
  std::optional<uint32_t> from_;                 // the peer of the message being handled

  bool work_pending_ = false;     // the current round runs its timers (RoundHasWork)
  bool records_pending_ = false;  // the application said records wait, in this round
  std::optional<Bytes> ready_block_;  // the application's block for this height
  bool block_requested_ = false;
  bool retransmit_scheduled_ = false;
  int64_t last_fetch_ms_ = 0;
  bool fetched_once_ = false;
  std::map<uint32_t, int64_t> peer_behind_ms_;  // by peer: the last PeerBehind answer

  // Signer state (persisted).
  uint64_t signed_height_ = 0;
  uint32_t signed_round_ = 0;
  uint8_t signed_step_ = 0;
  std::vector<ledger::Vote> own_votes_;  // of height_
  std::optional<Proposal> own_proposal_;  // of (height_, round_)
  std::optional<PersistedState> restored_;  // until the core reaches its height

  std::vector<Effect> effects_;
};

}  // namespace evidence::consensus
