#include "node/node_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace evidence::node {
namespace {

namespace fs = std::filesystem;

class NodeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("node-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<NodeOptions> Load(const std::string& text) {
    std::string path = (dir_ / "node.toml").string();
    std::ofstream(path) << text;
    return LoadNodeOptions(path);
  }

  fs::path dir_;
};

constexpr const char* kMinimal = R"(
[node]
genesis = "../genesis.json"
data_dir = "data"
node_key = "node_key.pem"
)";

TEST_F(NodeConfigTest, ReadsEverySettingAndResolvesPathsBesideTheFile) {
  auto options = Load(R"(
[node]
name = "court"
genesis = "../genesis.json"
data_dir = "data"
vote_key = "/keys/vote.pem"
next_vote_key = "next_vote.pem"
node_key = "node_key.pem"
[p2p]
listen = "0.0.0.0:8801"
peers = { procuratorate = "10.0.0.2:8802" }
[api]
listen = "127.0.0.1:8701"
threads = 4
wait_timeout_ms = 5000
[mempool]
records_max = 500
bytes_max = 1048576
verify_threads = 3
[block]
records_max = 100
bytes_max = 65536
interval_ms = 35
[consensus]
timeout_propose_ms = 1500
timeout_propose_delta_ms = 100
timeout_vote_ms = 700
timeout_vote_delta_ms = 50
retransmit_interval_ms = 900
[log]
level = "debug"
json = true
)");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->genesis_path, (dir_ / "../genesis.json").string());
  EXPECT_EQ(options->data_dir, (dir_ / "data").string());
  EXPECT_EQ(options->vote_key_path, "/keys/vote.pem");
  EXPECT_EQ(options->next_vote_key_path, (dir_ / "next_vote.pem").string());
  EXPECT_EQ(options->node_key_path, (dir_ / "node_key.pem").string());
  EXPECT_EQ(options->p2p_listen, "0.0.0.0:8801");
  EXPECT_EQ(options->peer_addresses.at("procuratorate"), "10.0.0.2:8802");
  EXPECT_EQ(options->api_listen, "127.0.0.1:8701");
  EXPECT_EQ(options->api_threads, 4u);
  EXPECT_EQ(options->wait_timeout_ms_default, 5000);
  EXPECT_EQ(options->mempool_records_max, 500u);
  EXPECT_EQ(options->mempool_bytes_max, 1048576u);
  EXPECT_EQ(options->verify_threads, 3u);
  EXPECT_EQ(options->block_records_max, 100u);
  EXPECT_EQ(options->block_bytes_max, 65536u);
  EXPECT_EQ(options->block_interval_ms, 35);
  EXPECT_EQ(options->consensus.timeout_propose_ms, 1500);
  EXPECT_EQ(options->consensus.timeout_propose_delta_ms, 100);
  EXPECT_EQ(options->consensus.timeout_vote_ms, 700);
  EXPECT_EQ(options->consensus.timeout_vote_delta_ms, 50);
  EXPECT_EQ(options->consensus.retransmit_interval_ms, 900);
  EXPECT_EQ(options->log_level, "debug");
  EXPECT_TRUE(options->log_json);
}

TEST_F(NodeConfigTest, DefaultsForWhatIsLeftOut) {
  auto options = Load(kMinimal);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  NodeOptions defaults;
  EXPECT_TRUE(options->vote_key_path.empty()) << "an observer";
  EXPECT_EQ(options->block_records_max, defaults.block_records_max);
  EXPECT_EQ(options->block_interval_ms, 20);
  EXPECT_EQ(options->consensus.timeout_propose_ms, defaults.consensus.timeout_propose_ms);
  EXPECT_EQ(options->log_level, "info");
}

TEST_F(NodeConfigTest, RefusesTyposWrongTypesAndMissingRequiredSettings) {
  auto typo = Load(std::string(kMinimal) + "[api]\nlisten_address = \"x\"\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("api.listen_address is not a known setting"),
            std::string::npos)
      << typo.status().message();
  EXPECT_FALSE(Load(std::string(kMinimal) + "[apis]\nlisten = \"x\"\n").ok());
  EXPECT_FALSE(Load(std::string(kMinimal) + "[api]\nthreads = \"four\"\n").ok());
  EXPECT_FALSE(Load(std::string(kMinimal) + "[block]\nrecords_max = 0\n").ok());
  EXPECT_FALSE(Load(std::string(kMinimal) + "[log]\nlevel = \"loud\"\n").ok());
  // A proposer must not wait for a fuller block as long as its peers wait for its proposal.
  auto slow = Load(std::string(kMinimal) +
                   "[block]\ninterval_ms = 300\n[consensus]\ntimeout_propose_ms = 300\n");
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.status().message().find("block.interval_ms"), std::string::npos)
      << slow.status().message();
  EXPECT_TRUE(Load(std::string(kMinimal) + "[block]\ninterval_ms = 0\n").ok());
  EXPECT_FALSE(Load("[node]\ndata_dir = \"d\"\nnode_key = \"k\"\n").ok()) << "no genesis";
  EXPECT_FALSE(Load("[node\n").ok()) << "not TOML";
  EXPECT_FALSE(LoadNodeOptions((dir_ / "missing.toml").string()).ok());
}

// The record time window decides validity: it is a chain parameter, and a
// node.toml that still sets it is refused with the way to fix it.
TEST_F(NodeConfigTest, RefusesTheRecordWindowAsANodeSetting) {
  auto old = Load(std::string(kMinimal) + "[records]\nfuture_skew_ms = 1000\n");
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().message().find("params.record_future_skew_ms"), std::string::npos)
      << old.status().message();
  EXPECT_TRUE(Load(std::string(kMinimal) + "[records]\n").ok()) << "an empty table sets nothing";
}

// Regression (issue 18): problems were reported one per run.
TEST_F(NodeConfigTest, ReportsEveryProblemAtOnceOnePerLine) {
  auto options = Load(R"(
[node]
data_dir = "data"
nmae = "court"
[api]
threads = 0
listen = "8701"
[p2p]
peers = { court = 5 }
[mempool]
records_max = "many"
[log]
level = "loud"
file = "node.log"
[extra]
)");
  ASSERT_FALSE(options.ok());
  const std::string& message = options.status().message();
  for (const char* expected :
       {"node.toml: node.nmae is not a known setting", "node.toml: api.threads must be an integer 1..64",
        "node.toml: p2p.peers.court must be a string \"host:port\"",
        "node.toml: mempool.records_max must be an integer", "node.toml: extra is not a known table",
        "node.toml: node.genesis is required", "node.toml: node.node_key is required",
        "node.toml: log.level must be trace, debug, info, warn or error",
        "node.toml: api.listen \"8701\" is not host:port"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << expected << "\nin:\n" << message;
  }
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n') + 1, 9) << message;
  NodeConfig config = ReadNodeConfig((dir_ / "node.toml").string());
  EXPECT_TRUE(config.parsed);
  EXPECT_EQ(config.problems.size(), 9u);
  EXPECT_EQ(config.options.log_file, (dir_ / "node.log").string()) << "read beside the problems";
}

TEST_F(NodeConfigTest, SplitHostPortNeedsADecimalPort) {
  auto split = SplitHostPort("0.0.0.0:8801");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->first, "0.0.0.0");
  EXPECT_EQ(split->second, 8801);
  EXPECT_TRUE(SplitHostPort("[::1]:0").ok());
  for (const char* bad : {"8801", ":8801", "host:", "host:http", "host:65536", "host:-1",
                          "host:123456"}) {
    EXPECT_FALSE(SplitHostPort(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace evidence::node
