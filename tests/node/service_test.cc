#include "node/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/errors.h"
#include "ledger/receipt.h"
#include "ledger/validation.h"
#include "node/node_metrics.h"
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
    pool_ = std::make_unique<RecordPool>([this] { return store_->NextState(); }, options);
    ChainService::Hooks hooks;
    hooks.on_admitted = [this](std::vector<std::string> leaves, bool) {
      admitted_ += leaves.size();
    };
    hooks.status = [this] { return status_; };
    service_ = std::make_unique<ChainService>(chain_.genesis(), *store_, *pool_, std::move(hooks),
                                              &metrics_);
  }

  json::object Json(const ledger::Record& record) { return ledger::RecordToJson(record).as_object(); }
  std::string IdOf(const ledger::Record& record) {
    return crypto::DigestHex(ledger::RecordId(chain_.hash(), record));
  }
  void Commit(const std::vector<ledger::Record>& records, bool synced = false) {
    TestChain::Step step = chain_.Next(records);
    std::vector<crypto::Digest> ids;
    ASSERT_TRUE(store_->Append(step.block, step.commit, &ids).ok());
    ASSERT_EQ(ids.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(ids[i], ledger::RecordId(chain_.hash(), records[i]));
    }
    service_->OnCommitted(step.block, step.commit, ids, synced);
  }

  TestChain chain_;
  metrics::Registry registry_;
  NodeMetrics metrics_{registry_};
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<RecordPool> pool_;
  std::unique_ptr<ChainService> service_;
  size_t admitted_ = 0;
  NodeStatus status_{true, 0, 0, 3, true, 0};
};

TEST_F(ServiceTest, ARecordGoesFromPendingToCommittedWithAReceipt) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  auto submitted = service_->SubmitRecord(Json(record), {}, nullptr);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ(submitted->id, IdOf(record));
  EXPECT_FALSE(submitted->already_known);
  EXPECT_EQ(submitted->status, api::RecordStatus::kPending);
  EXPECT_EQ(admitted_, 1u);

  auto again = service_->SubmitRecord(Json(record), {}, nullptr);
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
  auto known = service_->SubmitRecord(Json(record), {}, nullptr);
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
  auto block = service_->GetBlock(2, api::BlockDetail::kRecords);
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->at("records").as_array().size(), 1u);
  EXPECT_EQ(service_->GetBlock(3, api::BlockDetail::kRecords).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(block->at("records").as_array()[0].at("case_id").as_string(), "CASE-1");
  // Without the right to see records: the leaf hashes only (issue 17, finding 3).
  auto open_block = service_->GetBlock(2, api::BlockDetail::kLeafHashes);
  ASSERT_TRUE(open_block.ok());
  EXPECT_FALSE(open_block->as_object().contains("records"));
  ASSERT_EQ(open_block->at("leaves").as_array().size(), 1u);
  EXPECT_EQ(open_block->at("leaves").as_array()[0].as_string(),
            crypto::DigestHex(ledger::RecordLeafHash(crypto::HashAlgorithm::kSha256, second)));
  EXPECT_EQ(json::serialize(*open_block).find("CASE-1"), std::string::npos);
  auto open_page = service_->ListBlocks(1, 1, api::BlockDetail::kLeafHashes);
  ASSERT_TRUE(open_page.ok());
  EXPECT_EQ(json::serialize(open_page->blocks[0]).find("CASE-1"), std::string::npos);
  auto page = service_->ListBlocks(1, 1, api::BlockDetail::kRecords);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->blocks.size(), 1u);
  EXPECT_EQ(page->next_from, 2u);
  auto proof = service_->GetConsistencyProof(1, 2);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->size(), 1u);
  EXPECT_EQ(service_->GetConsistencyProof(1, 3).status().code(), StatusCode::kNotFound);
}

// The duplicate-vote evidence a block records is shown with every field its
// signatures cover, so a reader checks the equivocation with genesis alone.
TEST_F(ServiceTest, BlocksShowTheirDuplicateVoteEvidence) {
  Commit({chain_.MakeRecord(0, "CASE-1", 1)});
  ledger::DuplicateVoteEvidence evidence;
  for (auto [vote, fill] : {std::pair{&evidence.a, uint8_t{0x0a}}, std::pair{&evidence.b, uint8_t{0x0b}}}) {
    *vote = ledger::Vote{ledger::VoteType::kPrecommit, 1, 0, {}, chain_.genesis().genesis_time_ms(), 2, {}};
    vote->block_hash.fill(fill);
    auto signature = chain_.validator_key(2).Sign(
        ledger::VoteSigningBytes(chain_.genesis().chain_id(), *vote));
    ASSERT_TRUE(signature.ok());
    vote->signature = *signature;
  }
  ledger::Block block = chain_.MakeNextBlock({});
  block.evidence = {evidence};
  block.header = ledger::MakeBlockHeader(chain_.state(), block.leaves, block.last_commit,
                                         block.evidence, block.header.proposer);
  ASSERT_TRUE(ledger::ValidateBlock(chain_.state(), block).ok());
  const ledger::Commit commit = chain_.MakeCommit(
      2, ledger::BlockHash(chain_.hash(), block.header), block.header.time_ms);
  chain_.Advance(block, commit);
  std::vector<crypto::Digest> ids;
  ASSERT_TRUE(store_->Append(block, commit, &ids).ok());
  service_->OnCommitted(block, commit, ids, false);

  auto first = service_->GetBlock(1, api::BlockDetail::kLeafHashes);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->at("evidence").as_array().empty());
  auto second = service_->GetBlock(2, api::BlockDetail::kLeafHashes);
  ASSERT_TRUE(second.ok());
  const json::array& shown = second->at("evidence").as_array();
  ASSERT_EQ(shown.size(), 1u);
  for (const auto& [name, vote] : {std::pair{"a", &evidence.a}, std::pair{"b", &evidence.b}}) {
    const json::object& item = shown[0].at(name).as_object();
    EXPECT_EQ(item.at("type").as_string(), "precommit");
    EXPECT_EQ(item.at("height").to_number<uint64_t>(), 1u);
    EXPECT_EQ(item.at("round").to_number<uint32_t>(), 0u);
    EXPECT_EQ(item.at("block_hash").as_string(), crypto::DigestHex(vote->block_hash));
    EXPECT_EQ(item.at("timestamp_ms").to_number<int64_t>(), vote->timestamp_ms);
    EXPECT_EQ(item.at("validator").to_number<uint32_t>(), 2u);
    EXPECT_EQ(item.at("signature").as_string(), Base64Encode(vote->signature));
  }
}

// The public block routes: header, commit and leaf hashes, never the records
// (case ids, titles and agencies are for readers).
TEST_F(ServiceTest, BlocksShowLeafHashesUnlessRecordsAreAsked) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-SECRET-7", 1);
  Commit({record});
  const std::string leaf_hash = crypto::DigestHex(
      crypto::MerkleHasher(chain_.genesis().hash()).HashLeaf(AsBytes(ledger::RecordLeaf(record))));
  for (api::BlockDetail detail : {api::BlockDetail::kLeafHashes, api::BlockDetail::kRecords}) {
    auto block = service_->GetBlock(1, detail);
    ASSERT_TRUE(block.ok());
    ASSERT_EQ(block->at("leaves").as_array().size(), 1u);
    EXPECT_EQ(block->at("leaves").at(0).as_string(), leaf_hash);
    const std::string text = json::serialize(*block);
    const bool records = detail == api::BlockDetail::kRecords;
    EXPECT_EQ(block->as_object().contains("records"), records);
    EXPECT_EQ(text.find("CASE-SECRET-7") != std::string::npos, records);
    auto page = service_->ListBlocks(1, 10, detail);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->blocks.size(), 1u);
    EXPECT_EQ(json::serialize(page->blocks[0]), text);
  }
}

TEST_F(ServiceTest, ServesTheGenesisItRunsOn) {
  EXPECT_EQ(service_->GetGenesisJson(), chain_.genesis().ToJson());
  auto parsed = ledger::Genesis::Parse(service_->GetGenesisJson());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Hash(), chain_.genesis().Hash());
}

// The register in force for the next block: genesis's, before any governance
// action is committed, whatever the height.
TEST_F(ServiceTest, ServesTheGovernanceRegisterInForceForTheNextBlock) {
  const ledger::GovernanceStatePtr state = ledger::GovernanceState::FromGenesis(chain_.genesis());
  json::object governance = service_->GetGovernance();
  EXPECT_EQ(governance.at("height").to_number<int64_t>(), 1);
  EXPECT_EQ(governance.at("state_hash").as_string(), crypto::DigestHex(state->Hash()));
  EXPECT_EQ(governance.at("register"), state->ToJson());
  EXPECT_EQ(governance.at("register").at("next_seq").to_number<int64_t>(), 1);
  Commit({chain_.MakeRecord(0, "CASE-1", 1)});
  governance = service_->GetGovernance();
  EXPECT_EQ(governance.at("height").to_number<int64_t>(), 2);
  EXPECT_EQ(governance.at("state_hash").as_string(), crypto::DigestHex(state->Hash()));
}

TEST_F(ServiceTest, RefusalsChangeNothing) {
  ledger::Record bad = chain_.MakeRecord(0, "CASE-1", 1);
  bad.title = "changed";
  auto refused = service_->SubmitRecord(Json(bad), {}, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadSignature);
  json::object unknown_field = Json(chain_.MakeRecord(0, "CASE-1", 2));
  unknown_field["extra"] = 1;
  EXPECT_EQ(ledger::ErrorCodeOf(service_->SubmitRecord(unknown_field, {}, nullptr).status()),
            ledger::ErrorCode::kRecordUnknownField);
  EXPECT_EQ(pool_->size(), 0u);
  EXPECT_EQ(admitted_, 0u);

  MakeService(1);
  ASSERT_TRUE(service_->SubmitRecord(Json(chain_.MakeRecord(0, "C", 3)), {}, nullptr).ok());
  auto full = service_->SubmitRecord(Json(chain_.MakeRecord(0, "C", 4)), {}, nullptr);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(ServiceTest, BatchesAreAdmittedWhole) {
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 5);
  json::array records;
  for (const ledger::Record& record : batch) records.push_back(ledger::RecordToJson(record));
  auto outcome = service_->SubmitBatch(json::object{{"records", records}}, {}, nullptr);
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
  ASSERT_TRUE(service_->SubmitRecord(Json(record), {}, nullptr).ok());
  ledger::Record damaged = record;
  damaged.sig.value[0] ^= 1;
  auto pending = service_->SubmitRecord(Json(damaged), {}, nullptr);
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(pending.status()), ledger::ErrorCode::kRecordBadSignature);
  ledger::Record foreign = record;
  foreign.sig.key_id = chain_.agency_key(1).key_id();
  auto unknown_key = service_->SubmitRecord(Json(foreign), {}, nullptr);
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(unknown_key.status()), ledger::ErrorCode::kRecordUnknownKey);

  // Another valid signature of the same record (here, as part of a batch) is
  // the same record: already known, not a second entry.
  std::vector<ledger::Record> batch = chain_.MakeBatch(0, "CASE-1", 1, 2);
  ASSERT_EQ(IdOf(batch[0]), IdOf(record));
  ASSERT_NE(batch[0].sig, record.sig);
  json::array records;
  for (const ledger::Record& r : batch) records.push_back(ledger::RecordToJson(r));
  auto outcome = service_->SubmitBatch(json::object{{"records", records}}, {}, nullptr);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->records[0].already_known);
  EXPECT_FALSE(outcome->records[1].already_known);
  // A batch holding a damaged copy is refused whole.
  ledger::Record damaged_batched = batch[1];
  damaged_batched.sig.value[3] ^= 1;
  json::array with_damage{ledger::RecordToJson(batch[0]), ledger::RecordToJson(damaged_batched)};
  EXPECT_FALSE(service_->SubmitBatch(json::object{{"records", with_damage}}, {}, nullptr).ok());

  Commit({record});
  auto committed = service_->SubmitRecord(Json(damaged), {}, nullptr);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(committed.status()), ledger::ErrorCode::kRecordBadSignature);
  auto exact = service_->SubmitRecord(Json(record), {}, nullptr);
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
  EXPECT_EQ(reader->role, "court");
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
  ChainService service(chain_.genesis(), *store_, *pool_, std::move(hooks),
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

json::object BatchJson(const std::vector<ledger::Record>& records) {
  json::array array;
  for (const ledger::Record& record : records) array.push_back(ledger::RecordToJson(record));
  return json::object{{"records", std::move(array)}};
}

// Finding 5 of issue 20: the case trail answered 404 just after a 202, while
// the digest look-up showed the pending record.
TEST_F(ServiceTest, PendingRecordsAreInTheCaseTrailAsInTheDigestLookUp) {
  ledger::Record first = chain_.MakeRecord(0, "CASE-1", 1);
  Commit({first});
  ledger::Record second = chain_.MakeRecord(0, "CASE-1", 2);
  ledger::Record third = chain_.MakeRecord(0, "CASE-1", 3);
  ASSERT_TRUE(service_->SubmitRecord(Json(second), {}, nullptr).ok());
  ASSERT_TRUE(service_->SubmitRecord(Json(third), {}, nullptr).ok());
  auto trail = service_->GetCase("CASE-1");
  ASSERT_TRUE(trail.ok()) << trail.status().ToString();
  ASSERT_EQ(trail->records.size(), 3u);
  EXPECT_EQ(trail->records[0].status, api::RecordStatus::kCommitted);
  EXPECT_EQ(trail->records[1].id, IdOf(second)) << "pending ones in arrival order";
  EXPECT_EQ(trail->records[1].status, api::RecordStatus::kPending);
  EXPECT_TRUE(trail->records[1].receipt.is_null());
  EXPECT_EQ(trail->records[2].id, IdOf(third));
  ledger::Record alone = chain_.MakeRecord(0, "CASE-NEW", 4);
  ASSERT_TRUE(service_->SubmitRecord(Json(alone), {}, nullptr).ok());
  auto fresh = service_->GetCase("CASE-NEW");
  ASSERT_TRUE(fresh.ok()) << "no 404 just after the 202";
  EXPECT_EQ(fresh->records.size(), 1u);
  auto by_digest = service_->FindByDigest("sha256", alone.digest.substr(7));
  ASSERT_TRUE(by_digest.ok());
  EXPECT_EQ(by_digest->size(), 1u);
}

// Finding 4 of issue 20: one case, one trail.
TEST_F(ServiceTest, ACaseIdIsCanonicalOnSubmissionAndOnLookUp) {
  ledger::Record full_width = chain_.MakeRecord(0, "（2026）鲁0831行复12号", 1);
  json::object details;
  auto refused = service_->SubmitRecord(Json(full_width), {}, &details);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordCaseIdNotCanonical);
  EXPECT_NE(refused.status().message().find("\"(2026)鲁0831行复12号\""), std::string::npos);
  EXPECT_EQ(details.at("record_id").as_string(), IdOf(full_width));
  EXPECT_EQ(pool_->size(), 0u);
  // A record committed before the rule existed keeps its trail, found by
  // either spelling, and sending it again is answered, not refused.
  Commit({full_width});
  ledger::Record canonical = chain_.MakeRecord(0, "(2026)鲁0831行复12号", 2);
  ASSERT_TRUE(service_->SubmitRecord(Json(canonical), {}, nullptr).ok());
  for (const char* spelling : {"（2026）鲁0831行复12号", "(2026) 鲁0831行复12号"}) {
    auto trail = service_->GetCase(spelling);
    ASSERT_TRUE(trail.ok()) << spelling;
    EXPECT_EQ(trail->case_id, "(2026)鲁0831行复12号");
  }
  EXPECT_EQ(service_->GetCase("（2026）鲁0831行复12号")->records.size(), 2u);
  auto again = service_->SubmitRecord(Json(full_width), {}, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_known);
}

// Finding 3 of issue 20.
TEST_F(ServiceTest, LinksMustNameACommittedRecordOfTheSameCase) {
  ledger::Record filing = chain_.MakeRecord(0, "CASE-1", 1);
  ledger::Record elsewhere = chain_.MakeRecord(0, "CASE-2", 2);
  Commit({filing, elsewhere});
  auto linked = [&](const ledger::Record& target, uint64_t seed) {
    ledger::Record record = chain_.UnsignedRecord(0, "CASE-1", seed);
    record.links = {IdOf(target)};
    EXPECT_TRUE(ledger::SignRecord(chain_.agency_key(0), record).ok());
    return record;
  };
  EXPECT_TRUE(service_->SubmitRecord(Json(linked(filing, 3)), {}, nullptr).ok());
  auto cross = service_->SubmitRecord(Json(linked(elsewhere, 4)), {}, nullptr);
  EXPECT_EQ(ledger::ErrorCodeOf(cross.status()), ledger::ErrorCode::kRecordBadLink);
  ledger::Record pending = chain_.MakeRecord(0, "CASE-1", 5);
  ASSERT_TRUE(service_->SubmitRecord(Json(pending), {}, nullptr).ok());
  auto early = service_->SubmitRecord(Json(linked(pending, 6)), {}, nullptr);
  EXPECT_NE(early.status().message().find("pending, not yet committed"), std::string::npos);
  ledger::Record nowhere = chain_.MakeRecord(0, "CASE-1", 7);
  auto dangling = service_->SubmitRecord(Json(linked(nowhere, 8)), {}, nullptr);
  EXPECT_NE(dangling.status().message().find("names no record"), std::string::npos);
  EXPECT_EQ(pool_->size(), 2u) << "only the good link and the pending target went in";
}

// Finding 1 of issue 20: a partial batch, and a batch naming a record twice,
// were accepted without saying so.
TEST_F(ServiceTest, OnlyWholeBatchesOfDistinctRecordsAreAccepted) {
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 4);
  json::object details;
  auto partial = service_->SubmitBatch(
      BatchJson({batch[0], batch[1]}), {}, &details);
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(partial.status()), ledger::ErrorCode::kBatchMalformed);
  // A batch tree over the same record id twice (SignBatch refuses to make one;
  // another client might).
  ledger::Record record = chain_.UnsignedRecord(1, "CASE-B", 20);
  const crypto::Digest id = ledger::RecordId(chain_.hash(), record);
  crypto::MerkleHasher hasher(chain_.hash());
  std::vector<crypto::Digest> leaves = {hasher.HashLeaf(id), hasher.HashLeaf(id)};
  ledger::BatchHeader header{chain_.genesis().chain_id(), chain_.agency_id(1),
                             crypto::MerkleRoot(hasher, leaves), 2};
  Bytes signature = chain_.agency_key(1).Sign(ledger::BatchSigningBytes(header)).value();
  std::vector<ledger::Record> twice(2, record);
  for (size_t i = 0; i < 2; ++i) {
    twice[i].sig = {chain_.agency_key(1).algorithm(), chain_.agency_key(1).key_id(), signature,
                    ledger::BatchReference{header.root, 2, i,
                                           crypto::MakeInclusionProof(hasher, leaves, i)}};
  }
  auto repeated = service_->SubmitBatch(BatchJson(twice), {}, nullptr);
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("records[1] is the same record as records[0]"),
            std::string::npos)
      << repeated.status().message();
  EXPECT_EQ(pool_->size(), 0u);
  EXPECT_TRUE(service_->SubmitBatch(BatchJson(batch), {}, nullptr).ok());
}

// Finding 7 of issue 20: a refusal says what the node computed.
TEST_F(ServiceTest, ARefusedSignatureComesWithTheRecordIdAndTheSigningBytes) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  const Bytes signing = ledger::RecordSigningBytes(record);
  record.sig.value = chain_.agency_key(0).Sign(ByteView(signing).subspan(19)).value();
  json::object details;
  auto refused = service_->SubmitRecord(Json(record), {}, &details);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadSignature);
  EXPECT_NE(refused.status().message().find("EVIDENCE-RECORD/v1"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(details.at("record_id").as_string(), IdOf(record));
  EXPECT_EQ(details.at("signing_bytes_sha256").as_string(),
            crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, signing)));
  EXPECT_EQ(details.at("signing_bytes").as_string(), std::string(signing.begin(), signing.end()));

  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 3);
  batch[2].title += " (changed)";
  json::object batch_details;
  auto in_batch = service_->SubmitBatch(BatchJson(batch), {}, &batch_details);
  ASSERT_FALSE(in_batch.ok());
  EXPECT_EQ(in_batch.status().message().rfind("records[2]: batch.bad_proof", 0), 0u)
      << in_batch.status().message();
  EXPECT_EQ(batch_details.at("index").to_number<int64_t>(), 2);
  EXPECT_EQ(batch_details.at("record_id").as_string(), IdOf(batch[2]));
  EXPECT_EQ(batch_details.at("batch_id").as_string(), crypto::DigestHex(batch[0].sig.batch->root));
}

// Finding 2 of issue 20: the integer range of a record, as docs/api.md states it.
TEST_F(ServiceTest, ARecordsIntegersAreZeroTo2To53Minus1) {
  json::object record = Json(chain_.MakeRecord(0, "CASE-1", 1));
  for (const char* field : {"time", "size"}) {
    json::object changed = record;
    changed[field] = int64_t{1} << 53;
    auto refused = service_->SubmitRecord(changed, {}, nullptr);
    EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadValue) << field;
    EXPECT_NE(refused.status().message().find("2^53-1"), std::string::npos)
        << refused.status().message();
    changed[field] = -1;
    EXPECT_EQ(ledger::ErrorCodeOf(service_->SubmitRecord(changed, {}, nullptr).status()),
              ledger::ErrorCode::kRecordBadValue)
        << field;
  }
  EXPECT_EQ(pool_->size(), 0u);
}

TEST_F(ServiceTest, ADryRunChecksEverythingAndStoresNothing) {
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  auto dry = service_->SubmitRecord(Json(record), api::SubmitOptions{true}, nullptr);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->id, IdOf(record));
  EXPECT_EQ(dry->signing_bytes_sha256,
            crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256,
                                           ledger::RecordSigningBytes(record))));
  EXPECT_FALSE(dry->already_known);
  EXPECT_EQ(pool_->size(), 0u);
  EXPECT_EQ(admitted_, 0u);
  ledger::Record bad = record;
  bad.title = "changed";
  json::object details;
  auto refused = service_->SubmitRecord(Json(bad), api::SubmitOptions{true}, &details);
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadSignature);
  EXPECT_EQ(details.at("record_id").as_string(), IdOf(bad));
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 3);
  auto dry_batch = service_->SubmitBatch(BatchJson(batch), api::SubmitOptions{true}, nullptr);
  ASSERT_TRUE(dry_batch.ok()) << dry_batch.status().ToString();
  EXPECT_EQ(dry_batch->records.size(), 3u);
  EXPECT_EQ(pool_->size(), 0u);
  ASSERT_TRUE(service_->SubmitRecord(Json(record), {}, nullptr).ok());
  auto known = service_->SubmitRecord(Json(record), api::SubmitOptions{true}, nullptr);
  ASSERT_TRUE(known.ok());
  EXPECT_TRUE(known->already_known);
}

// Issue 14: the stage vocabulary binds new submissions; records committed with
// free-text stages before it stay valid, answerable and provable.
TEST_F(ServiceTest, AStageOutsideItsKindsVocabularyIsRefusedButOldRecordsStayValid) {
  ledger::Record free_text = chain_.UnsignedRecord(0, "(2026)鲁0831行罚5号", 1);
  free_text.stage = "payment";
  ASSERT_TRUE(ledger::SignRecord(chain_.agency_key(0), free_text).ok());
  json::object details;
  auto refused = service_->SubmitRecord(Json(free_text), {}, &details);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordUnknownStage);
  EXPECT_NE(refused.status().message().find("filing (立案)"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(details.at("record_id").as_string(), IdOf(free_text));
  // In a batch, the refused record is named by its position; nothing is admitted.
  std::vector<ledger::Record> batch = {chain_.UnsignedRecord(0, "(2026)鲁0831行罚5号", 2),
                                       chain_.UnsignedRecord(0, "(2026)鲁0831行罚5号", 3)};
  batch[1].stage = "Decision";
  ASSERT_TRUE(ledger::SignBatch(chain_.hash(), chain_.agency_key(0), batch).ok());
  json::array records;
  for (const ledger::Record& record : batch) records.push_back(ledger::RecordToJson(record));
  auto batch_refused = service_->SubmitBatch(json::object{{"records", std::move(records)}}, {}, nullptr);
  ASSERT_FALSE(batch_refused.ok());
  EXPECT_EQ(ledger::ErrorCodeOf(batch_refused.status()), ledger::ErrorCode::kRecordUnknownStage);
  EXPECT_EQ(batch_refused.status().message().rfind("records[1]: ", 0), 0u) << batch_refused.status().message();
  EXPECT_EQ(pool_->size(), 0u);
  EXPECT_EQ(admitted_, 0u);

  // A record committed before the vocabulary existed (here: put straight into a block).
  Commit({free_text});
  auto again = service_->SubmitRecord(Json(free_text), {}, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_known);
  EXPECT_EQ(again->status, api::RecordStatus::kCommitted);
  auto receipt = ledger::BuildReceipt(*store_, ledger::RecordId(chain_.hash(), free_text));
  ASSERT_TRUE(receipt.ok());
  auto proven = ledger::VerifyReceipt(AsBytes(std::string_view("document 1")), *receipt, chain_.genesis());
  EXPECT_TRUE(proven.ok()) << proven.status().ToString();
  // Every kind keeps "unspecified" and "other".
  ledger::Record other = chain_.UnsignedRecord(0, "(2026)鲁0831行罚5号", 4);
  other.kind = "litigation_document";
  other.stage = "other";
  ASSERT_TRUE(ledger::SignRecord(chain_.agency_key(0), other).ok());
  EXPECT_TRUE(service_->SubmitRecord(Json(other), {}, nullptr).ok());
}

TEST_F(ServiceTest, ASupervisionReportJudgesTheCasesOfThePeriod) {
  const int64_t now = WallClockMs();
  const int64_t day = 86'400'000;
  auto act = [&](const char* stage, int64_t time, uint64_t seed) {
    ledger::Record record = chain_.UnsignedRecord(0, "(2026)鲁0831行罚6号", seed, time);
    record.stage = stage;
    EXPECT_TRUE(ledger::SignRecord(chain_.agency_key(0), record).ok());
    return record;
  };
  // Filed 120 days ago, decided yesterday: later than 90 days.
  const ledger::Record filing = act("filing", now - 120 * day, 1);
  const ledger::Record decision = act("decision", now - day, 2);
  Commit({filing});
  Commit({decision});
  const int32_t today = static_cast<int32_t>(now / day);
  auto report = service_->SupervisionReport({today - 200, today + 1, std::nullopt});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->at("summary").at("totals").at("cases").to_number<int64_t>(), 1);
  bool late_decision = false;
  for (const json::value& finding : report->at("findings").as_array()) {
    if (finding.at("rule").as_string() != "decision_within_90_days") continue;
    late_decision = true;
    EXPECT_EQ(finding.at("records").as_array().size(), 2u);
    EXPECT_EQ(finding.at("records").at(0).as_string(), IdOf(filing));
  }
  EXPECT_TRUE(late_decision) << json::serialize(*report);
  auto unknown = service_->SupervisionReport({today - 10, today, "no-such-agency"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto one = service_->SupervisionReport({today - 10, today + 1, chain_.agency_id(0)});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->at("period").at("agency").as_string(), chain_.agency_id(0));
}

}  // namespace
}  // namespace evidence::node

namespace evidence::node {
namespace {

// Regression (issue 18): the commit-latency histogram counted records of blocks
// the node took by sync (their wait was the node being behind, not consensus);
// records committed counts every stored block either way.
TEST_F(ServiceTest, CommitLatencyLeavesOutSyncedBlocksAndRecordsCommittedCountsAll) {
  ledger::Record synced = chain_.MakeRecord(0, "CASE-1", 1);
  ledger::Record live = chain_.MakeRecord(0, "CASE-1", 2);
  ASSERT_TRUE(service_->SubmitRecord(Json(synced), {}, nullptr).ok());
  ASSERT_TRUE(service_->SubmitRecord(Json(live), {}, nullptr).ok());
  Commit({synced}, /*synced=*/true);
  EXPECT_EQ(metrics_.records_committed.value(), 1u);
  EXPECT_EQ(metrics_.commit_latency_seconds.Read().count, 0u);
  Commit({live});
  EXPECT_EQ(metrics_.records_committed.value(), 2u);
  EXPECT_EQ(metrics_.commit_latency_seconds.Read().count, 1u);
  EXPECT_EQ(metrics_.mempool_records.value(), 0);
}

// ---------------------------------------------------------------- governance actions

class GovernedServiceTest : public ServiceTest {
 protected:
  GovernedServiceTest() {
    TestChainOptions options = RecentGenesis();
    options.governed = true;
    options.fixed_keys = true;
    chain_ = TestChain(options);
  }
  void SetUp() override {
    ServiceTest::SetUp();
    // A service whose hook counts the wake-ups of consensus.
    ChainService::Hooks hooks;
    hooks.status = [this] { return status_; };
    hooks.on_governance_admitted = [this] { ++governance_wakes_; };
    service_ = std::make_unique<ChainService>(chain_.genesis(), *store_, *pool_, std::move(hooks),
                                              &metrics_);
  }
  json::object AddTax(std::optional<uint64_t> seq = std::nullopt,
                      const std::vector<size_t>& signers = {0, 1, 2}) {
    crypto::PrivateKey key =
        crypto::PrivateKey::FromPem(ledger::testing::FixedTestKeyPem(ledger::testing::kSpareKeysFirst))
            .value();
    return json::parse(chain_.ActionLeafOf(ledger::AddAgency{{"sishui-tax-bureau", "泗水县税务局",
                                                              "泗水县人民政府",
                                                              {key.public_key()}}},
                                           seq, signers))
        .as_object();
  }
  // What the proposer does: the pool's actions in the next block, committed.
  void ProposeAndCommit() {
    const ledger::ChainState state = store_->chain_state();
    std::vector<std::string> actions = service_->governance_pool().Reap(
        state.latest, ledger::ActionContext{state.height + 1, chain_.next_block_time_ms()},
        limits::kGovernanceActionsPerBlockMax);
    TestChain::Step step = chain_.NextWithActions({}, actions);
    ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
    service_->OnCommitted(step.block, step.commit, {});
  }
  size_t governance_wakes_ = 0;
};

TEST_F(GovernedServiceTest, AnActionIsCheckedPooledProposedCommittedAndShown) {
  auto dry = service_->SubmitGovernance(AddTax(), api::SubmitOptions{true});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(service_->governance_pool().size(), 0u);
  auto accepted = service_->SubmitGovernance(AddTax(), {});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->seq, 1u);
  EXPECT_FALSE(accepted->already_known);
  EXPECT_EQ(governance_wakes_, 1u);
  auto again = service_->SubmitGovernance(AddTax(), {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_known);
  EXPECT_EQ(again->id, accepted->id);
  EXPECT_EQ(governance_wakes_, 1u);
  json::object governance = service_->GetGovernance();
  ASSERT_EQ(governance.at("pending").as_array().size(), 1u);
  EXPECT_EQ(governance.at("pending").as_array()[0].at("id").as_string(), accepted->id);
  EXPECT_TRUE(governance.at("actions").as_array().empty());

  ProposeAndCommit();  // block 1 commits it
  governance = service_->GetGovernance();
  EXPECT_TRUE(governance.at("pending").as_array().empty());
  ASSERT_EQ(governance.at("actions").as_array().size(), 1u);
  const json::value& committed = governance.at("actions").as_array()[0];
  EXPECT_EQ(committed.at("height").to_number<int64_t>(), 1);
  EXPECT_EQ(committed.at("id").as_string(), accepted->id);
  EXPECT_EQ(governance.at("latest").at("next_seq").to_number<int64_t>(), 2);
  EXPECT_EQ(governance.at("actions_total").to_number<int64_t>(), 1);
  // In force from block 3: the register of block 2 is still genesis's.
  EXPECT_EQ(governance.at("register").at("next_seq").to_number<int64_t>(), 1);
  ProposeAndCommit();  // block 2
  governance = service_->GetGovernance();
  EXPECT_EQ(governance.at("height").to_number<int64_t>(), 3);
  EXPECT_EQ(governance.at("register").at("next_seq").to_number<int64_t>(), 2);
  EXPECT_NE(store_->NextState()->FindAgency("sishui-tax-bureau"), nullptr);
}

// Every refusal is the ledger's, with its code, and changes nothing.
TEST_F(GovernedServiceTest, RefusedActionsChangeNothing) {
  auto code = [&](json::object action) {
    auto outcome = service_->SubmitGovernance(action, {});
    EXPECT_FALSE(outcome.ok());
    return ledger::ErrorCodeOf(outcome.status());
  };
  EXPECT_EQ(code(AddTax(std::nullopt, {0, 1})), ledger::ErrorCode::kGovernanceTooFewSignatures);
  EXPECT_EQ(code(AddTax(2)), ledger::ErrorCode::kGovernanceBadSequence);
  json::object unknown = AddTax();
  unknown["action"] = "make-me-admin";
  EXPECT_EQ(code(unknown), ledger::ErrorCode::kGovernanceUnknownAction);
  json::object extra = AddTax();
  extra["extra"] = 1;
  EXPECT_EQ(code(extra), ledger::ErrorCode::kGovernanceMalformed);
  json::object huge = AddTax();
  huge["agency"].as_object()["name"] = std::string(limits::kGovernanceActionBytesMax, 'x');
  EXPECT_EQ(code(huge), ledger::ErrorCode::kGovernanceMalformed);
  EXPECT_EQ(service_->governance_pool().size(), 0u);
  EXPECT_EQ(governance_wakes_, 0u);
  // Another action at a pending seq.
  ASSERT_TRUE(service_->SubmitGovernance(AddTax(), {}).ok());
  json::object other = json::parse(chain_.ActionLeafOf(ledger::RemoveReader{
                                       chain_.genesis().readers().front().id}))
                           .as_object();
  EXPECT_EQ(code(other), ledger::ErrorCode::kGovernanceBadSequence);
  // The next seq after the pending one is taken.
  json::object next = json::parse(chain_.ActionLeafOf(
                                      ledger::RemoveReader{chain_.genesis().readers().front().id}, 2))
                          .as_object();
  EXPECT_TRUE(service_->SubmitGovernance(next, {}).ok());
  EXPECT_EQ(service_->governance_pool().size(), 2u);
}

}  // namespace
}  // namespace evidence::node
