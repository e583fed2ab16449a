#include "ledger/audit.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;

std::string HeightKey(char prefix, uint64_t height) {
  std::string key(1, prefix);
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(height >> shift));
  return key;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = (fs::temp_directory_path() /
                  ("audit-test-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                     .string();
    fs::remove_all(directory_);
    auto store = Store::Open(directory_, chain_.genesis()).value();
    uint64_t seed = 0;
    for (int b = 0; b < 9; ++b) {
      std::vector<Record> records;
      if (b == 4) {
        records = chain_.MakeBatch(0, "case-batch", 1000, 5);
      } else {
        for (int i = 0; i < 4; ++i, ++seed) records.push_back(chain_.MakeRecord(seed % 2, "case-" + std::to_string(seed % 3), seed));
      }
      TestChain::Step step = chain_.Next(records);
      ASSERT_TRUE(store->Append(step.block, step.commit).ok());
      if (b == 5) {  // push the first blocks into table files; the rest stays in the log
        store->db()->CompactRange(nullptr, nullptr);
      }
    }
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Rewrites one key of a closed store.
  void Rewrite(const std::string& key, const std::function<void(std::string&)>& change) {
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), directory_, &db).ok());
    std::string value;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), key, &value).ok());
    change(value);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, value).ok());
    delete db;
  }

  std::map<std::string, std::string> Dump(const std::string& directory) {
    std::map<std::string, std::string> out;
    leveldb::DB* db = nullptr;
    leveldb::Options options;
    options.paranoid_checks = true;
    if (!leveldb::DB::Open(options, directory, &db).ok()) return {};
    leveldb::ReadOptions read;
    read.verify_checksums = true;
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(read));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
    if (!it->status().ok()) out.clear();
    it.reset();
    delete db;
    return out;
  }

  TestChain chain_;
  std::string directory_;
};

TEST_F(AuditTest, CleanStorePassesWithProgress) {
  std::vector<uint64_t> seen;
  AuditReport report = Audit(directory_, chain_.genesis(), [&](uint64_t h, uint64_t total) {
    seen.push_back(h);
    EXPECT_EQ(total, 9u);
  });
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.blocks_checked, 9u);
  EXPECT_EQ(report.records_checked, 8u * 4 + 5);
  EXPECT_EQ(report.signature_checks, 8u * 4 + 1);  // one check for the batch of 5
  EXPECT_GT(report.keys_scanned, report.records_checked * 5);
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_FALSE(report.bad_height.has_value());
}

TEST_F(AuditTest, RefusesMissingStoreAndOtherGenesis) {
  EXPECT_FALSE(Audit(directory_ + "-missing", chain_.genesis()).ok);
  TestChain other;
  AuditReport report = Audit(directory_, other.genesis());
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.reason.find("another genesis"), std::string::npos) << report.reason;
}

TEST_F(AuditTest, NamesTheFirstBadBlock) {
  // A leaf rewritten with another (well-formed, unsigned-by-the-agency) record.
  Rewrite(HeightKey('l', 9), [](std::string& leaf) {
    auto at = leaf.find("\"stage\":\"decision\"");
    ASSERT_NE(at, std::string::npos);
    leaf.replace(at, 18, "\"stage\":\"decisioN\"");
  });
  AuditReport report = Audit(directory_, chain_.genesis());
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.bad_height.has_value());
  EXPECT_EQ(*report.bad_height, 3u);  // leaves 8..11 are block 3
  EXPECT_NE(report.reason.find("record.bad_signature"), std::string::npos) << report.reason;
}

TEST_F(AuditTest, CatchesCommitNodeAndIndexDamage) {
  std::string copy = directory_ + "-copy";
  fs::remove_all(copy);
  fs::copy(directory_, copy);
  Rewrite(HeightKey('c', 6), [](std::string& commit) { commit[commit.size() - 3] ^= 1; });
  AuditReport report = Audit(directory_, chain_.genesis());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_height, std::optional<uint64_t>(6)) << report.reason;

  fs::remove_all(directory_);
  fs::copy(copy, directory_);
  std::string node = "n";
  node.push_back(1);
  node += HeightKey('x', 3).substr(1);  // node (1, 3): leaves 6 and 7, block 2
  Rewrite(node, [](std::string& d) { d[0] ^= 1; });
  report = Audit(directory_, chain_.genesis());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_height, std::optional<uint64_t>(2)) << report.reason;

  fs::remove_all(directory_);
  fs::copy(copy, directory_);
  leveldb::DB* db = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), directory_, &db).ok());
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  it->Seek("r");
  ASSERT_TRUE(it->Valid());
  std::string key = it->key().ToString();
  it.reset();
  ASSERT_TRUE(db->Delete(leveldb::WriteOptions(), key).ok());
  delete db;
  report = Audit(directory_, chain_.genesis());
  EXPECT_FALSE(report.ok);
  EXPECT_TRUE(report.bad_height.has_value()) << report.reason;
  fs::remove_all(copy);
}

// Found trying the CLI as a new user: the audit looked up each record by id
// and by case, but not the digest or agency+time indexes, and never noticed
// an index entry that names a record under another digest, case or agency: a
// damaged index (which GET /v1/digests and /v1/cases answer from) passed.
TEST_F(AuditTest, RegressionDamagedSecondaryIndexesAreFound) {
  std::string copy = directory_ + "-index";
  fs::remove_all(copy);
  fs::copy(directory_, copy);
  // One key of each index, from the store as written.
  std::map<char, std::string> first_key;
  for (const auto& [key, value] : Dump(directory_)) {
    if (!key.empty() && !first_key.contains(key[0])) first_key[key[0]] = key;
  }
  struct Damage {
    std::string name;
    std::function<void(leveldb::DB*)> apply;
  };
  auto erase = [&](char kind) {
    return [&, kind](leveldb::DB* db) { ASSERT_TRUE(db->Delete({}, first_key.at(kind)).ok()); };
  };
  // An entry moved to another digest, case or time names the same leaf under
  // the wrong key: the right key is missing and one too many exists elsewhere.
  auto move = [&](char kind, size_t byte) {
    return [&, kind, byte](leveldb::DB* db) {
      std::string moved = first_key.at(kind);
      moved[byte] ^= 1;
      ASSERT_TRUE(db->Delete({}, first_key.at(kind)).ok());
      ASSERT_TRUE(db->Put({}, moved, "").ok());
    };
  };
  auto extra = [&](char kind) {
    return [&, kind](leveldb::DB* db) {
      std::string another = first_key.at(kind);
      another.back() ^= 0x40;  // the same digest, case or agency naming another leaf
      ASSERT_TRUE(db->Put({}, another, "").ok());
    };
  };
  const std::vector<Damage> damages = {
      {"digest entry missing", erase('d')},
      {"digest entry moved", move('d', 5)},
      {"digest entry extra", extra('d')},
      {"case entry missing", erase('k')},
      {"case entry moved", move('k', 2)},
      {"case entry extra", extra('k')},
      {"agency entry missing", erase('a')},
      {"agency entry moved", move('a', 30)},
      {"agency entry extra", extra('a')},
      {"unknown key", [](leveldb::DB* db) { ASSERT_TRUE(db->Put({}, "zzz", "").ok()); }}};
  for (const Damage& damage : damages) {
    fs::remove_all(directory_);
    fs::copy(copy, directory_);
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), directory_, &db).ok());
    damage.apply(db);
    delete db;
    AuditReport report = Audit(directory_, chain_.genesis());
    EXPECT_FALSE(report.ok) << damage.name << " passed the audit";
    const std::string expected = damage.name == "unknown key" ? "no known kind" : "index";
    EXPECT_NE(report.reason.find(expected), std::string::npos)
        << damage.name << ": " << report.reason;
  }
  fs::remove_all(copy);
}

// One flipped byte in any file of the store: the audit fails or the store does not
// open; it never passes with changed data, and never crashes. (A byte LevelDB never
// reads, e.g. footer padding, changes nothing: then the data must be identical.)
TEST_F(AuditTest, FlippedByteInEveryFileNeverPasses) {
  // Opening a LevelDB replays its log into a table: dump a copy, keep the original.
  std::string copy = directory_ + "-flip";
  fs::remove_all(copy);
  fs::copy(directory_, copy);
  std::map<std::string, std::string> original = Dump(copy);
  ASSERT_FALSE(original.empty());
  size_t files = 0, flips = 0, passes = 0;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(directory_)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    std::string name = path.filename().string();
    // LOCK is empty; LOG and LOG.old are LevelDB's human-readable info logs.
    if (name == "LOCK" || name.rfind("LOG", 0) == 0) continue;
    ++files;
    uintmax_t size = fs::file_size(path);
    ASSERT_GT(size, 0u) << name;
    std::vector<uintmax_t> offsets = {0, size / 2, size - 1};
    for (int k = 1; k < 12; ++k) offsets.push_back(size * k / 12);
    for (uintmax_t offset : offsets) {
      fs::remove_all(copy);
      fs::copy(directory_, copy);
      {
        std::fstream file(fs::path(copy) / name, std::ios::in | std::ios::out | std::ios::binary);
        file.seekg(offset);
        char c = 0;
        file.get(c);
        file.seekp(offset);
        file.put(static_cast<char>(c ^ 0x20));
      }
      ++flips;
      AuditReport report = Audit(copy, chain_.genesis());
      if (report.ok) {
        ++passes;
        EXPECT_EQ(Dump(copy), original) << name << " @" << offset << " passed audit with changed data";
      }
    }
  }
  fs::remove_all(copy);
  EXPECT_GE(files, 4u);  // CURRENT, MANIFEST, a table, the log
  std::cout << "flipped " << flips << " bytes in " << files << " files; " << passes
            << " hit bytes LevelDB never reads" << std::endl;
}

}  // namespace
}  // namespace evidence::ledger
