#include "node/node_metrics.h"

namespace evidence::node {

NodeMetrics::NodeMetrics(metrics::Registry& registry)
    : height(registry.AddGauge("evidence_height", "Height of the last committed block.")),
      records_committed(registry.AddCounter("evidence_records_committed_total",
                                            "Records committed to the ledger.")),
      mempool_records(
          registry.AddGauge("evidence_mempool_records", "Records waiting in the mempool.")),
      peers_connected(
          registry.AddGauge("evidence_peers_connected", "Validator peers currently connected.")),
      commit_latency_seconds(registry.AddHistogram(
          "evidence_commit_latency_seconds",
          "Time from a record's arrival in the mempool to its commit, in seconds.",
          {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})),
      signature_checks(registry.AddCounter("evidence_signature_checks_total",
                                           "Signature verifications performed.")),
      peer_frames_dropped(registry.AddCounter(
          "evidence_peer_frames_dropped_total",
          "Frames from peers dropped unprocessed because the node was behind on them.")),
      peer_send_frames_dropped(registry.AddCounter(
          "evidence_peer_send_frames_dropped_total",
          "Frames to peers dropped, oldest first, from a full send queue.")) {}

}  // namespace evidence::node
