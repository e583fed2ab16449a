#pragma once

#include <string_view>

namespace evidence {

// Names the calling thread as `top -H`, `ps -L` and perf show it (first 15
// bytes; Linux, a no-op elsewhere). A node's threads: consensus, p2p, api,
// verify, gossip.
void NameCurrentThread(std::string_view name);

}  // namespace evidence
