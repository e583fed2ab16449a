#include "node/node_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace evidence::node {
namespace {

TEST(NodeMetricsTest, RegistersTheStandardSeries) {
  metrics::Registry registry;
  NodeMetrics node_metrics(registry);
  node_metrics.height.Set(12);
  const std::string text = registry.RenderText();
  for (const char* line :
       {"# TYPE evidence_height gauge\nevidence_height 12\n",
        "# TYPE evidence_records_committed_total counter\n",
        "# TYPE evidence_mempool_records gauge\n", "# TYPE evidence_peers_connected gauge\n",
        "# TYPE evidence_commit_latency_seconds histogram\n",
        "evidence_commit_latency_seconds_bucket{le=\"+Inf\"} 0\n",
        "# TYPE evidence_signature_checks_total counter\n",
        "# TYPE evidence_peer_frames_dropped_total counter\n",
        "# TYPE evidence_peer_send_frames_dropped_total counter\n",
        "# TYPE evidence_sync_served_bytes_total counter\n",
        "# TYPE evidence_p2p_handshakes_refused_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace evidence::node
