// Runs the `evidence` binary: `evidence verify` and `evidence audit` exit codes and
// messages (the commands live in api/cli/cmd_verify.cc and api/cli/cmd_audit.cc).
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/encoding.h"
#include "crypto/note.h"
#include "crypto/timestamp.h"
#include "ledger/receipt.h"
#include "tests/ledger/test_chain.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandRun Evidence(const std::string& arguments) {
  std::string command = std::string(EVIDENCE_BIN_DIR) + "/evidence " + arguments + " 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  EVIDENCE_CHECK(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(std::string(EVIDENCE_BIN_DIR) + "/evidence")) GTEST_SKIP() << "no evidence binary";
    directory_ = fs::temp_directory_path() / ("cli-test-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    data_ = (directory_ / "data").string();
    auto store = Store::Open(data_, chain_.genesis()).value();
    std::string document = "行政处罚决定书 bytes";
    Record record = chain_.UnsignedRecord(0, "(2026)鲁0831行罚7号", 1);
    record.digest = FormatDocumentDigest(crypto::HashAlgorithm::kSha256,
                                         crypto::Hash(crypto::HashAlgorithm::kSha256, document));
    ASSERT_TRUE(SignRecord(chain_.agency_key(0), record).ok());
    for (int b = 0; b < 3; ++b) {
      std::vector<Record> records = {chain_.MakeRecord(1, "c", 100 + b)};
      if (b == 1) records.push_back(record);
      TestChain::Step step = chain_.Next(records);
      ASSERT_TRUE(store->Append(step.block, step.commit).ok());
    }
    Receipt receipt = BuildReceipt(*store, RecordId(chain_.hash(), record)).value();
    record_id_ = crypto::DigestHex(RecordId(chain_.hash(), record));
    record_id_digest_ = RecordId(chain_.hash(), record);
    block_head_ = {receipt.header.log_size, receipt.header.log_root};
    Write("document.txt", document);
    Write("receipt.json", ReceiptToText(receipt));
    receipt.record.stage = "filing";
    Write("tampered.json", ReceiptToText(receipt));
    Write("genesis.json", chain_.genesis().ToJson());
  }
  void TearDown() override { fs::remove_all(directory_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(directory_ / name) << text; }
  std::string Path(const std::string& name) { return (directory_ / name).string(); }

  // An RFC 3161 token of `document` from `institution`'s TSA, written to `name`.
  void WriteToken(const std::string& name, const evidence::testing::TsaInstitution& institution,
                  std::string_view document) {
    auto tsa = crypto::TimestampAuthority::FromPem(institution.tsa_key_pem, institution.tsa_cert_pem);
    ASSERT_TRUE(tsa.ok()) << tsa.status().ToString();
    crypto::TimestampRequest request;
    request.imprint = crypto::Hash(crypto::HashAlgorithm::kSha256, document);
    request.serial = {0x01, 0x02};
    request.gen_time_ms = 1'796'000'000'000;
    request.record_id = record_id_digest_;
    auto token = tsa->Issue(request);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    Write(name, std::string(AsStringView(*token)));
  }
  // The checkpoint of the receipt's block (or of another size), signed by validator 0
  // and cosigned by `witness` as witness.example/w1.
  std::string SignedCheckpoint(const crypto::PrivateKey& witness, uint64_t size) {
    crypto::Checkpoint checkpoint{chain_.genesis().chain_id(), size,
                                  Bytes(block_head_.second.begin(), block_head_.second.end())};
    crypto::Note note{crypto::EncodeCheckpointText(checkpoint), {}};
    const std::string validator = chain_.genesis().chain_id() + "/" + chain_.genesis().validators()[0].name;
    note.signatures.push_back(crypto::SignNote(chain_.validator_key(0), validator,
                                               crypto::NoteKeyType::kEd25519, note.text)
                                  .value());
    note.signatures.push_back(crypto::SignNote(witness, "witness.example/w1",
                                               crypto::NoteKeyType::kCosignatureV1, note.text,
                                               1'796'000'000)
                                  .value());
    return crypto::EncodeNote(note);
  }

  TestChain chain_;
  fs::path directory_;
  std::string data_;
  std::string record_id_;
  crypto::Digest record_id_digest_{};
  std::pair<uint64_t, crypto::Digest> block_head_;
};

// Evidence beside a receipt (docs/receipt-format.md §8): tokens and a cosigned
// checkpoint are checked after the receipt, and only a failure of theirs gives 3.
TEST_F(CliTest, TokensAndCosignedCheckpointsBesideAReceipt) {
  const auto court = evidence::testing::MakeTsaInstitution("Court CA");
  const auto notary = evidence::testing::MakeTsaInstitution("Notary CA");
  Write("court-ca.pem", court.ca_pem);
  Write("notary-ca.pem", notary.ca_pem);
  WriteToken("court.tsr", court, "行政处罚决定书 bytes");
  WriteToken("other.tsr", court, "another document");
  const std::string base = "verify " + Path("document.txt") + " --receipt " + Path("receipt.json") +
                           " --genesis " + Path("genesis.json");
  CommandRun token = Evidence(base + " --token " + Path("court.tsr") + " --tsa-ca " + Path("court-ca.pem"));
  EXPECT_EQ(token.exit_code, 0) << token.output;
  EXPECT_NE(token.output.find("token " + Path("court.tsr") + ": OK, genTime 20261130005320Z"),
            std::string::npos)
      << token.output;
  EXPECT_NE(token.output.find("record " + record_id_), std::string::npos) << token.output;
  // Another document's token, another institution's CA, no CA at all: the receipt
  // still holds (VALID), the token does not (exit 3).
  for (const std::string& bad : {" --token " + Path("other.tsr") + " --tsa-ca " + Path("court-ca.pem"),
                                 " --token " + Path("court.tsr") + " --tsa-ca " + Path("notary-ca.pem"),
                                 " --token " + Path("court.tsr")}) {
    CommandRun refused = Evidence(base + bad);
    EXPECT_EQ(refused.exit_code, 3) << bad << "\n" << refused.output;
    EXPECT_NE(refused.output.find("VALID: "), std::string::npos) << refused.output;
    EXPECT_NE(refused.output.find(": FAILED"), std::string::npos) << refused.output;
  }

  const auto witness = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value();
  const std::string vkey =
      crypto::NoteKey::ForWitness("witness.example/w1", witness.public_key()).value().Vkey();
  Write("checkpoint", SignedCheckpoint(witness, block_head_.first));
  CommandRun cosigned = Evidence(base + " --checkpoint " + Path("checkpoint") + " --witness-vkey " + vkey);
  EXPECT_EQ(cosigned.exit_code, 0) << cosigned.output;
  EXPECT_NE(cosigned.output.find("signed by validators: " + chain_.genesis().validators()[0].name),
            std::string::npos)
      << cosigned.output;
  EXPECT_NE(cosigned.output.find("cosigned by witnesses: witness.example/w1"), std::string::npos)
      << cosigned.output;
  // Without the witness's key its line is not counted; a checkpoint of another size is not this block's.
  CommandRun unknown = Evidence(base + " --checkpoint " + Path("checkpoint"));
  EXPECT_EQ(unknown.exit_code, 0) << unknown.output;
  EXPECT_NE(unknown.output.find("cosigned by witnesses: none"), std::string::npos) << unknown.output;
  Write("later", SignedCheckpoint(witness, block_head_.first + 1));
  CommandRun later = Evidence(base + " --checkpoint " + Path("later") + " --witness-vkey " + vkey);
  EXPECT_EQ(later.exit_code, 3) << later.output;
  EXPECT_NE(later.output.find("not the tree head of this receipt's block"), std::string::npos) << later.output;
  // A receipt that does not hold is 1 whatever lies beside it.
  CommandRun tampered = Evidence("verify " + Path("document.txt") + " --receipt " + Path("tampered.json") +
                                 " --genesis " + Path("genesis.json") + " --token " + Path("court.tsr") +
                                 " --tsa-ca " + Path("court-ca.pem"));
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
}

TEST_F(CliTest, VerifyExitCodes) {
  std::string tail = " --genesis " + Path("genesis.json");
  CommandRun ok = Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") + tail);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find(record_id_), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("block height: 2"), std::string::npos) << ok.output;
  // What the receipt proves comes first: the commit's median time.
  size_t existed = ok.output.find("existed no later than (存在时间不晚于): ");
  EXPECT_LT(existed, ok.output.find("record id:")) << ok.output;
  EXPECT_NE(ok.output.find("(2026)鲁0831行罚7号"), std::string::npos);

  CommandRun tampered = Evidence("verify " + Path("document.txt") + " --receipt " + Path("tampered.json") + tail);
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_NE(tampered.output.find("receipt.bad_record_signature"), std::string::npos) << tampered.output;

  Write("other.txt", "another document");
  CommandRun other = Evidence("verify " + Path("other.txt") + " --receipt " + Path("receipt.json") + tail);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("receipt.digest_mismatch"), std::string::npos) << other.output;

  // Unusable input: exit 2, the code first on the error line.
  Write("version2.json", "{\"v\":3}");
  CommandRun version2 = Evidence("verify " + Path("document.txt") + " --receipt " + Path("version2.json") + tail);
  EXPECT_EQ(version2.exit_code, 2) << version2.output;
  EXPECT_NE(version2.output.find("evidence verify: receipt.unsupported_version: "), std::string::npos)
      << version2.output;
  Write("bad-genesis.json", "{}");
  CommandRun bad_genesis = Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") +
                                    " --genesis " + Path("bad-genesis.json"));
  EXPECT_EQ(bad_genesis.exit_code, 2) << bad_genesis.output;
  EXPECT_NE(bad_genesis.output.find("evidence verify: genesis.invalid: "), std::string::npos)
      << bad_genesis.output;
  Write("broken.json", "{\"v\":1");
  EXPECT_EQ(Evidence("verify " + Path("document.txt") + " --receipt " + Path("broken.json") + tail).exit_code, 2);
  EXPECT_EQ(Evidence("verify " + Path("missing.txt") + " --receipt " + Path("receipt.json") + tail).exit_code, 2);
  EXPECT_EQ(Evidence("verify " + Path("document.txt") + " --receipt " + Path("receipt.json") +
                     " --genesis " + Path("missing.json"))
                .exit_code,
            2);
  EXPECT_EQ(Evidence("verify " + Path("document.txt")).exit_code, 2);
}

TEST_F(CliTest, AuditExitCodes) {
  std::string genesis = " --genesis " + Path("genesis.json");
  CommandRun ok = Evidence("audit --data " + data_ + genesis);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK: 3 blocks, 4 records"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("audit: block 3/3"), std::string::npos) << ok.output;
  EXPECT_EQ(Evidence("audit --data " + Path("nowhere") + genesis).exit_code, 2);
  // Regression (issue 18): output to a pipe had carriage returns.
  EXPECT_EQ(ok.output.find('\r'), std::string::npos) << ok.output;
  // Regression (issue 18): a store held by a running node was called damaged.
  {
    auto running = Store::Open(data_, chain_.genesis());
    ASSERT_TRUE(running.ok());
    CommandRun locked = Evidence("audit --data " + data_ + genesis);
    EXPECT_EQ(locked.exit_code, 2) << locked.output;
    EXPECT_NE(locked.output.find("is in use by a running node"), std::string::npos) << locked.output;
    EXPECT_EQ(locked.output.find("damaged"), std::string::npos) << locked.output;
  }
  // Damage the leaf of block 2's second record.
  {
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), data_, &db).ok());
    std::string key = "l";
    key.append(7, '\0');
    key.push_back(2);
    std::string leaf;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), key, &leaf).ok());
    leaf.replace(leaf.find("行罚7号"), 9, "行罚8号");
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, leaf).ok());
    delete db;
  }
  CommandRun bad = Evidence("audit --data " + data_ + genesis);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("block 2 is bad"), std::string::npos) << bad.output;
}

// Found trying the CLI as a new user: `evidence audit --data DIR` on a node's
// data directory (which holds store/ and consensus.wal) said "the store is
// damaged". It must find the store inside, or say where a node keeps it.
TEST_F(CliTest, RegressionAuditFindsTheStoreInsideANodeDataDirectory) {
  std::string genesis = " --genesis " + Path("genesis.json");
  const fs::path node_data = directory_ / "node-data";
  fs::create_directories(node_data);
  fs::rename(data_, node_data / "store");
  std::ofstream(node_data / "consensus.wal") << "EVWAL";
  CommandRun ok = Evidence("audit --data " + node_data.string() + genesis);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("OK: 3 blocks, 4 records"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("the store is " + (node_data / "store").string()), std::string::npos)
      << ok.output;

  fs::create_directories(directory_ / "empty");
  CommandRun none = Evidence("audit --data " + Path("empty") + genesis);
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_EQ(none.output.find("damaged"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("<data_dir>/store"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace evidence::ledger
