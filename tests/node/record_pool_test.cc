#include "node/record_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

using ledger::testing::kGenesisTimeMs;
using ledger::testing::TestChain;

class RecordPoolTest : public ::testing::Test {
 protected:
  RecordPool MakePool(size_t records_max = 1000, size_t bytes_max = 1 << 20) {
    RecordPoolOptions options;
    options.records_max = records_max;
    options.bytes_max = bytes_max;
    options.verify_threads = 2;
    return RecordPool([state = chain_.state().next] { return state; }, options);
  }
  crypto::Digest IdOf(const ledger::Record& record) {
    return ledger::RecordId(chain_.hash(), record);
  }
  static bool NotInLog(const crypto::Digest&) { return false; }

  TestChain chain_;
};

TEST_F(RecordPoolTest, AdmitsACheckedRecordOnce) {
  RecordPool pool = MakePool();
  ledger::Record record = chain_.MakeRecord(0, "CASE-1", 1);
  auto admitted = pool.CheckAndAdd({record}, kGenesisTimeMs);
  ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
  ASSERT_EQ(admitted->size(), 1u);
  EXPECT_EQ(admitted->front(), ledger::RecordLeaf(record));
  EXPECT_TRUE(pool.Contains(IdOf(record)));
  EXPECT_EQ(pool.Get(IdOf(record)), record);
  EXPECT_EQ(pool.FindByDigest(record.digest).size(), 1u);
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.bytes(), admitted->front().size());
  EXPECT_EQ(pool.signature_checks(), 1u);

  auto again = pool.CheckAndAdd({record}, kGenesisTimeMs);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty()) << "the same record id again is not a second entry";
  EXPECT_EQ(pool.size(), 1u);
}

TEST_F(RecordPoolTest, RefusesABadSignatureWithItsCodeAndKeepsNothing) {
  RecordPool pool = MakePool();
  ledger::Record good = chain_.MakeRecord(0, "CASE-1", 1);
  ledger::Record bad = chain_.MakeRecord(0, "CASE-1", 2);
  bad.title += " (changed after signing)";
  size_t refused_index = 99;
  auto refused = pool.CheckAndAdd({good, bad}, kGenesisTimeMs, nullptr, {}, &refused_index);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("record.bad_signature: ", 0), 0u)
      << refused.status().message();
  EXPECT_EQ(refused_index, 1u);
  EXPECT_EQ(ledger::ErrorCodeOf(refused.status()), ledger::ErrorCode::kRecordBadSignature);
  EXPECT_EQ(pool.size(), 0u) << "all or none";
  EXPECT_FALSE(pool.Contains(IdOf(good)));
}

TEST_F(RecordPoolTest, RefusesRecordsOutsideTheTimeWindow) {
  RecordPool pool = MakePool();
  ledger::Record late = chain_.MakeRecord(0, "CASE-1", 1, kGenesisTimeMs + 3600 * 1000);
  auto refused = pool.CheckAndAdd({late}, kGenesisTimeMs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("record.time_in_future", 0), 0u);
}

TEST_F(RecordPoolTest, AFullPoolSaysTryLaterAndDoesNotGrow) {
  RecordPool pool = MakePool(2);
  ASSERT_TRUE(pool.CheckAndAdd({chain_.MakeRecord(0, "C", 1), chain_.MakeRecord(0, "C", 2)},
                               kGenesisTimeMs)
                  .ok());
  auto refused = pool.CheckAndAdd({chain_.MakeRecord(0, "C", 3)}, kGenesisTimeMs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(pool.size(), 2u);

  RecordPool small = MakePool(100, 100);
  auto too_big = small.CheckAndAdd({chain_.MakeRecord(0, "C", 1)}, kGenesisTimeMs);
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted) << "byte bound";
}

TEST_F(RecordPoolTest, ABatchCostsFewSignatureChecks) {
  RecordPool pool = MakePool();
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 100, 50);
  auto admitted = pool.CheckAndAdd(batch, kGenesisTimeMs);
  ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
  EXPECT_EQ(admitted->size(), 50u);
  EXPECT_LE(pool.signature_checks(), 2u) << "one per verification thread at most";
}

TEST_F(RecordPoolTest, ReapTakesArrivalOrderWithinLimitsAndDropsCommitted) {
  RecordPool pool = MakePool();
  std::vector<ledger::Record> records;
  for (uint64_t seed = 1; seed <= 5; ++seed) records.push_back(chain_.MakeRecord(0, "C", seed));
  for (const ledger::Record& record : records) {
    ASSERT_TRUE(pool.CheckAndAdd({record}, kGenesisTimeMs).ok());
  }
  std::vector<std::string> three = pool.Reap(3, 1 << 20, *chain_.state().next, kGenesisTimeMs, NotInLog);
  ASSERT_EQ(three.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(three[i], ledger::RecordLeaf(records[i]));
  EXPECT_EQ(pool.size(), 5u) << "reaping does not remove";

  size_t one_leaf = three[0].size();
  EXPECT_EQ(pool.Reap(10, one_leaf * 2, *chain_.state().next, kGenesisTimeMs, NotInLog).size(), 2u) << "byte budget";

  crypto::Digest committed = IdOf(records[0]);
  auto in_log = [&](const crypto::Digest& id) { return id == committed; };
  std::vector<std::string> rest = pool.Reap(10, 1 << 20, *chain_.state().next, kGenesisTimeMs, in_log);
  EXPECT_EQ(rest.size(), 4u);
  EXPECT_FALSE(pool.Contains(committed)) << "a record found in the log is dropped";

  pool.Remove({IdOf(records[1]), IdOf(records[2])});
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_TRUE(pool.FindByDigest(records[1].digest).empty());
}

// A committed block's leaves the pool holds come with their records and ids
// (the store indexes them without parsing); the pool keeps them until Remove.
TEST_F(RecordPoolTest, KnownRecordsOfLeavesGivesHeldRecordsWithTheirIds) {
  RecordPool pool = MakePool();
  ledger::Record a = chain_.MakeRecord(0, "CASE-T", 1);
  ledger::Record b = chain_.MakeRecord(1, "CASE-T", 2);
  ledger::Record stranger = chain_.MakeRecord(0, "CASE-T", 3);
  ASSERT_TRUE(pool.CheckAndAdd({a, b}, kGenesisTimeMs).ok());
  std::vector<std::string> leaves = {ledger::RecordLeaf(b), ledger::RecordLeaf(stranger),
                                     ledger::RecordLeaf(a)};
  auto known = pool.KnownRecordsOfLeaves(leaves);
  ASSERT_EQ(known.size(), 3u);
  ASSERT_TRUE(known[0].has_value());
  EXPECT_EQ(known[0]->record, b);
  EXPECT_EQ(known[0]->id, IdOf(b));
  EXPECT_FALSE(known[1].has_value());
  ASSERT_TRUE(known[2].has_value());
  EXPECT_EQ(known[2]->record, a);
  EXPECT_EQ(known[2]->id, IdOf(a));
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_TRUE(pool.Contains(IdOf(a)));
}

TEST_F(RecordPoolTest, ReapKeepsRecordsAheadOfTheBlockTime) {
  RecordPool pool = MakePool();
  int64_t now_ms = kGenesisTimeMs + 3600 * 1000;
  ledger::Record record = chain_.MakeRecord(0, "C", 1, now_ms);
  ASSERT_TRUE(pool.CheckAndAdd({record}, now_ms).ok());
  EXPECT_TRUE(pool.Reap(10, 1 << 20, *chain_.state().next, kGenesisTimeMs, NotInLog).empty());
  EXPECT_EQ(pool.size(), 1u) << "kept for a later block";
  EXPECT_EQ(pool.Reap(10, 1 << 20, *chain_.state().next, now_ms, NotInLog).size(), 1u);
}


TEST_F(RecordPoolTest, BlockOfPooledRecordsValidatesWithoutSignatureChecks) {
  RecordPool pool = MakePool();
  ledger::Record a = chain_.MakeRecord(0, "CASE-1", 1);
  std::vector<ledger::Record> batch = chain_.MakeBatch(1, "CASE-B", 10, 3);
  std::vector<ledger::Record> pooled = {a, batch[0], batch[1], batch[2]};
  ASSERT_TRUE(pool.CheckAndAdd(pooled, kGenesisTimeMs).ok());
  ledger::CheckedLeafFn verified = [&pool](std::string_view leaf) {
    return pool.CheckedLeafOf(leaf);
  };
  uint64_t checks = 0;
  Status status = ledger::ValidateBlock(chain_.state(), chain_.MakeNextBlock(pooled),
                                        nullptr, verified, &checks);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(checks, 0u);

  // A record this pool never saw, with a bad signature, is still caught.
  ledger::Record bad = chain_.MakeRecord(0, "CASE-1", 2);
  bad.sig.value[0] ^= 1;
  checks = 0;
  status = ledger::ValidateBlock(chain_.state(), chain_.MakeNextBlock({a, bad}), nullptr, verified, &checks);
  EXPECT_NE(status.message().find("record.bad_signature"), std::string::npos) << status.message();
  EXPECT_EQ(checks, 1u);

  // Once committed (removed from the pool), a leaf is no longer vouched for.
  pool.Remove({IdOf(a)});
  EXPECT_FALSE(pool.CheckedLeafOf(ledger::RecordLeaf(a)).has_value());
  auto held = pool.CheckedLeafOf(ledger::RecordLeaf(batch[0]));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->id, IdOf(batch[0]));
  EXPECT_EQ(held->time_ms, batch[0].time_ms);
  ledger::Record other_sig = batch[0];
  other_sig.sig.value[0] ^= 1;
  EXPECT_FALSE(pool.CheckedLeafOf(ledger::RecordLeaf(other_sig)).has_value());
  // Reaped away as too old for a block: no longer vouched for either.
  pool.Reap(10, 1 << 20, *chain_.state().next,
            batch[1].time_ms + ledger::kLegacyChainParams.record_past_window_ms + 1, NotInLog);
  EXPECT_FALSE(pool.CheckedLeafOf(ledger::RecordLeaf(batch[1])).has_value());
}

TEST_F(RecordPoolTest, ABatchAdmittedOneRecordAtATimeCostsOneCheck) {
  RecordPool pool = MakePool();
  std::vector<ledger::Record> batch = chain_.MakeBatch(0, "CASE-B", 10, 6);
  uint64_t checks = 0;
  for (const ledger::Record& record : batch) {
    ASSERT_TRUE(pool.CheckAndAdd({record}, kGenesisTimeMs, &checks).ok());
  }
  EXPECT_EQ(checks, 1u);
  EXPECT_EQ(pool.signature_checks(), 1u);
  EXPECT_EQ(pool.size(), 6u);
}

TEST_F(RecordPoolTest, CheckAndAddEachDropsOnlyTheBadRecords) {
  RecordPool pool = MakePool();
  std::vector<ledger::Record> records;
  for (int i = 0; i < 9; ++i) records.push_back(chain_.MakeRecord(i % 2, "CASE-G", i + 1));
  records[2].sig.value[0] ^= 1;                                    // bad signature
  records[7].time_ms = kGenesisTimeMs + 3600 * 1000;               // outside the window
  ledger::Record held = records[4];
  ASSERT_TRUE(pool.CheckAndAdd({held}, kGenesisTimeMs).ok());      // already pooled
  uint64_t checks = 0;
  std::vector<std::string> admitted = pool.CheckAndAddEach(records, kGenesisTimeMs, &checks);
  EXPECT_EQ(admitted.size(), 6u);
  EXPECT_EQ(pool.size(), 7u);
  for (size_t i : {0, 1, 3, 5, 6, 8}) {
    EXPECT_TRUE(pool.Contains(IdOf(records[i]))) << i;
    EXPECT_NE(std::find(admitted.begin(), admitted.end(), ledger::RecordLeaf(records[i])),
              admitted.end())
        << i;
  }
  EXPECT_FALSE(pool.Contains(IdOf(records[2])));
  EXPECT_FALSE(pool.Contains(IdOf(records[7])));
  EXPECT_EQ(checks, 8u) << "every single record but the one refused before its signature";

  // Nothing fits in a full pool; it does not grow.
  RecordPool small = MakePool(2);
  EXPECT_TRUE(small.CheckAndAddEach({records[0], records[1], records[3]}, kGenesisTimeMs).empty());
  EXPECT_EQ(small.size(), 0u);
}

}  // namespace
}  // namespace evidence::node
