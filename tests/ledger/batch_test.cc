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

std::string BatchText(const std::vector<Record>& records) {
  boost::json::array array;
  for (const Record& r : records) array.push_back(RecordToJson(r));
  return CanonicalJson(boost::json::object{{"records", array}}).value();
}

void ExpectMalformed(const std::string& text, std::string_view says) {
  auto parsed = ParseBatch(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kBatchMalformed);
  EXPECT_NE(parsed.status().message().find(says), std::string::npos) << parsed.status().message();
}

// Finding 1 of issue 20: a batch sent in part was accepted without saying so.
TEST(Batch, APartialBatchIsRefused) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-a", 1, 4);
  ExpectMalformed(BatchText({records[0], records[1], records[2]}),
                  "the batch has sig.batch.size 4 but 3 records were sent");
}

TEST(Batch, RecordsOutOfIndexOrderOrRepeatedAreRefused) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-a", 1, 3);
  ExpectMalformed(BatchText({records[1], records[0], records[2]}),
                  "records[0] has sig.batch.index 1: send the records of a batch in index order");
  ExpectMalformed(BatchText({records[0], records[0], records[2]}), "records[1] has sig.batch.index 0");
}

TEST(Batch, AHeaderMemberIsExplained) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-a", 1, 2);
  boost::json::array array;
  for (const Record& r : records) array.push_back(RecordToJson(r));
  std::string text = CanonicalJson(boost::json::object{{"header", boost::json::object{}},
                                                       {"records", array}}).value();
  ExpectMalformed(text, "the batch header is not sent");
}

TEST(Batch, ARecordOfAnotherAgencyIsNamed) {
  testing::TestChain chain;
  std::vector<Record> records = chain.MakeBatch(0, "case-a", 1, 2);
  records[1].agency = chain.agency_id(1);
  ExpectMalformed(BatchText(records), "a batch holds one agency's records of one chain");
}

TEST(Batch, SignRefusesTheSameRecordTwice) {
  testing::TestChain chain;
  Record record = chain.UnsignedRecord(0, "c", 1);
  std::vector<Record> twice = {record, chain.UnsignedRecord(0, "c", 2), record};
  Status status = SignBatch(chain.hash(), chain.agency_key(0), twice);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBatchMalformed);
  EXPECT_NE(status.message().find("records[2] is the same record as records[0]"), std::string::npos);
}

}  // namespace
}  // namespace evidence::ledger
