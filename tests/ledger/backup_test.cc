#include "ledger/backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "ledger/audit.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("backup-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = Store::Open((dir_ / "store").string(), chain_.genesis()).value();
    for (int b = 0; b < 3; ++b) Append(b);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Append(int seed) {
    TestChain::Step step = chain_.Next({chain_.MakeRecord(0, "(2026)鲁0831行罚1号", 10 * seed + 1),
                                        chain_.MakeRecord(1, "(2026)鲁0831行罚2号", 10 * seed + 2)});
    ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
  }
  std::string Backup() {
    std::string bytes;
    auto manifest = WriteBackup(*store_, [&](ByteView chunk) {
      bytes.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
      return Status::Ok();
    });
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    return bytes;
  }
  Result<BackupManifest> Restore(const std::string& bytes, const std::string& name = "restored") {
    std::istringstream in(bytes);
    return RestoreBackup(in, (dir_ / name).string(), chain_.genesis());
  }

  TestChain chain_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(BackupTest, ARestoredStoreHasTheSameHeadAndAuditsClean) {
  std::string bytes = Backup();
  std::istringstream header(bytes);
  auto read = ReadBackupManifest(header);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->chain_id, chain_.genesis().chain_id());
  EXPECT_EQ(read->head.height, 3u);
  EXPECT_EQ(read->head.size, 6u);
  EXPECT_EQ(read->head.root, store_->head().root);
  EXPECT_EQ(read->head.block_hash, store_->head().block_hash);

  // The bytes of the format (docs/storage-format.md, "Backup file").
  EXPECT_EQ(bytes.substr(0, 12), std::string("EVBACKUP\0\0\0\1", 12));
  EXPECT_EQ(bytes.substr(16, 34), R"({"format":"evidence-backup/1","cha)");
  EXPECT_EQ(bytes[bytes.size() - 41], '\0') << "the end tag";
  auto restored = Restore(bytes);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_GT(restored->entries, 6u * 4);
  AuditReport report = Audit((dir_ / "restored").string(), chain_.genesis());
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.head_height, 3u);
  auto reopened = Store::Open((dir_ / "restored").string(), chain_.genesis());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->head().root, store_->head().root);
  EXPECT_FALSE(fs::exists(dir_ / "restored.restoring"));
}

// The node keeps committing during a backup: the copy is the snapshot's.
TEST_F(BackupTest, AnAppendDuringTheExportIsNotInTheCopy) {
  TreeHead seen;
  size_t keys = 0;
  bool head_key_seen = false;
  Status exported = store_->ExportSnapshot(
      [&](const TreeHead& head) {
        seen = head;
        Append(7);  // a block committed after the snapshot was taken
        return Status::Ok();
      },
      [&](std::string_view key, std::string_view value) {
        ++keys;
        if (key == "H") {
          head_key_seen = true;
          EXPECT_EQ(value.substr(0, 8), std::string("\0\0\0\0\0\0\0\3", 8)) << "height 3";
        }
        return Status::Ok();
      });
  ASSERT_TRUE(exported.ok()) << exported.ToString();
  EXPECT_TRUE(head_key_seen);
  EXPECT_EQ(seen.height, 3u);
  EXPECT_EQ(store_->height(), 4u);
  EXPECT_GT(keys, 0u);
}

TEST_F(BackupTest, DamagedTruncatedForeignOrNewerBackupsAreRefusedAndLeaveNothing) {
  std::string bytes = Backup();
  std::string damaged = bytes;
  damaged[damaged.size() / 2] ^= 0x01;
  auto refused = Restore(damaged);
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(fs::exists(dir_ / "restored"));
  EXPECT_FALSE(fs::exists(dir_ / "restored.restoring"));

  auto truncated = Restore(bytes.substr(0, bytes.size() - 40));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("ends inside"), std::string::npos)
      << truncated.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "restored"));

  std::string newer = bytes;
  newer[11] = 2;  // u32 version after "EVBACKUP"
  auto too_new = Restore(newer);
  ASSERT_FALSE(too_new.ok());
  EXPECT_NE(too_new.status().message().find("written in backup format 2 by a newer evidence"),
            std::string::npos)
      << too_new.status().message();

  std::istringstream in(bytes);
  TestChain other(testing::TestChainOptions{.chain_id = "another-chain"});
  auto foreign = RestoreBackup(in, (dir_ / "restored").string(), other.genesis());
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir_ / "restored"));

  EXPECT_FALSE(Restore("not a backup").ok());
  ASSERT_TRUE(Restore(bytes).ok());
  EXPECT_EQ(Restore(bytes).status().code(), StatusCode::kAlreadyExists) << "never overwrites";
}

}  // namespace
}  // namespace evidence::ledger
