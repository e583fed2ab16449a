#include "node/peer_directory.h"

#include <gtest/gtest.h>

namespace evidence::node {
namespace {

TEST(PeerDirectoryTest, NamesPowersAndKeysBySlot) {
  PeerDirectory directory(4);
  directory.Set(0, {"justice", "k0", 1, true});
  directory.Set(2, {"audit", "k2", 0, true});  // an observer
  EXPECT_EQ(directory.Name(0), "justice");
  EXPECT_EQ(directory.Name(1), "#1");
  EXPECT_EQ(directory.Name(9), "#9");
  EXPECT_EQ(directory.IndexOfKey("k2"), 2u);
  EXPECT_EQ(directory.IndexOfKey("k1"), std::nullopt);
  EXPECT_EQ(directory.IndexOfKey(""), std::nullopt);
  EXPECT_EQ(directory.Powers(), (std::vector<uint64_t>{1, 0, 0, 0}));
  // Promoted to a validator: its power counts; removed: it counts no more.
  directory.Set(2, {"audit", "k2", 1, true});
  EXPECT_EQ(directory.Powers(), (std::vector<uint64_t>{1, 0, 1, 0}));
  directory.Set(0, {"justice", "k0", 1, false});
  EXPECT_EQ(directory.Powers(), (std::vector<uint64_t>{0, 0, 1, 0}));
  EXPECT_EQ(directory.IndexOfKey("k0"), 0u);  // the slot keeps its key
}

TEST(PeerDirectoryDeathTest, ASlotNeverChangesItsKey) {
  PeerDirectory directory(2);
  directory.Set(1, {"court", "k1", 1, true});
  EXPECT_DEATH(directory.Set(1, {"court", "other", 1, true}), "changed its node key");
}

}  // namespace
}  // namespace evidence::node
