#include "ledger/governance_history.h"

#include <gtest/gtest.h>

#include "ledger/block.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

testing::TestChainOptions Governed() {
  testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  return options;
}

// An action committed at h is in force from h + 2; the register after h is
// the latest from h on; a refused list changes nothing.
TEST(GovernanceHistory, RegistersByHeight) {
  testing::TestChain chain(Governed());
  GovernanceHistory history(chain.history().genesis());
  const GovernanceStatePtr genesis = history.genesis();
  EXPECT_FALSE(history.changed());
  EXPECT_EQ(RequiredBlockVersion(*history.Latest(), false), kBlockVersionLegacy);
  EXPECT_EQ(RequiredBlockVersion(*history.Latest(), true), kBlockVersionGoverned);
  ASSERT_TRUE(history.Apply(3, 1000, {}).ok());  // no actions: nothing
  EXPECT_FALSE(history.changed());
  const std::string remove_reader =
      chain.ActionLeafOf(RemoveReader{chain.genesis().readers().front().id}, 1);
  ASSERT_TRUE(history.Apply(5, 2000, {remove_reader}).ok());
  EXPECT_TRUE(history.changed());
  EXPECT_EQ(history.ChangeHeights(), std::vector<uint64_t>{5});
  for (uint64_t height : {1, 2, 3, 4, 5, 6}) EXPECT_EQ(history.InForce(height), genesis) << height;
  EXPECT_NE(history.InForce(7), genesis);
  EXPECT_EQ(history.InForce(7), history.AfterBlock(5));
  EXPECT_EQ(history.AfterBlock(4), genesis);
  EXPECT_EQ(history.Latest()->next_seq(), 2u);
  EXPECT_EQ(RequiredBlockVersion(*history.Latest(), false), kBlockVersionGoverned);
  // Replayed (seq 1 again) and unknown: refused, nothing changes.
  EXPECT_FALSE(history.Apply(6, 3000, {remove_reader}).ok());
  EXPECT_FALSE(history.Apply(7, 3000, {"{}"}).ok());
  EXPECT_EQ(history.ChangeHeights(), std::vector<uint64_t>{5});
  EXPECT_EQ(history.Latest()->next_seq(), 2u);
}

}  // namespace
}  // namespace evidence::ledger
