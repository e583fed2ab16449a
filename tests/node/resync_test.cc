#include "node/resync.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>


namespace evidence::node {
namespace {

namespace fs = std::filesystem;

class ResyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("evidence-resync-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "store");
    std::ofstream(dir_ / "store" / "CURRENT") << "MANIFEST-000001\n";
    std::ofstream(dir_ / "consensus.wal") << "votes";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ResyncTest, MovesTheStoreAsideAndKeepsTheWal) {
  Result<std::string> aside = SetStoreAsideForResync(dir_.string(), "20261206T204501Z");
  ASSERT_TRUE(aside.ok()) << aside.status().ToString();
  EXPECT_EQ(*aside, (dir_ / "store.damaged-20261206T204501Z").string());
  EXPECT_FALSE(fs::exists(dir_ / "store"));
  EXPECT_TRUE(fs::exists(dir_ / "store.damaged-20261206T204501Z" / "CURRENT"));
  std::ifstream wal(dir_ / "consensus.wal");
  std::string text;
  std::getline(wal, text);
  EXPECT_EQ(text, "votes");
}

TEST_F(ResyncTest, RefusesWhenThereIsNoStore) {
  fs::remove_all(dir_ / "store");
  Result<std::string> aside = SetStoreAsideForResync(dir_.string(), "20261206T204501Z");
  ASSERT_FALSE(aside.ok());
  EXPECT_EQ(aside.status().code(), StatusCode::kNotFound);
  EXPECT_NE(aside.status().message().find("without --resync"), std::string::npos);
}

TEST_F(ResyncTest, NeverOverwritesAStoreSetAsideBefore) {
  fs::create_directories(dir_ / "store.damaged-20261206T204501Z");
  Result<std::string> aside = SetStoreAsideForResync(dir_.string(), "20261206T204501Z");
  ASSERT_FALSE(aside.ok());
  EXPECT_EQ(aside.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs::exists(dir_ / "store" / "CURRENT"));
}

TEST(UtcStampTest, IsSixteenCharactersOfDateAndTime) {
  const std::string stamp = UtcStampNow();
  ASSERT_EQ(stamp.size(), 16u);
  EXPECT_EQ(stamp[8], 'T');
  EXPECT_EQ(stamp[15], 'Z');
}

}  // namespace
}  // namespace evidence::node
