#include "ledger/batch.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ledger/errors.h"
#include "ledger/json.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

TEST(Batch, GoldenSigningBytes) {
  BatchHeader header{"sishui-evidence", "sishui-justice-bureau", {}, 3};
  header.root[0] = 0xab;
  std::string expected =
      "EVIDENCE-BATCH/v1\n"
      R"({"agency":"sishui-justice-bureau","chain_id":"sishui-evidence","root":"ab)" +
      std::string(62, '0') + R"(","size":3,"v":1})";
  EXPECT_EQ(AsStringView(BatchSigningBytes(header)), expected);
}

TEST(Batch, EveryRecordProvableAlone) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-b", 100, 7);
  const crypto::PublicKey& key = chain.agency_key(0).public_key();
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_TRUE(records[i].sig.batch.has_value());
    EXPECT_EQ(records[i].sig.batch->index, i);
    EXPECT_EQ(records[i].sig.batch->size, 7u);
    EXPECT_TRUE(VerifyRecordSignature(chain.hash(), key, records[i]).ok()) << i;
    // The leaf (sig included) round-trips through JSON with its batch reference.
    auto parsed = ParseRecord(RecordLeaf(records[i]));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, records[i]);
  }
}

TEST(Batch, TamperingIsCaught) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(1, "case-b", 1, 5);
  const crypto::PublicKey& key = chain.agency_key(1).public_key();
  Record r = records[2];
  r.title += "x";  // changes the record id: no longer under the root
  EXPECT_EQ(ErrorCodeOf(VerifyRecordSignature(chain.hash(), key, r)), ErrorCode::kBatchBadProof);
  r = records[2];
  r.sig.batch->index = 3;
  EXPECT_EQ(ErrorCodeOf(VerifyRecordSignature(chain.hash(), key, r)), ErrorCode::kBatchBadProof);
  r = records[2];
  r.sig.batch->path[0][0] ^= 1;
  EXPECT_EQ(ErrorCodeOf(VerifyRecordSignature(chain.hash(), key, r)), ErrorCode::kBatchBadProof);
  r = records[2];
  r.sig.value[5] ^= 1;
  EXPECT_EQ(ErrorCodeOf(VerifyRecordSignature(chain.hash(), key, r)), ErrorCode::kBatchBadSignature);
  // A batch record moved to another agency (same key id cannot be registered twice).
  r = records[2];
  EXPECT_FALSE(VerifyRecordSignature(chain.hash(), chain.agency_key(0).public_key(), r).ok());
}

TEST(Batch, CacheChecksOneSignaturePerBatch) {
  testing::TestChain chain;
  std::vector<Record> a = chain.MakeBatch(0, "case-a", 1, 20);
  std::vector<Record> b = chain.MakeBatch(0, "case-b", 1000, 3);
  BatchSignatureCache cache;
  const crypto::PublicKey& key = chain.agency_key(0).public_key();
  for (const Record& r : a) EXPECT_TRUE(cache.Verify(chain.hash(), key, r).ok());
  for (const Record& r : b) EXPECT_TRUE(cache.Verify(chain.hash(), key, r).ok());
  EXPECT_EQ(cache.signature_checks(), 2u);
  // A forged signature on a batch not yet seen is still caught.
  Record forged = chain.MakeBatch(0, "case-c", 5000, 2)[0];
  forged.sig.value[0] ^= 1;
  EXPECT_FALSE(cache.Verify(chain.hash(), key, forged).ok());
  // And membership is always checked, even for a cached batch.
  Record moved = a[3];
  moved.time_ms += 1;
  EXPECT_EQ(ErrorCodeOf(cache.Verify(chain.hash(), key, moved)), ErrorCode::kBatchBadProof);
}

TEST(Batch, SignRefusesEmptyOversizedAndMixed) {
  testing::TestChain chain;
  std::vector<Record> none;
  EXPECT_EQ(ErrorCodeOf(SignBatch(chain.hash(), chain.agency_key(0), none)), ErrorCode::kBatchTooLarge);
  std::vector<Record> big(limits::kBatchRecordsMax + 1, chain.UnsignedRecord(0, "c", 1));
  EXPECT_EQ(ErrorCodeOf(SignBatch(chain.hash(), chain.agency_key(0), big)), ErrorCode::kBatchTooLarge);
  std::vector<Record> mixed = {chain.UnsignedRecord(0, "c", 1), chain.UnsignedRecord(1, "c", 2)};
  EXPECT_EQ(ErrorCodeOf(SignBatch(chain.hash(), chain.agency_key(0), mixed)), ErrorCode::kBatchMalformed);
}

TEST(Batch, ParseWireForm) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-a", 1, 4);
  boost::json::array array;
  for (const Record& r : records) array.push_back(RecordToJson(r));
  std::string text = CanonicalJson(boost::json::object{{"records", array}}).value();
  auto parsed = ParseBatch(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, records);
  // Records of two different batches are refused.
  array.push_back(RecordToJson(chain.MakeBatch(0, "case-z", 50, 1)[0]));
  text = CanonicalJson(boost::json::object{{"records", array}}).value();
  EXPECT_EQ(ErrorCodeOf(ParseBatch(text).status()), ErrorCode::kBatchMalformed);
  EXPECT_FALSE(ParseBatch(R"({"records":[]})").ok());
  EXPECT_FALSE(ParseBatch(R"({"records":[],"x":1})").ok());
  EXPECT_FALSE(ParseBatch(R"([])").ok());
}

}  // namespace
}  // namespace evidence::ledger
