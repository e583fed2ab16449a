// node.toml: the configuration of one evidence-node (docs/operations.md has the
// reference). Paths are relative to the directory of node.toml. Unknown tables
// and keys are refused, so a typo is never silently ignored.
//
//   [node]      genesis, data_dir, vote_key (omit for an observer), node_key, name
//   [p2p]       listen = "host:port", peers = { <validator name> = "host:port" }
//   [api]       listen = "host:port", threads, wait_timeout_ms
//   [mempool]   records_max, bytes_max, verify_threads (0: one per core)
//   [block]     records_max, bytes_max (what this node proposes, within the
//               chain's params), interval_ms
//   [consensus] timeout_propose_ms, timeout_propose_delta_ms, timeout_vote_ms,
//               timeout_vote_delta_ms, retransmit_interval_ms
//   [timestamp] key, cert (the TSA of RFC 3161 tokens), peers = { <validator name> = "http://host:port" }
//   [witness]   keys = ["<vkey>", ...] (witnesses whose cosignatures are accepted)
//   [supervision] rules = "supervision-rules.toml", calendar = "holidays-cn.toml"
//               (default: the built-in files)
//   [log]       level = "info", json = false, file = "" (standard error)
// Rules that decide validity (the record time window, block and batch limits)
// are the chain's params (ledger/chain_params.h), never node settings; a
// [records] table is refused with a message saying so.
//
// Every problem in the file is reported at once (one line each in the status
// message), not only the first. configs/node.toml documents every setting.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "node/node.h"

namespace evidence::node {

Result<NodeOptions> LoadNodeOptions(const std::string& path);

// The options as far as they could be read, and every problem (one line each).
// `parsed` is false when the file is not TOML at all (nothing could be read).
struct NodeConfig {
  NodeOptions options;
  std::vector<std::string> problems;
  bool parsed = true;
};
// Reads the file (at most limits::kNodeTomlBytesMax bytes) and parses it.
NodeConfig ReadNodeConfig(const std::string& path);
// The same from the text of a node.toml; relative paths are resolved against
// `base_directory`; `source_name` names the text in problems.
NodeConfig ParseNodeConfig(std::string_view text, const std::string& base_directory,
                           const std::string& source_name);

// Splits "host:port" (the port may be 0).
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address);

}  // namespace evidence::node
