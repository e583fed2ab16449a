#include "ledger/store.h"

#include <gtest/gtest.h>
#include <leveldb/write_batch.h>

#include <filesystem>

#include "ledger/audit.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

using testing::TestChain;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = (std::filesystem::temp_directory_path() /
                  ("store-test-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                     .string();
    std::filesystem::remove_all(directory_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
  }
  void OpenStore() {
    store_.reset();
    auto store = Store::Open(directory_, chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  // Appends `blocks` blocks of `per_block` records (agency alternating, two cases).
  void Fill(int blocks, int per_block) {
    for (int b = 0; b < blocks; ++b) {
      std::vector<Record> records;
      for (int i = 0; i < per_block; ++i) {
        records.push_back(chain_.MakeRecord(seed_ % 2, seed_ % 3 == 0 ? "case-a" : "case-b", seed_));
        ++seed_;
      }
      TestChain::Step step = chain_.Next(records);
      ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
      blocks_.push_back(step);
      for (const Record& r : records) records_.push_back(r);
    }
  }
  std::vector<crypto::Digest> LeafHashes(uint64_t size) {
    std::vector<crypto::Digest> out;
    crypto::MerkleHasher hasher(chain_.hash());
    for (uint64_t i = 0; i < size; ++i) out.push_back(hasher.HashLeaf(AsBytes(RecordLeaf(records_[i]))));
    return out;
  }

  TestChain chain_;
  std::string directory_;
  std::unique_ptr<Store> store_;
  std::vector<TestChain::Step> blocks_;
  std::vector<Record> records_;
  uint64_t seed_ = 0;
};

TEST_F(StoreTest, AppendQueryAndReopen) {
  OpenStore();
  EXPECT_EQ(store_->height(), 0u);
  Fill(5, 3);
  chain_.Next({});  // an empty block too
  ASSERT_TRUE(store_->Append(chain_.MakeNextBlock({}), chain_.last_commit()).code() ==
              StatusCode::kFailedPrecondition);  // wrong height: already advanced
  OpenStore();
  TreeHead head = store_->head();
  EXPECT_EQ(head.height, 5u);
  EXPECT_EQ(head.size, 15u);
  EXPECT_EQ(head.root, crypto::MerkleRoot(crypto::MerkleHasher(chain_.hash()), LeafHashes(15)));
  for (int h = 1; h <= 5; ++h) {
    auto block = store_->GetBlock(h);
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    EXPECT_EQ(*block, blocks_[h - 1].block);
    EXPECT_EQ(store_->GetCommit(h).value(), blocks_[h - 1].commit);
  }
  EXPECT_EQ(store_->GetBlock(6).status().code(), StatusCode::kNotFound);
  // By id, with its place.
  crypto::Digest id = RecordId(chain_.hash(), records_[7]);
  auto stored = store_->GetRecord(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->record, records_[7]);
  EXPECT_EQ(stored->leaf_index, 7u);
  EXPECT_EQ(stored->height, 3u);
  EXPECT_TRUE(store_->ContainsRecord(id).value());
  crypto::Digest missing{};
  EXPECT_FALSE(store_->ContainsRecord(missing).value());
  EXPECT_EQ(store_->GetRecord(missing).status().code(), StatusCode::kNotFound);
}

// Leaves the caller holds parsed with their ids (its mempool's records) are
// indexed from those; the store parses the others; the result is the same.
TEST_F(StoreTest, AppendWithParsedRecordsIndexesTheSame) {
  OpenStore();
  std::vector<Record> records;
  for (int i = 0; i < 6; ++i) records.push_back(chain_.MakeRecord(i % 2, "case-p", 100 + i));
  TestChain::Step step = chain_.Next(records);
  std::vector<std::optional<KnownRecord>> known(records.size());
  for (size_t i : {0, 2, 4}) known[i] = KnownRecord{records[i], RecordId(chain_.hash(), records[i])};
  std::vector<crypto::Digest> ids;
  ASSERT_TRUE(store_->Append(step.block, step.commit, &ids, &known).ok());
  ASSERT_EQ(ids.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(ids[i], RecordId(chain_.hash(), records[i]));
    auto stored = store_->GetRecord(ids[i]);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->record, records[i]);
    EXPECT_EQ(stored->leaf_index, i);
    auto by_digest = store_->RecordsByDigest(records[i].digest, 10).value();
    ASSERT_EQ(by_digest.size(), 1u);
    EXPECT_EQ(by_digest[0].leaf_index, i);
  }
  EXPECT_EQ(store_->RecordsByCase("case-p", 100).value().size(), records.size());
  EXPECT_EQ(store_->RecordsByAgency(chain_.agency_id(1), 0, INT64_MAX, 100).value().size(), 3u);
  OpenStore();
  EXPECT_EQ(store_->head().size, records.size());
}

TEST_F(StoreTest, Indexes) {
  OpenStore();
  Fill(4, 3);
  // By digest: the same document recorded twice (two stages) gives two records.
  Record again = chain_.MakeRecord(1, "case-z", 4);
  again.stage = "execution";
  ASSERT_TRUE(SignRecord(chain_.agency_key(1), again).ok());
  TestChain::Step step = chain_.Next({again});
  ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
  auto by_digest = store_->RecordsByDigest(records_[4].digest, 10);
  ASSERT_TRUE(by_digest.ok());
  ASSERT_EQ(by_digest->size(), 2u);
  EXPECT_EQ((*by_digest)[0].leaf_index, 4u);
  EXPECT_EQ((*by_digest)[1].record, again);
  // By case, in log order, with paging.
  auto case_a = store_->RecordsByCase("case-a", 100).value();
  std::vector<uint64_t> expected;
  for (uint64_t i = 0; i < 12; ++i) {
    if (i % 3 == 0) expected.push_back(i);
  }
  ASSERT_EQ(case_a.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(case_a[i].leaf_index, expected[i]);
  auto page = store_->RecordsByCase("case-a", 2, case_a[0].leaf_index).value();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].leaf_index, expected[1]);
  EXPECT_TRUE(store_->RecordsByCase("case", 10).value().empty());  // no prefix matches
  // By agency and time range.
  const std::string& agency = chain_.agency_id(0);
  auto all = store_->RecordsByAgency(agency, 0, INT64_MAX, 100).value();
  EXPECT_EQ(all.size(), 6u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].record.time_ms, all[i].record.time_ms);
  int64_t t = all[2].record.time_ms;
  std::vector<StoredRecord> at_t = store_->RecordsByAgency(agency, t, t + 1, 100).value();
  EXPECT_FALSE(at_t.empty());
  for (const StoredRecord& r : at_t) {
    EXPECT_EQ(r.record.time_ms, t);
  }
  EXPECT_TRUE(store_->RecordsByAgency(agency, t, t, 100).value().empty());
  EXPECT_FALSE(store_->RecordsByDigest("nonsense", 10).ok());
}

TEST_F(StoreTest, ProofsAtEverySizeMatchTheInMemoryTree) {
  OpenStore();
  Fill(7, 5);  // 35 leaves over 7 blocks
  crypto::MerkleHasher hasher(chain_.hash());
  std::vector<crypto::Digest> all = LeafHashes(35);
  for (uint64_t size = 1; size <= 35; ++size) {
    std::span<const crypto::Digest> leaves(all.data(), size);
    EXPECT_EQ(store_->RootAt(size).value(), crypto::MerkleRoot(hasher, leaves));
    for (uint64_t index = 0; index < size; index += 3) {
      EXPECT_EQ(store_->InclusionProof(index, size).value(),
                crypto::MakeInclusionProof(hasher, leaves, index))
          << index << "/" << size;
    }
    for (uint64_t old_size = 0; old_size <= size; old_size += 4) {
      EXPECT_EQ(store_->ConsistencyProof(old_size, size).value(),
                crypto::MakeConsistencyProof(hasher, leaves, old_size));
    }
  }
  EXPECT_FALSE(store_->InclusionProof(0, 36).ok());
  EXPECT_FALSE(store_->InclusionProof(35, 35).ok());
  EXPECT_FALSE(store_->ConsistencyProof(10, 5).ok());
}

TEST_F(StoreTest, AppendRefusesWhatDoesNotExtendTheLog) {
  OpenStore();
  Fill(1, 2);
  Block block = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 100)});
  Commit commit = chain_.MakeCommit(2, BlockHash(chain_.hash(), block.header), block.header.time_ms);
  Block wrong = block;
  wrong.header.log_root[0] ^= 1;
  Commit wrong_commit = chain_.MakeCommit(2, BlockHash(chain_.hash(), wrong.header), 0);
  EXPECT_FALSE(store_->Append(wrong, wrong_commit).ok());
  EXPECT_FALSE(store_->Append(block, chain_.MakeCommit(2, crypto::Digest{}, 0)).ok());
  wrong = block;
  wrong.header.previous_hash[0] ^= 1;
  EXPECT_EQ(store_->Append(wrong, commit).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->height(), 1u);
  EXPECT_TRUE(store_->Append(block, commit).ok());
  EXPECT_EQ(store_->height(), 2u);
  // The store's ChainState validates the next block.
  chain_.Advance(block, commit);
  Block next = chain_.MakeNextBlock({chain_.MakeRecord(1, "c", 101)});
  EXPECT_TRUE(ValidateBlock(store_->chain_state(), next).ok());
  Block duplicate = chain_.MakeNextBlock({records_[0]});
  EXPECT_EQ(ErrorCodeOf(ValidateBlock(store_->chain_state(), duplicate)),
            ErrorCode::kBlockDuplicateRecord);
}

TEST_F(StoreTest, RefusesOtherGenesisAndInconsistentStores) {
  OpenStore();
  Fill(3, 3);
  store_.reset();
  TestChain other;
  auto refused = Store::Open(directory_, other.genesis());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();

  // Regression (issue 18): a store of a newer format is refused by name.
  {
    std::string newer_copy = directory_ + "-newer";
    std::filesystem::remove_all(newer_copy);
    std::filesystem::copy(directory_, newer_copy);
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), newer_copy, &db).ok());
    std::string version;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), "V", &version).ok());
    version.replace(0, 16, "evidence-store/3");
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "V", version).ok());
    delete db;
    auto newer = Store::Open(newer_copy, chain_.genesis());
    EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(newer.status().message().find("evidence-store/3, written by a newer evidence-node"),
              std::string::npos)
        << newer.status().ToString();
    std::filesystem::remove_all(newer_copy);
  }

  // Remove one Merkle node of the frontier: the recomputed root must not match.
  auto damage = [&](const std::function<void(leveldb::DB*)>& change) {
    leveldb::DB* db = nullptr;
    leveldb::Options options;
    ASSERT_TRUE(leveldb::DB::Open(options, directory_, &db).ok());
    change(db);
    delete db;
  };
  std::string copy = directory_ + "-copy";
  std::filesystem::remove_all(copy);
  std::filesystem::copy(directory_, copy);
  damage([](leveldb::DB* db) {
    std::string key = "n";
    key.push_back(3);
    key.append(8, '\0');  // node (3, 0): leaves 0..7
    std::string value(32, 'x');
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, value).ok());
  });
  auto opened = Store::Open(directory_, chain_.genesis());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();

  std::filesystem::remove_all(directory_);
  std::filesystem::copy(copy, directory_);
  damage([](leveldb::DB* db) { ASSERT_TRUE(db->Delete(leveldb::WriteOptions(), "H").ok()); });
  opened = Store::Open(directory_, chain_.genesis());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();

  std::filesystem::remove_all(directory_);
  std::filesystem::copy(copy, directory_);
  damage([](leveldb::DB* db) {
    std::string key = "c";
    key.append(7, '\0');
    key.push_back(3);
    ASSERT_TRUE(db->Delete(leveldb::WriteOptions(), key).ok());
  });
  opened = Store::Open(directory_, chain_.genesis());
  EXPECT_FALSE(opened.ok());
  std::filesystem::remove_all(copy);
}

// ---------------------------------------------------------------- governance

testing::TestChainOptions GovernedChain() {
  testing::TestChainOptions options;
  options.governed = true;
  options.fixed_keys = true;
  return options;
}

class GovernedStoreTest : public StoreTest {
 protected:
  GovernedStoreTest() { chain_ = TestChain(GovernedChain()); }
  crypto::PrivateKey Spare(size_t i) {
    return crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst + i))
        .value();
  }
  void Append(const TestChain::Step& step) {
    Status status = store_->Append(step.block, step.commit);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  // Blocks 1..5: an agency added at 2, a reader removed at 4.
  void Build() {
    OpenStore();
    Append(chain_.Next({chain_.MakeRecord(0, "c", 1)}));
    Append(chain_.NextWithActions(
        {}, {chain_.ActionLeafOf(AddAgency{
                {"sishui-tax-bureau", "泗水县税务局", "泗水县人民政府", {Spare(0).public_key()}}})}));
    Append(chain_.Next({chain_.MakeRecord(1, "c", 2)}));
    Append(chain_.NextWithActions({chain_.MakeRecord(0, "c", 3)},
                                  {chain_.ActionLeafOf(RemoveReader{
                                      chain_.genesis().readers().front().id})}));
    Append(chain_.Next({}));
  }
};

TEST_F(GovernedStoreTest, KeepsTheRegisterOfEveryHeightAcrossReopen) {
  Build();
  auto check = [&] {
    EXPECT_EQ(store_->GovernanceHeights(), (std::vector<uint64_t>{2, 4}));
    const crypto::Digest genesis = chain_.history().genesis()->Hash();
    for (uint64_t height : {1, 2, 3}) EXPECT_EQ(store_->StateInForce(height)->Hash(), genesis);
    for (uint64_t height : {4, 5}) {
      EXPECT_EQ(store_->StateInForce(height)->Hash(), chain_.history().AfterBlock(2)->Hash());
      EXPECT_NE(store_->StateInForce(height)->FindAgency("sishui-tax-bureau"), nullptr);
    }
    EXPECT_EQ(store_->NextState()->Hash(), chain_.history().AfterBlock(4)->Hash());
    EXPECT_EQ(store_->StateAfter(5)->next_seq(), 3u);
    ChainState state = store_->chain_state();
    EXPECT_EQ(state.next->Hash(), chain_.state().next->Hash());
    EXPECT_EQ(state.last->Hash(), chain_.state().last->Hash());
    EXPECT_EQ(state.latest->Hash(), chain_.state().latest->Hash());
    Block next = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 9)});
    EXPECT_TRUE(ValidateBlock(state, next).ok()) << ValidateBlock(state, next).ToString();
    auto block = store_->GetBlock(4);
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(block->actions.size(), 1u);
    EXPECT_EQ(block->header.version, kBlockVersionGoverned);
    EXPECT_EQ(store_->GetBlock(1)->header.version, kBlockVersionLegacy);
  };
  check();
  OpenStore();
  check();
  store_.reset();
  AuditReport report = Audit(directory_, chain_.genesis());
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.governance_actions_checked, 2u);
}

TEST_F(GovernedStoreTest, ARefusedActionChangesNothing) {
  OpenStore();
  Append(chain_.Next({}));
  Block block = chain_.MakeNextBlock(
      {}, {chain_.ActionLeafOf(RemoveAgency{"never-was"})});
  Commit commit = chain_.MakeCommit(2, BlockHash(chain_.hash(), block.header), block.header.time_ms);
  EXPECT_EQ(ErrorCodeOf(ValidateBlock(store_->chain_state(), block)),
            ErrorCode::kBlockBadGovernance);
  Status status = store_->Append(block, commit);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(store_->height(), 1u);
  EXPECT_TRUE(store_->GovernanceHeights().empty());
  EXPECT_EQ(store_->StateAfter(1)->next_seq(), 1u);
}

// The governance index is part of the store: a lost entry is found at open
// (the head commits to the register) and by audit.
TEST_F(GovernedStoreTest, ALostGovernanceIndexEntryIsFound) {
  Build();
  store_.reset();
  {
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), directory_, &db).ok());
    std::string key = "g";
    key.append(7, '\0');
    key.push_back(4);
    ASSERT_TRUE(db->Delete(leveldb::WriteOptions(), key).ok());
    delete db;
  }
  auto opened = Store::Open(directory_, chain_.genesis());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();
  AuditReport report = Audit(directory_, chain_.genesis());
  EXPECT_FALSE(report.ok);
}

}  // namespace
}  // namespace evidence::ledger
