#include "node/node_metrics.h"

namespace evidence::node {

NodeMetrics::NodeMetrics(metrics::Registry& registry)
    : height(registry.AddGauge("evidence_height",
                               "Height of the last block in this node's store (chain-level).")),
      records_committed(registry.AddCounter(
          "evidence_records_committed_total",
          "Records in the ledger as this node's store holds it: the log size (chain-level; "
          "read from the store at start, advanced by every stored block, synced or not).")),
      mempool_records(
          registry.AddGauge("evidence_mempool_records", "Records waiting in the mempool.")),
      mempool_records_max(registry.AddGauge(
          "evidence_mempool_records_max",
          "Capacity of the mempool in records ([mempool] records_max); beyond it, HTTP 429.")),
      peers_connected(
          registry.AddGauge("evidence_peers_connected", "Validator peers currently connected.")),
      quorum_connected(registry.AddGauge(
          "evidence_quorum_connected",
          "1 when this node and the peers it is connected to hold more than 2/3 of the voting "
          "power, else 0.")),
      commit_latency_seconds(registry.AddHistogram(
          "evidence_commit_latency_seconds",
          "Time from a record's admission to this node's mempool to the commit of its block, "
          "in seconds; blocks this node took from a peer by sync are not counted.",
          {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})),
      rounds_above_zero(registry.AddCounter(
          "evidence_blocks_committed_after_round_zero_total",
          "Blocks this node stored whose commit is from a round above 0 (the round-0 proposer "
          "was slow, down or not heard in time).")),
      wal_fsync_seconds(registry.AddHistogram(
          "evidence_wal_fsync_seconds",
          "Time of one write-ahead log append (write and fdatasync), in seconds.",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})),
      data_free_bytes(registry.AddGauge(
          "evidence_data_free_bytes",
          "Bytes available to the node on the file system of its data directory.")),
      disk_full(registry.AddGauge(
          "evidence_disk_full",
          "1 while the data directory's free space is below the reserve ([disk] reserve_bytes): "
          "the node takes no records and writes no vote and no block; else 0.")),
      signature_checks(registry.AddCounter("evidence_signature_checks_total",
                                           "Signature verifications performed.")),
      peer_frames_dropped(registry.AddCounter(
          "evidence_peer_frames_dropped_total",
          "Frames from peers dropped unprocessed: malformed, or the sending peer's share "
          "of the inbox (or of the gossip queue) was full.")),
      peer_send_frames_dropped(registry.AddCounter(
          "evidence_peer_send_frames_dropped_total",
          "Frames to peers dropped, oldest bulk first, from a full send queue.")),
      sync_served_bytes(registry.AddCounter(
          "evidence_sync_served_bytes_total",
          "Bytes of decided blocks served to peers (each peer within its budget).")),
      p2p_handshakes_refused(registry.AddCounter(
          "evidence_p2p_handshakes_refused_total",
          "Inbound p2p connections closed before their TLS handshake finished: over their "
          "address's share, evicted for a newer one, or timed out.")) {}

}  // namespace evidence::node
