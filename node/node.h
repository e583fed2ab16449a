// Node: the evidence-node process in one object. It creates the parts, wires
// them together, starts and stops them (DESIGN.md §4-6, docs/design.md §8):
//
//   thread             part (file)                          owns
//   -----------------  -----------------------------------  ------------------------
//   controlling        Node (node.cc)                       creation, Start, Stop
//   p2p I/O            p2p::Transport (p2p/)                connections, frames
//   p2p I/O + gossip   PeerIntake (intake/peer_intake.h)    frame decoding, the gossip
//                                                           inbox and its drain
//   consensus          ConsensusDriver (driver/)            the ConsensusCore, effects,
//                      + BlockBuilder, BlockSync,           WAL appends, store writes,
//                        LedgerBlockValidator               timers, proposing, sync
//   API (several)      api::ApiServer over ChainService     requests; reads of the
//                      (service.h)                          store and the mempool
//   verify (several)   RecordPool (record_pool.h)           signature checks
//
// Restart: the WAL's last persisted signer state is restored into the core (so
// it never signs a vote that conflicts with one it signed), and consensus
// resumes at store height + 1. A node behind its peers fetches decided blocks
// in ranges (BlockSync); each is checked by the core before it is stored.
//
// Thread-safety: Start, Stop and the accessors from one controlling thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "ledger/validation.h"
#include "node/consensus/core.h"

namespace evidence::node {

struct NodeOptions {
  std::string genesis_path;
  std::string data_dir;        // store in data_dir/store, WAL in data_dir/consensus.wal
  // Empty: an observer that never votes. A key genesis does not know is one
  // governance adds later: the node votes at heights whose set holds it.
  std::string vote_key_path;
  // Optional: the vote key a rotate-validator-keys action gives this validator.
  // The node signs with it at the heights whose set holds it, so the rotation
  // needs no restart at its activation height (needs vote_key).
  std::string next_vote_key_path;
  // p2p TLS identity: a genesis node key, or one governance admits (the others
  // accept it once the action is in force; docs/design.md §5 "Membership").
  std::string node_key_path;
  std::string p2p_listen = "127.0.0.1:0";
  // Dial addresses that replace genesis ones, by validator name.
  std::map<std::string, std::string> peer_addresses;
  std::string api_listen = "127.0.0.1:0";
  size_t api_threads = 2;
  // Per-agency submission rate limit of the API (0 disables it).
  uint64_t agency_records_per_second = limits::kAgencyRecordsPerSecondDefault;
  uint64_t agency_burst_records = limits::kAgencyBurstRecordsDefault;

  size_t mempool_records_max = 100'000;
  size_t mempool_bytes_max = 256 * 1024 * 1024;
  size_t verify_threads = 0;  // 0: one per core
  // What this node puts into a block it proposes, within the chain's own
  // limits (params.block_records_max and block_bytes_max, which decide validity).
  size_t block_records_max = 2000;
  size_t block_bytes_max = 4 * 1024 * 1024;
  // Under load, a proposer waits until this long after the previous commit
  // before proposing a block it cannot fill (fewer than block_records_max
  // records waiting), so that each block's signatures, fsyncs and vote rounds
  // serve more records. An idle chain's first record is proposed at once.
  // 0: propose as soon as records wait. Must be below timeout_propose_ms.
  int64_t block_interval_ms = 20;

  // Free space kept on data_dir's file system: below it the node takes no
  // records (503) and writes no vote and no block until space returns
  // (node/disk_guard.h). 0: no reserve (a write that finds the disk full
  // stops the node).
  uint64_t disk_reserve_bytes = limits::kDiskReserveBytesDefault;

  consensus::CoreConfig consensus;  // chain_id is taken from genesis
  int64_t status_interval_ms = 1000;
  int64_t wait_timeout_ms_default = 30'000;

  // RFC 3161 time-stamping ([timestamp], docs/timestamps.md): the institution's
  // TSA key and certificate (both or neither), and the API URLs of the other
  // institutions' nodes by validator name (tokens of theirs are redirected there).
  std::string tsa_key_path;
  std::string tsa_cert_path;
  std::map<std::string, std::string> tsa_peer_urls;
  // Witnesses whose cosignatures POST /v1/cosignatures accepts ([witness] keys:
  // C2SP vkeys of type 0x04, docs/witness.md).
  std::vector<std::string> witness_vkeys;
  // Anchoring ([anchor] tsa_ca, docs/timestamps.md §anchoring): a PEM file of the
  // CA certificates of the outside TSAs whose tokens POST /v1/anchors takes;
  // empty: the node takes no anchors.
  std::string anchor_tsa_ca_path;
  // Supervision rules (stage vocabulary, thresholds) and holiday calendar files;
  // empty: the built-in configs/supervision-rules.toml and configs/holidays-cn.toml.
  std::string supervision_rules_path;
  std::string holiday_calendar_path;

  std::string log_level = "info";  // trace, debug, info, warn, error
  bool log_json = false;
  std::string log_file;  // empty: standard error
};

class NodeImpl;

class Node {
 public:
  // Loads genesis and keys and checks the options; opens nothing yet. Every
  // problem found is in the refusal, one per line.
  static Result<std::unique_ptr<Node>> Create(NodeOptions options);
  // What Create checks, without creating anything: every problem with the
  // genesis file, the key files and how they fit the options (none: `problems`
  // is empty and `summary` says what the node would be).
  struct CheckReport {
    std::vector<std::string> problems;
    std::string summary;
  };
  static CheckReport Check(const NodeOptions& options);
  ~Node();  // Stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Opens the store and the WAL, restores consensus, starts p2p, the API and
  // the consensus thread.
  Status Start();
  // Stops the API, then p2p, then the consensus thread; flushes nothing more
  // (every commit is already synced). Idempotent.
  void Stop();

  uint16_t api_port() const;
  uint16_t p2p_port() const;
  const std::string& chain_id() const;
  std::optional<uint32_t> validator_index() const;

 private:
  explicit Node(std::unique_ptr<NodeImpl> impl);
  std::unique_ptr<NodeImpl> impl_;
};

}  // namespace evidence::node
