// `evidence-node --resync`: a validator's store is set aside so that the node
// rebuilds it from its peers, while its write-ahead log stays where it is.
//
// The store (data_dir/store) is renamed to data_dir/store.damaged-<UTC time>
// (kept for the operator to inspect or delete; nothing reads it again), and
// data_dir/consensus.wal is left untouched: the node starts with an empty store,
// restores its signer state from the WAL and syncs every block from its peers,
// so it never signs a vote that conflicts with one it signed before
// (docs/reliability.md §3, docs/operations.md).
//
// Thread-safety: a free function; run it before the node opens its store.
#pragma once

#include <string>

#include "common/status.h"

namespace evidence::node {

// Moves data_dir/store aside and returns where it went. Refuses (nothing moved)
// when a running node holds the store, when there is no store to set aside, or
// when the rename fails.
Result<std::string> SetStoreAsideForResync(const std::string& data_dir,
                                           const std::string& utc_stamp);

// "20261206T204501Z" for now (the suffix of the moved store).
std::string UtcStampNow();

}  // namespace evidence::node
