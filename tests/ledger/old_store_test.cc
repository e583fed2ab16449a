// Stores and receipts made before governance keep working. The fixture
// (tests/ledger/fixtures/store-v1.json) holds every LevelDB key and value of a
// store, and the receipts of its records, as the code on main wrote them before
// the governance change (commit in its "made_by"); it was produced by a small
// program over that commit's TestChain with the fixed test keys. These tests
// rebuild the store byte for byte and use it with today's code: it opens, it
// audits, a new block goes on top, another store syncs every block from it,
// and every old receipt verifies and is rebuilt identically.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "common/check.h"
#include "ledger/audit.h"
#include "ledger/json.h"
#include "ledger/receipt.h"
#include "ledger/store.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

struct OldStore {
  boost::json::object fixture;
  Genesis genesis;
  std::string directory;
};

std::string TempDir(std::string_view name) {
  auto path = std::filesystem::temp_directory_path() /
              ("old-store-test-" + std::to_string(::getpid()) + "-" + std::string(name));
  std::filesystem::remove_all(path);
  return path.string();
}

// Writes the fixture's keys and values into a fresh LevelDB at `directory`.
OldStore Rebuild(std::string_view name) {
  std::ifstream in(std::string(EVIDENCE_SOURCE_DIR) + "/tests/ledger/fixtures/store-v1.json");
  std::stringstream text;
  text << in.rdbuf();
  boost::json::object fixture = boost::json::parse(text.str()).as_object();
  Genesis genesis = Genesis::Parse(std::string(fixture.at("genesis").as_string())).value();
  std::string directory = TempDir(name);
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  EVIDENCE_CHECK(leveldb::DB::Open(options, directory, &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  leveldb::WriteBatch batch;
  for (const boost::json::value& pair : fixture.at("store").as_array()) {
    Bytes key = HexDecode(std::string(pair.as_array()[0].as_string())).value();
    Bytes value = HexDecode(std::string(pair.as_array()[1].as_string())).value();
    batch.Put(std::string(key.begin(), key.end()), std::string(value.begin(), value.end()));
  }
  EVIDENCE_CHECK(db->Write(leveldb::WriteOptions(), &batch).ok());
  return OldStore{std::move(fixture), std::move(genesis), std::move(directory)};
}

TEST(OldStore, GenesisOfVersionOneKeepsItsBytesAndHash) {
  OldStore old = Rebuild("genesis");
  EXPECT_EQ(old.genesis.version(), 1);
  EXPECT_FALSE(old.genesis.governed());
  EXPECT_EQ(old.genesis.ToJson(), std::string(old.fixture.at("genesis").as_string()));
  EXPECT_EQ(old.genesis.params(), kLegacyChainParams);
  std::filesystem::remove_all(old.directory);
}

TEST(OldStore, OpensAuditsAndTakesNewBlocks) {
  OldStore old = Rebuild("open");
  const uint64_t head = old.fixture.at("head_height").as_int64();
  {
    auto store = Store::Open(old.directory, old.genesis);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->height(), head);
  }
  AuditReport report = Audit(old.directory, old.genesis);
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.blocks_checked, head);

  // Today's code goes on with the same chain: the fixed-key TestChain replays
  // the stored blocks, then makes one more that the old store takes.
  testing::TestChainOptions options;
  options.fixed_keys = true;
  testing::TestChain chain(options);
  ASSERT_EQ(chain.genesis().ToJson(), old.genesis.ToJson());
  auto store = Store::Open(old.directory, old.genesis).value();
  for (uint64_t h = 1; h <= head; ++h) {
    chain.Advance(store->GetBlock(h).value(), store->GetCommit(h).value());
  }
  testing::TestChain::Step step = chain.Next({chain.MakeRecord(0, "(2026)鲁0831行罚9号", 900)});
  ASSERT_TRUE(ValidateBlock(store->chain_state(), step.block).ok());
  ASSERT_TRUE(store->Append(step.block, step.commit).ok());
  store.reset();
  report = Audit(old.directory, old.genesis);
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.blocks_checked, head + 1);
  std::filesystem::remove_all(old.directory);
}

TEST(OldStore, AnotherStoreSyncsEveryBlockFromIt) {
  OldStore old = Rebuild("sync-from");
  auto source = Store::Open(old.directory, old.genesis).value();
  std::string target_directory = TempDir("sync-to");
  auto target = Store::Open(target_directory, old.genesis).value();
  for (uint64_t h = 1; h <= source->height(); ++h) {
    Block block = source->GetBlock(h).value();
    Commit commit = source->GetCommit(h).value();
    Status valid = ValidateBlock(target->chain_state(), block);
    ASSERT_TRUE(valid.ok()) << "block " << h << ": " << valid.ToString();
    ASSERT_TRUE(target->Append(block, commit).ok());
  }
  EXPECT_EQ(target->head().root, source->head().root);
  source.reset();
  target.reset();
  std::filesystem::remove_all(old.directory);
  std::filesystem::remove_all(target_directory);
}

TEST(OldStore, EveryOldReceiptVerifiesAndIsRebuiltIdentically) {
  OldStore old = Rebuild("receipts");
  auto store = Store::Open(old.directory, old.genesis).value();
  size_t checked = 0;
  for (const boost::json::value& entry : old.fixture.at("receipts").as_array()) {
    const boost::json::value& json = entry.as_object().at("receipt");
    std::string text = CanonicalJson(json).value();
    auto receipt = ParseReceipt(text);
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    auto facts = VerifyReceiptForDigest(receipt->record.digest, *receipt, old.genesis);
    ASSERT_TRUE(facts.ok()) << facts.status().ToString();
    Receipt rebuilt = BuildReceipt(*store, RecordId(old.genesis.hash(), receipt->record)).value();
    EXPECT_EQ(ReceiptToText(rebuilt), text + "\n");
    ++checked;
  }
  EXPECT_EQ(checked, 9u);
  store.reset();
  std::filesystem::remove_all(old.directory);
}

}  // namespace
}  // namespace evidence::ledger
