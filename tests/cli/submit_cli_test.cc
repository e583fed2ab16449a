// `evidence submit`, `receipt` and `status` against a real `evidence-node --dev`
// process on 127.0.0.1 (tests/testing/dev_node.h), stopped with SIGTERM at the
// end of each test. Receipts the CLI writes must satisfy `evidence verify` with
// the dev chain's genesis.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/receipt.h"
#include "ledger/record.h"
#include "tests/testing/dev_node.h"
#include "tests/testing/process.h"

namespace evidence::cli {
namespace {

namespace fs = std::filesystem;
using testing::ClosedPort;
using testing::DevNode;
using testing::RawAnswer;
using testing::RawHttp;
using testing::ReadFile;
using testing::RunEvidence;
using testing::RunResult;
using testing::TempDir;

class SubmitCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<DevNode>(dir_.path());
    std::string problem = node_->WaitReady();
    ASSERT_EQ(problem, "");
    auto genesis = ledger::Genesis::Load(node_->genesis());
    ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
    chain_id_ = genesis->chain_id();
  }

  std::vector<std::string> SubmitArgs(std::vector<std::string> extra) {
    std::vector<std::string> args = {"submit",
                                     "--node",
                                     node_->url(),
                                     "--key",
                                     node_->agency_key(),
                                     "--agency",
                                     node_->agency(),
                                     "--kind",
                                     "enforcement_record",
                                     "--case",
                                     "(2026)鲁0831行复12号"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  uint64_t TreeSize() {
    RawAnswer answer = RawHttp(node_->port(), "GET", "/v1/status");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return boost::json::parse(answer.body).at("tree_size").to_number<uint64_t>();
  }

  RunResult Verify(const std::string& file, const std::string& receipt) {
    return RunEvidence({"verify", file, "--receipt", receipt, "--genesis", node_->genesis()});
  }

  TempDir dir_;
  std::unique_ptr<DevNode> node_;
  std::string chain_id_;
};

TEST_F(SubmitCliTest, OneFileWithWaitWritesAReceiptThatVerifies) {
  const std::string file = dir_.Write("decision.pdf", "行政处罚决定书 v1");
  const uint64_t before = TreeSize();
  auto r = RunEvidence(SubmitArgs({"--stage", "decision", "--wait", file}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out.size(), 64 + 2 + 9 + 2 + file.size() + 1) << r.out;
  const std::string id = r.out.substr(0, 64);
  EXPECT_EQ(r.out.substr(64), "  committed  " + file + "\n");
  EXPECT_EQ(TreeSize(), before + 1);

  const std::string receipt = file + ".receipt.json";
  ASSERT_TRUE(fs::exists(receipt));
  auto verified = Verify(file, receipt);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("record id:    " + id), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("case:         (2026)鲁0831行复12号"), std::string::npos);

  // The same receipt, fetched later by id: by whoever holds the document, or a reader.
  auto fetched = RunEvidence({"receipt", id, "--node", node_->url(), "--file", file});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_EQ(fetched.out, ReadFile(receipt));
  auto written = RunEvidence({"receipt", id, "--node", node_->url(), "--out", dir_.File("r.json"),
                              "--token", ReadFile(node_->reader_token_file())});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(ReadFile(dir_.File("r.json")), ReadFile(receipt));
  EXPECT_EQ(Verify(file, dir_.File("r.json")).exit_code, 0);
  // Without either, the node does not show it.
  auto redacted = RunEvidence({"receipt", id, "--node", node_->url()});
  EXPECT_EQ(redacted.exit_code, 1);
  EXPECT_NE(redacted.err.find("--file DOCUMENT"), std::string::npos) << redacted.err;
  EXPECT_TRUE(redacted.out.empty());

  // Another document does not pass with this receipt.
  const std::string other = dir_.Write("other.pdf", "行政处罚决定书 v2");
  EXPECT_EQ(Verify(other, receipt).exit_code, 1);
}

TEST_F(SubmitCliTest, ADirectoryGoesAsABatchAndEveryReceiptVerifies) {
  const std::string docs = dir_.File("case-docs");
  fs::create_directories(docs + "/sub");
  std::vector<std::string> files;
  for (int i = 0; i < 50; ++i) {
    std::string name = (i < 45 ? docs : docs + "/sub") + "/doc-" + std::to_string(100 + i) + ".pdf";
    files.push_back(name);
    std::ofstream(name, std::ios::binary) << "document number " << i;
  }
  std::ofstream(docs + "/.hidden", std::ios::binary) << "not a document";
  std::ofstream(docs + "/old.pdf.receipt.json", std::ios::binary) << "{}";
  const std::string receipts = dir_.File("receipts");
  const uint64_t before = TreeSize();

  auto r = RunEvidence(SubmitArgs({"--wait", "--receipt-dir", receipts, docs}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(TreeSize(), before + 50);
  // Not a terminal: progress as plain lines, the last one complete.
  EXPECT_NE(r.err.find("submit: 50/50 files (100%): 50 submitted, 0 failed, 50 hashed\n"),
            std::string::npos)
      << r.err;
  size_t lines = 0;
  for (char c : r.out) lines += c == '\n';
  EXPECT_EQ(lines, 50u) << r.out;

  std::set<std::string> batch_roots;
  for (const std::string& file : files) {
    const std::string receipt =
        receipts + "/" + fs::path(file).filename().string() + ".receipt.json";
    ASSERT_TRUE(fs::exists(receipt)) << receipt;
    EXPECT_NE(r.out.find("  committed  " + file + "\n"), std::string::npos) << file;
    auto verified = Verify(file, receipt);
    EXPECT_EQ(verified.exit_code, 0) << file << "\n" << verified.out << verified.err;
    auto parsed = ledger::ParseReceipt(ReadFile(receipt));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_TRUE(parsed->record.sig.batch.has_value());
    EXPECT_EQ(parsed->record.sig.batch->size, 50u);
    batch_roots.insert(crypto::DigestHex(parsed->record.sig.batch->root));
  }
  EXPECT_EQ(batch_roots.size(), 1u);  // one signed batch
  EXPECT_FALSE(fs::exists(receipts + "/.hidden.receipt.json"));
  EXPECT_FALSE(fs::exists(receipts + "/old.pdf.receipt.json.receipt.json"));
}

TEST_F(SubmitCliTest, ManyFilesWithoutWaitAreAcceptedAndReportedPending) {
  const std::string a = dir_.Write("a.pdf", "a");
  const std::string b = dir_.Write("b.pdf", "b");
  auto r = RunEvidence(SubmitArgs({a, b}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  " + a + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  " + b + "\n"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(a + ".receipt.json"));
  // Each listed id is known to the node (pending or already committed); a
  // reader may look at it.
  const std::string reader = "Bearer " + ReadFile(node_->reader_token_file());
  for (size_t at = 0; at < r.out.size(); at = r.out.find('\n', at) + 1) {
    RawAnswer answer =
        RawHttp(node_->port(), "GET", "/v1/records/" + r.out.substr(at, 64), "", reader);
    EXPECT_EQ(answer.status, 200) << answer.body;
  }
}

TEST_F(SubmitCliTest, ARecordSignedOfflineAndPostedTwiceIsCommittedOnce) {
  const std::string file = dir_.Write("opinion.pdf", "法制审核意见");
  auto sign = RunEvidence({"sign", "--key", node_->agency_key(), "--agency", node_->agency(),
                           "--chain-id", chain_id_, "--kind", "review_opinion", "--case",
                           "(2026)鲁0831行复12号", "--stage", "legal_review", file});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  const uint64_t before = TreeSize();

  RawAnswer first = RawHttp(node_->port(), "POST", "/v1/records?wait=commit", sign.out);
  ASSERT_EQ(first.status, 201) << first.body;
  boost::json::value first_json = boost::json::parse(first.body);
  EXPECT_EQ(first_json.at("status").as_string(), "committed");
  EXPECT_FALSE(first_json.at("already_known").as_bool());
  const std::string id(first_json.at("id").as_string());
  EXPECT_EQ(TreeSize(), before + 1);

  RawAnswer second = RawHttp(node_->port(), "POST", "/v1/records?wait=commit", sign.out);
  ASSERT_EQ(second.status, 200) << second.body;
  boost::json::value second_json = boost::json::parse(second.body);
  EXPECT_TRUE(second_json.at("already_known").as_bool());
  EXPECT_EQ(second_json.at("id").as_string(), id);
  EXPECT_EQ(TreeSize(), before + 1);

  auto receipt = RunEvidence({"receipt", id, "--node", node_->url(), "--file", file, "--out",
                              dir_.File("opinion.receipt.json")});
  ASSERT_EQ(receipt.exit_code, 0) << receipt.err;
  EXPECT_EQ(Verify(file, dir_.File("opinion.receipt.json")).exit_code, 0);
}

TEST_F(SubmitCliTest, AWrongAgencyFailsNamingEachFile) {
  const std::string a = dir_.Write("a.pdf", "a");
  const std::string b = dir_.Write("b.pdf", "b");
  const uint64_t before = TreeSize();
  auto one = RunEvidence(SubmitArgs({"--wait", a}));
  EXPECT_EQ(one.exit_code, 0) << one.err;

  std::vector<std::string> wrong = SubmitArgs({"--wait", a, b});
  wrong[6] = "no-such-agency";
  auto r = RunEvidence(wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  for (const std::string& file : {a, b}) {
    EXPECT_NE(r.err.find("evidence submit: " + file + ": batch refused by the node: "),
              std::string::npos)
        << r.err;
  }
  EXPECT_NE(r.err.find("unknown-agency"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 of 2 files failed"), std::string::npos) << r.err;
  EXPECT_EQ(TreeSize(), before + 1);
}

TEST_F(SubmitCliTest, AKeyNotInGenesisFailsNamingTheFile) {
  const std::string stranger = dir_.File("stranger.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "p256", "--out", stranger}).exit_code, 0);
  const std::string file = dir_.Write("a.pdf", "a");
  std::vector<std::string> args = SubmitArgs({"--wait", file});
  args[4] = stranger;
  auto r = RunEvidence(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("evidence submit: " + file + ": refused by the node: "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("unknown-key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(file + ".receipt.json"));

  // A key file that is not a key is unusable input, named.
  args[4] = file;
  auto bad = RunEvidence(args);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("key " + file), std::string::npos) << bad.err;
}

TEST_F(SubmitCliTest, MissingFilesFailByNameAndTheOthersStillGo) {
  const std::string good = dir_.Write("good.pdf", "good");
  const std::string missing = dir_.File("missing.pdf");
  auto r = RunEvidence(SubmitArgs({"--wait", good, missing}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("evidence submit: " + missing + ": no such file or directory"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("  committed  " + good + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(Verify(good, good + ".receipt.json").exit_code, 0);
}

TEST_F(SubmitCliTest, ReceiptOfAnUnknownOrMalformedId) {
  auto unknown = RunEvidence({"receipt", std::string(64, 'b'), "--node", node_->url(), "--digest",
                              "sha256:" + std::string(64, 'c')});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "");
  EXPECT_NE(unknown.err.find(node_->url() + " has no record " + std::string(64, 'b')),
            std::string::npos)
      << unknown.err;
  EXPECT_NE(unknown.err.find("not-found, HTTP 404"), std::string::npos) << unknown.err;

  auto malformed = RunEvidence({"receipt", "xyz", "--node", node_->url()});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("64 hex digits"), std::string::npos) << malformed.err;
}

TEST_F(SubmitCliTest, StatusSummarizesTheNodeAndJsonIsRaw) {
  auto r = RunEvidence({"status", "--node", node_->url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("chain id:     " + chain_id_ + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tree size:    " + std::to_string(TreeSize()) + " records\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("validator:    dev (1 validators in genesis)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ready:        yes\n"), std::string::npos) << r.out;

  auto json = RunEvidence({"status", "--node", node_->url(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  boost::json::value status = boost::json::parse(json.out);
  EXPECT_EQ(status.at("chain_id").as_string(), chain_id_);
  EXPECT_TRUE(status.as_object().contains("mempool"));
}

// Finding 4 of issue 20: the CLI signs the canonical case id, which the node
// accepts, instead of the full-width one it would refuse.
TEST_F(SubmitCliTest, AFullWidthCaseIdIsSignedInItsCanonicalForm) {
  const std::string file = dir_.Write("notice.pdf", "告知书");
  std::vector<std::string> args = SubmitArgs({"--wait", file});
  args[10] = "（2026）鲁0831行复12号";
  auto r = RunEvidence(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("in its canonical form \"(2026)鲁0831行复12号\""), std::string::npos) << r.err;
  auto receipt = ledger::ParseReceipt(ReadFile(file + ".receipt.json"));
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->record.case_id, "(2026)鲁0831行复12号");
}

// A server that closes the first connection after reading the request, without
// an answer (a node going down mid-request), then answers the next one. It
// keeps the bodies it received.
class FlakyServer {
 public:
  FlakyServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FlakyServer() { Stop(); }
  // Ends the serving thread; bodies() may be read after.
  void Stop() {
    if (!thread_.joinable()) return;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  const std::vector<std::string>& bodies() const { return bodies_; }  // after Stop()

 private:
  // The body of one request read from `fd` (Content-Length framing).
  static std::string ReadBody(int fd) {
    std::string text;
    char buffer[8192];
    for (;;) {
      const size_t head_end = text.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string lower = text.substr(0, head_end);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t at = lower.find("content-length:");
        const size_t length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 15));
        if (text.size() >= head_end + 4 + length) return text.substr(head_end + 4, length);
      }
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return text;
      text.append(buffer, static_cast<size_t>(n));
    }
  }
  void Serve() {
    for (int connection = 0; connection < 2; ++connection) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      bodies_.push_back(ReadBody(fd));
      if (connection == 1) {
        auto record = ledger::ParseRecord(bodies_.back());
        const std::string id =
            record.ok() ? crypto::DigestHex(ledger::RecordId(crypto::HashAlgorithm::kSha256, *record))
                        : "";
        const std::string body =
            "{\"id\":\"" + id + "\",\"status\":\"pending\",\"already_known\":false}";
        const std::string answer = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                                   "Connection: close\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body;
        ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
    }
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::string> bodies_;
};

// Finding 6 of issue 20: a retry that signs again makes a second entry (the
// record id covers the time). The CLI resends the bytes it signed once.
TEST(SubmitCliNoNodeTest, ARetryAfterALostConnectionSendsTheSameSignedBytes) {
  TempDir dir;
  const std::string key = dir.File("k.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "ed25519", "--out", key}).exit_code, 0);
  const std::string file = dir.Write("a.pdf", "a");
  FlakyServer server;
  RunResult r = RunEvidence({"submit", "--node", "http://127.0.0.1:" + std::to_string(server.port()),
                             "--key", key, "--agency", "x", "--kind", "other", "--case", "C",
                             "--chain-id", "c", "--hash", "sha256", file});
  server.Stop();
  const std::vector<std::string>& bodies = server.bodies();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sending the same signed bytes again"), std::string::npos) << r.err;
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_FALSE(bodies[0].empty());
  EXPECT_EQ(bodies[0], bodies[1]);
}

TEST(SubmitCliNoNodeTest, AnUnreachableNodeIsNamed) {
  TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  auto status = RunEvidence({"status", "--node", url});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("cannot connect to " + url), std::string::npos) << status.err;

  const std::string key = dir.File("k.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "ed25519", "--out", key}).exit_code, 0);
  const std::string file = dir.Write("a.pdf", "a");
  auto submit = RunEvidence({"submit", "--node", url, "--key", key, "--agency", "x", "--kind",
                             "other", "--case", "C", file});
  EXPECT_EQ(submit.exit_code, 1);
  EXPECT_NE(submit.err.find("cannot connect to " + url), std::string::npos) << submit.err;
}

TEST(SubmitCliNoNodeTest, TwoFilesOfOneNameCannotShareAReceiptDirectory) {
  TempDir dir;
  const std::string key = dir.File("k.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "ed25519", "--out", key}).exit_code, 0);
  fs::create_directories(dir.File("a"));
  fs::create_directories(dir.File("b"));
  const std::string first = dir.Write("a/x.pdf", "1");
  const std::string second = dir.Write("b/x.pdf", "2");
  auto r = RunEvidence({"submit", "--node", "http://127.0.0.1:" + std::to_string(ClosedPort()),
                        "--key", key, "--agency", "x", "--kind", "other", "--case", "C", "--wait",
                        "--receipt-dir", dir.File("receipts"), first, second});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("both " + first + " and " + second + " would write x.pdf.receipt.json"),
            std::string::npos)
      << r.err;
}

TEST(SubmitCliNoNodeTest, AFifoIsRefusedWithoutBlocking) {
  TempDir dir;
  const std::string key = dir.File("k.pem");
  ASSERT_EQ(RunEvidence({"keygen", "--alg", "ed25519", "--out", key}).exit_code, 0);
  const std::string fifo = dir.File("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = RunEvidence({"sign", "--key", key, "--agency", "x", "--chain-id", "c", "--kind", "other",
                        "--case", "C", fifo});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(fifo + ": not a regular file"), std::string::npos) << r.err;
}

TEST(SubmitCliNoNodeTest, BadNodeUrlsAreUnusableInput) {
  for (const char* url : {"https://127.0.0.1:8080", "127.0.0.1:8080", "http://127.0.0.1:99999",
                          "http://:8080", "http://h:8080/?x=1"}) {
    auto r = RunEvidence({"status", "--node", url});
    EXPECT_EQ(r.exit_code, 2) << url;
    EXPECT_NE(r.err.find("evidence status: --node "), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace evidence::cli
