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
//   [log]       level = "info", json = false
// Rules that decide validity (the record time window, block and batch limits)
// are the chain's params (ledger/chain_params.h), never node settings; a
// [records] table is refused with a message saying so.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "common/status.h"
#include "node/node.h"

namespace evidence::node {

Result<NodeOptions> LoadNodeOptions(const std::string& path);

}  // namespace evidence::node
