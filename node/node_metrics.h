// NodeMetrics: the node's standard `evidence_*` series, registered in a
// common/metrics.h Registry. The HTTP server registers its own request counter
// (evidence_http_requests_total) in the same registry. docs/operations.md §
// "Metrics" defines every series; configs/prometheus/alerts.yml and
// configs/grafana/evidence-ledger.json use them.
//
// Two kinds of series:
//   - chain-level: the same value on every node whose store holds the same
//     blocks (evidence_height, evidence_records_committed_total). They are read
//     from the store (set at start, then advanced per stored block, synced or
//     not), so a restart or a re-sync does not change them;
//   - node-level: what this process did since it started (latency, checks,
//     drops, WAL fsyncs, rounds) or sees now (mempool, peers, disk).
//
// Thread-safety: every series may be updated from any thread (lock-free counters
// and gauges; a histogram takes a short mutex).
#pragma once

#include "common/metrics.h"

namespace evidence::node {

struct NodeMetrics {
  // Registers every series in `registry`, which must outlive this object.
  explicit NodeMetrics(metrics::Registry& registry);

  // Chain-level (from the store).
  metrics::Gauge& height;                      // evidence_height
  metrics::Counter& records_committed;         // evidence_records_committed_total
  // Node-level.
  metrics::Gauge& mempool_records;             // evidence_mempool_records
  metrics::Gauge& mempool_records_max;         // evidence_mempool_records_max
  metrics::Gauge& peers_connected;             // evidence_peers_connected
  metrics::Gauge& quorum_connected;            // evidence_quorum_connected
  metrics::Histogram& commit_latency_seconds;  // evidence_commit_latency_seconds
  metrics::Counter& rounds_above_zero;         // evidence_blocks_committed_after_round_zero_total
  metrics::Histogram& wal_fsync_seconds;       // evidence_wal_fsync_seconds
  metrics::Gauge& data_free_bytes;             // evidence_data_free_bytes
  metrics::Gauge& disk_full;                   // evidence_disk_full
  metrics::Counter& signature_checks;          // evidence_signature_checks_total
  metrics::Counter& peer_frames_dropped;       // evidence_peer_frames_dropped_total
  metrics::Counter& peer_send_frames_dropped;  // evidence_peer_send_frames_dropped_total
  metrics::Counter& sync_served_bytes;         // evidence_sync_served_bytes_total
  metrics::Counter& p2p_handshakes_refused;    // evidence_p2p_handshakes_refused_total
};

}  // namespace evidence::node
