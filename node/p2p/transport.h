// Node-to-node transport: TLS 1.3 with mutual authentication pinned to the
// node keys of the register (genesis's, then governance's: AddPeer and
// RemovePeer while it runs), carrying length-prefixed frames.
// The wire format is specified in docs/p2p-wire-format.md.
//
// - Each node presents a self-signed X.509 certificate made in memory from its
//   node key (P-256 or Ed25519; SM2 is refused: OpenSSL 3.0 has no SM2 in TLS 1.3).
// - A connection is accepted only if the other side's certificate key (the
//   SHA-256 key id of its SubjectPublicKeyInfo) is one of the configured peers'
//   node keys; a dialer also requires it to be the very peer it dialled.
//   Everyone else is refused during the handshake, before any frame is read.
// - Membership changes while it runs (docs/design.md §5, "Membership"): AddPeer
//   gives a node key admitted by governance the next free slot (at most
//   peers_max over the transport's life), from then on its handshakes are
//   accepted and its address dialled; RemovePeer closes the peer's connection,
//   drops its queue and refuses its key from then on, like a stranger's. A
//   slot is never reused, so a peer index names one node key for good.
// - The p2p protocol version is negotiated with ALPN in the handshake: a peer
//   that speaks another version (or none, an older release) is refused with a
//   message naming both versions, before any frame is read.
// - Frames: u32 big-endian length, then the payload. A frame longer than
//   `frame_bytes_max` closes the connection.
// - Every peer with an address is dialled, and redialled with exponential
//   backoff (capped) while not connected. If both sides of a pair dial at once,
//   both keep the connection dialled by the lower peer index and close the other.
// - Per-peer send queues are bounded in frames and bytes, with two priorities:
//   consensus frames (proposals, votes, status) are written before bulk frames
//   (gossip, sync responses), so a vote never waits behind megabytes of blocks.
//   When a queue is full the OLDEST bulk frame is dropped first, then the oldest
//   consensus frame (consensus messages supersede older ones); drops are
//   counted. Frames sent to a peer that is not connected are dropped and counted.
// - Unauthenticated inbound connections (TLS handshakes in progress) are bounded
//   in all (pending_handshakes_max) and per remote address
//   (pending_handshakes_per_address_max), each for at most
//   handshake_timeout_ms: beyond its address's share a connection is closed at
//   once; when all slots are taken the oldest pending inbound handshake is
//   closed to make room, so idle connections cannot keep a restarted validator
//   from rejoining (issue 17, finding 4). Every refusal goes to the refusal
//   handler (the node logs them, throttled); the transport logs none itself.
//
// Thread-safety: Send, Broadcast, stats and Stop may be called from any thread.
// Handlers are set before Start and are invoked on the transport's single I/O
// thread, one at a time; they must return quickly (post work elsewhere) and must
// not call Stop. Frames from one peer are delivered in order.
//
// Lifetime: Start once; Stop (or the destructor) closes every connection and
// joins the I/O thread; no handler runs after Stop returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/status.h"
#include "crypto/signature.h"

namespace evidence::node::p2p {

// The version of the frames and the peer-message envelope this release speaks
// (ALPN protocol name; docs/p2p-wire-format.md "Protocol version"). A release that
// changes either increments it.
inline constexpr std::string_view kP2pProtocol = "evidence-p2p/1";

// One validator of the network, as genesis and node.toml describe it.
struct PeerConfig {
  std::string name;           // for logs
  crypto::PublicKey node_key; // the only key accepted for this peer
  std::string address;        // "host:port" to dial; empty: never dialled (it dials us)
};

struct TransportOptions {
  std::string listen_address = "127.0.0.1:0";  // "host:port"; port 0 picks a free port
  // All validators in genesis order; peer index = position. The entry at
  // `self_index` is this node and is never dialled nor accepted.
  std::vector<PeerConfig> peers;
  uint32_t self_index = 0;
  // Slots for peers over the transport's life (peers plus those AddPeer adds).
  size_t peers_max = limits::kP2pPeersMax;
  // Offered when dialling and required when accepting (1..255 bytes). Only tests
  // set another one, to play a peer of another release.
  std::string protocol = std::string(kP2pProtocol);

  uint32_t reconnect_initial_ms = 200;
  uint32_t reconnect_max_ms = 10'000;
  uint32_t handshake_timeout_ms = limits::kP2pHandshakeTimeoutMsDefault;
  size_t frame_bytes_max = limits::kFrameBytesMax;
  size_t send_queue_frames_max = limits::kPeerSendQueueFramesMax;
  size_t send_queue_bytes_max = limits::kPeerSendQueueBytesMax;
  // Unauthenticated inbound connections at once, in all and from one address.
  size_t pending_handshakes_max = limits::kP2pPendingHandshakesMax;
  size_t pending_handshakes_per_address_max = limits::kP2pPendingHandshakesPerAddressMax;
};

// Which frames of a send queue go first (and are dropped last).
enum class Priority { kConsensus, kBulk };

// Counters of one peer; a snapshot.
struct PeerStats {
  bool connected = false;
  uint64_t connections = 0;  // times a connection to this peer was established
  uint64_t frames_sent = 0;
  uint64_t frames_received = 0;
  uint64_t frames_dropped_queue_full = 0;      // oldest frames dropped from a full queue
  uint64_t frames_dropped_not_connected = 0;   // sent while no connection existed
};

// Counters of the inbound handshakes the transport refused or cut short.
struct HandshakeStats {
  uint64_t refused_per_address = 0;  // the address already had its share pending
  uint64_t evicted = 0;              // closed to make room for a newer connection
  uint64_t timed_out = 0;
};

class Session;  // one connection (transport.cc)

class Transport {
 public:
  using FrameHandler = std::function<void(uint32_t peer_index, Bytes frame)>;
  using PeerHandler = std::function<void(uint32_t peer_index)>;
  // A connection closed before or during the handshake, or for a protocol
  // violation (oversize frame); `remote` is "ip:port".
  using RefusalHandler = std::function<void(const std::string& remote, const Status& reason)>;

  // Checks the options and builds the TLS context from `node_key` (copied into
  // the context). InvalidArgument for an SM2 key, a bad address, a self index
  // out of range, or a peer whose key equals another's.
  static Result<std::unique_ptr<Transport>> Create(const crypto::PrivateKey& node_key,
                                                    TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  void OnFrame(FrameHandler handler);
  void OnPeerConnected(PeerHandler handler);
  void OnPeerDisconnected(PeerHandler handler);
  void OnConnectionRefused(RefusalHandler handler);

  // Binds the listener and starts the I/O thread and the dialling.
  Status Start();
  // Idempotent.
  void Stop();

  // The bound port (after Start), e.g. when listening on port 0.
  uint16_t listen_port() const;
  // Slots handed out so far (peer indexes are below it), removed ones included.
  uint32_t peer_count() const;

  // Any thread, before or after Start. Admits a node key: the next free slot's
  // index, or the index it already has. ResourceExhausted when all peers_max
  // slots are taken; InvalidArgument for a bad address or a removed key (a
  // node key leaves the register for good).
  Result<uint32_t> AddPeer(PeerConfig peer);
  // Any thread. Refuses `peer_index`'s key from now on and closes its
  // connection (OnPeerDisconnected runs if it was connected); its queued
  // frames are dropped. No-op for self, an unknown or a removed index.
  void RemovePeer(uint32_t peer_index);
  // Whether `peer_index` is a live slot (added and not removed).
  bool IsPeer(uint32_t peer_index) const;

  // Queues `frame` for `peer_index`. InvalidArgument for an unknown peer, self,
  // or a frame above frame_bytes_max; otherwise Ok even if the frame is later
  // dropped (see PeerStats).
  Status Send(uint32_t peer_index, Bytes frame, Priority priority = Priority::kConsensus);
  // Sends to every connected peer.
  Status Broadcast(const Bytes& frame, Priority priority = Priority::kConsensus);

  PeerStats stats(uint32_t peer_index) const;
  HandshakeStats handshake_stats() const;
  size_t pending_handshakes() const;

 private:
  friend class Session;
  struct Impl;
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The key id (lower-case hex SHA-256 of the SubjectPublicKeyInfo DER) of an
// OpenSSL EVP_PKEY, as crypto::PublicKey::key_id computes it. Exposed for tests.
std::string KeyIdOfNativeKey(const void* evp_pkey);

}  // namespace evidence::node::p2p
