#include "node/governance_pool.h"

#include <gtest/gtest.h>

#include "ledger/errors.h"
#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

using ledger::testing::TestChain;

class GovernancePoolTest : public ::testing::Test {
 protected:
  static ledger::testing::TestChainOptions Governed() {
    ledger::testing::TestChainOptions options;
    options.governed = true;
    options.fixed_keys = true;
    return options;
  }
  GovernancePoolTest() : chain_(Governed()), latest_(chain_.history().genesis()) {}

  // A remove-reader action at `seq`, removing reader `reader` of genesis.
  ledger::GovernanceAction RemoveReader(uint64_t seq, size_t reader = 0) {
    return ledger::ParseAction(
               chain_.ActionLeafOf(
                   ledger::RemoveReader{chain_.genesis().readers().at(reader).id}, seq))
        .value();
  }
  ledger::GovernanceAction AddAgency(uint64_t seq, std::string id, std::string name = "x") {
    crypto::PrivateKey key =
        crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value();
    return ledger::ParseAction(chain_.ActionLeafOf(
                                   ledger::AddAgency{{std::move(id), std::move(name), "某县人民政府",
                                                      {key.public_key()}}},
                                   seq))
        .value();
  }

  TestChain chain_;
  ledger::GovernanceStatePtr latest_;
  const ledger::ActionContext context_{1, ledger::testing::kGenesisTimeMs};
};

TEST_F(GovernancePoolTest, KeepsOneChainOfSequenceNumbersAndReapsItInOrder) {
  GovernancePool pool([this] { return latest_; });
  ASSERT_TRUE(pool.Add(AddAgency(1, "a1"), context_, false).ok());
  ASSERT_TRUE(pool.Add(AddAgency(2, "a2"), context_, false).ok());
  // A gap is refused, so is a second action at a pending number.
  EXPECT_EQ(ledger::ErrorCodeOf(pool.Add(AddAgency(4, "a4"), context_, false).status()),
            ledger::ErrorCode::kGovernanceBadSequence);
  EXPECT_EQ(ledger::ErrorCodeOf(pool.Add(AddAgency(2, "other"), context_, false).status()),
            ledger::ErrorCode::kGovernanceBadSequence);
  // An action that conflicts with a pending one before it.
  EXPECT_EQ(ledger::ErrorCodeOf(pool.Add(AddAgency(3, "a1"), context_, false).status()),
            ledger::ErrorCode::kGovernanceConflict);
  EXPECT_EQ(pool.size(), 2u);
  std::vector<std::string> one = pool.Reap(latest_, context_, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(ledger::ParseAction(one[0])->seq, 1u);
  EXPECT_EQ(pool.size(), 2u);  // reaping proposes; the commit removes
  std::vector<std::string> both = pool.Reap(latest_, context_, 16);
  ASSERT_EQ(both.size(), 2u);
  // The register moves past the first: it is forgotten, the second stays.
  latest_ = ledger::ApplyActionLeaves(latest_, {both[0]}, context_).value();
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.Pending().front().seq, 2u);
}

// When the register moved under the pool (another node's action took the
// number), what can no longer apply is dropped with everything after it.
TEST_F(GovernancePoolTest, StaleActionsAreDropped) {
  GovernancePool pool([this] { return latest_; });
  ASSERT_TRUE(pool.Add(AddAgency(1, "mine"), context_, false).ok());
  ASSERT_TRUE(pool.Add(AddAgency(2, "mine-too"), context_, false).ok());
  // Another node's seq 1 is committed: this pool's seq 1 is passed
  // (forgotten); its seq 2 still applies on the new register and is proposed.
  latest_ = ledger::ApplyActionLeaves(latest_, {ledger::ActionLeaf(RemoveReader(1))}, context_)
                .value();
  std::vector<std::string> leaves = pool.Reap(latest_, context_, 16);
  ASSERT_EQ(leaves.size(), 1u);
  EXPECT_EQ(ledger::ParseAction(leaves[0])->seq, 2u);

  GovernancePool stale([this] { return latest_; });
  ASSERT_TRUE(stale.Add(AddAgency(2, "a"), context_, false).ok());
  ASSERT_TRUE(stale.Add(AddAgency(3, "b"), context_, false).ok());
  // Another node's seq 2 added "b": seq 2 here is passed, seq 3 (adding "b"
  // again) can never apply and goes.
  latest_ = ledger::ApplyActionLeaves(latest_, {ledger::ActionLeaf(AddAgency(2, "b"))}, context_)
                .value();
  EXPECT_TRUE(stale.Reap(latest_, context_, 16).empty());
  EXPECT_EQ(stale.size(), 0u);
}

TEST_F(GovernancePoolTest, BoundedInCountAndBytesAndDryRunsKeepNothing) {
  GovernancePool by_count([this] { return latest_; }, GovernancePoolOptions{2, 1 << 20});
  EXPECT_TRUE(by_count.Add(AddAgency(1, "a1"), context_, true).ok());
  EXPECT_EQ(by_count.size(), 0u);
  ASSERT_TRUE(by_count.Add(AddAgency(1, "a1"), context_, false).ok());
  ASSERT_TRUE(by_count.Add(AddAgency(2, "a2"), context_, false).ok());
  EXPECT_EQ(by_count.Add(AddAgency(3, "a3"), context_, false).status().code(),
            StatusCode::kResourceExhausted);
  const size_t leaf_bytes = ledger::ActionLeaf(AddAgency(1, "a1")).size();
  GovernancePool by_bytes([this] { return latest_; },
                          GovernancePoolOptions{100, leaf_bytes + leaf_bytes / 2});
  ASSERT_TRUE(by_bytes.Add(AddAgency(1, "a1"), context_, false).ok());
  EXPECT_EQ(by_bytes.Add(AddAgency(2, "a2"), context_, false).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(by_bytes.size(), 1u);
}

}  // namespace
}  // namespace evidence::node
