#include "node/consensus/core.h"

#include <algorithm>
#include <array>

#include "common/check.h"

namespace evidence::consensus {
namespace {

constexpr crypto::Digest kNil{};
constexpr size_t kProposalsPerRoundMax = 4;  // an equivocating proposer gets a few slots
constexpr uint32_t kRetransmitRoundsMax = 16;

Step StepOf(ledger::VoteType type) {
  return type == ledger::VoteType::kPrevote ? Step::kPrevote : Step::kPrecommit;
}

}  // namespace

ConsensusCore::ConsensusCore(CoreConfig config, const ValidatorSets& validator_sets,
                             Signer* signer, const SignatureVerifier& verifier,
                             BlockValidator& blocks, const Deviations* deviations)
    : config_(std::move(config)),
      validator_sets_(validator_sets),
      signer_(signer),
      verifier_(verifier),
      blocks_(blocks),
      deviations_(deviations != nullptr ? *deviations : Deviations{}),
      quorum_(deviations_.quorum != nullptr ? *deviations_.quorum : power_quorum_) {
  EVIDENCE_CHECK(config_.timeout_propose_ms > 0 && config_.timeout_vote_ms > 0);
  EVIDENCE_CHECK(config_.retransmit_interval_ms > 0 && config_.fetch_interval_ms > 0);
  EVIDENCE_CHECK(config_.block_bytes_max > 0 && config_.future_rounds_window < kRoundMax);
}

// ---------------------------------------------------------------- inputs

void ConsensusCore::Restore(const PersistedState& state) {
  EVIDENCE_CHECK(!started_);
  signed_height_ = state.height;
  signed_round_ = state.round;
  signed_step_ = state.step;
  restored_ = state;
}

void ConsensusCore::Start(uint64_t height, int64_t previous_time_ms, int64_t now_ms) {
  EVIDENCE_CHECK(!started_ && height >= 1);
  started_ = true;
  now_ms_ = now_ms;
  previous_time_ms_ = previous_time_ms;
  input_height_ = height;
  EnterHeight(height);
  Evaluate();
}

// Round 0 of `height`, or, when the restored signer state is of this height, the
// round last signed with the votes signed in it (re-sent at once: peers may need
// them to finish the round). A restored state of a later height waits until the
// core reaches it: a validator whose store was lost (wiped, restored from an
// old backup) syncs the heights below first, and without its own votes at the
// WAL's height it could neither re-send them nor sign again in those rounds
// (the guard), so rounds its peers needed those votes for never ended.
void ConsensusCore::EnterHeight(uint64_t height) {
  StartHeight(height);
  uint32_t start_round = 0;
  if (restored_ && restored_->height == height) start_round = RestoreHeight(*restored_);
  if (restored_ && restored_->height <= height) restored_.reset();
  StartRound(start_round);
  if (!own_votes_.empty()) Retransmit();
}

// Back into the round we last signed in, with the lock, the valid value and its
// polka; the guard keeps every re-run rule from signing anything that conflicts
// with what we sent. Entries that do not belong to this height or validator set
// (a WAL from another configuration) are skipped.
uint32_t ConsensusCore::RestoreHeight(const PersistedState& state) {
  locked_round_ = state.locked_round;
  locked_hash_ = state.locked_hash;
  valid_round_ = state.valid_round;
  valid_hash_ = state.valid_hash;
  RestoreBlock(locked_round_, locked_hash_, state.locked_block);
  RestoreBlock(valid_round_, valid_hash_, state.valid_block);
  if (const std::optional<Proposal>& proposal = state.valid_proposal;
      proposal && proposal->height == height_ && blocks_.Hash(proposal->block) == proposal->block_hash) {
    RestoreBlock(valid_round_, proposal->block_hash, proposal->block);
    Proposal stored = *proposal;
    stored.block.clear();
    Round(stored.round).proposals.push_back(std::move(stored));
  }
  auto belongs = [&](const ledger::Vote& vote) {
    return vote.height == height_ && vote.validator_index < current_.set->size() &&
           (vote.type == ledger::VoteType::kPrevote || vote.type == ledger::VoteType::kPrecommit);
  };
  for (const ledger::Vote& vote : state.polka_votes) {
    if (belongs(vote) && vote.type == ledger::VoteType::kPrevote) Round(vote.round).prevotes.Add(vote, nullptr);
  }
  for (const ledger::Vote& vote : state.own_votes) {
    if (!belongs(vote) || vote.validator_index != current_.own_index) continue;
    own_votes_.push_back(vote);
    RoundState& round = Round(vote.round);
    (vote.type == ledger::VoteType::kPrevote ? round.prevotes : round.precommits).Add(vote, nullptr);
  }
  return state.round;
}

void ConsensusCore::OnMessage(const Message& message, int64_t now_ms,
                              std::optional<uint32_t> from) {
  BeginInput(now_ms);
  from_ = from;
  if (const auto* proposal = std::get_if<Proposal>(&message)) {
    HandleProposal(*proposal);
  } else if (const auto* vote = std::get_if<ledger::Vote>(&message)) {
    HandleVote(*vote);
  } else if (const auto* decided = std::get_if<DecidedBlock>(&message)) {
    HandleDecided(*decided);
  } else {
    return;  // BlockRequest: served by the application from its store
  }
  Evaluate();
}

void ConsensusCore::OnTimeout(uint64_t height, uint32_t round, TimeoutKind kind,
                              int64_t now_ms) {
  BeginInput(now_ms);
  if (height != height_) return;
  if (kind == TimeoutKind::kRetransmit) {
    retransmit_scheduled_ = false;
    Retransmit();
  } else if (round == round_) {
    if (kind == TimeoutKind::kPropose && step_ == Step::kPropose) {
      Prevote(kNil);
    } else if (kind == TimeoutKind::kPrevote && step_ == Step::kPrevote) {
      Precommit(kNil);
    } else if (kind == TimeoutKind::kPrecommit) {
      StartRound(round_ + 1);
    }
  }
  Evaluate();
}

void ConsensusCore::OnBlockReady(uint64_t height, Bytes block, int64_t now_ms) {
  BeginInput(now_ms);
  if (height != height_ || block.empty()) return;
  ready_block_ = std::move(block);
  Wake();
  if (step_ == Step::kPropose && current_.own_index &&
      ProposerIn(current_, height_, round_) == *current_.own_index && !own_proposal_) {
    Propose();
  }
  Evaluate();
}

void ConsensusCore::OnRecordsPending(int64_t now_ms) {
  BeginInput(now_ms);
  records_pending_ = true;
  Wake();
  Evaluate();
}

void ConsensusCore::BeginInput(int64_t now_ms) {
  EVIDENCE_CHECK(started_);
  now_ms_ = std::max(now_ms_, now_ms);
  input_height_ = height_;
}

std::vector<Effect> ConsensusCore::TakeEffects() {
  std::vector<Effect> out;
  out.swap(effects_);
  return out;
}

void ConsensusCore::Wake() {
  if (work_pending_) return;
  work_pending_ = true;
  if (step_ == Step::kPropose) {
    EmitTimeout(TimeoutKind::kPropose,
                config_.timeout_propose_ms + round_ * config_.timeout_propose_delta_ms);
  }
  // Retransmits stopped while the round was idle.
  if (!own_votes_.empty() || own_proposal_) EnsureRetransmit();
}

// Whether round `round` has work: records wait (the application said so in
// this round), a block to propose, a lock or valid value to decide, or a peer
// already at this round or beyond. A round without any of these is idle: no
// timer runs and nothing is signed until something arrives.
bool ConsensusCore::RoundHasWork(uint32_t round) const {
  if (records_pending_ || ready_block_ || locked_round_ >= 0 || valid_round_ >= 0) return true;
  for (uint32_t i = 0; i < max_round_seen_.size(); ++i) {
    if (i != current_.own_index && peer_seen_[i] && max_round_seen_[i] >= round) return true;
  }
  return false;
}

bool ConsensusCore::VerifySignature(const ledger::ValidatorSet& validators,
                                    const Message& message) const {
  if (const auto* proposal = std::get_if<Proposal>(&message)) {
    return proposal->proposer_index < validators.size() &&
           verifier_.Verify(validators, proposal->proposer_index,
                            ProposalSigningBytes(config_.chain_id, *proposal),
                            proposal->signature);
  }
  const auto& vote = std::get<ledger::Vote>(message);
  return vote.validator_index < validators.size() &&
         verifier_.Verify(validators, vote.validator_index,
                          ledger::VoteSigningBytes(config_.chain_id, vote), vote.signature);
}

// ---------------------------------------------------------------- validator sets

HeightValidators ConsensusCore::LookUpSet(uint64_t height) const {
  if (!deviations_.validator_sets_one_height_early) return validator_sets_.ForHeight(height);
  // The planted bug: the set of the next height, as if it had started one
  // height earlier.
  HeightValidators early = validator_sets_.ForHeight(height + 1);
  if (early.since > 1) early.since -= 1;
  return early;
}

ConsensusCore::HeightSet ConsensusCore::MakeHeightSet(HeightValidators validators) const {
  EVIDENCE_CHECK_MSG(validators.set != nullptr && validators.set->size() > 0 &&
                         validators.since >= 1,
                     "no validator set for a height the core decides");
  HeightSet out;
  std::vector<uint64_t> powers;
  for (size_t i = 0; i < validators.set->size(); ++i) {
    const ledger::Validator& validator = validators.set->at(i);
    powers.push_back(validator.power);
    if (!out.own_index && signer_ != nullptr && signer_->Holds(validator.vote_key)) {
      out.own_index = static_cast<uint32_t>(i);
    }
  }
  out.proposers = std::make_unique<ProposerSchedule>(std::move(powers));
  out.set = std::move(validators.set);
  out.since = validators.since;
  return out;
}

const ConsensusCore::HeightSet& ConsensusCore::NextSet() {
  if (!next_) {
    HeightValidators next = LookUpSet(height_ + 1);
    EVIDENCE_CHECK(next.set != nullptr);
    if (next.since == current_.since) {
      // The same set: share it (and later the schedule's memo).
      EVIDENCE_CHECK(next.set->size() == current_.set->size() &&
                     next.set->total_power() == current_.set->total_power());
      next_ = HeightSet{current_.set, current_.since, nullptr, current_.own_index};
    } else {
      EVIDENCE_CHECK_MSG(next.since == height_ + 1, "a validator set must start where it changes");
      next_ = MakeHeightSet(std::move(next));
    }
    next_height_votes_.assign(next_->set->size(), 0);
    next_height_proposals_.assign(next_->set->size(), 0);
  }
  return *next_;
}

// Step k of a set's rotation is (height - since) + round (proposer.h counts
// heights from 1). A set shared with the current height uses the current
// height's schedule, asked as (height_, round + 1): the same step, without
// moving its memo to the next height.
uint32_t ConsensusCore::ProposerIn(HeightSet& set, uint64_t height, uint32_t round) {
  EVIDENCE_CHECK(height >= set.since);
  if (set.proposers == nullptr) {
    EVIDENCE_CHECK(height == height_ + 1 && set.since == current_.since);
    return ProposerIn(current_, height_, round + 1);
  }
  return set.proposers->ProposerAt(height - set.since + 1, round);
}

uint32_t ConsensusCore::ProposerAt(uint64_t height, uint32_t round) {
  if (started_ && height == height_) return ProposerIn(current_, height, round);
  if (started_ && height == height_ + 1) {
    NextSet();
    return ProposerIn(*next_, height, round);
  }
  HeightSet other = MakeHeightSet(LookUpSet(height));
  return ProposerIn(other, height, round);
}

uint64_t ConsensusCore::proposer_schedule_steps() const {
  return current_.proposers == nullptr ? 0 : current_.proposers->steps_done();
}

const ledger::ValidatorSet& ConsensusCore::validators() const {
  EVIDENCE_CHECK(current_.set != nullptr);
  return *current_.set;
}

bool ConsensusCore::ProposalBlockFits(const Proposal& proposal) const {
  return !proposal.block.empty() && proposal.block.size() <= config_.block_bytes_max;
}

// A proposer's share of this height's block store: a proposer that equivocates
// or proposes a new block every round it leads runs out, others keep theirs.
bool ConsensusCore::ChargeProposer(uint32_t proposer, size_t bytes) {
  EVIDENCE_CHECK(proposer < proposer_block_bytes_.size());
  if (proposer_block_bytes_[proposer] + bytes > kProposerBlockBudgets * config_.block_bytes_max) {
    return false;
  }
  proposer_block_bytes_[proposer] += bytes;
  return true;
}

bool ConsensusCore::HandleOtherHeight(const Message& message) {
  const uint64_t height = MessageHeight(message);
  if (height == height_) return false;
  if (height == height_ + 1) {
    KeepForNextHeight(message);
  } else if (height > height_) {
    // We are behind: ask for our height's block (rate-limited), if the message
    // is a validator's at all.
    if ((!fetched_once_ || now_ms_ - last_fetch_ms_ >= config_.fetch_interval_ms) &&
        VerifySignature(*NextSet().set, message)) {
      // (Signed by a validator of the newest set we know.)
      RequestFetch(kNil);
    }
  } else {
    AnswerPeerBehind(message);
  }
  return true;
}

// Kept for the next height only once checked: the signature, and for a
// proposal its proposer, round and block; at most a few per signer.
void ConsensusCore::KeepForNextHeight(const Message& message) {
  NextSet();
  const ledger::ValidatorSet& next = *next_->set;
  if (const auto* proposal = std::get_if<Proposal>(&message)) {
    const uint32_t proposer = proposal->proposer_index;
    if (proposer >= next.size() || proposal->round > config_.future_rounds_window ||
        next_height_proposals_[proposer] >= kNextHeightProposalsPerValidatorMax ||
        !ProposalBlockFits(*proposal) ||
        ProposerIn(*next_, height_ + 1, proposal->round) != proposer ||
        !VerifySignature(next, message) || blocks_.Hash(proposal->block) != proposal->block_hash) {
      return;
    }
    ++next_height_proposals_[proposer];
  } else {
    const auto& vote = std::get<ledger::Vote>(message);
    const uint32_t signer = vote.validator_index;
    if (signer >= next.size() ||
        next_height_votes_[signer] >= kNextHeightVotesPerValidatorMax ||
        vote.round > config_.future_rounds_window || !VerifySignature(next, message)) {
      return;
    }
    ++next_height_votes_[signer];
  }
  next_height_messages_.push_back(message);
  RequestFetch(kNil);
}

// The sender works at a height we decided: send it that block (the driver
// serves it within the sender's sync budget). To the peer that sent the
// message, never to the validator it names: an old vote replayed by someone
// else must not make us push blocks to a validator that did not ask.
void ConsensusCore::AnswerPeerBehind(const Message& message) {
  const uint32_t signer = std::holds_alternative<Proposal>(message)
                              ? std::get<Proposal>(message).proposer_index
                              : std::get<ledger::Vote>(message).validator_index;
  const uint32_t peer = from_.value_or(signer);
  // Without a peer the signer stands for it; either way at most one entry per
  // possible validator index.
  if (peer >= kCommitSignaturesMax || (!from_ && peer == current_.own_index)) return;
  auto last = peer_behind_ms_.find(peer);
  if (last != peer_behind_ms_.end() && now_ms_ - last->second < config_.fetch_interval_ms) {
    return;
  }
  // Signed by a validator of the set of its height, if we still know it.
  HeightValidators then = LookUpSet(MessageHeight(message));
  if (then.set == nullptr || !VerifySignature(*then.set, message)) return;
  peer_behind_ms_[peer] = now_ms_;
  Emit(PeerBehindEffect{peer, MessageHeight(message)});
}

void ConsensusCore::HandleProposal(const Proposal& proposal) {
  if (HandleOtherHeight(proposal)) return;
  // The window first: the proposer schedule walks every round up to the one
  // asked for, so a far-future round (up to kRoundMax) would cost a billion steps.
  if (proposal.round > round_ + config_.future_rounds_window) return;
  if (ProposerIn(current_, height_, proposal.round) != proposal.proposer_index) return;
  if (!ProposalBlockFits(proposal)) return;
  if (const RoundState* known_round = FindRound(proposal.round)) {
    for (const Proposal& known : known_round->proposals) {
      if (known.block_hash == proposal.block_hash && known.pol_round == proposal.pol_round) return;
    }
    if (known_round->proposals.size() >= kProposalsPerRoundMax) return;
  }
  const bool new_block = !block_store_.contains(proposal.block_hash);
  if (new_block && proposer_block_bytes_[proposal.proposer_index] + proposal.block.size() >
                       kProposerBlockBudgets * config_.block_bytes_max) {
    return;  // checked before the signature and the hash cost anything
  }
  if (!VerifySignature(*current_.set, proposal)) return;
  if (blocks_.Hash(proposal.block) != proposal.block_hash) return;
  if (new_block) {
    EVIDENCE_CHECK(ChargeProposer(proposal.proposer_index, proposal.block.size()));
    block_store_[proposal.block_hash] =
        BlockInfo{proposal.block, blocks_.IsValid(height_, proposal.block)};
  }
  Proposal stored = proposal;
  stored.block.clear();  // kept once, in block_store_
  Round(proposal.round).proposals.push_back(std::move(stored));
  NoteRound(proposal.proposer_index, proposal.round);
  if (proposal.round >= round_) Wake();
}

void ConsensusCore::HandleVote(const ledger::Vote& vote) {
  if (HandleOtherHeight(vote)) return;
  if (vote.validator_index >= current_.set->size()) return;  // not of this height's set
  const bool far_future = vote.round > round_ + config_.future_rounds_window;
  if (!far_future) {
    const RoundState* state = FindRound(vote.round);
    const VoteSet* known = state == nullptr ? nullptr
                           : vote.type == ledger::VoteType::kPrevote ? &state->prevotes
                                                                     : &state->precommits;
    if (known != nullptr && known->Contains(vote)) return;  // re-sent: already counted
  }
  if (!VerifySignature(*current_.set, vote)) return;
  NoteRound(vote.validator_index, vote.round);
  // A peer at this round or a later one: take part. Votes of earlier rounds
  // (retransmits) do not restart rounds that ended.
  if (vote.round >= round_) Wake();
  if (far_future) return;  // counted only for the round skip
  RoundState& state = Round(vote.round);  // created only for a signed vote
  VoteSet& set = vote.type == ledger::VoteType::kPrevote ? state.prevotes : state.precommits;
  const ledger::Vote* first = nullptr;
  if (set.Add(vote, &first) == VoteSet::AddResult::kConflict) {
    Emit(EvidenceEffect{*first, vote});
  }
}

// A block with its commit from a peer (catch-up): checked like a receipt
// checks it, then committed.
void ConsensusCore::HandleDecided(const DecidedBlock& decided) {
  const ledger::Commit& commit = decided.commit;
  if (commit.height != height_ || commit.round > kRoundMax) return;
  if (blocks_.Hash(decided.block) != commit.block_hash) return;
  Tally tally;
  int64_t previous_index = -1;
  for (const ledger::CommitSignature& signature : commit.signatures) {
    if (signature.validator_index >= current_.set->size() ||
        static_cast<int64_t>(signature.validator_index) <= previous_index) {
      return;  // unknown, repeated or unsorted signers
    }
    previous_index = signature.validator_index;
    ledger::Vote vote{ledger::VoteType::kPrecommit, commit.height, commit.round,
                      commit.block_hash, signature.timestamp_ms, signature.validator_index,
                      signature.signature};
    if (!verifier_.Verify(*current_.set, vote.validator_index,
                          ledger::VoteSigningBytes(config_.chain_id, vote), vote.signature)) {
      return;
    }
    tally.power += current_.set->at(vote.validator_index).power;
    tally.count += 1;
  }
  if (!IsQuorum(tally) || !blocks_.IsValid(height_, decided.block)) return;
  // The commit certifies itself; our own vote sets may disagree with it only
  // because a Byzantine validator sent us a different first vote.
  FinishHeight(decided.block, commit);
}

void ConsensusCore::NoteRound(uint32_t validator_index, uint32_t round) {
  peer_seen_[validator_index] = true;
  if (round > max_round_seen_[validator_index]) {
    max_round_seen_[validator_index] = round;
    round_skip_dirty_ = true;
  }
}

// ---------------------------------------------------------------- rules

void ConsensusCore::Evaluate() {
  // Each productive pass moves the step, round or height forward, so this ends.
  for (int pass = 0; pass < 100000; ++pass) {
    if (TryDecide() || TryRoundSkip() || TryProposalRules() || TryPolka() || TryPrevoteNil() ||
        TryLaterValidValue()) {
      continue;
    }
    ScheduleVoteTimeouts();
    return;
  }
  EVIDENCE_CHECK_MSG(false, "consensus rules did not settle");
}

// upon <PROPOSAL, h, r, v, *> and 2f+1 <PRECOMMIT, h, r, id(v)>, any round r.
// At most one decision per input: the set of height + 1, which the next height
// checks messages against, depends on the block decided before it, and the
// application applies that block only when it runs the outbox (a quorum kept
// for the next height is decided at the next input: a timer runs for it).
bool ConsensusCore::TryDecide() {
  if (height_ != input_height_) return false;
  for (auto& [round, state] : rounds_) {
    if (!IsQuorum(state.precommits.total())) continue;
    for (const auto& [hash, tally] : state.precommits.tallies()) {
      if (hash == kNil || !IsQuorum(tally)) continue;
      auto block = block_store_.find(hash);
      if (block == block_store_.end()) {
        RequestFetch(hash);  // decided, but we never saw the block
        continue;
      }
      if (!block->second.valid) continue;  // only a Byzantine quorum can get here
      Decide(round, hash);
      return true;
    }
  }
  return false;
}

// upon f+1 messages of a higher round: go to the highest round that more than
// a third of the power has reached (at least one honest validator is there).
bool ConsensusCore::TryRoundSkip() {
  if (!round_skip_dirty_) return false;
  round_skip_dirty_ = false;
  std::vector<uint32_t> order(current_.set->size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return max_round_seen_[a] > max_round_seen_[b];
  });
  Tally tally;
  for (uint32_t index : order) {
    uint32_t round = max_round_seen_[index];
    if (round <= round_) return false;
    tally.power += current_.set->at(index).power;
    tally.count += 1;
    if (IsOneThirdPlus(tally)) {
      StartRound(round);
      return true;
    }
  }
  return false;
}

// upon <PROPOSAL, h, r, v, -1> (line 22) and upon <PROPOSAL, h, r, v, vr> with
// 2f+1 <PREVOTE, h, vr, id(v)> (line 28), while in the propose step.
bool ConsensusCore::TryProposalRules() {
  if (step_ != Step::kPropose) return false;
  const RoundState* state = FindRound(round_);
  if (state == nullptr) return false;
  const bool ignore_lock = deviations_.ignore_lock;
  for (const Proposal& proposal : state->proposals) {
    const BlockInfo& info = block_store_.at(proposal.block_hash);
    bool lock_allows = false;
    if (proposal.pol_round < 0) {
      lock_allows = locked_round_ == -1 || locked_hash_ == proposal.block_hash;
    } else {
      const RoundState* pol = FindRound(static_cast<uint32_t>(proposal.pol_round));
      if (pol == nullptr || !IsQuorum(pol->prevotes.For(proposal.block_hash))) continue;
      lock_allows = locked_round_ <= proposal.pol_round || locked_hash_ == proposal.block_hash;
    }
    Prevote(info.valid && (lock_allows || ignore_lock) ? proposal.block_hash : kNil);
    return true;
  }
  return false;
}

// upon <PROPOSAL, h, r, v, *> and 2f+1 <PREVOTE, h, r, id(v)> while valid(v) and
// step >= prevote, for the first time (line 36): lock and precommit, or only
// remember the valid value when already past the prevote step.
bool ConsensusCore::TryPolka() {
  if (step_ == Step::kPropose) return false;
  RoundState* state = rounds_.contains(round_) ? &rounds_.at(round_) : nullptr;
  if (state == nullptr || state->polka_handled || !IsQuorum(state->prevotes.total())) return false;
  for (const Proposal& proposal : state->proposals) {
    const BlockInfo& info = block_store_.at(proposal.block_hash);
    if (!info.valid || !IsQuorum(state->prevotes.For(proposal.block_hash))) continue;
    state->polka_handled = true;
    valid_round_ = static_cast<int32_t>(round_);
    valid_hash_ = proposal.block_hash;
    if (step_ == Step::kPrevote) {
      locked_round_ = static_cast<int32_t>(round_);
      locked_hash_ = proposal.block_hash;
      Precommit(proposal.block_hash);
    }
    return true;
  }
  return false;
}

// Not in Algorithm 1: a polka seen late, for an earlier round above valid_round,
// also becomes the valid value (CometBFT does the same). It changes no vote and
// no lock, only what we re-propose, so safety is untouched; after a heal every
// honest proposer then re-proposes the highest polka, which every locked
// validator accepts (line 28), instead of waiting for the one that saw it live.
bool ConsensusCore::TryLaterValidValue() {
  for (auto it = rounds_.rbegin(); it != rounds_.rend(); ++it) {
    auto [round, state] = std::tie(it->first, it->second);
    if (static_cast<int64_t>(round) <= valid_round_) return false;
    if (round >= round_ || !IsQuorum(state.prevotes.total())) continue;
    for (const auto& [hash, tally] : state.prevotes.tallies()) {
      auto block = block_store_.find(hash);
      if (hash == kNil || !IsQuorum(tally) || block == block_store_.end() || !block->second.valid) {
        continue;
      }
      valid_round_ = static_cast<int32_t>(round);
      valid_hash_ = hash;
      return true;
    }
  }
  return false;
}

// upon 2f+1 <PREVOTE, h, r, nil> while in the prevote step (line 44).
bool ConsensusCore::TryPrevoteNil() {
  if (step_ != Step::kPrevote) return false;
  const RoundState* state = FindRound(round_);
  if (state == nullptr || !IsQuorum(state->prevotes.For(kNil))) return false;
  Precommit(kNil);
  return true;
}

// upon 2f+1 <PREVOTE, h, r, *> in the prevote step (line 34) and upon 2f+1
// <PRECOMMIT, h, r, *> (line 47), for the first time: start the step's timer.
void ConsensusCore::ScheduleVoteTimeouts() {
  if (!rounds_.contains(round_)) return;
  RoundState& state = rounds_.at(round_);
  int64_t duration = config_.timeout_vote_ms + round_ * config_.timeout_vote_delta_ms;
  if (step_ == Step::kPrevote && !state.prevote_timeout_scheduled &&
      IsQuorum(state.prevotes.total())) {
    state.prevote_timeout_scheduled = true;
    EmitTimeout(TimeoutKind::kPrevote, duration);
  }
  if (!state.precommit_timeout_scheduled && IsQuorum(state.precommits.total())) {
    state.precommit_timeout_scheduled = true;
    EmitTimeout(TimeoutKind::kPrecommit, duration);
  }
}

// ---------------------------------------------------------------- transitions

// The set of `height`: the next set when it was looked up (it is the same
// answer), else asked now; the current one is kept while `since` is the same.
void ConsensusCore::EnterSet(uint64_t height) {
  std::optional<HeightSet> next = std::move(next_);
  next_.reset();
  if (next && next->since != current_.since) {
    current_ = std::move(*next);
  } else if (!next) {
    HeightValidators validators = LookUpSet(height);
    if (current_.set == nullptr || validators.since != current_.since) {
      current_ = MakeHeightSet(std::move(validators));
    }
  }
  EVIDENCE_CHECK(height >= current_.since);
  // Budgets per validator of this height's set; those of the next height are
  // sized when its set is looked up.
  const size_t n = current_.set->size();
  max_round_seen_.assign(n, 0);
  peer_seen_.assign(n, false);
  proposer_block_bytes_.assign(n, 0);
  next_height_votes_.clear();
  next_height_proposals_.clear();
}

void ConsensusCore::StartHeight(uint64_t height) {
  height_ = height;
  round_ = 0;
  step_ = Step::kPropose;
  locked_round_ = -1;
  locked_hash_ = kNil;
  valid_round_ = -1;
  valid_hash_ = kNil;
  rounds_.clear();  // before the set their vote sets refer to may go
  block_store_.clear();
  EnterSet(height);
  round_skip_dirty_ = false;
  work_pending_ = false;
  records_pending_ = false;
  ready_block_.reset();
  block_requested_ = false;
  retransmit_scheduled_ = false;
  fetched_once_ = false;
  own_votes_.clear();
  own_proposal_.reset();
  // Messages kept for this height are replayed (only insertion: Evaluate runs
  // after). They are checked again (cheaply: known signatures fail fast only
  // on a mismatch) against this height's rules, e.g. the proposer budgets.
  std::deque<Message> kept;
  kept.swap(next_height_messages_);
  from_.reset();
  for (const Message& message : kept) {
    if (MessageHeight(message) != height_) continue;
    if (const auto* proposal = std::get_if<Proposal>(&message)) HandleProposal(*proposal);
    if (const auto* vote = std::get_if<ledger::Vote>(&message)) HandleVote(*vote);
  }
}

void ConsensusCore::StartRound(uint32_t round) {
  EVIDENCE_CHECK(round >= round_);
  // A round that ended without a decision ends what the application said about
  // waiting records: it says so again while they wait (interfaces.h). Without
  // that, one stray wake kept an idle network running nil rounds forever.
  if (round > round_) records_pending_ = false;
  round_ = round;
  step_ = Step::kPropose;
  ++rounds_started_;
  round_skip_dirty_ = true;
  work_pending_ = RoundHasWork(round_);
  if (!own_proposal_ || own_proposal_->round != round_) own_proposal_.reset();
  if (current_.own_index && ProposerIn(current_, height_, round_) == *current_.own_index) {
    Propose();
  }
  if (work_pending_) {
    EmitTimeout(TimeoutKind::kPropose,
                config_.timeout_propose_ms + round_ * config_.timeout_propose_delta_ms);
  }
}

// Line 14-19: propose the valid value when there is one, else the application's block.
void ConsensusCore::Propose() {
  auto valid = block_store_.find(valid_hash_);
  if (valid_round_ >= 0 && valid != block_store_.end()) {
    SignAndSendProposal(valid->second.block, valid_hash_, valid_round_);
  } else if (ready_block_) {
    SignAndSendProposal(*ready_block_, blocks_.Hash(*ready_block_), -1);
  } else if (!block_requested_) {
    block_requested_ = true;
    Emit(RequestBlockEffect{height_, round_});
  }
}

void ConsensusCore::Decide(uint32_t round, const crypto::Digest& block_hash) {
  const RoundState& state = rounds_.at(round);
  ledger::Commit commit{height_, round, block_hash, {}};
  for (const ledger::Vote* vote : state.precommits.VotesFor(block_hash)) {
    commit.signatures.push_back({vote->validator_index, vote->timestamp_ms, vote->signature});
  }
  FinishHeight(block_store_.at(block_hash).block, commit);
}

void ConsensusCore::FinishHeight(const Bytes& block, const ledger::Commit& commit) {
  EVIDENCE_CHECK(commit.height == height_);
  int64_t median_time_ms = ledger::CommitMedianTimeMs(*current_.set, commit);
  Emit(CommitEffect{height_, block, commit, median_time_ms});
  previous_time_ms_ = std::max(previous_time_ms_, median_time_ms);
  EnterHeight(height_ + 1);
}

void ConsensusCore::Prevote(const crypto::Digest& block_hash) {
  step_ = Step::kPrevote;
  SignAndSendVote(ledger::VoteType::kPrevote, block_hash);
}

void ConsensusCore::Precommit(const crypto::Digest& block_hash) {
  step_ = Step::kPrecommit;
  SignAndSendVote(ledger::VoteType::kPrecommit, block_hash);
}

ConsensusCore::Guard ConsensusCore::CheckHrs(uint32_t round, Step step,
                                             const crypto::Digest& block_hash) const {
  if (deviations_.skip_signer_guard) return Guard::kSign;
  auto now = std::tuple(height_, round, static_cast<uint8_t>(step));
  auto last = std::tuple(signed_height_, signed_round_, signed_step_);
  if (now > last) return Guard::kSign;
  if (now < last || step == Step::kPropose) return Guard::kRefuse;
  for (const ledger::Vote& vote : own_votes_) {
    if (vote.round == round && StepOf(vote.type) == step) {
      return vote.block_hash == block_hash ? Guard::kResend : Guard::kRefuse;
    }
  }
  return Guard::kRefuse;
}

void ConsensusCore::SignAndSendVote(ledger::VoteType type, const crypto::Digest& block_hash) {
  if (!current_.own_index) return;
  Guard guard = CheckHrs(round_, StepOf(type), block_hash);
  if (guard == Guard::kRefuse) return;
  if (guard == Guard::kResend) {
    for (const ledger::Vote& vote : own_votes_) {
      if (vote.round == round_ && vote.type == type) Emit(BroadcastEffect{vote});
    }
    return;
  }
  const uint32_t own = *current_.own_index;
  ledger::Vote vote{type, height_, round_, block_hash, VoteTimestamp(), own, {}};
  vote.signature =
      signer_->Sign(current_.set->at(own).vote_key, ledger::VoteSigningBytes(config_.chain_id, vote));
  signed_height_ = height_;
  signed_round_ = round_;
  signed_step_ = static_cast<uint8_t>(StepOf(type));
  own_votes_.push_back(vote);
  if (own_votes_.size() > kOwnVotesMax) own_votes_.erase(own_votes_.begin());
  RoundState& state = Round(round_);
  (type == ledger::VoteType::kPrevote ? state.prevotes : state.precommits).Add(vote, nullptr);
  if (deviations_.send_before_persist) {
    Emit(BroadcastEffect{vote});
    Emit(PersistEffect{CurrentPersistedState()});
  } else {
    Emit(PersistEffect{CurrentPersistedState()});
    Emit(BroadcastEffect{vote});
  }
  EnsureRetransmit();
}

void ConsensusCore::SignAndSendProposal(const Bytes& block, const crypto::Digest& hash,
                                        int32_t pol_round) {
  if (CheckHrs(round_, Step::kPropose, hash) != Guard::kSign) return;
  EVIDENCE_CHECK(current_.own_index.has_value());
  const uint32_t own = *current_.own_index;
  Proposal proposal{height_, round_, pol_round, hash, block, now_ms_, own, {}};
  proposal.signature =
      signer_->Sign(current_.set->at(own).vote_key, ProposalSigningBytes(config_.chain_id, proposal));
  signed_height_ = height_;
  signed_round_ = round_;
  signed_step_ = static_cast<uint8_t>(Step::kPropose);
  if (!block_store_.contains(hash)) block_store_[hash] = BlockInfo{block, blocks_.IsValid(height_, block)};
  Proposal stored = proposal;
  stored.block.clear();
  Round(round_).proposals.push_back(std::move(stored));
  own_proposal_ = proposal;
  Emit(PersistEffect{CurrentPersistedState()});
  Emit(BroadcastEffect{std::move(proposal)});
  EnsureRetransmit();
}

void ConsensusCore::EnsureRetransmit() {
  if (retransmit_scheduled_) return;
  retransmit_scheduled_ = true;
  EmitTimeout(TimeoutKind::kRetransmit, config_.retransmit_interval_ms);
}

// Lost messages are never repaired by the network: re-send what we signed at
// this height (recent rounds), so peers that missed it can still count it.
void ConsensusCore::Retransmit() {
  if (own_proposal_ && own_proposal_->round == round_) Emit(BroadcastEffect{*own_proposal_});
  for (const ledger::Vote& vote : own_votes_) {
    if (vote.round + kRetransmitRoundsMax >= round_) Emit(BroadcastEffect{vote});
  }
  // Gossip: relay the polka behind our valid value, so that every honest
  // validator can check a re-proposal of it (line 28) even when the Byzantine
  // votes in that polka reached only us.
  if (const RoundState* polka = valid_round_ >= 0 ? FindRound(valid_round_) : nullptr) {
    for (const ledger::Vote* vote : polka->prevotes.VotesFor(valid_hash_)) {
      if (vote->validator_index != current_.own_index) Emit(BroadcastEffect{*vote});
    }
  }
  // ... and the proposal of the valid value, for peers that never got its block
  // (a restarted validator keeps no blocks but its own lock and valid value).
  if (valid_round_ >= 0 && static_cast<uint32_t>(valid_round_) < round_) {
    if (std::optional<Proposal> proposal = ValidProposal()) Emit(BroadcastEffect{std::move(*proposal)});
  }
  // An idle round (nothing to decide, nobody active) stops re-sending; Wake()
  // starts it again.
  if (work_pending_ && (!own_votes_.empty() || own_proposal_)) EnsureRetransmit();
}

// A proposer-signed proposal of the valid value (preferably of the valid round),
// with its block, if we hold one.
std::optional<Proposal> ConsensusCore::ValidProposal() const {
  if (valid_round_ < 0) return std::nullopt;
  auto block = block_store_.find(valid_hash_);
  if (block == block_store_.end()) return std::nullopt;
  const Proposal* found = nullptr;
  for (const auto& [round, state] : rounds_) {
    for (const Proposal& proposal : state.proposals) {
      if (proposal.block_hash == valid_hash_ &&
          (found == nullptr || round == static_cast<uint32_t>(valid_round_))) {
        found = &proposal;
      }
    }
  }
  if (found == nullptr) return std::nullopt;
  Proposal out = *found;
  out.block = block->second.block;
  return out;
}

void ConsensusCore::RequestFetch(const crypto::Digest& block_hash) {
  if (fetched_once_ && now_ms_ - last_fetch_ms_ < config_.fetch_interval_ms) return;
  fetched_once_ = true;
  last_fetch_ms_ = now_ms_;
  Emit(FetchBlockEffect{height_, block_hash});
}

void ConsensusCore::EmitTimeout(TimeoutKind kind, int64_t duration_ms) {
  Emit(ScheduleTimeoutEffect{height_, round_, kind, duration_ms});
}

// ---------------------------------------------------------------- helpers

ConsensusCore::RoundState& ConsensusCore::Round(uint32_t round) {
  auto it = rounds_.find(round);
  if (it == rounds_.end()) it = rounds_.emplace(round, RoundState(*current_.set)).first;
  return it->second;
}

const ConsensusCore::RoundState* ConsensusCore::FindRound(uint32_t round) const {
  auto it = rounds_.find(round);
  return it == rounds_.end() ? nullptr : &it->second;
}

// Monotonic BFT time: a vote is never older than the last block time + 1 ms.
int64_t ConsensusCore::VoteTimestamp() const { return std::max(now_ms_, previous_time_ms_ + 1); }

PersistedState ConsensusCore::CurrentPersistedState() const {
  PersistedState state;
  state.height = signed_height_;
  state.round = signed_round_;
  state.step = signed_step_;
  if (signed_height_ == height_) {
    state.locked_round = locked_round_;
    state.locked_hash = locked_hash_;
    state.valid_round = valid_round_;
    state.valid_hash = valid_hash_;
    // Each block at most once: the valid proposal carries its block, the lock's
    // block is written only when it is another one.
    state.valid_proposal = ValidProposal();
    bool valid_carried = state.valid_proposal.has_value();
    auto locked = block_store_.find(locked_hash_);
    if (locked_round_ >= 0 && locked != block_store_.end() &&
        !(valid_carried && valid_hash_ == locked_hash_)) {
      state.locked_block = locked->second.block;
    }
    auto valid = block_store_.find(valid_hash_);
    if (valid_round_ >= 0 && valid != block_store_.end() && !valid_carried &&
        (locked_round_ < 0 || valid_hash_ != locked_hash_)) {
      state.valid_block = valid->second.block;
    }
    state.own_votes = own_votes_;
    if (const RoundState* polka = valid_round_ >= 0 ? FindRound(valid_round_) : nullptr) {
      for (const ledger::Vote* vote : polka->prevotes.VotesFor(valid_hash_)) {
        state.polka_votes.push_back(*vote);
      }
    }
  }
  return state;
}

namespace {

constexpr size_t kVoteBytesMax = sizeof(ledger::Vote) + kSignatureBytesMax;

size_t MessageBytes(const Message& message) {
  size_t bytes = sizeof(Message);
  if (const auto* proposal = std::get_if<Proposal>(&message)) {
    bytes += proposal->block.size() + proposal->signature.size();
  } else if (const auto* vote = std::get_if<ledger::Vote>(&message)) {
    bytes += vote->signature.size();
  }
  return bytes;
}

}  // namespace

size_t ConsensusCore::RetainedBytes() const {
  size_t bytes = 0;
  for (const auto& [hash, info] : block_store_) bytes += sizeof(info) + info.block.size();
  for (const Message& message : next_height_messages_) bytes += MessageBytes(message);
  for (const auto& [round, state] : rounds_) {
    bytes += sizeof(state);
    for (const Proposal& proposal : state.proposals) bytes += MessageBytes(proposal);
    for (const VoteSet* set : {&state.prevotes, &state.precommits}) {
      for (const auto& [hash, tally] : set->tallies()) {
        for (const ledger::Vote* vote : set->VotesFor(hash)) {
          bytes += sizeof(*vote) + vote->signature.size();
        }
      }
    }
  }
  for (const ledger::Vote& vote : own_votes_) bytes += sizeof(vote) + vote.signature.size();
  if (own_proposal_) bytes += MessageBytes(*own_proposal_);
  if (ready_block_) bytes += ready_block_->size();
  return bytes;
}

// Blocks: each proposer's budget, the next height's proposals, and our own
// block in three places (the application's, our proposal, the store) plus the
// lock and valid value restored from the WAL. Votes and proposals without
// blocks: every round up to the window ahead of the current one. Budgets of
// this height count the validators of its set, those of the next height the
// validators of the next one (none kept before it is looked up).
size_t ConsensusCore::RetainedBytesBound() const {
  const size_t n = current_.set == nullptr ? 0 : current_.set->size();
  const size_t n_next = next_ ? next_->set->size() : 0;
  const size_t block = sizeof(BlockInfo) + sizeof(Message) + config_.block_bytes_max +
                       kSignatureBytesMax;
  const size_t blocks = n * (kProposerBlockBudgets * config_.block_bytes_max +
                             kProposerBlockBudgets * sizeof(BlockInfo)) +
                        n_next * kNextHeightProposalsPerValidatorMax * block + 6 * block;
  const size_t next_votes =
      n_next * kNextHeightVotesPerValidatorMax * (sizeof(Message) + kSignatureBytesMax);
  const size_t rounds = static_cast<size_t>(round_) + config_.future_rounds_window + 1;
  const size_t per_round = sizeof(RoundState) +
                           kProposalsPerRoundMax * (sizeof(Message) + kSignatureBytesMax) +
                           2 * n * VoteSet::kVotesPerValidatorMax * kVoteBytesMax;
  return blocks + next_votes + rounds * per_round + kOwnVotesMax * kVoteBytesMax;
}

void ConsensusCore::RestoreBlock(int32_t round, const crypto::Digest& hash, const Bytes& block) {
  if (round < 0 || block.empty() || blocks_.Hash(block) != hash) return;
  block_store_[hash] = BlockInfo{block, blocks_.IsValid(height_, block)};
}

}  // namespace evidence::consensus
