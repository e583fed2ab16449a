#include "node/driver/evidence_pool.h"

#include <gtest/gtest.h>

#include <utility>

#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

using ledger::testing::TestChain;

class EvidencePoolTest : public ::testing::Test {
 protected:
  EvidencePoolTest() {
    for (int i = 0; i < 3; ++i) chain_.Next({});
  }
  // Commits a block on the test chain recording `evidence`; returns it.
  ledger::Block CommitWith(std::vector<ledger::DuplicateVoteEvidence> evidence) {
    ledger::Block block = chain_.MakeNextBlock({});
    block.evidence = std::move(evidence);
    block.header = ledger::MakeBlockHeader(chain_.state(), block.leaves, block.last_commit,
                                           block.evidence, block.header.proposer);
    EXPECT_TRUE(ledger::ValidateBlock(chain_.state(), block).ok());
    chain_.Advance(block, chain_.MakeCommit(block.header.height,
                                            ledger::BlockHash(chain_.hash(), block.header),
                                            block.header.time_ms));
    return block;
  }

  TestChain chain_;
  EvidencePool pool_;
};

// Regression (issue 16, e2e_byzantine_validator): two honest validators saw a
// Byzantine one's two prevotes in opposite orders; each kept its own pair, the
// block of the first dropped only the identical pair, and the second proposed
// the same equivocation again (recorded in blocks 6 and 8). Both orders are one
// item, in one byte order, and a block recording it drops it on every node.
TEST_F(EvidencePoolTest, RegressionOneEquivocationSeenInEitherOrderIsRecordedOnce) {
  const ledger::DuplicateVoteEvidence seen = chain_.MakeEquivocation(3, 2, 0);
  EvidencePool other;  // another honest validator's pool
  ASSERT_TRUE(pool_.Add(seen.a, seen.b, chain_.state().recorded_evidence));
  ASSERT_TRUE(other.Add(seen.b, seen.a, chain_.state().recorded_evidence));
  EXPECT_FALSE(pool_.Add(seen.b, seen.a, chain_.state().recorded_evidence)) << "kept once";
  ASSERT_EQ(pool_.ForBlock(chain_.state()), other.ForBlock(chain_.state()));
  const ledger::Block block = CommitWith(pool_.ForBlock(chain_.state()));
  pool_.OnCommitted(block);
  other.OnCommitted(block);
  EXPECT_EQ(pool_.size(), 0u);
  EXPECT_EQ(other.size(), 0u);
  EXPECT_TRUE(other.ForBlock(chain_.state()).empty());
  // Seen again (a late copy) after the chain recorded it: not kept.
  EXPECT_FALSE(other.Add(seen.a, seen.b, chain_.state().recorded_evidence));
}

// A third vote of the same validator in the same (height, round, type) is the
// same equivocation: recorded once, whichever two votes a node holds.
TEST_F(EvidencePoolTest, ThreeVotesOfOneRoundAreOneEquivocation) {
  const ledger::DuplicateVoteEvidence first = chain_.MakeEquivocation(1, 2, 0);
  ledger::Vote third = first.a;
  third.block_hash.fill(0x77);
  third.signature = chain_.validator_key(1)
                        .Sign(ledger::VoteSigningBytes(chain_.genesis().chain_id(), third))
                        .value();
  EvidencePool other;
  ASSERT_TRUE(pool_.Add(first.a, first.b, chain_.state().recorded_evidence));
  ASSERT_TRUE(other.Add(first.a, third, chain_.state().recorded_evidence));
  const ledger::Block block = CommitWith(pool_.ForBlock(chain_.state()));
  other.OnCommitted(block);
  EXPECT_EQ(other.size(), 0u);
}

// A block takes only what it may record: votes below its height, within the
// window, not recorded already; what leaves the window is dropped.
TEST_F(EvidencePoolTest, ForBlockKeepsToTheWindowAndOnCommittedPrunesIt) {
  const uint64_t height = chain_.state().height + 1;  // 4
  const ledger::DuplicateVoteEvidence old = chain_.MakeEquivocation(1, 1, 0);
  const ledger::DuplicateVoteEvidence current = chain_.MakeEquivocation(2, height, 0);
  ASSERT_TRUE(pool_.Add(old.a, old.b, chain_.state().recorded_evidence));
  ASSERT_TRUE(pool_.Add(current.a, current.b, chain_.state().recorded_evidence));
  std::vector<ledger::DuplicateVoteEvidence> taken = pool_.ForBlock(chain_.state());
  ASSERT_EQ(taken.size(), 1u) << "votes of the block's own height wait for the next block";
  EXPECT_EQ(ledger::KeyOf(taken[0]), ledger::KeyOf(old));
  ledger::ChainState recorded = chain_.state();
  recorded.recorded_evidence.insert(ledger::KeyOf(old));
  EXPECT_TRUE(pool_.ForBlock(recorded).empty());
  // Empty blocks until votes of height 1 are out of the window of the next block.
  while (chain_.state().height < 1 + ledger::kEvidenceHeightsMax) {
    pool_.OnCommitted(CommitWith({}));
  }
  EXPECT_EQ(pool_.size(), 1u) << "the votes of height 1 were dropped";
  ASSERT_EQ(pool_.ForBlock(chain_.state()).size(), 1u);
  EXPECT_EQ(ledger::KeyOf(pool_.ForBlock(chain_.state())[0]), ledger::KeyOf(current));
}

// At most ledger::kEvidenceMax items: a validator that equivocates in every
// round cannot grow it further; a block takes them all.
TEST_F(EvidencePoolTest, HoldsAtMostOneBlockOfEvidence) {
  for (uint32_t round = 0; round < ledger::kEvidenceMax + 5; ++round) {
    const ledger::DuplicateVoteEvidence evidence = chain_.MakeEquivocation(3, 2, round);
    EXPECT_EQ(pool_.Add(evidence.a, evidence.b, chain_.state().recorded_evidence),
              round < ledger::kEvidenceMax);
  }
  EXPECT_EQ(pool_.size(), ledger::kEvidenceMax);
  const ledger::Block block = CommitWith(pool_.ForBlock(chain_.state()));
  EXPECT_EQ(block.evidence.size(), ledger::kEvidenceMax);
  pool_.OnCommitted(block);
  EXPECT_EQ(pool_.size(), 0u);
}

}  // namespace
}  // namespace evidence::node
