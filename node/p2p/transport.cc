#include "node/p2p/transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/check.h"
#include "common/mutex.h"
#include "common/thread.h"
#include "common/thread_annotations.h"
#include "node/p2p/frame.h"
#include "node/p2p/tls.h"

namespace evidence::node::p2p {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// A second connection from a peer replaces the first, whatever the dial rule
// says, once the first is older than this: the peer most likely restarted and
// the old connection is dead but not yet noticed.
constexpr auto kDuplicateWindow = std::chrono::seconds(5);

struct HostPort {
  std::string host;
  std::string port;
};

Result<HostPort> ParseHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::InvalidArgument("address \"" + address + "\" is not host:port");
  }
  HostPort out{address.substr(0, colon), address.substr(colon + 1)};
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.port.size() > 5 ||
      !std::all_of(out.port.begin(), out.port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(out.port) > 65535) {
    return Status::InvalidArgument("address \"" + address + "\" has no valid port (0-65535)");
  }
  return out;
}

std::string RemoteOf(const tcp::socket& socket) {
  ErrorCode ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// The remote address without the port: what per-address limits count.
std::string AddressOf(const tcp::socket& socket) {
  ErrorCode ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string();
}

// Low-latency frames and dead-connection detection within about a minute.
void TuneSocket(tcp::socket& socket) {
  ErrorCode ec;
  socket.set_option(tcp::no_delay(true), ec);
  socket.set_option(asio::socket_base::keep_alive(true), ec);
  const int idle_seconds = 30, interval_seconds = 10, probes = 3;
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_seconds, sizeof interval_seconds);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

}  // namespace

class Session;

// Everything below runs on the I/O thread except where a method says otherwise;
// `mutex_` guards what Send/Broadcast/stats share with it.
struct Transport::Impl {
  enum class DialState { kIdle, kWaiting, kDialing };
  struct Slot {
    PeerConfig config;
    std::string key_id;
    // I/O thread only.
    std::shared_ptr<Session> session;
    std::chrono::steady_clock::time_point session_since;
    std::unique_ptr<asio::steady_timer> dial_timer;
    DialState dial_state = DialState::kIdle;
    uint32_t backoff_ms = 0;
    bool active = false;  // added and not removed: its key is accepted, its address dialled
  };
  // Shared with callers of Send; guarded by mutex_. Consensus frames go first.
  struct Queue {
    std::deque<Bytes> consensus;
    std::deque<Bytes> bulk;
    size_t bytes = 0;
    bool kick_posted = false;
    PeerStats stats;
    size_t frames() const { return consensus.size() + bulk.size(); }
  };

  Impl(TransportOptions options_in, std::unique_ptr<asio::ssl::context> tls_in)
      : options(std::move(options_in)), tls(std::move(tls_in)), acceptor(io) {}

  // Setup (before Start).
  Status Listen();
  // Dialling.
  void ScheduleDial(uint32_t index, bool immediately);
  void Dial(uint32_t index);
  void DialFailed(uint32_t index, const std::string& what);
  // Accepting, and the pending (unauthenticated) inbound handshakes.
  void Accept();
  void AdmitInbound(tcp::socket socket);
  // Closes the oldest pending inbound handshake; returns its remote (empty if none).
  std::string EvictOldestInbound();
  // Removes `session` from the pending set (and its address's count); false
  // when it was not pending.
  bool ForgetPending(const std::shared_ptr<Session>& session);
  void NoteHandshakeTimeout();
  // Membership (AddPeer, RemovePeer after the caller-side bookkeeping).
  void ActivateSlot(uint32_t index, PeerConfig config);
  void DeactivateSlot(uint32_t index);
  // Session events.
  std::optional<uint32_t> PeerOfKeyId(const std::string& key_id) const;
  void HandshakeDone(const std::shared_ptr<Session>& session, uint32_t index);
  void SessionClosed(const std::shared_ptr<Session>& session, const Status& reason);
  void Deliver(uint32_t index, Bytes frame);
  // The next frames to write: at least one, more while they add up to less
  // than `bytes_target` (empty when the queue is).
  std::vector<Bytes> NextFrames(uint32_t index, size_t bytes_target);
  void FramesWritten(uint32_t index, size_t count);
  void Kick(uint32_t index);
  void Shutdown();

  TransportOptions options;
  // Declared first among the I/O objects so it is destroyed after them.
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  std::vector<Slot> slots;  // peers_max of them; the active ones are peers
  std::string self_key_id;
  std::map<std::string, uint32_t> index_by_key_id;  // active slots only
  std::set<std::shared_ptr<Session>> pending;  // not yet authenticated
  // Pending inbound sessions, oldest first (entries no longer pending are
  // skipped and pruned), and how many each remote address has.
  std::deque<std::weak_ptr<Session>> inbound_order;
  std::map<std::string, size_t> pending_by_address;
  size_t pending_inbound = 0;
  bool stopping = false;                       // I/O thread only

  FrameHandler on_frame;
  PeerHandler on_connected;
  PeerHandler on_disconnected;
  RefusalHandler on_refused;

  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::atomic<uint16_t> port{0};
  bool started = false;  // caller side: Start/Stop are not called concurrently
  bool stopped = false;

  mutable Mutex mutex_;
  std::vector<Queue> queues EVIDENCE_GUARDED_BY(mutex_);
  std::vector<bool> connected EVIDENCE_GUARDED_BY(mutex_);
  HandshakeStats handshakes EVIDENCE_GUARDED_BY(mutex_);
  size_t pending_count EVIDENCE_GUARDED_BY(mutex_) = 0;  // a copy of pending.size()
  // Slots handed out (indexes below it), which of them were removed, and the
  // slot of every key ever added (removed ones stay: a key never comes back).
  uint32_t slot_count EVIDENCE_GUARDED_BY(mutex_) = 0;
  std::vector<bool> removed EVIDENCE_GUARDED_BY(mutex_);
  std::map<std::string, uint32_t> slot_by_key_id EVIDENCE_GUARDED_BY(mutex_);
};

// One TCP+TLS connection. Owned by shared_ptr (the pending operations and the
// peer slot hold it). Reads only after the peer is authenticated.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Transport::Impl* owner, tcp::socket socket, std::optional<uint32_t> expected_peer)
      : owner_(owner),
        remote_(RemoteOf(socket)),
        address_(AddressOf(socket)),
        expected_peer_(expected_peer),
        stream_(std::move(socket), *owner->tls),
        handshake_timer_(owner->io) {}

  bool outbound() const { return expected_peer_.has_value(); }
  const std::string& remote() const { return remote_; }
  const std::string& address() const { return address_; }
  std::optional<uint32_t> expected_peer() const { return expected_peer_; }

  void Start();
  void StartReading() { ReadHeader(); }
  void MaybeWrite();
  // Closes without reporting to the owner (it already knows).
  void CloseSilently();

 private:
  bool VerifyPeer(asio::ssl::verify_context& context);
  void OnHandshake(const ErrorCode& ec);
  void ReadHeader();
  void ReadPayload(uint32_t length);
  void Fail(const Status& reason);

  Transport::Impl* owner_;
  const std::string remote_;
  const std::string address_;
  const std::optional<uint32_t> expected_peer_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer handshake_timer_;
  std::string refusal_;  // why VerifyPeer refused, for the report
  std::string alpn_offer_;  // inbound: the dialler's protocols when none is ours
  std::optional<uint32_t> peer_;
  bool closed_ = false;
  bool writing_ = false;
  FrameHeader read_header_{};
  Bytes read_payload_;
  FrameHeader write_header_{};
  Bytes write_payload_;
  Bytes write_batch_;  // several small frames, headers included, written at once
  size_t write_frames_ = 0;
};

void Session::Start() {
  TuneSocket(stream_.next_layer());
  ErrorCode ec;
  stream_.set_verify_callback(
      [this](bool, asio::ssl::verify_context& context) { return VerifyPeer(context); }, ec);
  if (ec) {
    Fail(Status::Internal("setting the TLS verify callback failed: " + ec.message()));
    return;
  }
  if (!outbound()) SetAlpnOfferSink(stream_.native_handle(), &alpn_offer_);
  handshake_timer_.expires_after(std::chrono::milliseconds(owner_->options.handshake_timeout_ms));
  handshake_timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) {
    if (ec || self->peer_ || self->closed_) return;
    self->owner_->NoteHandshakeTimeout();
    self->Fail(Status::Unauthenticated("TLS handshake timed out"));
  });
  stream_.async_handshake(
      outbound() ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
      [self = shared_from_this()](const ErrorCode& ec) { self->OnHandshake(ec); });
}

// Pinning: only a depth-0 certificate whose key is a configured peer's node key
// (and, when we dialled, the key of the peer we dialled). OpenSSL's own chain
// verdict is ignored on purpose: the certificate is self-signed, and TLS 1.3's
// CertificateVerify proves the peer holds the private key.
bool Session::VerifyPeer(asio::ssl::verify_context& context) {
  X509_STORE_CTX* store = context.native_handle();
  if (X509_STORE_CTX_get_error_depth(store) != 0) {
    refusal_ = "peer sent a certificate chain; only one self-signed certificate is accepted";
    return false;
  }
  const std::string key_id = KeyIdOfCertificate(X509_STORE_CTX_get_current_cert(store));
  const std::optional<uint32_t> index = owner_->PeerOfKeyId(key_id);
  if (!index) {
    refusal_ = "certificate key " + key_id + " is not the node key of any node in the register";
    return false;
  }
  if (expected_peer_ && *index != *expected_peer_) {
    refusal_ = "dialled peer " + owner_->slots[*expected_peer_].config.name +
               " but its certificate key " + key_id + " belongs to " +
               owner_->slots[*index].config.name;
    return false;
  }
  return true;
}

void Session::OnHandshake(const ErrorCode& ec) {
  if (closed_) return;
  const std::string& ours = owner_->options.protocol;
  if (ec) {
    if (!alpn_offer_.empty()) {
      Fail(Status::FailedPrecondition(
          "peer speaks p2p protocol " + alpn_offer_ + ", this node " + ours +
          ": the two run releases with different p2p protocols; upgrade the older one"));
    } else if (outbound() && IsNoApplicationProtocolAlert(ec)) {
      Fail(Status::FailedPrecondition(
          "peer refused p2p protocol " + ours +
          ": it runs a release with another p2p protocol; upgrade the older one"));
    } else {
      Fail(Status::Unauthenticated(refusal_.empty() ? "TLS handshake failed: " + ec.message()
                                                    : refusal_));
    }
    return;
  }
  // Identify the peer from the certificate actually in use (the verify callback
  // only gated it).
  const SSL* ssl = stream_.native_handle();
  EVIDENCE_CHECK(SSL_version(ssl) == TLS1_3_VERSION);
  const std::optional<uint32_t> index =
      owner_->PeerOfKeyId(KeyIdOfCertificate(SSL_get0_peer_certificate(ssl)));
  if (!index || (expected_peer_ && *index != *expected_peer_)) {
    Fail(Status::Unauthenticated("peer certificate changed after verification"));
    return;
  }
  // A peer without ALPN (a release from before protocol versions) agrees on none.
  if (SelectedProtocol(ssl) != ours) {
    Fail(Status::FailedPrecondition("peer " + owner_->slots[*index].config.name +
                                    " speaks no p2p protocol version, this node " + ours +
                                    ": it runs an older release; upgrade it"));
    return;
  }
  peer_ = index;
  handshake_timer_.cancel();
  owner_->HandshakeDone(shared_from_this(), *index);
}

void Session::ReadHeader() {
  asio::async_read(stream_, asio::buffer(read_header_),
                   [self = shared_from_this()](const ErrorCode& ec, size_t) {
                     if (self->closed_) return;
                     if (ec) {
                       self->Fail(Status::Unavailable("connection closed: " + ec.message()));
                       return;
                     }
                     auto length = DecodeFrameHeader(self->read_header_,
                                                     self->owner_->options.frame_bytes_max);
                     if (!length.ok()) {
                       self->Fail(length.status());
                       return;
                     }
                     self->ReadPayload(*length);
                   });
}

void Session::ReadPayload(uint32_t length) {
  read_payload_.assign(length, 0);
  asio::async_read(stream_, asio::buffer(read_payload_),
                   [self = shared_from_this()](const ErrorCode& ec, size_t) {
                     if (self->closed_) return;
                     if (ec) {
                       self->Fail(Status::Unavailable("connection closed: " + ec.message()));
                       return;
                     }
                     self->owner_->Deliver(*self->peer_, std::move(self->read_payload_));
                     self->read_payload_ = Bytes();
                     if (!self->closed_) self->ReadHeader();
                   });
}

// Queued frames go out together: small ones (gossip of a few records, votes)
// are copied into one buffer and written with one TLS write, up to
// kWriteBatchBytes; a larger frame is written on its own without a copy. One
// write per frame falls behind under load: a queue of a thousand small gossip
// frames overflows, and the records it carries then reach peers only inside
// proposals (rounds time out on proposers that lack them).
constexpr size_t kWriteBatchBytes = 256 * 1024;

void Session::MaybeWrite() {
  if (closed_ || writing_ || !peer_) return;
  std::vector<Bytes> frames = owner_->NextFrames(*peer_, kWriteBatchBytes);
  if (frames.empty()) return;
  writing_ = true;
  write_frames_ = frames.size();
  std::array<asio::const_buffer, 2> buffers;
  if (frames.size() == 1 && frames.front().size() >= kWriteBatchBytes) {
    write_payload_ = std::move(frames.front());
    write_header_ = EncodeFrameHeader(static_cast<uint32_t>(write_payload_.size()));
    buffers = {asio::buffer(write_header_), asio::buffer(write_payload_)};
  } else {
    write_batch_.clear();
    for (const Bytes& frame : frames) {
      const FrameHeader header = EncodeFrameHeader(static_cast<uint32_t>(frame.size()));
      write_batch_.insert(write_batch_.end(), header.begin(), header.end());
      write_batch_.insert(write_batch_.end(), frame.begin(), frame.end());
    }
    buffers = {asio::buffer(write_batch_), asio::const_buffer()};
  }
  asio::async_write(stream_, buffers, [self = shared_from_this()](const ErrorCode& ec, size_t) {
    self->writing_ = false;
    if (self->closed_) return;
    if (ec) {
      self->Fail(Status::Unavailable("write failed: " + ec.message()));
      return;
    }
    self->owner_->FramesWritten(*self->peer_, self->write_frames_);
    self->MaybeWrite();
  });
}

void Session::Fail(const Status& reason) {
  if (closed_) return;
  CloseSilently();
  owner_->SessionClosed(shared_from_this(), reason);
}

void Session::CloseSilently() {
  if (closed_) return;
  closed_ = true;
  handshake_timer_.cancel();
  ErrorCode ec;
  stream_.lowest_layer().close(ec);
}

// ---- Transport::Impl -------------------------------------------------------

std::optional<uint32_t> Transport::Impl::PeerOfKeyId(const std::string& key_id) const {
  auto it = index_by_key_id.find(key_id);
  if (it == index_by_key_id.end()) return std::nullopt;
  return it->second;
}

Status Transport::Impl::Listen() {
  EVIDENCE_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(options.listen_address));
  ErrorCode ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(listen.host, listen.port, tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return Status::InvalidArgument("cannot resolve p2p listen address " + options.listen_address +
                                   ": " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + options.listen_address + ": " + ec.message());
  }
  port = acceptor.local_endpoint(ec).port();
  return Status::Ok();
}

void Transport::Impl::Accept() {
  acceptor.async_accept([this](const ErrorCode& ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) AdmitInbound(std::move(socket));
    Accept();
  });
}

// An address gets only its share of the pending handshakes; when all are taken,
// the oldest pending one (most likely idle) makes room: a real peer finishes
// its handshake in milliseconds, so idle connections cannot lock it out.
void Transport::Impl::AdmitInbound(tcp::socket socket) {
  const std::string address = AddressOf(socket);
  auto held = pending_by_address.find(address);
  if (held != pending_by_address.end() &&
      held->second >= options.pending_handshakes_per_address_max) {
    const std::string remote = RemoteOf(socket);
    ErrorCode ignored;
    socket.close(ignored);
    {
      MutexLock lock(&mutex_);
      ++handshakes.refused_per_address;
    }
    if (on_refused) {
      on_refused(remote, Status::ResourceExhausted(
                             "too many TLS handshakes pending from " + address + " (at most " +
                             std::to_string(options.pending_handshakes_per_address_max) + ")"));
    }
    return;
  }
  // Refusals of evicted handshakes are reported once the newcomer is counted, so
  // whoever hears of one sees the pending count it left (never one in between).
  std::vector<std::string> evicted;
  while (pending_inbound >= options.pending_handshakes_max) evicted.push_back(EvictOldestInbound());
  auto session = std::make_shared<Session>(this, std::move(socket), std::nullopt);
  pending.insert(session);
  ++pending_by_address[address];
  ++pending_inbound;
  // Entries of sessions that left the pending set are pruned now and then.
  if (inbound_order.size() >= 2 * options.pending_handshakes_max + 16) {
    std::erase_if(inbound_order, [this](const std::weak_ptr<Session>& weak) {
      const std::shared_ptr<Session> entry = weak.lock();
      return !entry || !pending.contains(entry);
    });
  }
  inbound_order.push_back(session);
  {
    MutexLock lock(&mutex_);
    pending_count = pending.size();
  }
  session->Start();
  for (const std::string& remote : evicted) {
    if (on_refused && !remote.empty()) {
      on_refused(remote, Status::ResourceExhausted(
                             "closed while its TLS handshake was pending: " +
                             std::to_string(options.pending_handshakes_max) +
                             " handshakes pending, and it was the oldest"));
    }
  }
}

std::string Transport::Impl::EvictOldestInbound() {
  while (!inbound_order.empty()) {
    const std::shared_ptr<Session> oldest = inbound_order.front().lock();
    inbound_order.pop_front();
    if (!oldest || !pending.contains(oldest)) continue;
    oldest->CloseSilently();
    ForgetPending(oldest);
    {
      MutexLock lock(&mutex_);
      ++handshakes.evicted;
    }
    return oldest->remote();
  }
  EVIDENCE_CHECK_MSG(pending_inbound == 0, "pending inbound handshakes out of order");
  return {};
}

bool Transport::Impl::ForgetPending(const std::shared_ptr<Session>& session) {
  if (pending.erase(session) == 0) return false;
  if (!session->outbound()) {
    auto held = pending_by_address.find(session->address());
    EVIDENCE_CHECK(held != pending_by_address.end() && held->second > 0 && pending_inbound > 0);
    if (--held->second == 0) pending_by_address.erase(held);
    --pending_inbound;
  }
  MutexLock lock(&mutex_);
  pending_count = pending.size();
  return true;
}

void Transport::Impl::NoteHandshakeTimeout() {
  MutexLock lock(&mutex_);
  ++handshakes.timed_out;
}

void Transport::Impl::ScheduleDial(uint32_t index, bool immediately) {
  Slot& slot = slots[index];
  if (stopping || !slot.active || slot.session || slot.config.address.empty() ||
      slot.dial_state != DialState::kIdle) {
    return;
  }
  if (immediately) {
    Dial(index);
    return;
  }
  slot.dial_state = DialState::kWaiting;
  slot.dial_timer->expires_after(std::chrono::milliseconds(slot.backoff_ms));
  slot.backoff_ms = std::min(slot.backoff_ms * 2, options.reconnect_max_ms);
  slot.dial_timer->async_wait([this, index](const ErrorCode& ec) {
    if (ec || stopping) return;
    slots[index].dial_state = DialState::kIdle;
    if (!slots[index].session && slots[index].active) Dial(index);
  });
}

void Transport::Impl::Dial(uint32_t index) {
  Slot& slot = slots[index];
  slot.dial_state = DialState::kDialing;
  auto target = ParseHostPort(slot.config.address);
  EVIDENCE_CHECK(target.ok());  // checked in Create
  auto resolver = std::make_shared<tcp::resolver>(io);
  resolver->async_resolve(
      target->host, target->port,
      [this, index, resolver](const ErrorCode& ec, tcp::resolver::results_type results) {
        if (stopping) return;
        if (ec) {
          DialFailed(index, "resolve: " + ec.message());
          return;
        }
        auto socket = std::make_shared<tcp::socket>(io);
        asio::async_connect(*socket, results,
                            [this, index, socket](const ErrorCode& ec, const tcp::endpoint&) {
                              if (stopping) return;
                              if (ec) {
                                DialFailed(index, "connect: " + ec.message());
                                return;
                              }
                              auto session =
                                  std::make_shared<Session>(this, std::move(*socket), index);
                              pending.insert(session);
                              {
                                MutexLock lock(&mutex_);
                                pending_count = pending.size();
                              }
                              session->Start();
                            });
      });
}

void Transport::Impl::DialFailed(uint32_t index, const std::string& what) {
  Slot& slot = slots[index];
  spdlog::debug("p2p: dial failed peer={} address={} error=\"{}\" retry_ms={}", slot.config.name,
                slot.config.address, what, slot.backoff_ms);
  slot.dial_state = DialState::kIdle;
  ScheduleDial(index, false);
}

void Transport::Impl::HandshakeDone(const std::shared_ptr<Session>& session, uint32_t index) {
  ForgetPending(session);
  Slot& slot = slots[index];
  if (session->outbound()) slot.dial_state = DialState::kIdle;
  if (!slot.active) {  // removed while the handshake ran
    session->CloseSilently();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (slot.session) {
    // Both sides dialled (or the peer reconnected): keep the connection dialled
    // by the node with the lower node key id (both sides agree on it, whatever
    // slots each gave the other), unless the existing one is old enough to be stale.
    const std::string& preferred_dialer = std::min(self_key_id, slot.key_id);
    auto dialer = [&](const Session& s) -> const std::string& {
      return s.outbound() ? self_key_id : slot.key_id;
    };
    const bool keep_new = dialer(*session) == preferred_dialer ||
                          dialer(*slot.session) != preferred_dialer ||
                          now - slot.session_since > kDuplicateWindow;
    if (!keep_new) {
      session->CloseSilently();
      return;
    }
    slot.session->CloseSilently();
    slot.session = session;
    slot.session_since = now;
    spdlog::debug("p2p: replaced duplicate connection peer={} remote={}", slot.config.name,
                  session->remote());
    session->StartReading();
    session->MaybeWrite();
    return;
  }
  slot.session = session;
  slot.session_since = now;
  {
    MutexLock lock(&mutex_);
    connected[index] = true;
    ++queues[index].stats.connections;
  }
  spdlog::info("p2p: connected peer={} remote={} direction={}", slot.config.name,
               session->remote(), session->outbound() ? "out" : "in");
  if (on_connected) on_connected(index);
  session->StartReading();
  session->MaybeWrite();
}

void Transport::Impl::SessionClosed(const std::shared_ptr<Session>& session,
                                    const Status& reason) {
  if (stopping) return;
  const bool was_pending = ForgetPending(session);
  if (was_pending) {
    // Logged by the refusal handler (throttled: a flood of these is an attack).
    if (on_refused) on_refused(session->remote(), reason);
    if (session->outbound()) {
      slots[*session->expected_peer()].dial_state = DialState::kIdle;
      ScheduleDial(*session->expected_peer(), false);
    }
    return;
  }
  for (uint32_t index = 0; index < slots.size(); ++index) {
    Slot& slot = slots[index];
    if (!slot.session || slot.session != session) continue;
    slot.session.reset();
    // A connection that lasted resets the backoff; one closed right after the
    // handshake (e.g. the peer refused our certificate) keeps it growing.
    if (std::chrono::steady_clock::now() - slot.session_since > kDuplicateWindow) {
      slot.backoff_ms = options.reconnect_initial_ms;
    }
    {
      MutexLock lock(&mutex_);
      connected[index] = false;
      Queue& queue = queues[index];
      queue.stats.frames_dropped_not_connected += queue.frames();
      queue.consensus.clear();
      queue.bulk.clear();
      queue.bytes = 0;
    }
    spdlog::info("p2p: disconnected peer={} reason=\"{}\"", slot.config.name,
                 reason.ToString());
    if (reason.code() == StatusCode::kInvalidArgument && on_refused) {
      on_refused(session->remote(), reason);  // a protocol violation, e.g. an oversize frame
    }
    if (on_disconnected) on_disconnected(index);
    ScheduleDial(index, false);
    return;
  }
}

void Transport::Impl::ActivateSlot(uint32_t index, PeerConfig config) {
  Slot& slot = slots[index];
  EVIDENCE_CHECK(!slot.active);
  slot.key_id = config.node_key.key_id();
  slot.config = std::move(config);
  slot.active = true;
  slot.backoff_ms = options.reconnect_initial_ms;
  index_by_key_id[slot.key_id] = index;
  spdlog::info("p2p: peer added peer={} index={} address={}", slot.config.name, index,
               slot.config.address);
  ScheduleDial(index, true);
}

void Transport::Impl::DeactivateSlot(uint32_t index) {
  Slot& slot = slots[index];
  if (!slot.active) return;
  slot.active = false;
  index_by_key_id.erase(slot.key_id);
  slot.dial_timer->cancel();
  slot.dial_state = DialState::kIdle;
  {
    MutexLock lock(&mutex_);
    connected[index] = false;
  }
  spdlog::info("p2p: peer removed peer={} index={}", slot.config.name, index);
  if (slot.session) {
    slot.session->CloseSilently();
    slot.session.reset();
    if (on_disconnected) on_disconnected(index);
  }
}

void Transport::Impl::Deliver(uint32_t index, Bytes frame) {
  {
    MutexLock lock(&mutex_);
    ++queues[index].stats.frames_received;
  }
  if (on_frame) on_frame(index, std::move(frame));
}

std::vector<Bytes> Transport::Impl::NextFrames(uint32_t index, size_t bytes_target) {
  std::vector<Bytes> frames;
  size_t bytes = 0;
  MutexLock lock(&mutex_);
  Queue& queue = queues[index];
  for (;;) {
    std::deque<Bytes>* source = !queue.consensus.empty() ? &queue.consensus
                                : !queue.bulk.empty()    ? &queue.bulk
                                                         : nullptr;
    if (source == nullptr) break;
    if (!frames.empty() && bytes + source->front().size() >= bytes_target) break;
    bytes += source->front().size();
    queue.bytes -= source->front().size();
    frames.push_back(std::move(source->front()));
    source->pop_front();
  }
  return frames;
}

void Transport::Impl::FramesWritten(uint32_t index, size_t count) {
  MutexLock lock(&mutex_);
  queues[index].stats.frames_sent += count;
}

void Transport::Impl::Kick(uint32_t index) {
  {
    MutexLock lock(&mutex_);
    queues[index].kick_posted = false;
  }
  if (!stopping && slots[index].session) slots[index].session->MaybeWrite();
}

void Transport::Impl::Shutdown() {
  stopping = true;
  ErrorCode ec;
  acceptor.close(ec);
  for (Slot& slot : slots) {
    if (slot.dial_timer) slot.dial_timer->cancel();
    if (slot.session) slot.session->CloseSilently();
    slot.session.reset();
  }
  for (const auto& session : pending) session->CloseSilently();
  pending.clear();
  inbound_order.clear();
  pending_by_address.clear();
  pending_inbound = 0;
  work.reset();
  // Abandon what is still in flight (resolves, connects): their handlers are
  // destroyed with the io_context, never run.
  io.stop();
}

// ---- Transport ---------------------------------------------------------------

Result<std::unique_ptr<Transport>> Transport::Create(const crypto::PrivateKey& node_key,
                                                     TransportOptions options) {
  if (options.self_index >= options.peers.size()) {
    return Status::InvalidArgument("p2p self index " + std::to_string(options.self_index) +
                                   " is not a validator (there are " +
                                   std::to_string(options.peers.size()) + ")");
  }
  if (options.peers[options.self_index].node_key.key_id() != node_key.key_id()) {
    return Status::InvalidArgument("node key " + node_key.key_id() +
                                   " is not the node key genesis gives validator " +
                                   options.peers[options.self_index].name);
  }
  if (options.peers.size() > options.peers_max) {
    return Status::InvalidArgument("p2p: " + std::to_string(options.peers.size()) +
                                   " peers, more than peers_max " +
                                   std::to_string(options.peers_max));
  }
  if (options.frame_bytes_max > options.send_queue_bytes_max || options.send_queue_frames_max == 0 ||
      options.pending_handshakes_max == 0 || options.pending_handshakes_per_address_max == 0 ||
      options.frame_bytes_max > UINT32_MAX || options.reconnect_initial_ms == 0 ||
      options.reconnect_max_ms < options.reconnect_initial_ms) {
    return Status::InvalidArgument("p2p options: inconsistent frame, queue or backoff limits");
  }
  EVIDENCE_RETURN_IF_ERROR(ParseHostPort(options.listen_address).status());
  std::map<std::string, uint32_t> index_by_key_id;
  for (uint32_t index = 0; index < options.peers.size(); ++index) {
    const PeerConfig& peer = options.peers[index];
    if (!peer.address.empty() && index != options.self_index) {
      EVIDENCE_RETURN_IF_ERROR(ParseHostPort(peer.address).status().WithContext(peer.name));
    }
    if (!index_by_key_id.emplace(peer.node_key.key_id(), index).second) {
      return Status::InvalidArgument("validators " + options.peers[index_by_key_id[peer.node_key.key_id()]].name +
                                     " and " + peer.name + " have the same node key");
    }
  }
  std::map<std::string, uint32_t> slot_by_key_id = index_by_key_id;
  index_by_key_id.erase(node_key.key_id());  // never accept ourselves
  EVIDENCE_ASSIGN_OR_RETURN(auto tls,
                            MakeTlsContext(node_key, options.peers[options.self_index].name,
                                           options.protocol));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(tls));
  impl->index_by_key_id = std::move(index_by_key_id);
  impl->self_key_id = node_key.key_id();
  // Free slots hold a placeholder (this node's own key, no name, no address,
  // inactive) until AddPeer fills them.
  impl->slots.reserve(impl->options.peers_max);
  for (uint32_t index = 0; index < impl->options.peers_max; ++index) {
    const bool configured = index < impl->options.peers.size();
    Impl::Slot slot{configured ? impl->options.peers[index]
                               : PeerConfig{"", node_key.public_key(), ""}};
    slot.key_id = configured ? slot.config.node_key.key_id() : "";
    slot.active = configured && index != impl->options.self_index;
    slot.dial_timer = std::make_unique<asio::steady_timer>(impl->io);
    slot.backoff_ms = impl->options.reconnect_initial_ms;
    impl->slots.push_back(std::move(slot));
  }
  {
    MutexLock lock(&impl->mutex_);
    impl->queues.resize(impl->slots.size());
    impl->connected.assign(impl->slots.size(), false);
    impl->removed.assign(impl->slots.size(), false);
    impl->slot_count = static_cast<uint32_t>(impl->options.peers.size());
    impl->slot_by_key_id = std::move(slot_by_key_id);
  }
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Transport::~Transport() { Stop(); }

void Transport::OnFrame(FrameHandler handler) { impl_->on_frame = std::move(handler); }
void Transport::OnPeerConnected(PeerHandler handler) { impl_->on_connected = std::move(handler); }
void Transport::OnPeerDisconnected(PeerHandler handler) {
  impl_->on_disconnected = std::move(handler);
}
void Transport::OnConnectionRefused(RefusalHandler handler) {
  impl_->on_refused = std::move(handler);
}

Status Transport::Start() {
  EVIDENCE_CHECK(!impl_->started);
  EVIDENCE_RETURN_IF_ERROR(impl_->Listen());
  impl_->started = true;
  impl_->work.emplace(impl_->io.get_executor());
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] {
    impl->Accept();
    for (uint32_t index = 0; index < impl->slots.size(); ++index) {
      if (index != impl->options.self_index) impl->ScheduleDial(index, true);
    }
  });
  impl_->thread = std::thread([impl] {
    NameCurrentThread("p2p");
    impl->io.run();
  });
  spdlog::info("p2p: listening address={} port={} peers={}", impl->options.listen_address,
               impl->port.load(), impl->options.peers.size() - 1);
  return Status::Ok();
}

void Transport::Stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] { impl->Shutdown(); });
  impl_->thread.join();
}

uint16_t Transport::listen_port() const { return impl_->port.load(); }
uint32_t Transport::peer_count() const {
  MutexLock lock(&impl_->mutex_);
  return impl_->slot_count;
}

Result<uint32_t> Transport::AddPeer(PeerConfig peer) {
  if (!peer.address.empty()) {
    EVIDENCE_RETURN_IF_ERROR(ParseHostPort(peer.address).status().WithContext(peer.name));
  }
  const std::string key_id = peer.node_key.key_id();
  uint32_t index = 0;
  {
    MutexLock lock(&impl_->mutex_);
    auto known = impl_->slot_by_key_id.find(key_id);
    if (known != impl_->slot_by_key_id.end()) {
      if (impl_->removed[known->second]) {
        return Status::InvalidArgument("node key " + key_id + " of " + peer.name +
                                       " was removed; a node key never comes back");
      }
      return known->second;
    }
    if (impl_->slot_count >= impl_->options.peers_max) {
      return Status::ResourceExhausted("p2p: all " + std::to_string(impl_->options.peers_max) +
                                       " peer slots are taken; restart the node to admit " +
                                       peer.name);
    }
    index = impl_->slot_count++;
    impl_->slot_by_key_id.emplace(key_id, index);
  }
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, index, peer = std::move(peer)]() mutable {
    if (!impl->stopping) impl->ActivateSlot(index, std::move(peer));
  });
  return index;
}

void Transport::RemovePeer(uint32_t peer_index) {
  {
    MutexLock lock(&impl_->mutex_);
    if (peer_index >= impl_->slot_count || peer_index == impl_->options.self_index ||
        impl_->removed[peer_index]) {
      return;
    }
    impl_->removed[peer_index] = true;
    Impl::Queue& queue = impl_->queues[peer_index];
    queue.stats.frames_dropped_not_connected += queue.frames();
    queue.consensus.clear();
    queue.bulk.clear();
    queue.bytes = 0;
    impl_->connected[peer_index] = false;
  }
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, peer_index] {
    if (!impl->stopping) impl->DeactivateSlot(peer_index);
  });
}

bool Transport::IsPeer(uint32_t peer_index) const {
  MutexLock lock(&impl_->mutex_);
  return peer_index < impl_->slot_count && peer_index != impl_->options.self_index &&
         !impl_->removed[peer_index];
}

Status Transport::Send(uint32_t peer_index, Bytes frame, Priority priority) {
  if (peer_index >= impl_->slots.size() || peer_index == impl_->options.self_index) {
    return Status::InvalidArgument("no peer with index " + std::to_string(peer_index));
  }
  if (frame.size() > impl_->options.frame_bytes_max) {
    return Status::InvalidArgument("frame of " + std::to_string(frame.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(impl_->options.frame_bytes_max));
  }
  bool post_kick = false;
  {
    MutexLock lock(&impl_->mutex_);
    if (peer_index >= impl_->slot_count) {
      return Status::InvalidArgument("no peer with index " + std::to_string(peer_index));
    }
    Impl::Queue& queue = impl_->queues[peer_index];
    if (!impl_->connected[peer_index]) {
      ++queue.stats.frames_dropped_not_connected;
      return Status::Ok();
    }
    queue.bytes += frame.size();
    (priority == Priority::kConsensus ? queue.consensus : queue.bulk).push_back(std::move(frame));
    // Bulk goes first when something must go; then the oldest consensus frames.
    while (queue.frames() > impl_->options.send_queue_frames_max ||
           queue.bytes > impl_->options.send_queue_bytes_max) {
      std::deque<Bytes>& victims = !queue.bulk.empty() ? queue.bulk : queue.consensus;
      queue.bytes -= victims.front().size();
      victims.pop_front();
      ++queue.stats.frames_dropped_queue_full;
    }
    post_kick = !queue.kick_posted;
    queue.kick_posted = true;
  }
  if (post_kick) {
    Impl* impl = impl_.get();
    asio::post(impl->io, [impl, peer_index] { impl->Kick(peer_index); });
  }
  return Status::Ok();
}

Status Transport::Broadcast(const Bytes& frame, Priority priority) {
  const uint32_t count = peer_count();
  for (uint32_t index = 0; index < count; ++index) {
    if (index == impl_->options.self_index) continue;
    EVIDENCE_RETURN_IF_ERROR(Send(index, frame, priority));
  }
  return Status::Ok();
}

HandshakeStats Transport::handshake_stats() const {
  MutexLock lock(&impl_->mutex_);
  return impl_->handshakes;
}

size_t Transport::pending_handshakes() const {
  MutexLock lock(&impl_->mutex_);
  return impl_->pending_count;
}

PeerStats Transport::stats(uint32_t peer_index) const {
  EVIDENCE_CHECK(peer_index < impl_->slots.size());
  MutexLock lock(&impl_->mutex_);
  PeerStats stats = impl_->queues[peer_index].stats;
  stats.connected = impl_->connected[peer_index];
  return stats;
}

}  // namespace evidence::node::p2p
