#include "node/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/clock.h"
#include "ledger/errors.h"
#include "node/record_pool.h"
#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ledger::testing::TestChain;
using ledger::testing::TestChainOptions;

TestChainOptions RecentGenesis() {
  TestChainOptions options;
  options.genesis_time_ms = WallClockMs() - 60'000;  // records at genesis time are within the window
  return options;
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : chain_(RecentGenesis()) {}

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("service-test-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "-" + std::to_string(WallClockMs()));
    auto store = ledger::Store::Open(dir_.string(), chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    MakeService(1000);
  }
  void TearDown() override {
    service_.reset();
    pool_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void MakeService(size_t records_max) {
    service_.reset();
    RecordPoolOptions options;
    options.records_max = records_max;
    options.verify_threads = 2;
    pool_ = std::make_unique<RecordPool>(chain_.genesis(), options);
    ChainService::Hooks hooks;
    hooks.on_admitted = [this](std::vector<std::string> leaves, bool) {
      admitted_ += leaves.size();
    };
    hooks.status = [this] { return status_; };
    service_ = std::make_unique<ChainService>(chain_.genesis(), *store_, *pool_,
                                              ledger::RecordPolicy{}, std::move(hooks), nullptr);
  }

  json::object Json(const ledger::Record& record) { return ledger::RecordToJson(record).as_object(); }
  std::string IdOf(const ledger::Record& record) {
    return crypto::DigestHex(ledger::RecordId(chain_.hash(), record));
  }
  void Commit(const std::vector<ledger::Record>& records) {
    TestChain::Step step = chain_.Next(records);
    std::vector<crypto::Digest> ids;
    ASSERT_TRUE(store_->Append(step.block, step.commit, &ids).ok());
    ASSERT_EQ(ids.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(ids[i], ledger::RecordId(chain_.hash(), records[i]));
    }
    service_->OnCommitted(step.block, step.commit, ids);
  }

  TestChain chain_;
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<RecordPool> pool_;
  std::unique_ptr<ChainService> service_;
  size_t admitted_ = 0;
  NodeStatus status_{true, 0, 0, 3, true, 0};
};

TEST_F(ServiceTest, ARecordGoesFromPendingToCommittedWithAReceipt) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  auto submitted = service_->SubmitRecord(Json(record));
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ(submitted->id, IdOf(record));
  EXPECT_FALSE(submitted->already_known);
  EXPECT_EQ(submitted->status, api::RecordStatus::kPending);
  EXPECT_EQ(admitted_, 1u);

  auto again = service_->SubmitRecord(Json(record));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_known);
  EXPECT_EQ(admitted_, 1u) << "not admitted twice";
  auto pending = service_->GetRecord(IdOf(record));
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->status, api::RecordStatus::kPending);

  json::value fired;
  service_->WatchCommit(IdOf(record), [&](json::value receipt) { fired = std::move(receipt); });
  EXPECT_TRUE(fired.is_null());
  Commit({record});
  ASSERT_TRUE(fired.is_object()) << "the watch fires on commit";
  EXPECT_EQ(fired.at("leaf_index").to_number<int64_t>(), 0);
  EXPECT_FALSE(pool_->Contains(ledger::RecordId(chain_.hash(), record)));

  auto committed = service_->GetRecord(IdOf(record));
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(committed->status, api::RecordStatus::kCommitted);
  EXPECT_TRUE(committed->receipt.is_object());
  auto known = service_->SubmitRecord(Json(record));
  ASSERT_TRUE(known.ok());
  EXPECT_TRUE(known->already_known);
  EXPECT_EQ(known->status, api::RecordStatus::kCommitted);

  json::value at_once;
  service_->WatchCommit(IdOf(record), [&](json::value receipt) { at_once = std::move(receipt); });
  EXPECT_TRUE(at_once.is_object()) << "a watch on a committed record fires at once";
}

TEST_F(ServiceTest, ReadsServeTheCommittedLog) {
  ledger::Record first = chain_.MakeRecord(0, "CASE-1", 1);
  ledger::Record second = chain_.MakeRecord(1, "CASE-1", 2);
  Commit({first});
  Commit({second});
  auto by_digest = service_->FindByDigest("sha256", first.digest.substr(7));
  ASSERT_TRUE(by_digest.ok());
  ASSERT_EQ(by_digest->size(), 1u);
  EXPECT_EQ(by_digest->front().id, IdOf(first));
  auto trail = service_->GetCase("CASE-1");
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->records.size(), 2u);
  EXPECT_EQ(trail->records[1].id, IdOf(second));
  EXPECT_FALSE(service_->GetCase("CASE-unknown").ok());

  auto head = service_->GetTreeHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 2u);
  EXPECT_EQ(head->height, 2u);
  EXPECT_TRUE(head->commit.is_object());
  auto block = service_->GetBlock(2);
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->at("records").as_array().size(), 1u);
  EXPECT_EQ(service_->GetBlock(3).status().code(), StatusCode::kNotFound);
  auto page = service_->ListBlocks(1, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->blocks.size(), 1u);
  EXPECT_EQ(page->next_from, 2u);
  auto proof = service_->GetConsistencyProof(1, 2);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->size(), 1u);
  EXPECT_EQ(service_->GetConsistencyProof(1, 3).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, RefusalsChangeNothing) {
  ledger::Record bad = chain_.MakeRecord(0, "CASE-1", 1);
  bad.title = "changed";
  auto refused = service_->SubmitRecord(Json(bad));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadSignature);
  json::object unknown_field = Json(chain_.MakeRecord(0, "CASE-1", 2));
  unknown_field["extra"] = 1;
  EXPECT_EQ(ledger::ErrorCodeOf(service_->SubmitRecord(unknown_field).status()),
            ledger::ErrorCode::kRecordUnknownField);
  EXPECT_EQ(pool_->size(), 0u);
  EXPECT_EQ(admitted_, 0u);

  MakeService(1);
  ASSERT_TRUE(service_->SubmitRecord(Json(chain_.MakeRecord(0, "C", 3))).ok());
  auto full = service_->SubmitRecord(Json(chain_.MakeRecord(0, "C", 4)));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(ServiceTest, BatchesAreAdmittedWhole) {
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 5);
  json::array records;
  for (const ledger::Record& record : batch) records.push_back(ledger::RecordToJson(record));
  auto outcome = service_->SubmitBatch(json::object{{"records", records}});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->batch_id, crypto::DigestHex(batch[0].sig.batch->root));
  ASSERT_EQ(outcome->records.size(), 5u);
  EXPECT_EQ(outcome->records[4].id, IdOf(batch[4]));
  EXPECT_EQ(pool_->size(), 5u);
}

// Found trying the API as a new user: the record id does not cover `sig`, so a
// copy of a known record with a damaged signature was answered 200
// already_known. A bad signature must always be refused, pending or committed.
TEST_F(ServiceTest, RegressionKnownRecordWithABadSignatureIsRefused) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  ASSERT_TRUE(service_->SubmitRecord(Json(record)).ok());
  ledger::Record damaged = record;
  damaged.sig.value[0] ^= 1;
  auto pending = service_->SubmitRecord(Json(damaged));
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(pending.status()), ledger::ErrorCode::kRecordBadSignature);
  ledger::Record foreign = record;
  foreign.sig.key_id = chain_.agency_key(1).key_id();
  auto unknown_key = service_->SubmitRecord(Json(foreign));
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(unknown_key.status()), ledger::ErrorCode::kRecordUnknownKey);

  // Another valid signature of the same record (here, as part of a batch) is
  // the same record: already known, not a second entry.
  std::vector<ledger::Record> batch = chain_.MakeBatch(0, "CASE-1", 1, 2);
  ASSERT_EQ(IdOf(batch[0]), IdOf(record));
  ASSERT_NE(batch[0].sig, record.sig);
  json::array records;
  for (const ledger::Record& r : batch) records.push_back(ledger::RecordToJson(r));
  auto outcome = service_->SubmitBatch(json::object{{"records", records}});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->records[0].already_known);
  EXPECT_FALSE(outcome->records[1].already_known);
  // A batch holding a damaged copy is refused whole.
  ledger::Record damaged_batched = batch[1];
  damaged_batched.sig.value[3] ^= 1;
  json::array with_damage{ledger::RecordToJson(batch[0]), ledger::RecordToJson(damaged_batched)};
  EXPECT_FALSE(service_->SubmitBatch(json::object{{"records", with_damage}}).ok());

  Commit({record});
  auto committed = service_->SubmitRecord(Json(damaged));
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(committed.status()), ledger::ErrorCode::kRecordBadSignature);
  auto exact = service_->SubmitRecord(Json(record));
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->already_known);
  EXPECT_EQ(exact->status, api::RecordStatus::kCommitted);
}

TEST_F(ServiceTest, ReadersAndReadiness) {
  std::string token_hash = crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256,
                                                          std::string_view("court-token")));
  auto reader = service_->FindReader(token_hash);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->id, "court-reader");
  EXPECT_TRUE(reader->may_read_cases);
  EXPECT_FALSE(service_->FindReader(std::string(64, '0')));

  EXPECT_TRUE(service_->GetReadiness().ready);
  status_.best_peer_height = 7;
  api::Readiness syncing = service_->GetReadiness();
  EXPECT_FALSE(syncing.ready);
  EXPECT_EQ(syncing.reason, "syncing: height 0 of 7");
  status_.best_peer_height = 0;
  status_.quorum_connected = false;
  EXPECT_FALSE(service_->GetReadiness().ready);
  EXPECT_EQ(service_->GetStatus().at("chain_id").as_string(), "test-chain");
}


TEST_F(ServiceTest, AGossipedBatchCostsOneSignatureCheck) {
  metrics::Registry registry;
  NodeMetrics metrics(registry);
  ChainService::Hooks hooks;
  hooks.on_admitted = [this](std::vector<std::string> leaves, bool from_peer) {
    EXPECT_TRUE(from_peer);
    admitted_ += leaves.size();
  };
  hooks.status = [this] { return status_; };
  ChainService service(chain_.genesis(), *store_, *pool_, ledger::RecordPolicy{}, std::move(hooks),
                       &metrics);
  constexpr size_t kRecords = 20;
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 100, kRecords);
  std::vector<std::string> leaves;
  for (const ledger::Record& record : batch) leaves.push_back(ledger::RecordLeaf(record));
  // A peer's bad record (its batch path no longer leads to the signed root) is dropped alone.
  ledger::Record broken = batch[3];
  broken.title += " (changed)";
  leaves[3] = ledger::RecordLeaf(broken);
  // Two gossip frames: the second half arrives later, still no second check.
  service.AdmitFromPeer(std::vector<std::string>(leaves.begin(), leaves.begin() + kRecords / 2));
  service.AdmitFromPeer(std::vector<std::string>(leaves.begin() + kRecords / 2, leaves.end()));
  EXPECT_EQ(pool_->size(), kRecords - 1);
  EXPECT_EQ(admitted_, kRecords - 1);
  EXPECT_FALSE(pool_->Contains(ledger::RecordId(chain_.hash(), broken)));
  EXPECT_EQ(pool_->signature_checks(), 1u);
  EXPECT_EQ(metrics.signature_checks.value(), 1u);
}

}  // namespace
}  // namespace evidence::node
