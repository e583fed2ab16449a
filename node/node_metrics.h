// NodeMetrics: the node's standard `evidence_*` series (docs/operations.md lists
// them), registered in a common/metrics.h Registry. The HTTP server registers its
// own request counter (evidence_http_requests_total) in the same registry.
//
// Thread-safety: every series may be updated from any thread (lock-free counters
// and gauges; the histogram takes a short mutex).
#pragma once

#include "common/metrics.h"

namespace evidence::node {

struct NodeMetrics {
  // Registers every series in `registry`, which must outlive this object.
  explicit NodeMetrics(metrics::Registry& registry);

  metrics::Gauge& height;                      // evidence_height
  metrics::Counter& records_committed;         // evidence_records_committed_total
  metrics::Gauge& mempool_records;             // evidence_mempool_records
  metrics::Gauge& peers_connected;             // evidence_peers_connected
  metrics::Histogram& commit_latency_seconds;  // evidence_commit_latency_seconds
  metrics::Counter& signature_checks;          // evidence_signature_checks_total
  metrics::Counter& peer_frames_dropped;       // evidence_peer_frames_dropped_total
  metrics::Counter& peer_send_frames_dropped;  // evidence_peer_send_frames_dropped_total
};

}  // namespace evidence::node
