#include "node/consensus/core.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "node/consensus/validator_sets.h"
#include "tests/consensus/fakes.h"
#include "tests/consensus/planted_bugs.h"

namespace evidence::consensus {
namespace {

using ledger::Vote;
using ledger::VoteType;
using testing::FakeBlocks;
using testing::FakeSigner;
using testing::FakeVerifier;

constexpr crypto::Digest kNil{};

CoreConfig TestConfig() {
  CoreConfig config;
  config.chain_id = "test";
  config.timeout_propose_ms = 3000;
  config.timeout_propose_delta_ms = 500;
  config.timeout_vote_ms = 1000;
  config.timeout_vote_delta_ms = 200;
  return config;
}

// One core (validator `own`) in a set whose other members are played by the test.
class Harness {
 public:
  Harness(std::vector<uint64_t> powers, uint32_t own, CoreConfig config = TestConfig(),
          PlantedBug bug = PlantedBug::kNone)
      : sets_(testing::MakeValidatorSet(powers)),
        config_(std::move(config)),
        own_(own),
        planted_(std::make_unique<PlantedDeviations>(bug)) {
    for (uint32_t i = 0; i < powers.size(); ++i) signers_.emplace_back(1000 + i);
    core_ = MakeCore();
  }

  std::unique_ptr<ConsensusCore> MakeCore() {
    return std::make_unique<ConsensusCore>(config_, sets_, &signers_[own_], verifier_, blocks_,
                                           planted_->get());
  }
  void Restart(const PersistedState& state, uint64_t height) {
    core_ = MakeCore();
    core_->Restore(state);
    core_->Start(height, 0, now_);
  }

  ConsensusCore& core() { return *core_; }
  const ledger::ValidatorSet& set() const { return sets_.set(); }
  const FakeBlocks& blocks() const { return blocks_; }

  Vote MakeVote(uint32_t who, VoteType type, uint64_t height, uint32_t round,
                const crypto::Digest& hash, int64_t time_ms = 500) {
    Vote vote{type, height, round, hash, time_ms, who, {}};
    vote.signature = signers_[who].Sign(ledger::VoteSigningBytes("test", vote));
    return vote;
  }
  Proposal MakeProposal(uint32_t who, uint64_t height, uint32_t round, const Bytes& block,
                        int32_t pol_round = -1) {
    Proposal proposal{height, round, pol_round, blocks_.Hash(block), block, 100, who, {}};
    proposal.signature = signers_[who].Sign(ProposalSigningBytes("test", proposal));
    return proposal;
  }
  void Deliver(const Message& message) { core_->OnMessage(message, now_); }
  void DeliverFrom(const Message& message, uint32_t peer) { core_->OnMessage(message, now_, peer); }
  void Votes(std::initializer_list<uint32_t> who, VoteType type, uint32_t round,
             const crypto::Digest& hash, uint64_t height = 1) {
    for (uint32_t w : who) Deliver(MakeVote(w, type, height, round, hash));
  }
  std::vector<Effect> Take() { return core_->TakeEffects(); }

  // The votes this core broadcast (its own, in order).
  static std::vector<Vote> OwnVotes(const std::vector<Effect>& effects, uint32_t own) {
    std::vector<Vote> out;
    for (const Effect& e : effects) {
      if (const auto* b = std::get_if<BroadcastEffect>(&e)) {
        if (const auto* v = std::get_if<Vote>(&b->message); v && v->validator_index == own) out.push_back(*v);
      }
    }
    return out;
  }
  std::vector<Vote> TakeOwnVotes() { return OwnVotes(Take(), own_); }

  template <class T>
  static std::vector<T> Of(const std::vector<Effect>& effects) {
    std::vector<T> out;
    for (const Effect& e : effects) {
      if (const auto* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  int64_t now_ = 1000;

 private:
  FixedValidatorSets sets_;
  CoreConfig config_;
  uint32_t own_;
  std::vector<FakeSigner> signers_;
  FakeVerifier verifier_;
  FakeBlocks blocks_;
  std::unique_ptr<PlantedDeviations> planted_;
  std::unique_ptr<ConsensusCore> core_;
};

Bytes Block(uint8_t tag) { return Bytes{tag, 1, 2, 3}; }

TEST(CoreTest, IdleValidatorSchedulesNothingUntilRecordsWait) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  EXPECT_TRUE(h.Harness::Of<ScheduleTimeoutEffect>(h.Take()).empty());
  h.core().OnRecordsPending(h.now_);
  auto timeouts = Harness::Of<ScheduleTimeoutEffect>(h.Take());
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0].kind, TimeoutKind::kPropose);
  EXPECT_EQ(timeouts[0].duration_ms, 3000);
}

TEST(CoreTest, ProposerAsksForABlockAndProposesIt) {
  Harness h({1, 1, 1, 1}, 0);
  ASSERT_EQ(h.core().ProposerAt(1, 0), 0u);
  h.core().Start(1, 0, h.now_);
  auto requests = Harness::Of<RequestBlockEffect>(h.Take());
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].height, 1u);
  h.core().OnBlockReady(1, Block(1), h.now_);
  auto effects = h.Take();
  std::vector<Proposal> proposals;
  for (const auto& b : Harness::Of<BroadcastEffect>(effects)) {
    if (const auto* p = std::get_if<Proposal>(&b.message)) proposals.push_back(*p);
  }
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].block, Block(1));
  EXPECT_EQ(proposals[0].pol_round, -1);
  // It also prevotes its own valid block.
  auto votes = Harness::OwnVotes(effects, 0);
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, h.blocks().Hash(Block(1)));
}

TEST(CoreTest, PersistComesBeforeTheBroadcastItCovers) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kNoWal}) {
    Harness h({1, 1, 1, 1}, 3, TestConfig(), bug);
    h.core().Start(1, 0, h.now_);
    h.Deliver(h.MakeProposal(0, 1, 0, Block(1)));
    auto effects = h.Take();
    int persist = -1, broadcast = -1;
    for (int i = 0; i < static_cast<int>(effects.size()); ++i) {
      if (std::holds_alternative<PersistEffect>(effects[i]) && persist < 0) persist = i;
      if (std::holds_alternative<BroadcastEffect>(effects[i]) && broadcast < 0) broadcast = i;
    }
    ASSERT_GE(persist, 0);
    ASSERT_GE(broadcast, 0);
    if (bug == PlantedBug::kNone) {
      EXPECT_LT(persist, broadcast);
      auto state = Harness::Of<PersistEffect>(effects)[0].state;
      EXPECT_EQ(state.height, 1u);
      EXPECT_EQ(state.step, static_cast<uint8_t>(Step::kPrevote));
      ASSERT_EQ(state.own_votes.size(), 1u);
    } else {
      EXPECT_GT(persist, broadcast);  // the planted bug sends first
    }
  }
}

TEST(CoreTest, ExactlyTwoThirdsIsNotAQuorum) {
  // Powers 2, 2, 1, 1 (total 6): validators 0 and 1 hold exactly 2/3.
  Harness h({2, 2, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, Block(1)));
  h.Take();
  h.Votes({0, 2}, VoteType::kPrevote, 0, hash);  // with our own prevote: 2 + 1 + 1 = 4 of 6
  EXPECT_TRUE(Harness::Of<PersistEffect>(h.Take()).empty()) << "4 of 6 is not > 2/3";
  EXPECT_EQ(h.core().step(), Step::kPrevote);
  EXPECT_EQ(h.core().locked_round(), -1);
  h.Votes({1}, VoteType::kPrevote, 0, hash);
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].type, VoteType::kPrecommit);
  EXPECT_EQ(votes[0].block_hash, hash);
  EXPECT_EQ(h.core().locked_round(), 0);
}

TEST(CoreTest, PlantedQuorumBugsAcceptWhatPowerForbids) {
  Harness inclusive({2, 2, 1, 1}, 3, TestConfig(), PlantedBug::kQuorumTwoThirdsInclusive);
  inclusive.core().Start(1, 0, inclusive.now_);
  crypto::Digest hash = inclusive.blocks().Hash(Block(1));
  inclusive.Deliver(inclusive.MakeProposal(inclusive.core().ProposerAt(1, 0), 1, 0, Block(1)));
  inclusive.Votes({0, 2}, VoteType::kPrevote, 0, hash);
  EXPECT_EQ(inclusive.core().locked_round(), 0);  // locked on exactly 2/3

  // Powers 5, 1, 1, 1: three light validators are 3/8 of the power, not a quorum.
  Harness counting({5, 1, 1, 1}, 3, TestConfig(), PlantedBug::kCountVotesNotPower);
  counting.core().Start(1, 0, counting.now_);
  counting.Votes({1, 2}, VoteType::kPrevote, 0, kNil);
  counting.core().OnTimeout(1, 0, TimeoutKind::kPropose, counting.now_);
  auto votes = counting.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 2u);  // prevote nil, then precommit nil on "3 of 4 validators"
  EXPECT_EQ(votes[1].type, VoteType::kPrecommit);
}

TEST(CoreTest, PrevoteNilQuorumGivesPrecommitNil) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  h.core().OnRecordsPending(h.now_);
  h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
  auto first = h.TakeOwnVotes();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].type, VoteType::kPrevote);
  EXPECT_EQ(first[0].block_hash, kNil);
  h.Votes({0, 1}, VoteType::kPrevote, 0, kNil);
  auto second = h.TakeOwnVotes();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].type, VoteType::kPrecommit);
  EXPECT_EQ(second[0].block_hash, kNil);
  EXPECT_EQ(h.core().locked_round(), -1);
}

TEST(CoreTest, TimeoutsGrowWithTheRound) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  h.core().OnRecordsPending(h.now_);
  for (uint32_t round = 0; round < 3; ++round) {
    h.core().OnTimeout(1, round, TimeoutKind::kPropose, h.now_);
    h.Votes({0, 1, 2}, VoteType::kPrevote, round, kNil);
    h.Votes({0, 1, 2}, VoteType::kPrecommit, round, kNil);
    auto effects = h.Take();
    for (const auto& t : Harness::Of<ScheduleTimeoutEffect>(effects)) {
      if (t.round != round) continue;
      if (t.kind == TimeoutKind::kPrevote || t.kind == TimeoutKind::kPrecommit) {
        EXPECT_EQ(t.duration_ms, 1000 + 200 * round);
      }
    }
    h.core().OnTimeout(1, round, TimeoutKind::kPrecommit, h.now_);
    EXPECT_EQ(h.core().round(), round + 1);
    h.core().OnRecordsPending(h.now_);  // the application, at the new round: records still wait
    auto next = Harness::Of<ScheduleTimeoutEffect>(h.Take());
    bool propose_timer = false;
    for (const auto& t : next) {
      if (t.kind == TimeoutKind::kPropose && t.round == round + 1) {
        propose_timer = true;
        EXPECT_EQ(t.duration_ms, 3000 + 500 * (round + 1));
      }
    }
    EXPECT_TRUE(propose_timer);
  }
}

// The idle spin (issue 16): a stray wake (a restarted node whose application
// said records wait though it had none to propose, or any peer's vote at an
// idle height) made every validator run rounds at that height for good,
// signing nil prevotes and precommits with the round climbing. A round that
// ends without a decision now ends the activity unless records still wait.
TEST(CoreTest, RegressionAStrayWakeCostsOneRoundNotAnEndlessSpin) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  h.Take();
  // A peer's nil prevote at round 0 wakes this validator.
  h.Votes({0}, VoteType::kPrevote, 0, kNil);
  ASSERT_EQ(Harness::Of<ScheduleTimeoutEffect>(h.Take()).size(), 1u);
  h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
  h.Votes({1, 2}, VoteType::kPrevote, 0, kNil);
  h.Votes({0, 1, 2}, VoteType::kPrecommit, 0, kNil);
  h.Take();
  h.core().OnTimeout(1, 0, TimeoutKind::kPrecommit, h.now_);
  ASSERT_EQ(h.core().round(), 1u);
  // Round 1: nobody has records, no lock, no peer at round 1: idle.
  std::vector<Effect> idle = h.Take();
  EXPECT_TRUE(Harness::Of<ScheduleTimeoutEffect>(idle).empty());
  EXPECT_TRUE(Harness::OwnVotes(idle, 3).empty());
  // Retransmitted round-0 votes do not restart it.
  h.Votes({0, 1, 2}, VoteType::kPrevote, 0, kNil);
  EXPECT_TRUE(h.Take().empty());
  // The retransmit timer of round 0 does not keep re-sending either.
  h.core().OnTimeout(1, 0, TimeoutKind::kRetransmit, h.now_);
  EXPECT_TRUE(Harness::Of<ScheduleTimeoutEffect>(h.Take()).empty());
  // A peer at round 1, or records, wake it again.
  h.Votes({2}, VoteType::kPrevote, 1, kNil);
  auto woken = Harness::Of<ScheduleTimeoutEffect>(h.Take());
  ASSERT_FALSE(woken.empty());
  EXPECT_EQ(woken[0].kind, TimeoutKind::kPropose);
  EXPECT_EQ(woken[0].round, 1u);
}

// Locks on a polka at round 0, then refuses a fresh proposal at round 1.
void LockOnRoundZero(Harness& h, const Bytes& block) {
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(block);
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, block));
  h.Votes({0, 1}, VoteType::kPrevote, 0, hash);
  ASSERT_EQ(h.core().locked_round(), 0);
  h.Votes({0, 1}, VoteType::kPrecommit, 0, kNil);
  h.core().OnTimeout(1, 0, TimeoutKind::kPrecommit, h.now_);
  ASSERT_EQ(h.core().round(), 1u);
  h.Take();
}

TEST(CoreTest, ALockKeepsRoundsGoingWithoutRecords) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(7));
  // Locked at round 0, now in round 1 without records: the lock keeps it going.
  h.core().OnTimeout(1, 1, TimeoutKind::kPropose, h.now_);
  EXPECT_EQ(h.TakeOwnVotes().size(), 1u);
}

TEST(CoreTest, LockedValidatorPrevotesNilForAnotherBlock) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2)));
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, kNil);
}

TEST(CoreTest, PlantedIgnoreLockPrevotesTheOtherBlock) {
  Harness h({1, 1, 1, 1}, 3, TestConfig(), PlantedBug::kIgnoreLock);
  LockOnRoundZero(h, Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2)));
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, h.blocks().Hash(Block(2)));
}

TEST(CoreTest, LockedValidatorAcceptsReproposalOfLockedBlock) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(1), 0));
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, h.blocks().Hash(Block(1)));
}

TEST(CoreTest, PolkaInTheCurrentRoundRelocks) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  crypto::Digest two = h.blocks().Hash(Block(2));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2)));
  ASSERT_EQ(h.TakeOwnVotes()[0].block_hash, kNil);  // locked: prevote nil
  h.Votes({0, 1, 2}, VoteType::kPrevote, 1, two);
  // Line 36 in the prevote step: lock on the newer polka and precommit it.
  EXPECT_EQ(h.core().locked_round(), 1);
  EXPECT_EQ(h.core().locked_hash(), two);
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].type, VoteType::kPrecommit);
  EXPECT_EQ(votes[0].block_hash, two);
}

TEST(CoreTest, LatePolkaOfAnEarlierRoundUnlocksThroughPolRound) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  crypto::Digest two = h.blocks().Hash(Block(2));
  h.Votes({0, 1}, VoteType::kPrevote, 2, two);  // two of four at round 2: skip there
  ASSERT_EQ(h.core().round(), 2u);
  // The round-1 polka for block 2 arrives late.
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2)));
  h.Votes({0, 1, 2}, VoteType::kPrevote, 1, two);
  EXPECT_EQ(h.core().locked_round(), 0);
  EXPECT_EQ(h.core().valid_round(), 1);
  h.Take();
  // Round 2 re-proposes block 2 with pol_round 1 > our lock round: accept it.
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 2), 1, 2, Block(2), 1));
  auto votes = h.TakeOwnVotes();
  ASSERT_GE(votes.size(), 1u);
  EXPECT_EQ(votes[0].type, VoteType::kPrevote);
  EXPECT_EQ(votes[0].block_hash, two);
  EXPECT_EQ(h.core().locked_round(), 2);  // with {0, 1} at round 2 that is a polka
}

TEST(CoreTest, ProposalWithPolRoundNeedsThatPolka) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2), 0));  // no polka at 0 for it
  EXPECT_TRUE(h.TakeOwnVotes().empty());  // waits (for the polka or the timeout)
  EXPECT_EQ(h.core().step(), Step::kPropose);
}

TEST(CoreTest, RoundSkipOnOneThirdOfPowerAhead) {
  Harness h({1, 1, 1, 4}, 0);  // validator 3 alone holds more than 1/3
  h.core().Start(1, 0, h.now_);
  h.Take();
  h.Deliver(h.MakeVote(1, VoteType::kPrevote, 1, 7, kNil));
  EXPECT_EQ(h.core().round(), 0u);  // 1 of 7 is not more than a third
  h.Deliver(h.MakeVote(3, VoteType::kPrevote, 1, 5, kNil));
  EXPECT_EQ(h.core().round(), 5u);  // validators at round >= 5 hold 5 of 7
}

TEST(CoreTest, DecidesWithSortedCommitAndBftTime) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, Block(1)));
  h.Deliver(h.MakeVote(2, VoteType::kPrecommit, 1, 0, hash, 3000));
  h.Deliver(h.MakeVote(0, VoteType::kPrecommit, 1, 0, hash, 1000));
  h.Deliver(h.MakeVote(1, VoteType::kPrecommit, 1, 0, hash, 2000));
  auto commits = Harness::Of<CommitEffect>(h.Take());
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].height, 1u);
  EXPECT_EQ(commits[0].block, Block(1));
  ASSERT_EQ(commits[0].commit.signatures.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(commits[0].commit.signatures[i].validator_index, i);
  EXPECT_EQ(commits[0].median_time_ms, 2000);
  EXPECT_EQ(h.core().height(), 2u);
  EXPECT_EQ(h.core().round(), 0u);
  // Own votes at height 2 are stamped after the previous block's BFT time.
  h.core().OnRecordsPending(0);
  h.core().OnTimeout(2, 0, TimeoutKind::kPropose, 0);
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_GT(votes[0].timestamp_ms, 2000);
}

TEST(CoreTest, InvalidBlockGetsNilPrevoteAndIsNeverCommitted) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  Bytes bad = {0xff, 1};
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, bad));
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, kNil);
  h.Votes({0, 1, 2}, VoteType::kPrecommit, 0, h.blocks().Hash(bad));
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Take()).empty());
}

TEST(CoreTest, CatchUpFetchesAMissingDecidedBlock) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(Block(1));
  h.Votes({0, 1, 2}, VoteType::kPrecommit, 0, hash);
  auto effects = h.Take();
  auto fetches = Harness::Of<FetchBlockEffect>(effects);
  ASSERT_FALSE(fetches.empty());
  EXPECT_EQ(fetches[0].height, 1u);
  EXPECT_EQ(fetches[0].block_hash, hash);
  EXPECT_TRUE(Harness::Of<CommitEffect>(effects).empty());
  // A peer answers with the block and its commit.
  ledger::Commit commit{1, 0, hash, {}};
  for (uint32_t i = 0; i < 3; ++i) {
    Vote v = h.MakeVote(i, VoteType::kPrecommit, 1, 0, hash);
    commit.signatures.push_back({i, v.timestamp_ms, v.signature});
  }
  DecidedBlock forged{Block(2), commit};  // wrong block for the hash
  h.Deliver(forged);
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Take()).empty());
  h.Deliver(DecidedBlock{Block(1), commit});
  auto commits = Harness::Of<CommitEffect>(h.Take());
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].block, Block(1));
  EXPECT_EQ(h.core().height(), 2u);
}

TEST(CoreTest, DecidedBlockNeedsMoreThanTwoThirdsOfValidSignatures) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(Block(1));
  ledger::Commit commit{1, 0, hash, {}};
  for (uint32_t i = 0; i < 2; ++i) {
    Vote v = h.MakeVote(i, VoteType::kPrecommit, 1, 0, hash);
    commit.signatures.push_back({i, v.timestamp_ms, v.signature});
  }
  h.Deliver(DecidedBlock{Block(1), commit});
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Take()).empty());
  Vote third = h.MakeVote(2, VoteType::kPrecommit, 1, 0, hash);
  commit.signatures.push_back({2, third.timestamp_ms, Bytes{1, 2, 3}});  // bad signature
  h.Deliver(DecidedBlock{Block(1), commit});
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Take()).empty());
}

TEST(CoreTest, MessagesFromBehindAndAheadAreHandled) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(2, 0, h.now_);
  h.Deliver(h.MakeVote(1, VoteType::kPrevote, 1, 0, kNil));
  auto behind = Harness::Of<PeerBehindEffect>(h.Take());
  ASSERT_EQ(behind.size(), 1u);
  EXPECT_EQ(behind[0].validator_index, 1u);
  EXPECT_EQ(behind[0].height, 1u);
  h.Deliver(h.MakeVote(1, VoteType::kPrevote, 3, 0, kNil));
  auto fetches = Harness::Of<FetchBlockEffect>(h.Take());
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0].height, 2u);
}

TEST(CoreTest, DuplicateVoteBecomesEvidence) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  Vote first = h.MakeVote(2, VoteType::kPrevote, 1, 0, kNil);
  Vote second = h.MakeVote(2, VoteType::kPrevote, 1, 0, h.blocks().Hash(Block(9)));
  h.Deliver(first);
  h.Deliver(first);  // a re-send is not evidence
  EXPECT_TRUE(Harness::Of<EvidenceEffect>(h.Take()).empty());
  h.Deliver(second);
  auto evidence = Harness::Of<EvidenceEffect>(h.Take());
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].first, first);
  EXPECT_EQ(evidence[0].second, second);
}

TEST(CoreTest, ForgedSignaturesAndWrongProposersAreIgnored) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  Vote forged = h.MakeVote(1, VoteType::kPrevote, 1, 0, kNil);
  forged.validator_index = 2;  // signed by 1, claims 2
  h.Deliver(forged);
  uint32_t wrong = (h.core().ProposerAt(1, 0) + 1) % 3;
  h.Deliver(h.MakeProposal(wrong, 1, 0, Block(1)));
  EXPECT_TRUE(h.Take().empty());
  EXPECT_EQ(h.core().step(), Step::kPropose);
}

// Found by fuzz_consensus_core: a proposal for a far-future round (any round
// below kRoundMax passes ValidateMessage) made the core look up that round's
// proposer before dropping it, walking the proposer schedule up to a billion
// steps on the consensus thread; one Byzantine peer could stall a validator.
TEST(CoreTest, RegressionFarFutureProposalRoundDoesNotWalkTheProposerSchedule) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  const uint64_t steps_before = h.core().proposer_schedule_steps();
  h.Deliver(h.MakeProposal(1, 1, kRoundMax - 1, Block(1)));
  EXPECT_LE(h.core().proposer_schedule_steps(), steps_before + 64);
  EXPECT_TRUE(h.Take().empty());
  EXPECT_EQ(h.core().round(), 0u);
}

TEST(CoreTest, HrsGuardNeverSignsAConflictingVoteAfterRestart) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest hash = h.blocks().Hash(Block(1));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, Block(1)));
  auto persisted = Harness::Of<PersistEffect>(h.Take());
  ASSERT_EQ(persisted.size(), 1u);
  // Crash; restart from the WAL; the propose timer fires before the proposal returns.
  h.Restart(persisted.back().state, 1);
  auto restart_votes = h.TakeOwnVotes();  // re-sends of the persisted prevote
  for (const Vote& v : restart_votes) EXPECT_EQ(v.block_hash, hash);
  h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
  for (const Vote& v : h.TakeOwnVotes()) EXPECT_EQ(v.block_hash, hash) << "signed a conflicting prevote";
  // The same proposal again: the identical vote may be re-sent, never a new one.
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, Block(1)));
  for (const Vote& v : h.TakeOwnVotes()) EXPECT_EQ(v, persisted.back().state.own_votes[0]);
}

TEST(CoreTest, PlantedSkipHrsCheckSignsTheConflict) {
  Harness h({1, 1, 1, 1}, 3, TestConfig(), PlantedBug::kSkipHrsCheck);
  h.core().Start(1, 0, h.now_);
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 0), 1, 0, Block(1)));
  auto persisted = Harness::Of<PersistEffect>(h.Take());
  h.Restart(persisted.back().state, 1);
  h.Take();
  h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, kNil);
}

TEST(CoreTest, RestoreKeepsTheLockAndItsPolka) {
  Harness h({1, 1, 1, 1}, 3);
  LockOnRoundZero(h, Block(1));
  PersistedState state = h.core().CurrentPersistedState();
  EXPECT_EQ(state.locked_round, 0);
  EXPECT_TRUE(state.locked_block.empty());  // carried once, by the valid proposal
  EXPECT_EQ(state.polka_votes.size(), 3u);
  ASSERT_TRUE(state.valid_proposal.has_value());
  EXPECT_EQ(state.valid_proposal->block, Block(1));
  h.Restart(state, 1);
  EXPECT_EQ(h.core().locked_round(), 0);
  EXPECT_EQ(h.core().round(), 0u);  // back in the last signed round
  h.Take();
  h.core().OnTimeout(1, 0, TimeoutKind::kPrecommit, h.now_);
  h.Take();
  h.Deliver(h.MakeProposal(h.core().ProposerAt(1, 1), 1, 1, Block(2)));
  auto votes = h.TakeOwnVotes();
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, kNil);  // still locked on block 1
}

TEST(CoreTest, RestoredStateOfAnOlderHeightStillGuards) {
  Harness h({1, 1, 1, 1}, 3);
  PersistedState state;
  state.height = 5;
  state.round = 2;
  state.step = static_cast<uint8_t>(Step::kPrecommit);
  h.Restart(state, 3);  // the store is behind the WAL: sign nothing below (5, 2)
  h.core().OnRecordsPending(h.now_);
  h.core().OnTimeout(3, 0, TimeoutKind::kPropose, h.now_);
  EXPECT_TRUE(h.TakeOwnVotes().empty());
}

// Found by the chaos test (docs/reliability.md): a validator whose store was wiped
// (its WAL kept) starts again at height 1 and syncs. The restored signer state of
// a later height was dropped at the start, so at the WAL's height it had lost the
// votes it signed there: it could not re-send them and the guard kept it from
// signing again in those rounds; peers that needed those votes waited forever.
TEST(CoreTest, RegressionAWipedValidatorBringsItsWalVotesBackWhenItCatchesUp) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  crypto::Digest first = h.blocks().Hash(Block(1));
  ledger::Commit commit{1, 0, first, {}};
  for (uint32_t i = 0; i < 3; ++i) {
    Vote v = h.MakeVote(i, VoteType::kPrecommit, 1, 0, first);
    commit.signatures.push_back({i, v.timestamp_ms, v.signature});
  }
  h.Deliver(DecidedBlock{Block(1), commit});
  ASSERT_EQ(h.core().height(), 2u);
  crypto::Digest second = h.blocks().Hash(Block(2));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(2, 0), 2, 0, Block(2)));
  std::vector<Vote> signed_votes = h.TakeOwnVotes();
  ASSERT_EQ(signed_votes.size(), 1u);
  PersistedState wal = h.core().CurrentPersistedState();
  ASSERT_EQ(wal.height, 2u);

  h.Restart(wal, 1);  // the store is gone: back at height 1, the WAL at height 2
  EXPECT_TRUE(h.TakeOwnVotes().empty());
  h.Deliver(DecidedBlock{Block(1), commit});  // synced from a peer
  ASSERT_EQ(h.core().height(), 2u);
  std::vector<Vote> resent = h.TakeOwnVotes();
  ASSERT_EQ(resent.size(), 1u) << "the prevote signed before the wipe is not re-sent";
  EXPECT_EQ(resent[0], signed_votes[0]);
  // With it, two more prevotes make the polka: the round goes on to a precommit.
  h.Deliver(h.MakeProposal(h.core().ProposerAt(2, 0), 2, 0, Block(2)));
  h.Votes({0, 1}, VoteType::kPrevote, 0, second, 2);
  std::vector<Vote> votes = h.TakeOwnVotes();
  ASSERT_FALSE(votes.empty());
  EXPECT_EQ(votes.back().type, VoteType::kPrecommit);
  EXPECT_EQ(votes.back().block_hash, second);
}

TEST(CoreTest, RetransmitResendsOwnVotes) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(1, 0, h.now_);
  h.core().OnRecordsPending(h.now_);
  h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
  auto first = h.Take();
  auto timers = Harness::Of<ScheduleTimeoutEffect>(first);
  bool retransmit = false;
  for (const auto& t : timers) retransmit |= t.kind == TimeoutKind::kRetransmit;
  ASSERT_TRUE(retransmit);
  h.core().OnTimeout(1, 0, TimeoutKind::kRetransmit, h.now_ + 2000);
  auto again = h.TakeOwnVotes();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0], Harness::OwnVotes(first, 3)[0]);
}

CoreConfig SmallBlocksConfig() {
  CoreConfig config = TestConfig();
  config.block_bytes_max = 1000;
  return config;
}

Bytes BigBlock(uint32_t tag, size_t size = 1000) {
  Bytes block(size, 0);
  for (size_t i = 0; i < 4; ++i) block[i] = static_cast<uint8_t>(tag >> (8 * i));
  return block;
}

// Finding 1: messages for height + 1 were queued, whole blocks included, before
// any signature or proposer check, 2,048 of them: a Byzantine validator grew a
// node from 31 MiB to 4.2 GiB. Now nothing unchecked is kept, and a signer may
// leave one proposal and a few votes for the next height.
TEST(CoreTest, NextHeightMessagesAreKeptOnlyOnceCheckedAndFewPerSigner) {
  Harness h({1, 1, 1, 1}, 3, SmallBlocksConfig());
  h.core().Start(1, 0, h.now_);
  const size_t idle = h.core().RetainedBytes();
  const uint32_t proposer = h.core().ProposerAt(2, 0);
  // Unsigned proposals of full blocks, as the attack sent them.
  for (uint32_t i = 0; i < 5000; ++i) {
    Proposal forged = h.MakeProposal(proposer, 2, 0, BigBlock(i));
    forged.signature = Bytes{1, 2, 3};
    h.Deliver(forged);
  }
  EXPECT_EQ(h.core().RetainedBytes(), idle);
  // Signed ones: each validator signs a proposal for every round it leads and
  // many votes; one proposal and kNextHeightVotesPerValidatorMax votes each are kept.
  for (uint32_t round = 0; round < 32; ++round) {
    const uint32_t who = h.core().ProposerAt(2, round);
    h.Deliver(h.MakeProposal(who, 2, round, BigBlock(10'000 + round)));
    for (uint32_t v = 0; v < 3; ++v) {
      h.Deliver(h.MakeVote(v, VoteType::kPrevote, 2, round, h.blocks().Hash(BigBlock(round))));
      h.Deliver(h.MakeVote(v, VoteType::kPrecommit, 2, round, kNil));
    }
  }
  const size_t kept = h.core().RetainedBytes() - idle;
  EXPECT_LE(kept, 4 * (1000 + sizeof(Message) + 64) +
                      3 * kNextHeightVotesPerValidatorMax * (sizeof(Message) + 64));
  EXPECT_GT(kept, 1000u);  // a signed proposal of the next height is kept
  EXPECT_LE(h.core().RetainedBytes(), h.core().RetainedBytesBound());
}

// At the current height a proposer that equivocates, or proposes a new block
// every round it leads, runs out of its block budget; the others keep theirs.
TEST(CoreTest, AProposerBringsAtMostItsBudgetOfBlocksIntoAHeight) {
  Harness h({1, 1, 1, 1}, 3, SmallBlocksConfig());
  h.core().Start(1, 0, h.now_);
  const size_t idle = h.core().RetainedBytes();
  const uint32_t byzantine = h.core().ProposerAt(1, 0);
  for (uint32_t round = 0; round <= 32; ++round) {
    if (h.core().ProposerAt(1, round) != byzantine) continue;
    for (uint32_t i = 0; i < 100; ++i) {
      h.Deliver(h.MakeProposal(byzantine, 1, round, BigBlock(round * 1000 + i)));
    }
  }
  EXPECT_LE(h.core().RetainedBytes() - idle, kProposerBlockBudgets * 1000 + 2000);
  EXPECT_LE(h.core().RetainedBytes(), h.core().RetainedBytesBound());
  // An honest proposer of a later round still gets its block in.
  uint32_t round = 1;
  while (h.core().ProposerAt(1, round) == byzantine) ++round;
  const uint32_t honest = h.core().ProposerAt(1, round);
  const size_t before = h.core().RetainedBytes();
  h.Deliver(h.MakeProposal(honest, 1, round, BigBlock(777)));
  EXPECT_GE(h.core().RetainedBytes(), before + 1000);
}

// Finding 6: a vote for an old height made the node push up to 64 blocks to
// the validator the vote named, before its signature was checked. Now only a
// signed message is answered, and to the peer that sent it.
TEST(CoreTest, AnOldMessageIsAnsweredOnlyWhenSignedAndOnlyToItsSender) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(5, 0, h.now_);
  Vote forged = h.MakeVote(1, VoteType::kPrevote, 1, 0, kNil);
  forged.signature = Bytes(64, 9);
  for (int i = 0; i < 6; ++i) h.DeliverFrom(forged, 2);
  EXPECT_TRUE(Harness::Of<PeerBehindEffect>(h.Take()).empty());
  // Validator 1's real vote, replayed by peer 2: the blocks go to peer 2.
  h.DeliverFrom(h.MakeVote(1, VoteType::kPrevote, 1, 0, kNil), 2);
  auto behind = Harness::Of<PeerBehindEffect>(h.Take());
  ASSERT_EQ(behind.size(), 1u);
  EXPECT_EQ(behind[0].validator_index, 2u);
  EXPECT_EQ(behind[0].height, 1u);
  // At most once per fetch interval per peer.
  h.DeliverFrom(h.MakeVote(0, VoteType::kPrevote, 2, 0, kNil), 2);
  EXPECT_TRUE(Harness::Of<PeerBehindEffect>(h.Take()).empty());
}

// An unsigned message from far ahead does not make the node ask for blocks.
TEST(CoreTest, AnUnsignedMessageFromAheadFetchesNothing) {
  Harness h({1, 1, 1, 1}, 3);
  h.core().Start(2, 0, h.now_);
  Vote forged = h.MakeVote(1, VoteType::kPrevote, 9, 0, kNil);
  forged.signature = Bytes(64, 9);
  h.Deliver(forged);
  EXPECT_TRUE(Harness::Of<FetchBlockEffect>(h.Take()).empty());
}

// ---------------------------------------------------------------- validator set changes

// Validator sets that change at chosen heights, over the test keys (fakes.h).
// It checks the ValidatorSets contract against the application the test
// plays: a set is asked for only once the blocks that fix it are applied
// (heights up to committed + 2, committed advanced as the test runs Commit
// effects).
class ScheduledSets : public ValidatorSets {
 public:
  // From `since` on: validator i holds test key key_numbers[i] with power powers[i].
  void Add(uint64_t since, std::vector<uint64_t> powers, std::vector<size_t> key_numbers) {
    sets_[since] = std::make_shared<const ledger::ValidatorSet>(
        testing::MakeValidatorSet(powers, std::move(key_numbers)));
  }
  HeightValidators ForHeight(uint64_t height) const override {
    EXPECT_LE(height, committed + 2) << "the set of height " << height
                                     << " asked for before the block that fixes it is applied";
    auto it = std::prev(sets_.upper_bound(height));
    return HeightValidators{it->second, it->first};
  }
  uint64_t committed = 0;

 private:
  std::map<uint64_t, std::shared_ptr<const ledger::ValidatorSet>> sets_;
};

// One core over ScheduledSets; messages are signed with the test keys by number.
class SetHarness {
 public:
  explicit SetHarness(std::vector<uint64_t> own_keys) {
    std::vector<uint64_t> secrets;
    for (uint64_t key : own_keys) secrets.push_back(testing::kTestSecretBase + key);
    signer_ = std::make_unique<FakeSigner>(std::move(secrets));
  }
  void Start(uint64_t height) {
    core_ = std::make_unique<ConsensusCore>(TestConfig(), sets, signer_.get(), verifier_, blocks_);
    core_->Start(height, 0, now_);
  }
  ConsensusCore& core() { return *core_; }
  crypto::Digest Hash(const Bytes& block) const { return blocks_.Hash(block); }

  Vote MakeVote(size_t key, uint32_t index, VoteType type, uint64_t height, uint32_t round,
                const crypto::Digest& hash) {
    Vote vote{type, height, round, hash, 500, index, {}};
    vote.signature = testing::KeyedHash(testing::kTestSecretBase + key,
                                        ledger::VoteSigningBytes("test", vote));
    return vote;
  }
  Proposal MakeProposal(size_t key, uint32_t index, uint64_t height, uint32_t round,
                        const Bytes& block) {
    Proposal proposal{height, round, -1, blocks_.Hash(block), block, 100, index, {}};
    proposal.signature = testing::KeyedHash(testing::kTestSecretBase + key,
                                            ProposalSigningBytes("test", proposal));
    return proposal;
  }
  // A commit of `block` at `height` by the given (key, index) signers.
  DecidedBlock Decided(uint64_t height, const Bytes& block,
                       std::vector<std::pair<size_t, uint32_t>> signers) {
    ledger::Commit commit{height, 0, blocks_.Hash(block), {}};
    for (auto [key, index] : signers) {
      Vote v = MakeVote(key, index, VoteType::kPrecommit, height, 0, commit.block_hash);
      commit.signatures.push_back({index, v.timestamp_ms, v.signature});
    }
    return DecidedBlock{block, commit};
  }
  void Deliver(const Message& message) { core_->OnMessage(message, now_); }
  // Runs the outbox as the application does: Commit effects are applied.
  std::vector<Effect> Run() {
    std::vector<Effect> effects = core_->TakeEffects();
    for (const Effect& effect : effects) {
      if (const auto* commit = std::get_if<CommitEffect>(&effect)) {
        EXPECT_EQ(commit->height, sets.committed + 1);
        sets.committed = commit->height;
      }
    }
    return effects;
  }

  ScheduledSets sets;
  int64_t now_ = 1000;

 private:
  std::unique_ptr<FakeSigner> signer_;
  FakeVerifier verifier_;
  FakeBlocks blocks_;
  std::unique_ptr<ConsensusCore> core_;
};

// Votes count with the set of their height: a validator added from height 3
// counts there and not before; the quorum grows with the set.
TEST(CoreTest, VotesCountWithTheSetOfTheirHeight) {
  SetHarness h({0});
  h.sets.Add(1, {1, 1, 1, 1}, {0, 1, 2, 3});
  h.sets.Add(3, {1, 1, 1, 1, 1}, {0, 1, 2, 3, 4});
  h.Start(1);
  h.Deliver(h.Decided(1, Block(1), {{0, 0}, {1, 1}, {2, 2}}));
  ASSERT_EQ(Harness::Of<CommitEffect>(h.Run()).size(), 1u);
  // Height 2: key 4 is no validator yet; its precommit (claiming index 4, or
  // another's index) does not make a quorum with two others.
  const crypto::Digest second = h.Hash(Block(2));
  h.Deliver(h.MakeProposal(h.core().ProposerAt(2, 0), h.core().ProposerAt(2, 0), 2, 0, Block(2)));
  for (auto [key, index] : std::vector<std::pair<size_t, uint32_t>>{{1, 1}, {2, 2}, {4, 4}, {4, 3}}) {
    h.Deliver(h.MakeVote(key, index, VoteType::kPrecommit, 2, 0, second));
  }
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Run()).empty());
  h.Deliver(h.MakeVote(3, 3, VoteType::kPrecommit, 2, 0, second));
  ASSERT_EQ(Harness::Of<CommitEffect>(h.Run()).size(), 1u);
  // Height 3: five validators, a quorum is four of them, key 4 among them.
  ASSERT_EQ(h.core().height(), 3u);
  EXPECT_EQ(h.core().validators().size(), 5u);
  EXPECT_EQ(h.core().own_index(), 0u);
  const crypto::Digest third = h.Hash(Block(3));
  const uint32_t proposer = h.core().ProposerAt(3, 0);
  h.Deliver(h.MakeProposal(proposer, proposer, 3, 0, Block(3)));
  for (uint32_t index : {1u, 2u, 4u}) h.Deliver(h.MakeVote(index, index, VoteType::kPrecommit, 3, 0, third));
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Run()).empty()) << "3 of 5 is no quorum";
  h.Deliver(h.MakeVote(3, 3, VoteType::kPrecommit, 3, 0, third));
  std::vector<CommitEffect> commits = Harness::Of<CommitEffect>(h.Run());
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].commit.signatures.size(), 4u);
}

// Messages of the next height are checked against the next height's set before
// they are kept: at height 1 the validator with key 3 leaves and key 4 takes
// index 3 from height 2. Key 4's votes for height 2 are kept (its budget is
// there from the start), key 3's are not, and the kept ones decide height 2.
TEST(CoreTest, NextHeightMessagesAreCheckedAgainstTheNextSet) {
  SetHarness h({0});
  h.sets.Add(1, {1, 1, 1, 1}, {0, 1, 2, 3});
  h.sets.Add(2, {1, 1, 1, 1}, {0, 1, 2, 4});
  h.Start(1);
  h.Run();
  const size_t idle = h.core().RetainedBytes();
  const crypto::Digest second = h.Hash(Block(2));
  h.Deliver(h.MakeVote(3, 3, VoteType::kPrecommit, 2, 0, second));  // key 3: gone at height 2
  EXPECT_EQ(h.core().RetainedBytes(), idle);
  const uint32_t proposer = h.core().ProposerAt(2, 0);
  const size_t proposer_key = proposer == 3 ? 4 : proposer;
  h.Deliver(h.MakeProposal(proposer_key, proposer, 2, 0, Block(2)));
  for (auto [key, index] : std::vector<std::pair<size_t, uint32_t>>{{1, 1}, {2, 2}, {4, 3}}) {
    h.Deliver(h.MakeVote(key, index, VoteType::kPrecommit, 2, 0, second));
  }
  EXPECT_GT(h.core().RetainedBytes(), idle);
  EXPECT_LE(h.core().RetainedBytes(), h.core().RetainedBytesBound());
  h.Deliver(h.Decided(1, Block(1), {{1, 1}, {2, 2}, {3, 3}}));  // height 1: key 3 still signs
  ASSERT_EQ(Harness::Of<CommitEffect>(h.Run()).size(), 1u);
  ASSERT_EQ(h.core().height(), 2u);
  // One decision per input: the kept quorum decides height 2 at the next one.
  h.core().OnRecordsPending(h.now_);
  std::vector<CommitEffect> commits = Harness::Of<CommitEffect>(h.Run());
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].height, 2u);
  std::vector<uint32_t> signers;
  for (const auto& signature : commits[0].commit.signatures) signers.push_back(signature.validator_index);
  EXPECT_EQ(signers, (std::vector<uint32_t>{1, 2, 3}));
}

// A validator whose vote key is rotated signs with the new key from the height
// the rotation decides; a node that holds only the old key follows that height
// as an observer and signs nothing.
TEST(CoreTest, ARotatedVoteKeySignsFromItsHeightOn) {
  for (bool holds_new_key : {true, false}) {
    SetHarness h(holds_new_key ? std::vector<uint64_t>{0, 5} : std::vector<uint64_t>{0});
    h.sets.Add(1, {1, 1, 1, 1}, {0, 1, 2, 3});
    h.sets.Add(2, {1, 1, 1, 1}, {5, 1, 2, 3});
    h.Start(1);
    h.core().OnRecordsPending(h.now_);
    h.core().OnTimeout(1, 0, TimeoutKind::kPropose, h.now_);
    std::vector<Vote> first = Harness::OwnVotes(h.Run(), 0);
    ASSERT_EQ(first.size(), 1u);
    FakeVerifier verifier;
    const auto bytes = [](const Vote& v) { return ledger::VoteSigningBytes("test", v); };
    EXPECT_TRUE(verifier.Verify(*h.sets.ForHeight(1).set, 0, bytes(first[0]), first[0].signature));
    h.Deliver(h.Decided(1, Block(1), {{1, 1}, {2, 2}, {3, 3}}));
    h.Run();
    ASSERT_EQ(h.core().height(), 2u);
    h.core().OnRecordsPending(h.now_);
    h.core().OnTimeout(2, 0, TimeoutKind::kPropose, h.now_);
    std::vector<Vote> second = Harness::OwnVotes(h.Run(), 0);
    if (!holds_new_key) {
      EXPECT_FALSE(h.core().own_index().has_value());
      EXPECT_TRUE(second.empty()) << "an observer at height 2 signs nothing";
      continue;
    }
    EXPECT_EQ(h.core().own_index(), 0u);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_TRUE(verifier.Verify(*h.sets.ForHeight(2).set, 0, bytes(second[0]), second[0].signature));
    EXPECT_FALSE(verifier.Verify(*h.sets.ForHeight(1).set, 0, bytes(second[0]), second[0].signature));
  }
}

// The proposer rotation restarts where the set changes (validators_since), on
// every node alike, whatever the heights before.
TEST(CoreTest, TheProposerRotationRestartsWhereTheSetChanges) {
  SetHarness h({0});
  h.sets.committed = 100;
  h.sets.Add(1, {1, 2, 3, 4}, {0, 1, 2, 3});
  h.sets.Add(5, {4, 3, 2, 1}, {0, 1, 2, 4});
  h.Start(4);
  ProposerSchedule before({1, 2, 3, 4}), after({4, 3, 2, 1});
  for (uint32_t round = 0; round < 12; ++round) {
    EXPECT_EQ(h.core().ProposerAt(4, round), before.ProposerAt(4, round)) << round;
    EXPECT_EQ(h.core().ProposerAt(5, round), after.ProposerAt(1, round)) << round;
    EXPECT_EQ(h.core().ProposerAt(7, round), after.ProposerAt(3, round)) << round;
  }
}

// A commit from a peer is checked with the set of its height: after a power
// change, signers that held a quorum before no longer do.
TEST(CoreTest, ACommitIsCheckedWithTheSetOfItsHeight) {
  SetHarness h({3});
  h.sets.Add(1, {1, 1, 1, 1}, {0, 1, 2, 3});
  h.sets.Add(2, {1, 1, 1, 4}, {0, 1, 2, 4});
  h.Start(1);
  h.Deliver(h.Decided(1, Block(1), {{0, 0}, {1, 1}, {2, 2}}));
  ASSERT_EQ(Harness::Of<CommitEffect>(h.Run()).size(), 1u);
  EXPECT_FALSE(h.core().own_index().has_value()) << "key 3 left at height 2";
  h.Deliver(h.Decided(2, Block(2), {{0, 0}, {1, 1}, {2, 2}}));  // 3 of 7
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Run()).empty());
  h.Deliver(h.Decided(2, Block(2), {{0, 0}, {3, 3}}));  // key 3 is not index 3 any more
  EXPECT_TRUE(Harness::Of<CommitEffect>(h.Run()).empty());
  h.Deliver(h.Decided(2, Block(2), {{0, 0}, {4, 3}}));  // 5 of 7
  EXPECT_EQ(Harness::Of<CommitEffect>(h.Run()).size(), 1u);
}

}  // namespace
}  // namespace evidence::consensus
