#include "ledger/submission.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <map>

#include "ledger/audit.h"
#include "ledger/batch.h"
#include "ledger/errors.h"
#include "ledger/receipt.h"
#include "ledger/store.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;
using testing::TestChainOptions;

// A node's view of link targets, as a map the tests fill.
class Targets {
 public:
  void Commit(const crypto::Digest& id, std::string case_id) {
    targets_[id] = {LinkTarget::State::kCommitted, std::move(case_id)};
  }
  void Pend(const crypto::Digest& id, std::string case_id) {
    targets_[id] = {LinkTarget::State::kPending, std::move(case_id)};
  }
  FindLinkTargetFn Fn() {
    return [this](const crypto::Digest& id) -> Result<LinkTarget> {
      ++lookups_;
      auto found = targets_.find(id);
      return found == targets_.end() ? LinkTarget{} : found->second;
    };
  }
  size_t lookups() const { return lookups_; }

 private:
  std::map<crypto::Digest, LinkTarget> targets_;
  size_t lookups_ = 0;
};

Record Signed(const TestChain& chain, Record record, size_t agency = 0) {
  EXPECT_TRUE(SignRecord(chain.agency_key(agency), record).ok());
  return record;
}

Status CheckOne(const Record& record, const crypto::Digest& id, Targets& targets) {
  std::vector<Record> records = {record};
  std::vector<crypto::Digest> ids = {id};
  SubmissionChecker checker(records, ids, targets.Fn());
  return checker.CheckRecord(0);
}

// Finding 4 of issue 20: the node refuses a case id that is not canonical and
// says which form to sign.
TEST(SubmissionRules, ACaseIdNotInCanonicalFormIsRefusedWithTheFormToSign) {
  TestChain chain;
  Record record = chain.MakeRecord(0, "（2026）鲁0831行复12号", 1);
  Status status = CheckCaseIdCanonical(record);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kRecordCaseIdNotCanonical);
  EXPECT_NE(status.message().find("sign \"(2026)鲁0831行复12号\" instead"), std::string::npos)
      << status.message();
  Record spaces = chain.MakeRecord(0, "\u3000", 2);
  EXPECT_NE(CheckCaseIdCanonical(spaces).message().find("only white space"), std::string::npos);
  EXPECT_TRUE(CheckCaseIdCanonical(chain.MakeRecord(0, "(2026)鲁0831行复12号", 3)).ok());
}

// Finding 3 of issue 20: links to records that do not exist, or that belong to
// another case, were committed.
TEST(SubmissionRules, ALinkMustNameACommittedRecordOfTheSameCase) {
  TestChain chain;
  Targets targets;
  const crypto::Digest filing = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("f"));
  const crypto::Digest other = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("o"));
  const crypto::Digest pending = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("p"));
  const crypto::Digest nowhere = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("n"));
  targets.Commit(filing, "CASE-1");
  targets.Commit(other, "CASE-2");
  targets.Pend(pending, "CASE-1");
  auto with_link = [&](const crypto::Digest& link) {
    Record record = chain.UnsignedRecord(0, "CASE-1", 7);
    record.links = {crypto::DigestHex(link)};
    return Signed(chain, record);
  };
  const crypto::Digest id{};
  EXPECT_TRUE(CheckOne(with_link(filing), id, targets).ok());

  Status unknown = CheckOne(with_link(nowhere), id, targets);
  EXPECT_EQ(ErrorCodeOf(unknown), ErrorCode::kRecordBadLink);
  EXPECT_NE(unknown.message().find("names no record of this ledger"), std::string::npos);

  Status cross = CheckOne(with_link(other), id, targets);
  EXPECT_EQ(ErrorCodeOf(cross), ErrorCode::kRecordBadLink);
  EXPECT_NE(cross.message().find("of case \"CASE-2\", not \"CASE-1\""), std::string::npos)
      << cross.message();

  Status waiting = CheckOne(with_link(pending), id, targets);
  EXPECT_EQ(ErrorCodeOf(waiting), ErrorCode::kRecordBadLink);
  EXPECT_NE(waiting.message().find("pending, not yet committed"), std::string::npos);
}

TEST(SubmissionRules, InABatchALinkMayNameAnEarlierRecordOfTheSameCase) {
  TestChain chain;
  Targets targets;
  Record filing = chain.UnsignedRecord(0, "CASE-1", 1);
  Record decision = chain.UnsignedRecord(0, "CASE-1", 2);
  decision.links = {crypto::DigestHex(RecordId(chain.hash(), filing))};
  Record elsewhere = chain.UnsignedRecord(0, "CASE-9", 3);
  elsewhere.links = decision.links;
  std::vector<Record> records = {filing, decision, elsewhere};
  ASSERT_TRUE(SignBatch(chain.hash(), chain.agency_key(0), records).ok());
  std::vector<crypto::Digest> ids;
  for (const Record& r : records) ids.push_back(RecordId(chain.hash(), r));
  SubmissionChecker checker(records, ids, targets.Fn());
  EXPECT_TRUE(checker.CheckDistinct().ok());
  EXPECT_TRUE(checker.CheckRecord(0).ok());
  EXPECT_TRUE(checker.CheckRecord(1).ok());
  Status cross = checker.CheckRecord(2);
  EXPECT_EQ(ErrorCodeOf(cross), ErrorCode::kRecordBadLink);
  EXPECT_NE(cross.message().find("names records[0] of case \"CASE-1\""), std::string::npos)
      << cross.message();
  EXPECT_EQ(targets.lookups(), 0u) << "links inside the batch need no look-up";

  // The same link from a record placed before its target.
  std::vector<Record> backwards = {decision, filing};
  ASSERT_TRUE(SignBatch(chain.hash(), chain.agency_key(0), backwards).ok());
  std::vector<crypto::Digest> backwards_ids = {RecordId(chain.hash(), backwards[0]),
                                               RecordId(chain.hash(), backwards[1])};
  SubmissionChecker later(backwards, backwards_ids, targets.Fn());
  Status status = later.CheckRecord(0);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kRecordBadLink);
  EXPECT_NE(status.message().find("does not come before"), std::string::npos) << status.message();
}

TEST(SubmissionRules, EachLinkTargetIsLookedUpOncePerSubmission) {
  TestChain chain;
  Targets targets;
  const crypto::Digest filing = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("f"));
  targets.Commit(filing, "CASE-1");
  std::vector<Record> records;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Record record = chain.UnsignedRecord(0, "CASE-1", seed);
    record.links = {crypto::DigestHex(filing)};
    records.push_back(record);
  }
  ASSERT_TRUE(SignBatch(chain.hash(), chain.agency_key(0), records).ok());
  std::vector<crypto::Digest> ids;
  for (const Record& r : records) ids.push_back(RecordId(chain.hash(), r));
  SubmissionChecker checker(records, ids, targets.Fn());
  for (size_t i = 0; i < records.size(); ++i) ASSERT_TRUE(checker.CheckRecord(i).ok());
  EXPECT_EQ(targets.lookups(), 1u);
}

TEST(SubmissionRules, ABatchNamesEachRecordOnce) {
  TestChain chain;
  Targets targets;
  Record record = chain.MakeRecord(0, "CASE-1", 1);
  std::vector<Record> records = {record, chain.MakeRecord(0, "CASE-1", 2), record};
  std::vector<crypto::Digest> ids;
  for (const Record& r : records) ids.push_back(RecordId(chain.hash(), r));
  SubmissionChecker checker(records, ids, targets.Fn());
  Status status = checker.CheckDistinct();
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBatchMalformed);
  EXPECT_NE(status.message().find("records[2] is the same record as records[0]"), std::string::npos)
      << status.message();
}

// ---------------------------------------------------------------- consensus safety

// Blocks committed before the submission rules existed (or by a Byzantine
// proposer) hold records the rules refuse. Those blocks must stay valid: a node
// syncing the chain from genesis validates each block with ValidateBlock, and
// `evidence audit` re-checks the store; receipts of those records still verify.
TEST(SubmissionRules, AnOldChainWithRecordsTheRulesRefuseStillSyncsAuditsAndVerifies) {
  TestChain chain;
  const fs::path directory =
      fs::temp_directory_path() / ("submission-test-old-chain-" + std::to_string(::getpid()));
  fs::remove_all(directory);
  Record other_case = chain.MakeRecord(0, "CASE-2", 1);
  Record full_width = chain.MakeRecord(0, "（2026）鲁0831行复12号", 2);
  Record dangling = chain.UnsignedRecord(1, "CASE-1", 3);
  dangling.links = {std::string(64, 'd')};
  dangling = Signed(chain, dangling, 1);
  Record cross_case = chain.UnsignedRecord(1, "CASE-1", 4);
  cross_case.links = {crypto::DigestHex(RecordId(chain.hash(), other_case))};
  cross_case = Signed(chain, cross_case, 1);
  const std::vector<std::vector<Record>> blocks = {{other_case}, {full_width, dangling},
                                                   {cross_case}};
  {
    auto store = Store::Open(directory.string(), chain.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const std::vector<Record>& records : blocks) {
      Block block = chain.MakeNextBlock(records);
      // What a syncing node checks for every block it fetches.
      Status valid = ValidateBlock((*store)->chain_state(), block);
      ASSERT_TRUE(valid.ok()) << valid.ToString();
      TestChain::Step step = chain.Next(records);
      ASSERT_TRUE((*store)->Append(step.block, step.commit).ok());
    }
    // Their receipts verify.
    for (const Record* record : {&full_width, &dangling, &cross_case}) {
      auto receipt = BuildReceipt(**store, RecordId(chain.hash(), *record));
      ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
      auto verified = VerifyReceiptForDigest(record->digest, *receipt, chain.genesis());
      EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    }
    // And the submission rules refuse each of them today.
    Targets targets;
    targets.Commit(RecordId(chain.hash(), other_case), "CASE-2");
    EXPECT_EQ(ErrorCodeOf(CheckOne(full_width, {}, targets)), ErrorCode::kRecordCaseIdNotCanonical);
    EXPECT_EQ(ErrorCodeOf(CheckOne(dangling, {}, targets)), ErrorCode::kRecordBadLink);
    EXPECT_EQ(ErrorCodeOf(CheckOne(cross_case, {}, targets)), ErrorCode::kRecordBadLink);
  }
  AuditReport report = Audit(directory.string(), chain.genesis());
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.records_checked, 4u);
  fs::remove_all(directory);
}

// ---------------------------------------------------------------- signature help

class ExplainTest : public ::testing::Test {
 protected:
  static TestChainOptions P256() {
    TestChainOptions options;
    options.agency_keys = crypto::SignatureAlgorithm::kP256;
    return options;
  }
  ExplainTest() : chain_(P256()) {}

  // A record of agency 0 with `signature` over `message` as sig.value.
  Record WithSignatureOver(std::string_view message, bool raw = false) {
    Record record = chain_.UnsignedRecord(0, "(2026)鲁0831行复12号", 5);
    record.title = "决定书";
    record.sig.algorithm = chain_.agency_key(0).algorithm();
    record.sig.key_id = chain_.agency_key(0).key_id();
    Bytes der = chain_.agency_key(0).Sign(AsBytes(message)).value();
    record.sig.value = raw ? RawOf(der) : der;
    return record;
  }
  static Bytes RawOf(const Bytes& der) {
    const unsigned char* cursor = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
    EXPECT_NE(sig, nullptr);
    Bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
  }
  std::string SigningText(const Record& record) {
    Bytes bytes = RecordSigningBytes(record);
    return std::string(bytes.begin(), bytes.end());
  }
  std::string Explain(const Record& record, const boost::json::object* received = nullptr) {
    EXPECT_EQ(ErrorCodeOf(CheckRecord(*chain_.state().next, record, chain_.next_block_time_ms())),
              ErrorCode::kRecordBadSignature)
        << "the test record must fail its signature check";
    return ExplainBadSignature(*chain_.state().next, record, received);
  }

  TestChain chain_;
};

// Finding 7 of issue 20: one "bad-signature" answer for every mistake.
TEST_F(ExplainTest, ARawRSSignatureOfTheRightBytesIsNamedAndTheFixGiven) {
  Record record = WithSignatureOver("");
  record.sig.value = RawOf(chain_.agency_key(0).Sign(RecordSigningBytes(record)).value());
  const std::string why = Explain(record);
  EXPECT_NE(why.find("P-256 signatures are DER"), std::string::npos) << why;
  EXPECT_NE(why.find("valid signature in the raw 64-byte r||s form"), std::string::npos) << why;
}

TEST_F(ExplainTest, TheDomainPrefixLeftOutIsNamed) {
  Record record = WithSignatureOver("");
  const std::string jcs = SigningText(record).substr(kRecordSigningDomain.size());
  record = WithSignatureOver(jcs);
  const std::string why = Explain(record);
  EXPECT_NE(why.find("sign the 19-byte prefix \"EVIDENCE-RECORD/v1\\n\""), std::string::npos)
      << why;
  // Also when the signature is raw r||s on top of it.
  record = WithSignatureOver(jcs, /*raw=*/true);
  EXPECT_NE(Explain(record).find("and encode the signature as DER"), std::string::npos);
}

TEST_F(ExplainTest, PythonsAsciiEscapesAndSpacesAreNamed) {
  Record record = WithSignatureOver("");
  std::string escaped = SigningText(record);
  for (auto [from, to] : {std::pair<std::string, std::string>{"决定书", "\\u51b3\\u5b9a\\u4e66"},
                          {"(2026)鲁0831", "(2026)\\u9c810831"},
                          {"行复12号", "\\u884c\\u590d12\\u53f7"}}) {
    escaped.replace(escaped.find(from), from.size(), to);
  }
  EXPECT_NE(Explain(WithSignatureOver(escaped)).find("ensure_ascii=True"), std::string::npos);
  std::string spaced;
  bool in_string = false;
  for (char c : escaped) {
    spaced.push_back(c);
    if (c == '"') in_string = !in_string;  // no escaped quotes in this record
    if (!in_string && (c == ',' || c == ':') && spaced.size() > kRecordSigningDomain.size()) {
      spaced.push_back(' ');
    }
  }
  EXPECT_NE(Explain(WithSignatureOver(spaced)).find("sort_keys=True) with its defaults"),
            std::string::npos);
}

TEST_F(ExplainTest, MembersSignedInTheOrderSentAreNamed) {
  Record record = WithSignatureOver("");
  boost::json::object sent;  // the order a client might build it in
  for (const char* key : {"v", "chain_id", "kind", "case_id", "stage", "agency", "digest", "size",
                          "media_type", "title", "links", "time"}) {
    sent[key] = RecordToJson(record, false).as_object().at(key);
  }
  record = WithSignatureOver(std::string(kRecordSigningDomain) + boost::json::serialize(sent));
  boost::json::object received = sent;
  received["sig"] = RecordToJson(record).as_object().at("sig");
  EXPECT_NE(Explain(record, &received).find("JCS sorts the members by key"), std::string::npos);
}

TEST_F(ExplainTest, ASignatureOfSomethingElseGetsNoGuess) {
  Record record = WithSignatureOver("something else entirely");
  EXPECT_EQ(Explain(record), "");
  record.sig.value.resize(10);
  EXPECT_NE(Explain(record).find("P-256 signatures are DER"), std::string::npos);
}

TEST_F(ExplainTest, AnAlgorithmThatIsNotTheKeysIsSaidInPlainWords) {
  Record record = chain_.MakeRecord(0, "CASE-1", 1);
  record.sig.algorithm = crypto::SignatureAlgorithm::kEd25519;
  Status status = CheckRecord(*chain_.state().next, record, chain_.next_block_time_ms());
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kRecordBadSignature);
  EXPECT_NE(status.message().find("sig.alg is \"ed25519\", but key " +
                                  chain_.agency_key(0).key_id()),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("set sig.alg to \"p256\""), std::string::npos);
}

TEST_F(ExplainTest, ABatchSignatureIsExplainedToo) {
  std::vector<Record> records = {chain_.UnsignedRecord(0, "CASE-1", 1),
                                 chain_.UnsignedRecord(0, "CASE-1", 2)};
  ASSERT_TRUE(SignBatch(chain_.hash(), chain_.agency_key(0), records).ok());
  Bytes header = BatchSigningBytes(BatchHeaderOf(records[1]));
  std::string jcs(header.begin() + static_cast<std::ptrdiff_t>(kBatchSigningDomain.size()),
                  header.end());
  Bytes without_prefix = chain_.agency_key(0).Sign(AsBytes(jcs)).value();
  for (Record& record : records) record.sig.value = without_prefix;
  const std::string why = ExplainBadSignature(*chain_.state().next, records[1], nullptr);
  EXPECT_NE(why.find("\"EVIDENCE-BATCH/v1\\n\""), std::string::npos) << why;
}

}  // namespace
}  // namespace evidence::ledger
