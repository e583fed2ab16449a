// The Node's wiring in one process: a one-validator chain (the --dev chain)
// started on free ports, a record submitted over HTTP and committed, the
// metrics of the node's parts on /metrics, a restart on the same data, and the
// options Create refuses. The four-process network is tests/e2e.
#include "node/node.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "common/clock.h"
#include "crypto/hash.h"
#include "ledger/record.h"
#include "node/dev.h"
#include "tests/testing/process.h"

namespace evidence::node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Answer {
  int status = 0;
  std::string body;
};

Answer Request(uint16_t port, http::verb method, const std::string& target,
               const std::string& body = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {static_cast<int>(response.result_int()), response.body()};
}

class NodeWiringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dev = PrepareDevChain(dir_.File("dev"));
    ASSERT_TRUE(dev.ok()) << dev.status().ToString();
    dev_ = *dev;
  }

  NodeOptions Options() const {
    NodeOptions options;
    options.genesis_path = dev_.genesis_path;
    options.data_dir = dev_.data_dir;
    options.vote_key_path = dev_.vote_key_path;
    options.node_key_path = dev_.node_key_path;
    options.p2p_listen = "127.0.0.1:0";
    options.api_listen = "127.0.0.1:0";
    return options;
  }

  // A record of the dev agency over `document`, signed now.
  std::string SignedRecord(const std::string& document, const std::string& chain_id) const {
    ledger::Record record;
    record.chain_id = chain_id;
    record.kind = "enforcement_record";
    record.case_id = "(2026)鲁0831行罚1号";
    record.stage = "decision";
    record.agency = dev_.agency_id;
    record.digest = ledger::FormatDocumentDigest(
        crypto::HashAlgorithm::kSha256, crypto::Hash(crypto::HashAlgorithm::kSha256, document));
    record.size = document.size();
    record.media_type = "text/plain";
    record.title = "wiring test";
    record.time_ms = WallClockMs();
    auto key = crypto::PrivateKey::LoadPem(dev_.agency_key_path);
    EXPECT_TRUE(key.ok());
    EXPECT_TRUE(ledger::SignRecord(*key, record).ok());
    return json::serialize(ledger::RecordToJson(record));
  }

  testing::TempDir dir_;
  DevChain dev_;
};

TEST_F(NodeWiringTest, ARecordSubmittedOverHttpCommitsAndTheMetricsShowEveryPart) {
  auto node = Node::Create(Options());
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Start().ok());
  ASSERT_EQ((*node)->validator_index(), 0u);
  const uint16_t port = (*node)->api_port();
  ASSERT_NE(port, 0);
  EXPECT_NE((*node)->p2p_port(), 0);

  Answer submitted = Request(port, http::verb::post, "/v1/records?wait=commit",
                             SignedRecord("document one", (*node)->chain_id()));
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  json::object outcome = json::parse(submitted.body).as_object();
  EXPECT_EQ(outcome.at("status").as_string(), "committed");
  EXPECT_TRUE(outcome.at("receipt").is_object());

  Answer status = Request(port, http::verb::get, "/v1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(json::parse(status.body).at("height").to_number<uint64_t>(), 1u);
  Answer metrics = Request(port, http::verb::get, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* line : {"evidence_height 1\n", "evidence_records_committed_total 1\n",
                           "evidence_mempool_records 0\n",
                           "evidence_http_requests_total{route=\"/v1/records\",code=\"201\"} 1\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << metrics.body;
  }
  (*node)->Stop();
  (*node)->Stop();  // idempotent
}

TEST_F(NodeWiringTest, ARestartedNodeKeepsItsChainAndCommitsOnTopOfIt) {
  std::string chain_id;
  {
    auto node = Node::Create(Options());
    ASSERT_TRUE(node.ok());
    ASSERT_TRUE((*node)->Start().ok());
    chain_id = (*node)->chain_id();
    ASSERT_EQ(Request((*node)->api_port(), http::verb::post, "/v1/records?wait=commit",
                      SignedRecord("before restart", chain_id))
                  .status,
              201);
  }  // the destructor stops the node
  auto node = Node::Create(Options());
  ASSERT_TRUE(node.ok());
  ASSERT_TRUE((*node)->Start().ok());
  const uint16_t port = (*node)->api_port();
  ASSERT_EQ(Request(port, http::verb::post, "/v1/records?wait=commit",
                    SignedRecord("after restart", chain_id))
                .status,
            201);
  json::value head = json::parse(Request(port, http::verb::get, "/v1/tree-head").body);
  EXPECT_EQ(head.at("size").to_number<uint64_t>(), 2u);
  EXPECT_EQ(head.at("height").to_number<uint64_t>(), 2u);
  // Regression (issue 18): evidence_records_committed_total restarted at 0 on a
  // restart, so nodes with the same tree showed different values. It is the
  // store's log size now.
  Answer metrics = Request(port, http::verb::get, "/metrics");
  for (const char* line : {"evidence_height 2\n", "evidence_records_committed_total 2\n",
                           "evidence_commit_latency_seconds_count 1\n",
                           "evidence_mempool_records_max 100000\n", "evidence_quorum_connected 1\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << metrics.body;
  }
}

TEST_F(NodeWiringTest, CreateRefusesKeysAndLimitsThatDoNotFitTheGenesis) {
  NodeOptions wrong_node_key = Options();
  wrong_node_key.node_key_path = dev_.agency_key_path;  // not a validator's node key
  auto refused = Node::Create(wrong_node_key);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is not the node key of any validator"),
            std::string::npos)
      << refused.status().message();

  NodeOptions wrong_vote_key = Options();
  wrong_vote_key.vote_key_path = dev_.agency_key_path;
  refused = Node::Create(wrong_vote_key);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is not a validator's"), std::string::npos);

  NodeOptions unknown_peer = Options();
  unknown_peer.peer_addresses["no-such-validator"] = "127.0.0.1:1";
  EXPECT_FALSE(Node::Create(unknown_peer).ok());

  NodeOptions no_blocks = Options();
  no_blocks.block_records_max = 0;
  EXPECT_FALSE(Node::Create(no_blocks).ok());
}

TEST_F(NodeWiringTest, AnObserverWithoutAVoteKeyStartsAndServesButNeverVotes) {
  NodeOptions observer = Options();
  observer.vote_key_path.clear();
  auto node = Node::Create(observer);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Start().ok());
  EXPECT_FALSE((*node)->validator_index().has_value());
  Answer status = Request((*node)->api_port(), http::verb::get, "/v1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_TRUE(json::parse(status.body).at("validator").is_null());
}

// A node whose keys genesis does not know (docs/design.md §5, "Membership"):
// it starts as an observer of genesis's register and waits for governance to
// admit its node key; with a vote key no set holds yet, it does not vote.
TEST_F(NodeWiringTest, ANodeGenesisDoesNotNameStartsAndWaitsForGovernance) {
  const std::string node_key = dir_.File("new-node.pem");
  const std::string vote_key = dir_.File("new-vote.pem");
  ASSERT_TRUE(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519)->SavePem(node_key).ok());
  ASSERT_TRUE(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519)->SavePem(vote_key).ok());
  NodeOptions joining = Options();
  joining.node_key_path = node_key;
  joining.vote_key_path = vote_key;
  joining.data_dir = dir_.File("joining-data");
  const Node::CheckReport report = Node::Check(joining);
  EXPECT_TRUE(report.problems.empty()) << report.problems.front();
  EXPECT_NE(report.summary.find("a node genesis does not name"), std::string::npos) << report.summary;
  auto node = Node::Create(joining);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Start().ok());
  EXPECT_FALSE((*node)->validator_index().has_value());
  Answer status = Request((*node)->api_port(), http::verb::get, "/v1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_TRUE(json::parse(status.body).at("validator").is_null());
  EXPECT_EQ(json::parse(status.body).at("height").as_int64(), 0);

  // A next_vote_key that genesis already knows (here: the validator's own vote
  // key) is refused, as is one without a vote_key.
  NodeOptions reused = Options();
  reused.next_vote_key_path = dev_.vote_key_path;
  EXPECT_FALSE(Node::Create(reused).ok());
  NodeOptions alone = Options();
  alone.vote_key_path.clear();
  alone.next_vote_key_path = vote_key;
  EXPECT_FALSE(Node::Create(alone).ok());
}

}  // namespace
}  // namespace evidence::node
