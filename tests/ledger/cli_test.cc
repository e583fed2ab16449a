// Runs the `evidence` binary: `evidence verify` and `evidence audit` exit codes and
// messages (the commands live in api/cli/cmd_verify.cc and api/cli/cmd_audit.cc).
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ledger/receipt.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandRun Evidence(const std::string& arguments) {
  std::string command = std::string(EVIDENCE_BIN_DIR) + "/evidence " + arguments + " 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  EVIDENCE_CHECK(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(std::string(EVIDENCE_BIN_DIR) + "/evidence")) GTEST_SKIP() << "no evidence binary";
    directory_ = fs::temp_directory_path() / ("cli-test-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    data_ = (directory_ / "data").string();
    auto store = Store::Open(data_, chain_.genesis()).value();
    std::string document = "行政处罚决定书 bytes";
    Record record = chain_.UnsignedRecord(0, "(2026)鲁0831行罚7号", 1);
    record.digest = FormatDocumentDigest(crypto::HashAlgorithm::kSha256,
                                         crypto::Hash(crypto::HashAlgorithm::kSha256, document));
    ASSERT_TRUE(SignRecord(chain_.agency_key(0), record).ok());
    for (int b = 0; b < 3; ++b) {
      std::vector<Record> records = {chain_.MakeRecord(1, "c", 100 + b)};
      if (b == 1) records.push_back(record);
      TestChain::Step step = chain_.Next(records);
      ASSERT_TRUE(store->Append(step.block, step.commit).ok());
    }
    Receipt receipt = BuildReceipt(*store, RecordId(chain_.hash(), record)).value();
    record_id_ = crypto::DigestHex(RecordId(chain_.hash(), record));
    Write("document.txt", document);
    Write("receipt.json", ReceiptToText(receipt));
    receipt.record.stage = "filing";
    Write("tampered.json", ReceiptToText(receipt));
    Write("genesis.json", chain_.genesis().ToJson());
  }
  void TearDown() override { fs::remove_all(directory_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(directory_ / name) << text; }
  std::string Path(const std::string& name) { return (directory_ / name).string(); }

  TestChain chain_;
  fs::path directory_;
  std::string data_;
  std::string record_id_;
};

TEST_F(CliTest, VerifyExitCodes) {
  std::string tail = " --genesis " + Path("genesis.json");
  CommandRun ok = Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") + tail);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find(record_id_), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("block height: 2"), std::string::npos) << ok.output;
  // What the receipt proves comes first: the commit's median time.
  size_t existed = ok.output.find("existed no later than (存在时间不晚于): ");
  EXPECT_LT(existed, ok.output.find("record id:")) << ok.output;
  EXPECT_NE(ok.output.find("(2026)鲁0831行罚7号"), std::string::npos);

  CommandRun tampered = Evidence("verify " + Path("document.txt") + " --receipt " + Path("tampered.json") + tail);
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_NE(tampered.output.find("receipt.bad_record_signature"), std::string::npos) << tampered.output;

  Write("other.txt", "another document");
  CommandRun other = Evidence("verify " + Path("other.txt") + " --receipt " + Path("receipt.json") + tail);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("receipt.digest_mismatch"), std::string::npos) << other.output;

  // Unusable input: exit 2, the code first on the error line.
  Write("version2.json", "{\"v\":3}");
  CommandRun version2 = Evidence("verify " + Path("document.txt") + " --receipt " + Path("version2.json") + tail);
  EXPECT_EQ(version2.exit_code, 2) << version2.output;
  EXPECT_NE(version2.output.find("evidence verify: receipt.unsupported_version: "), std::string::npos)
      << version2.output;
  Write("bad-genesis.json", "{}");
  CommandRun bad_genesis = Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") +
                                    " --genesis " + Path("bad-genesis.json"));
  EXPECT_EQ(bad_genesis.exit_code, 2) << bad_genesis.output;
  EXPECT_NE(bad_genesis.output.find("evidence verify: genesis.invalid: "), std::string::npos)
      << bad_genesis.output;
  Write("broken.json", "{\"v\":1");
  EXPECT_EQ(Evidence("verify " + Path("document.txt") + " --receipt " + Path("broken.json") + tail).exit_code, 2);
  EXPECT_EQ(Evidence("verify " + Path("missing.txt") + " --receipt " + Path("receipt.json") + tail).exit_code, 2);
  EXPECT_EQ(Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") +
                     " --genesis " + Path("missing.json"))
                .exit_code,
            2);
  EXPECT_EQ(Evidence("verify " + Path("document.txt")).exit_code, 2);
}

TEST_F(CliTest, AuditExitCodes) {
  std::string genesis = " --genesis " + Path("genesis.json");
  CommandRun ok = Evidence("audit --data " + data_ + genesis);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK: 3 blocks, 4 records"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("audit: block 3/3"), std::string::npos) << ok.output;
  EXPECT_EQ(Evidence("audit --data " + Path("nowhere") + genesis).exit_code, 2);
  // Regression (issue 18): output to a pipe had carriage returns.
  EXPECT_EQ(ok.output.find('\r'), std::string::npos) << ok.output;
  // Regression (issue 18): a store held by a running node was called damaged.
  {
    auto running = Store::Open(data_, chain_.genesis());
    ASSERT_TRUE(running.ok());
    CommandRun locked = Evidence("audit --data " + data_ + genesis);
    EXPECT_EQ(locked.exit_code, 2) << locked.output;
    EXPECT_NE(locked.output.find("is in use by a running node"), std::string::npos) << locked.output;
    EXPECT_EQ(locked.output.find("damaged"), std::string::npos) << locked.output;
  }
  // Damage the leaf of block 2's second record.
  {
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), data_, &db).ok());
    std::string key = "l";
    key.append(7, '\0');
    key.push_back(2);
    std::string leaf;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), key, &leaf).ok());
    leaf.replace(leaf.find("行罚7号"), 9, "行罚8号");
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, leaf).ok());
    delete db;
  }
  CommandRun bad = Evidence("audit --data " + data_ + genesis);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("block 2 is bad"), std::string::npos) << bad.output;
}

// Found trying the CLI as a new user: `evidence audit --data DIR` on a node's
// data directory (which holds store/ and consensus.wal) said "the store is
// damaged". It must find the store inside, or say where a node keeps it.
TEST_F(CliTest, RegressionAuditFindsTheStoreInsideANodeDataDirectory) {
  std::string genesis = " --genesis " + Path("genesis.json");
  const fs::path node_data = directory_ / "node-data";
  fs::create_directories(node_data);
  fs::rename(data_, node_data / "store");
  std::ofstream(node_data / "consensus.wal") << "EVWAL";
  CommandRun ok = Evidence("audit --data " + node_data.string() + genesis);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK: 3 blocks, 4 records"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("the store is " + (node_data / "store").string()), std::string::npos)
      << ok.output;

  fs::create_directories(directory_ / "empty");
  CommandRun none = Evidence("audit --data " + Path("empty") + genesis);
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_EQ(none.output.find("damaged"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("<data_dir>/store"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace evidence::ledger
