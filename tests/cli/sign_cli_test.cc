// `evidence sign`, run as a real process: the record it prints is what the ledger
// parses and accepts (structure, digest, canonical bytes, signature).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/record.h"
#include "tests/testing/process.h"

namespace evidence::cli {
namespace {

using testing::RunEvidence;
using testing::TempDir;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SignCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_path_ = dir_.File("agency.pem");
    auto r = RunEvidence({"keygen", "--alg", "ed25519", "--out", key_path_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    document_ = "行政处罚决定书 (2026)鲁0831行复12号\n" + std::string(200'000, 'x');
    file_ = dir_.Write("decision.pdf", document_);
  }

  std::vector<std::string> Args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"sign",
                                     "--key",
                                     key_path_,
                                     "--agency",
                                     "sishui-msa",
                                     "--chain-id",
                                     "sishui-2026",
                                     "--kind",
                                     "enforcement_record",
                                     "--case",
                                     "(2026)鲁0831行复12号"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TempDir dir_;
  std::string key_path_;
  std::string document_;
  std::string file_;
};

TEST_F(SignCliTest, PrintsACanonicalRecordTheLedgerAcceptsWithAValidSignature) {
  const std::string link(64, 'a');
  const int64_t before = NowMs();
  auto r =
      RunEvidence(Args({"--stage", "decision", "--title", "处罚决定书", "--link", link, file_}));
  const int64_t after = NowMs();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_TRUE(r.out.ends_with("\n"));

  auto record = ledger::ParseRecord(r.out.substr(0, r.out.size() - 1));
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->version, 1);
  EXPECT_EQ(record->chain_id, "sishui-2026");
  EXPECT_EQ(record->kind, "enforcement_record");
  EXPECT_EQ(record->case_id, "(2026)鲁0831行复12号");
  EXPECT_EQ(record->stage, "decision");
  EXPECT_EQ(record->agency, "sishui-msa");
  EXPECT_EQ(record->digest,
            "sha256:" + crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, document_)));
  EXPECT_EQ(record->size, document_.size());
  EXPECT_EQ(record->media_type, "application/pdf");
  EXPECT_EQ(record->title, "处罚决定书");
  EXPECT_EQ(record->links, std::vector<std::string>{link});
  EXPECT_GE(record->time_ms, before);
  EXPECT_LE(record->time_ms, after);
  EXPECT_FALSE(record->sig.batch.has_value());

  // The printed text is the canonical leaf (JCS of the whole record).
  EXPECT_EQ(r.out, ledger::RecordLeaf(*record) + "\n");

  auto key = crypto::PrivateKey::LoadPem(key_path_);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(record->sig.key_id, key->key_id());
  EXPECT_EQ(record->sig.algorithm, crypto::SignatureAlgorithm::kEd25519);
  EXPECT_TRUE(
      ledger::VerifyRecordSignature(crypto::HashAlgorithm::kSha256, key->public_key(), *record)
          .ok());
  // Signing bytes are reproducible: Ed25519 is deterministic, so signing the
  // parsed record again gives the very signature the CLI printed.
  ledger::Record again = *record;
  again.sig = {};
  ASSERT_TRUE(ledger::SignRecord(*key, again).ok());
  EXPECT_EQ(again.sig.value, record->sig.value);
  Bytes signing = ledger::RecordSigningBytes(*record);
  std::string prefix(signing.begin(), signing.begin() + ledger::kRecordSigningDomain.size());
  EXPECT_EQ(prefix, ledger::kRecordSigningDomain);
}

TEST_F(SignCliTest, PrintsExactlyTheFieldsOfTheRecordFormat) {
  auto r = RunEvidence(Args({file_}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  boost::json::value json = boost::json::parse(r.out);
  std::set<std::string> keys;
  for (const auto& field : json.as_object()) keys.insert(std::string(field.key()));
  EXPECT_EQ(keys,
            (std::set<std::string>{"agency", "case_id", "chain_id", "digest", "kind", "links",
                                   "media_type", "sig", "size", "stage", "time", "title", "v"}));
  std::set<std::string> sig_keys;
  for (const auto& field : json.at("sig").as_object()) sig_keys.insert(std::string(field.key()));
  EXPECT_EQ(sig_keys, (std::set<std::string>{"alg", "key", "value"}));
  // Defaults: stage "unspecified", the file's name as title, no links.
  EXPECT_EQ(json.at("stage").as_string(), "unspecified");
  EXPECT_EQ(json.at("title").as_string(), "decision.pdf");
  EXPECT_TRUE(json.at("links").as_array().empty());
  EXPECT_EQ(json.at("sig").at("alg").as_string(), "ed25519");
}

TEST_F(SignCliTest, Sm3WithAnSm2KeyIsAGmRecord) {
  const std::string sm2_key = dir_.File("sm2.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "sm2", "--out", sm2_key}).exit_code, 0);
  const std::string scan = dir_.Write("scan.bin", "raw bytes");
  auto r = RunEvidence({"sign", "--key", sm2_key, "--agency", "office", "--chain-id", "gm-chain",
                        "--kind", "reconsideration_document", "--case", "C-1", "--hash", "sm3",
                        "--media-type", "image/tiff", scan});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto record = ledger::ParseRecord(r.out);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->digest,
            "sm3:" + crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSm3, "raw bytes")));
  EXPECT_EQ(record->media_type, "image/tiff");
  EXPECT_EQ(record->sig.algorithm, crypto::SignatureAlgorithm::kSm2);
  auto key = crypto::PrivateKey::LoadPem(sm2_key);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(
      ledger::VerifyRecordSignature(crypto::HashAlgorithm::kSm3, key->public_key(), *record).ok());
}

// Finding 4 of issue 20: the node accepts only the canonical case id, so the
// CLI signs that form and says so.
TEST_F(SignCliTest, AFullWidthCaseIdIsSignedInItsCanonicalForm) {
  std::vector<std::string> args = Args({file_});
  args[10] = "（２０２６） 鲁0831行复12号";
  auto r = RunEvidence(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("in its canonical form \"(2026)鲁0831行复12号\""), std::string::npos)
      << r.err;
  auto record = ledger::ParseRecord(r.out);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->case_id, "(2026)鲁0831行复12号");
  EXPECT_EQ(RunEvidence(Args({file_})).err, "") << "a canonical case id needs no note";
}

// Issue 14: the time of the act, for records of acts entered later (RFC 3339).
TEST_F(SignCliTest, TimeIsTheActsTimeWhenGiven) {
  auto r = RunEvidence(Args({"--stage", "filing", "--time", "2026-03-01T09:30:00.250+08:00", file_}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto record = ledger::ParseRecord(r.out.substr(0, r.out.size() - 1));
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->time_ms, 1772328600250);
  for (const char* bad : {"2026-03-01", "2026-03-01 09:30:00", "yesterday", "2026-02-30T09:30:00Z"}) {
    auto refused = RunEvidence(Args({"--time", bad, file_}));
    EXPECT_EQ(refused.exit_code, 2) << bad;
    EXPECT_NE(refused.err.find("--time: "), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out, "");
  }
  // The stage vocabulary is in the help.
  auto help = RunEvidence({"sign", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("reconsideration_document: application (申请)"), std::string::npos) << help.out;
}

TEST_F(SignCliTest, AMissingFileIsNamedWithTheReason) {
  const std::string missing = dir_.File("missing.pdf");
  auto r = RunEvidence(Args({missing}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("evidence sign: cannot open " + missing + ": No such file"),
            std::string::npos)
      << r.err;
}

TEST_F(SignCliTest, ADirectoryIsNotADocument) {
  auto r = RunEvidence(Args({dir_.path()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir_.path() + ": not a regular file"), std::string::npos) << r.err;
}

TEST_F(SignCliTest, BadOptionsAreRefusedBeforeSigning) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"sign", "--key", key_path_, "--agency", "a", "--chain-id", "c", "--kind", "memo", "--case",
        "C", file_},
       "kind \"memo\" is not a record kind"},
      {{"sign", "--key", key_path_, "--agency", "bad agency", "--chain-id", "c", "--kind", "other",
        "--case", "C", file_},
       "agency may hold only"},
      {{"sign", "--key", key_path_, "--agency", "a", "--chain-id", "c", "--kind", "other", "--case",
        "C", "--link", "not-a-record-id", file_},
       "link"},
      {{"sign", "--key", key_path_, "--agency", "a", "--chain-id", "c", "--kind", "other", "--case",
        "C", "--hash", "md5", file_},
       "--hash"},
      {{"sign", "--key", dir_.File("nokey.pem"), "--agency", "a", "--chain-id", "c", "--kind",
        "other", "--case", "C", file_},
       dir_.File("nokey.pem")},
      {{"sign", "--key", file_, "--agency", "a", "--chain-id", "c", "--kind", "other", "--case",
        "C", file_},
       "key " + file_},
  };
  for (const Case& c : cases) {
    auto r = RunEvidence(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.says << "\n" << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace evidence::cli
