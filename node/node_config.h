// node.toml: the configuration of one evidence-node (docs/operations.md has the
// reference). Paths are relative to the directory of node.toml. Unknown tables
// and keys are refused, so a typo is never silently ignored.
//
//   [node]      genesis, data_dir, vote_key (omit for an observer), node_key, name
//   [p2p]       listen = "host:port", peers = { <validator name> = "host:port" }
//   [api]       listen = "host:port", threads, wait_timeout_ms
//   [mempool]   records_max, bytes_max, verify_threads (0: one per core)
//   [block]     records_max, bytes_max, interval_ms
//   [consensus] timeout_propose_ms, timeout_propose_delta_ms, timeout_vote_ms,
//               timeout_vote_delta_ms, retransmit_interval_ms
//   [records]   future_skew_ms, past_window_ms
//   [log]       level = "info", json = false
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "node/node.h"

namespace evidence::node {

// Reads and parses the file (at most limits::kNodeTomlBytesMax bytes).
Result<NodeOptions> LoadNodeOptions(const std::string& path);

// The same from the text of a node.toml; relative paths are resolved against
// `base_directory`; `source_name` names the text in errors.
Result<NodeOptions> ParseNodeOptions(std::string_view text, const std::string& base_directory,
                                     std::string_view source_name);

}  // namespace evidence::node
