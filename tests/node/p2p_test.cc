#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "node/p2p/frame.h"
#include "node/p2p/tls.h"
#include "node/p2p/transport.h"

namespace evidence::node::p2p {
namespace {

using crypto::PrivateKey;
using crypto::SignatureAlgorithm;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kWait = std::chrono::seconds(30);

PrivateKey NewKey(SignatureAlgorithm algorithm = SignatureAlgorithm::kP256) {
  auto key = PrivateKey::Generate(algorithm);
  EVIDENCE_CHECK(key.ok());
  return std::move(key).value();
}

std::string Loopback(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// A port that was free a moment ago, for tests that must know an address before
// the transport binds it (both sides dialling; restart on the same port).
uint16_t PickFreePort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// Everything a transport reported, with waiting on a condition.
class Events {
 public:
  // With a gate, the frame handler blocks the transport's I/O thread until the
  // gate opens.
  void Attach(Transport& transport, std::optional<std::shared_future<void>> gate) {
    transport.OnFrame([this, gate](uint32_t peer, Bytes frame) {
      if (gate) gate->wait();
      Record([&] { frames_.emplace_back(peer, std::move(frame)); });
    });
    transport.OnPeerConnected([this](uint32_t peer) { Record([&] { ++connects_[peer]; }); });
    transport.OnPeerDisconnected(
        [this](uint32_t peer) { Record([&] { ++disconnects_[peer]; }); });
    transport.OnConnectionRefused([this](const std::string&, const Status& reason) {
      Record([&] { refusals_.push_back(reason); });
    });
  }
  // Waits (up to kWait) until `predicate` holds over the recorded events.
  bool WaitUntil(const std::function<bool(const Events&)>& predicate,
                 std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return predicate(*this); });
  }
  template <typename T>
  T Read(const std::function<T(const Events&)>& read) {
    std::lock_guard lock(mutex_);
    return read(*this);
  }
  int connects(uint32_t peer) const { return connects_.count(peer) ? connects_.at(peer) : 0; }
  int disconnects(uint32_t peer) const {
    return disconnects_.count(peer) ? disconnects_.at(peer) : 0;
  }
  bool HasFrame(uint32_t peer, const Bytes& frame) const {
    for (const auto& [from, bytes] : frames_) {
      if (from == peer && bytes == frame) return true;
    }
    return false;
  }
  std::vector<Bytes> FramesFrom(uint32_t peer) const {
    std::vector<Bytes> out;
    for (const auto& [from, bytes] : frames_) {
      if (from == peer) out.push_back(bytes);
    }
    return out;
  }
  size_t frame_count() const { return frames_.size(); }
  int connect_total() const {
    int total = 0;
    for (const auto& [peer, count] : connects_) total += count;
    return total;
  }
  const std::vector<Status>& refusals() const { return refusals_; }

 private:
  void Record(const std::function<void()>& change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<uint32_t, Bytes>> frames_;
  std::map<uint32_t, int> connects_;
  std::map<uint32_t, int> disconnects_;
  std::vector<Status> refusals_;
};

// A node under test: its key, transport and the events it reported.
// Declaration order matters: the transport (whose thread calls into `events`)
// is destroyed first.
struct Node {
  std::unique_ptr<Events> events = std::make_unique<Events>();
  std::unique_ptr<Transport> transport;
};

// Builds and starts a transport for validator `self` of `keys`, dialling the
// peers given in `addresses` (index -> address).
Node StartNode(const std::vector<const PrivateKey*>& keys, uint32_t self,
               const std::map<uint32_t, std::string>& addresses,
               const std::function<void(TransportOptions&)>& tune = nullptr,
               uint16_t listen_port = 0,
               std::optional<std::shared_future<void>> gate = std::nullopt) {
  TransportOptions options;
  options.listen_address = Loopback(listen_port);
  options.self_index = self;
  options.reconnect_initial_ms = 50;
  options.reconnect_max_ms = 500;
  for (uint32_t i = 0; i < keys.size(); ++i) {
    auto it = addresses.find(i);
    options.peers.push_back(PeerConfig{"node" + std::to_string(i), keys[i]->public_key(),
                                       it == addresses.end() ? "" : it->second});
  }
  if (tune) tune(options);
  auto transport = Transport::Create(*keys[self], std::move(options));
  EVIDENCE_CHECK_MSG(transport.ok(), transport.status().ToString().c_str());
  Node node;
  node.transport = std::move(transport).value();
  node.events->Attach(*node.transport, gate);
  const Status started = node.transport->Start();
  EVIDENCE_CHECK_MSG(started.ok(), started.ToString().c_str());
  return node;
}

bool Connected(Events& events, uint32_t peer) {
  return events.WaitUntil([peer](const Events& e) { return e.connects(peer) > e.disconnects(peer); });
}

// Sends `frame` until the receiver has it: a connection that both sides just
// set up may still be replaced by a simultaneous one, losing a frame in flight.
bool Deliver(Node& from, uint32_t to_index, Node& to, uint32_t from_index, const Bytes& frame) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    EXPECT_TRUE(from.transport->Send(to_index, frame).ok());
    const bool got = to.events->WaitUntil(
        [&](const Events& e) { return e.HasFrame(from_index, frame); }, std::chrono::seconds(2));
    if (got) return true;
  }
  return false;
}

TEST(FrameHeader, GoldenBytesAndLimit) {
  EXPECT_EQ(HexEncode(EncodeFrame(AsBytes("hi"))), "000000026869");
  const FrameHeader header = EncodeFrameHeader(0x01020304);
  EXPECT_EQ(HexEncode(ByteView(header.data(), header.size())), "01020304");
  EXPECT_EQ(DecodeFrameHeader(header, 0x01020304).value(), 0x01020304u);
  EXPECT_EQ(DecodeFrameHeader(header, 0x01020303).status().code(), StatusCode::kInvalidArgument);
}

TEST(Transport, RefusesSm2NodeKey) {
  const PrivateKey sm2 = NewKey(SignatureAlgorithm::kSm2);
  TransportOptions options;
  options.peers.push_back(PeerConfig{"self", sm2.public_key(), ""});
  auto transport = Transport::Create(sm2, std::move(options));
  ASSERT_FALSE(transport.ok());
  EXPECT_EQ(transport.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(transport.status().message().find("SM2"), std::string::npos);
}

TEST(Transport, RefusesNodeKeyThatIsNotItsGenesisKey) {
  const PrivateKey mine = NewKey(), other = NewKey();
  TransportOptions options;
  options.peers.push_back(PeerConfig{"self", other.public_key(), ""});
  EXPECT_EQ(Transport::Create(mine, std::move(options)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Transport, TwoNodesExchangeFramesBothWaysInOrder) {
  const PrivateKey a = NewKey(SignatureAlgorithm::kP256), b = NewKey(SignatureAlgorithm::kEd25519);
  const std::vector<const PrivateKey*> keys = {&a, &b};
  Node node_a = StartNode(keys, 0, {});
  Node node_b = StartNode(keys, 1, {{0, Loopback(node_a.transport->listen_port())}});
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  std::vector<Bytes> sent;
  for (int i = 0; i < 100; ++i) {
    sent.push_back(ToBytes("a->b " + std::to_string(i) + std::string(i * 37, 'z')));
    ASSERT_TRUE(node_a.transport->Send(1, sent.back()).ok());
    ASSERT_TRUE(node_b.transport->Send(0, ToBytes("b->a " + std::to_string(i))).ok());
  }
  ASSERT_TRUE(node_b.events->WaitUntil([](const Events& e) { return e.frame_count() == 100; }));
  EXPECT_EQ(node_b.events->Read<std::vector<Bytes>>([](const Events& e) { return e.FramesFrom(0); }),
            sent);
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.frame_count() == 100; }));
  EXPECT_EQ(node_a.transport->stats(1).frames_sent, 100u);
  EXPECT_EQ(node_b.transport->stats(0).frames_received, 100u);
  EXPECT_TRUE(node_a.transport->stats(1).connected);
}

TEST(Transport, ThreeNodesBroadcast) {
  const PrivateKey a = NewKey(), b = NewKey(SignatureAlgorithm::kEd25519), c = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b, &c};
  Node node_a = StartNode(keys, 0, {});
  const std::string address_a = Loopback(node_a.transport->listen_port());
  Node node_b = StartNode(keys, 1, {{0, address_a}});
  Node node_c = StartNode(keys, 2, {{0, address_a}, {1, Loopback(node_b.transport->listen_port())}});
  for (auto [node, peer] : {std::pair{&node_a, 1}, {&node_a, 2}, {&node_b, 0}, {&node_b, 2},
                            {&node_c, 0}, {&node_c, 1}}) {
    ASSERT_TRUE(Connected(*node->events, peer));
  }
  const Bytes frame = ToBytes("proposal");
  ASSERT_TRUE(node_c.transport->Broadcast(frame).ok());
  EXPECT_TRUE(node_a.events->WaitUntil([&](const Events& e) { return e.HasFrame(2, frame); }));
  EXPECT_TRUE(node_b.events->WaitUntil([&](const Events& e) { return e.HasFrame(2, frame); }));
  const Bytes vote = ToBytes("vote");
  ASSERT_TRUE(node_a.transport->Broadcast(vote).ok());
  EXPECT_TRUE(node_b.events->WaitUntil([&](const Events& e) { return e.HasFrame(0, vote); }));
  EXPECT_TRUE(node_c.events->WaitUntil([&](const Events& e) { return e.HasFrame(0, vote); }));
}

TEST(Transport, BothSidesDiallingAtOnceKeepOneConnection) {
  const PrivateKey a = NewKey(), b = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b};
  const uint16_t port_a = PickFreePort(), port_b = PickFreePort();
  Node node_a = StartNode(keys, 0, {{1, Loopback(port_b)}}, nullptr, port_a);
  Node node_b = StartNode(keys, 1, {{0, Loopback(port_a)}}, nullptr, port_b);
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  EXPECT_TRUE(Deliver(node_a, 1, node_b, 0, ToBytes("from a")));
  EXPECT_TRUE(Deliver(node_b, 0, node_a, 1, ToBytes("from b")));
  EXPECT_TRUE(node_a.transport->stats(1).connected);
  EXPECT_TRUE(node_b.transport->stats(0).connected);
}

TEST(Transport, StrangerDiallingInIsRefusedAtTheHandshake) {
  const PrivateKey a = NewKey(), b = NewKey(), stranger = NewKey(SignatureAlgorithm::kEd25519);
  Node node_a = StartNode({&a, &b}, 0, {});
  // The stranger believes in a genesis of its own that names A.
  Node node_s = StartNode({&a, &stranger}, 1, {{0, Loopback(node_a.transport->listen_port())}},
                          [](TransportOptions& options) {
                            options.reconnect_initial_ms = options.reconnect_max_ms = 5000;
                          });
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  const Status reason = node_a.events->Read<Status>([](const Events& e) { return e.refusals()[0]; });
  EXPECT_EQ(reason.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(reason.message().find(stranger.key_id()), std::string::npos) << reason.ToString();
  // In TLS 1.3 the client finishes first, so the stranger may briefly believe it
  // is connected; whatever it sends then is never read by A.
  (void)node_s.transport->Send(0, ToBytes("let me in"));
  node_s.transport->Stop();
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
  EXPECT_EQ(node_a.events->Read<size_t>([](const Events& e) { return e.frame_count(); }), 0u);
  EXPECT_FALSE(node_a.transport->stats(1).connected);
}

TEST(Transport, StrangerListeningIsRefusedByTheDialler) {
  const PrivateKey a = NewKey(), b = NewKey(), stranger = NewKey();
  // The stranger listens where A expects B, and would accept A.
  Node node_s = StartNode({&a, &stranger}, 1, {});
  Node node_a = StartNode({&a, &b}, 0, {{1, Loopback(node_s.transport->listen_port())}});
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  const Status reason = node_a.events->Read<Status>([](const Events& e) { return e.refusals()[0]; });
  EXPECT_EQ(reason.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(reason.message().find(stranger.key_id()), std::string::npos) << reason.ToString();
  node_a.transport->Stop();
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
  EXPECT_EQ(node_s.events->Read<size_t>([](const Events& e) { return e.frame_count(); }), 0u);
}

// Governance admits a node key while the transport runs (docs/design.md §5,
// "Membership"): refused like a stranger before, accepted after AddPeer,
// refused again for good after RemovePeer, which also closes its connection.
TEST(Transport, PeersAddedAndRemovedWhileRunning) {
  const PrivateKey a = NewKey(), b = NewKey(), c = NewKey(SignatureAlgorithm::kEd25519);
  Node node_a = StartNode({&a, &b}, 0, {});
  // C knows A (genesis) and dials it; A does not know C yet.
  Node node_c = StartNode({&a, &c}, 1, {{0, Loopback(node_a.transport->listen_port())}});
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
  EXPECT_EQ(node_a.transport->peer_count(), 2u);

  Result<uint32_t> added = node_a.transport->AddPeer(PeerConfig{"c", c.public_key(), ""});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 2u);
  EXPECT_EQ(node_a.transport->AddPeer(PeerConfig{"c", c.public_key(), ""}).value(), 2u);
  EXPECT_EQ(node_a.transport->peer_count(), 3u);
  EXPECT_TRUE(node_a.transport->IsPeer(2));
  ASSERT_TRUE(Connected(*node_a.events, 2));  // C's redial is accepted now
  EXPECT_TRUE(Deliver(node_c, 0, node_a, 2, ToBytes("from c")));
  EXPECT_TRUE(Deliver(node_a, 2, node_c, 0, ToBytes("to c")));

  node_a.transport->RemovePeer(2);
  EXPECT_FALSE(node_a.transport->IsPeer(2));
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.disconnects(2) >= 1; }));
  // Frames for it are dropped, not queued; its redials are refused at the handshake.
  EXPECT_TRUE(node_a.transport->Send(2, ToBytes("gone")).ok());
  EXPECT_FALSE(node_a.transport->stats(2).connected);
  const size_t refusals_before =
      node_a.events->Read<size_t>([](const Events& e) { return e.refusals().size(); });
  ASSERT_TRUE(node_a.events->WaitUntil(
      [&](const Events& e) { return e.refusals().size() > refusals_before; }));
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connects(2); }), 1);
  // A removed key never comes back.
  EXPECT_EQ(node_a.transport->AddPeer(PeerConfig{"c", c.public_key(), ""}).status().code(),
            StatusCode::kInvalidArgument);
  node_a.transport->RemovePeer(0);   // self: no-op
  node_a.transport->RemovePeer(99);  // unknown: no-op
  EXPECT_TRUE(node_a.transport->IsPeer(1));
}

TEST(Transport, PeerSlotsAreBounded) {
  const PrivateKey a = NewKey(), b = NewKey(), c = NewKey();
  Node node_a = StartNode({&a, &b}, 0, {}, [](TransportOptions& options) { options.peers_max = 2; });
  EXPECT_EQ(node_a.transport->AddPeer(PeerConfig{"c", c.public_key(), ""}).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(node_a.transport->AddPeer(PeerConfig{"b", b.public_key(), ""}).value(), 1u);
  EXPECT_EQ(node_a.transport->AddPeer(PeerConfig{"c", c.public_key(), "no-port"}).status().code(),
            StatusCode::kInvalidArgument);
}

// A release with another p2p protocol version dials in: both sides refuse the
// connection during the handshake and say which versions met; no frame passes.
TEST(Transport, PeerOfAnotherProtocolVersionIsRefusedByName) {
  EXPECT_EQ(kP2pProtocol, "evidence-p2p/1");  // docs/p2p-wire-format.md names it
  const PrivateKey a = NewKey(), b = NewKey();
  Node node_a = StartNode({&a, &b}, 0, {});
  Node node_b = StartNode({&a, &b}, 1, {{0, Loopback(node_a.transport->listen_port())}},
                          [](TransportOptions& options) {
                            options.protocol = "evidence-p2p/2";
                            options.reconnect_initial_ms = options.reconnect_max_ms = 5000;
                          });
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  ASSERT_TRUE(node_b.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  const Status at_a = node_a.events->Read<Status>([](const Events& e) { return e.refusals()[0]; });
  const Status at_b = node_b.events->Read<Status>([](const Events& e) { return e.refusals()[0]; });
  EXPECT_EQ(at_a.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(at_a.message().find("peer speaks p2p protocol evidence-p2p/2, this node evidence-p2p/1"),
            std::string::npos) << at_a.ToString();
  EXPECT_EQ(at_b.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(at_b.message().find("peer refused p2p protocol evidence-p2p/2"), std::string::npos)
      << at_b.ToString();
  (void)node_b.transport->Send(0, ToBytes("a frame of version 2"));
  node_b.transport->Stop();
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
  EXPECT_EQ(node_b.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
  EXPECT_EQ(node_a.events->Read<size_t>([](const Events& e) { return e.frame_count(); }), 0u);
}

// A listener of an older release (no ALPN at all) agrees on no protocol: the
// dialler refuses it after the handshake, before a frame.
TEST(Transport, ListenerWithoutProtocolVersionIsRefusedByTheDialler) {
  const PrivateKey a = NewKey(), b = NewKey();
  auto old_tls = MakeTlsContext(b, "node1", kP2pProtocol);
  ASSERT_TRUE(old_tls.ok());
  SSL_CTX_set_alpn_select_cb((*old_tls)->native_handle(), nullptr, nullptr);  // as before ALPN
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto served = std::async(std::launch::async, [&] {
    asio::ssl::stream<tcp::socket> stream(io, **old_tls);
    acceptor.accept(stream.next_layer());
    stream.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) {
      std::array<uint8_t, 64> buffer;
      while (!ec) stream.read_some(asio::buffer(buffer), ec);  // until A closes
    }
    return ec;
  });
  Node node_a = StartNode({&a, &b}, 0, {{1, Loopback(acceptor.local_endpoint().port())}},
                          [](TransportOptions& options) {
                            options.reconnect_initial_ms = options.reconnect_max_ms = 5000;
                          });
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return !e.refusals().empty(); }));
  const Status reason = node_a.events->Read<Status>([](const Events& e) { return e.refusals()[0]; });
  EXPECT_EQ(reason.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reason.message().find("peer node1 speaks no p2p protocol version, this node evidence-p2p/1"),
            std::string::npos) << reason.ToString();
  ASSERT_EQ(served.wait_for(kWait), std::future_status::ready);
  node_a.transport->Stop();
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.connect_total(); }), 0);
}

// Reads from a raw TCP connection until the server closes it; false on timeout.
bool ServerCloses(tcp::socket& socket) {
  auto closed = std::async(std::launch::async, [&socket] {
    std::array<uint8_t, 4096> buffer;
    boost::system::error_code ec;
    while (!ec) socket.read_some(asio::buffer(buffer), ec);
    return ec;
  });
  if (closed.wait_for(kWait) != std::future_status::ready) {
    // shutdown() wakes the blocked read (close() alone does not, and the
    // future's destructor would then wait for it for ever: a transport that
    // never closes the socket must fail this check, not hang the test).
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    closed.wait();
    socket.close(ignored);
    return false;
  }
  return true;
}

TEST(Transport, GarbageAndSilentClientsAreDisconnectedWithoutHarmingPeers) {
  const PrivateKey a = NewKey(), b = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b};
  Node node_a = StartNode(keys, 0, {}, [](TransportOptions& o) { o.handshake_timeout_ms = 200; });
  Node node_b = StartNode(keys, 1, {{0, Loopback(node_a.transport->listen_port())}});
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));

  asio::io_context io;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), node_a.transport->listen_port());
  tcp::socket garbage(io), silent(io);
  garbage.connect(endpoint);
  silent.connect(endpoint);
  asio::write(garbage, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  EXPECT_TRUE(ServerCloses(garbage));
  EXPECT_TRUE(ServerCloses(silent));  // closed by the handshake timeout

  const Bytes frame = ToBytes("still here");
  ASSERT_TRUE(node_b.transport->Send(0, frame).ok());
  EXPECT_TRUE(node_a.events->WaitUntil([&](const Events& e) { return e.HasFrame(1, frame); }));
  EXPECT_EQ(node_a.events->Read<int>([](const Events& e) { return e.disconnects(1); }), 0);
}

TEST(Transport, OversizeFrameDropsTheConnectionThenThePeerReconnects) {
  const PrivateKey a = NewKey(), b = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b};
  Node node_a = StartNode(keys, 0, {}, [](TransportOptions& o) { o.frame_bytes_max = 1024; });
  Node node_b = StartNode(keys, 1, {{0, Loopback(node_a.transport->listen_port())}});
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  ASSERT_TRUE(node_b.transport->Send(0, ToBytes("small")).ok());
  ASSERT_TRUE(node_b.transport->Send(0, Bytes(2000, 0xAB)).ok());
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.disconnects(1) == 1; }));
  const Status reason = node_a.events->Read<Status>([](const Events& e) { return e.refusals().at(0); });
  EXPECT_EQ(reason.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reason.message().find("2000"), std::string::npos) << reason.ToString();
  EXPECT_EQ(node_a.events->Read<std::vector<Bytes>>([](const Events& e) { return e.FramesFrom(1); }),
            std::vector<Bytes>{ToBytes("small")});

  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.connects(1) == 2; }));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  EXPECT_TRUE(Deliver(node_b, 0, node_a, 1, ToBytes("after reconnect")));
}

TEST(Transport, ReconnectsAfterAPeerStopsAndRestarts) {
  const PrivateKey a = NewKey(), b = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b};
  Node node_a = StartNode(keys, 0, {});
  const uint16_t port_a = node_a.transport->listen_port();
  Node node_b = StartNode(keys, 1, {{0, Loopback(port_a)}});
  ASSERT_TRUE(Connected(*node_b.events, 0));
  node_a.transport->Stop();
  ASSERT_TRUE(node_b.events->WaitUntil([](const Events& e) { return e.disconnects(0) == 1; }));
  EXPECT_FALSE(node_b.transport->stats(0).connected);
  (void)node_b.transport->Send(0, ToBytes("lost"));
  EXPECT_EQ(node_b.transport->stats(0).frames_dropped_not_connected, 1u);

  Node restarted = StartNode(keys, 0, {}, nullptr, port_a);  // same key, same port
  ASSERT_TRUE(node_b.events->WaitUntil([](const Events& e) { return e.connects(0) == 2; }));
  ASSERT_TRUE(Connected(*restarted.events, 1));
  EXPECT_TRUE(Deliver(node_b, 0, restarted, 1, ToBytes("after restart")));
  EXPECT_TRUE(Deliver(restarted, 1, node_b, 0, ToBytes("welcome back")));
}

TEST(Transport, DialsHostNamesAndStopsCleanlyWhileRedialling) {
  const PrivateKey a = NewKey(), b = NewKey(), c = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b, &c};
  Node node_a = StartNode(keys, 0, {});
  // C is down (nothing listens on its port): B keeps redialling it with backoff
  // while it reaches A through a host name.
  Node node_b = StartNode(keys, 1, {{0, "localhost:" + std::to_string(node_a.transport->listen_port())},
                                    {2, Loopback(PickFreePort())}});
  ASSERT_TRUE(Connected(*node_b.events, 0));
  EXPECT_FALSE(node_b.transport->stats(2).connected);
  node_b.transport->Stop();  // returns with a dial to C pending
  node_b.transport->Stop();  // idempotent
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.disconnects(1) == 1; }));
}

TEST(Transport, RefusesBadAddressesAndPeerLists) {
  const PrivateKey a = NewKey(), b = NewKey();
  auto make = [&](const std::string& listen, const std::string& peer_address,
                  const PrivateKey& peer_key) {
    TransportOptions options;
    options.listen_address = listen;
    options.peers.push_back(PeerConfig{"a", a.public_key(), ""});
    options.peers.push_back(PeerConfig{"b", peer_key.public_key(), peer_address});
    return Transport::Create(a, std::move(options)).status();
  };
  EXPECT_TRUE(make("127.0.0.1:0", "127.0.0.1:9", b).ok());
  EXPECT_EQ(make("127.0.0.1", "", b).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make("127.0.0.1:0", "host:70000", b).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make("127.0.0.1:0", "host:", b).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make("127.0.0.1:0", "", a).code(), StatusCode::kInvalidArgument);  // same node key twice
}

TEST(Transport, FullSendQueueDropsTheOldestFrames) {
  const PrivateKey a = NewKey(), b = NewKey();
  const std::vector<const PrivateKey*> keys = {&a, &b};
  std::promise<void> release;
  // B's I/O thread stalls on its first frame until released, so A's socket
  // buffers and then its 8-frame queue fill up.
  const std::shared_future<void> gate = release.get_future().share();
  Node node_a = StartNode(keys, 0, {}, [](TransportOptions& o) { o.send_queue_frames_max = 8; });
  Node node_b = StartNode(keys, 1, {{0, Loopback(node_a.transport->listen_port())}}, nullptr, 0,
                          gate);
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  constexpr uint32_t kFrames = 400;  // 25 MiB: far more than loopback socket buffers hold
  for (uint32_t i = 0; i < kFrames; ++i) {
    Bytes frame(64 * 1024, 0);
    frame[0] = static_cast<uint8_t>(i >> 8);
    frame[1] = static_cast<uint8_t>(i);
    ASSERT_TRUE(node_a.transport->Send(1, std::move(frame)).ok());
  }
  const uint64_t dropped = node_a.transport->stats(1).frames_dropped_queue_full;
  EXPECT_GT(dropped, 0u);
  release.set_value();
  ASSERT_TRUE(node_b.events->WaitUntil(
      [&](const Events& e) { return e.frame_count() == kFrames - dropped; }));
  // What arrived is in order, and the newest frame survived.
  const auto frames =
      node_b.events->Read<std::vector<Bytes>>([](const Events& e) { return e.FramesFrom(0); });
  uint32_t previous = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const uint32_t index = (uint32_t{frames[i][0]} << 8) | frames[i][1];
    if (i > 0) {
      EXPECT_GT(index, previous);
    }
    previous = index;
  }
  EXPECT_EQ(previous, kFrames - 1);
  // A counts a frame as sent when its write completes, which can be just after
  // B has read it (398 of 400 under load): wait for A's handlers to run.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (node_a.transport->stats(1).frames_sent + dropped < kFrames &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(node_a.transport->stats(1).frames_sent + dropped, kFrames);
}

// An idle TCP connection from `address` (a loopback address of its own, so that
// per-address limits see distinct clients).
tcp::socket IdleConnection(asio::io_context& io, const std::string& address, uint16_t port) {
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(address), 0));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

// Finding 4: 64 pending handshakes were shared by everyone. One address now
// holds at most its share; the rest of its connections are closed at once.
TEST(Transport, OneAddressGetsOnlyItsShareOfPendingHandshakes) {
  const PrivateKey a = NewKey(), b = NewKey();
  Node node_a = StartNode({&a, &b}, 0, {}, [](TransportOptions& o) {
    o.handshake_timeout_ms = 60'000;
    o.pending_handshakes_per_address_max = 4;
  });
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(IdleConnection(io, "127.0.0.2", node_a.transport->listen_port()));
  }
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.refusals().size() >= 16; }));
  const std::vector<Status> refusals =
      node_a.events->Read<std::vector<Status>>([](const Events& e) { return e.refusals(); });
  EXPECT_EQ(refusals.size(), 16u);
  for (const Status& reason : refusals) {
    EXPECT_EQ(reason.code(), StatusCode::kResourceExhausted);
    EXPECT_NE(reason.message().find("127.0.0.2"), std::string::npos) << reason.ToString();
  }
  EXPECT_EQ(node_a.transport->pending_handshakes(), 4u);
  EXPECT_EQ(node_a.transport->handshake_stats().refused_per_address, 16u);
  EXPECT_TRUE(ServerCloses(idle.back()));
}

// Finding 4: idle connections that filled every pending slot kept a restarted
// validator out for as long as they lasted. Now the oldest pending handshake
// makes room, and a real peer finishes its handshake at once.
TEST(Transport, IdleConnectionsCannotKeepARestartedValidatorOut) {
  const PrivateKey a = NewKey(), b = NewKey();
  constexpr size_t kSlots = 8;
  Node node_a = StartNode({&a, &b}, 0, {}, [](TransportOptions& o) {
    o.handshake_timeout_ms = 600'000;  // the idle connections outlive the test
    o.pending_handshakes_max = kSlots;
    o.pending_handshakes_per_address_max = 1;
  });
  asio::io_context io;
  std::vector<tcp::socket> idle;
  // One more than the slots, each from its own address: every slot is taken by
  // an idle connection, and the first one was closed to make room.
  for (size_t i = 0; i <= kSlots; ++i) {
    idle.push_back(IdleConnection(io, "127.0.0." + std::to_string(2 + i),
                                  node_a.transport->listen_port()));
  }
  ASSERT_TRUE(node_a.events->WaitUntil([](const Events& e) { return e.refusals().size() >= 1; }));
  EXPECT_EQ(node_a.transport->pending_handshakes(), kSlots);
  EXPECT_TRUE(ServerCloses(idle.front()));
  // The validator (re)starts and dials in.
  Node node_b = StartNode({&a, &b}, 1, {{0, Loopback(node_a.transport->listen_port())}});
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  EXPECT_GE(node_a.transport->handshake_stats().evicted, 2u);
  const Bytes frame = ToBytes("back in");
  EXPECT_TRUE(Deliver(node_b, 0, node_a, 1, frame));
}

// Consensus frames are written before bulk frames queued earlier (a vote never
// waits behind megabytes of blocks), and a full queue drops bulk first.
TEST(Transport, ConsensusFramesOvertakeQueuedBulkFrames) {
  const PrivateKey a = NewKey(), b = NewKey();
  std::promise<void> release;
  // B's I/O thread stalls on its first frame, so A's socket buffers and then
  // its 8-frame queue fill with bulk frames.
  const std::shared_future<void> gate = release.get_future().share();
  Node node_a = StartNode({&a, &b}, 0, {}, [](TransportOptions& o) { o.send_queue_frames_max = 8; });
  Node node_b = StartNode({&a, &b}, 1, {{0, Loopback(node_a.transport->listen_port())}}, nullptr, 0,
                          gate);
  ASSERT_TRUE(Connected(*node_a.events, 1));
  ASSERT_TRUE(Connected(*node_b.events, 0));
  constexpr uint32_t kBulk = 400;  // 25 MiB: far more than loopback socket buffers hold
  for (uint32_t i = 0; i < kBulk; ++i) {
    ASSERT_TRUE(node_a.transport->Send(1, Bytes(64 * 1024, 'b'), Priority::kBulk).ok());
  }
  const Bytes vote = ToBytes("vote");
  ASSERT_TRUE(node_a.transport->Send(1, vote, Priority::kConsensus).ok());
  const uint64_t dropped = node_a.transport->stats(1).frames_dropped_queue_full;
  EXPECT_GT(dropped, 0u);
  release.set_value();
  ASSERT_TRUE(node_b.events->WaitUntil(
      [&](const Events& e) { return e.frame_count() == kBulk + 1 - dropped; }));
  const auto frames =
      node_b.events->Read<std::vector<Bytes>>([](const Events& e) { return e.FramesFrom(0); });
  const auto at = std::find(frames.begin(), frames.end(), vote);
  ASSERT_NE(at, frames.end()) << "the vote was dropped";
  // The bulk frames still queued when the vote came were written after it.
  EXPECT_GE(frames.end() - at - 1, 4);
}

}  // namespace
}  // namespace evidence::node::p2p
