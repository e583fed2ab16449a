// Fuzz target: a node.toml (the operator's file, read at every start):
// node::ParseNodeConfig over toml++, with unknown tables and keys refused,
// every number range-checked and every problem reported.
//
// Properties: accepted options name a genesis, a data directory and a node key
// (absolute paths under the base directory or given absolute), keep the block
// interval below the propose timeout and use a known log level.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "node/node_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  node::NodeConfig config = node::ParseNodeConfig(text, "/etc/evidence", "fuzz.toml");
  if (!config.parsed) FUZZ_EXPECT(!config.problems.empty());
  if (!config.problems.empty()) return 0;
  const node::NodeOptions* options = &config.options;
  FUZZ_EXPECT(!options->genesis_path.empty() && options->genesis_path.front() == '/');
  FUZZ_EXPECT(!options->data_dir.empty() && options->data_dir.front() == '/');
  FUZZ_EXPECT(!options->node_key_path.empty() && options->node_key_path.front() == '/');
  FUZZ_EXPECT(options->block_interval_ms < options->consensus.timeout_propose_ms);
  FUZZ_EXPECT(options->api_threads >= 1);
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  FUZZ_EXPECT(kLevels.contains(options->log_level));
  return 0;
}
