// The real server on 127.0.0.1 over a fake NodeService: every route through
// Beast, and raw broken HTTP through plain sockets. The only Beast test TU.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <thread>

#include "api/http/api_server.h"
#include "api/http/arriving_body.h"
#include "common/metrics.h"
#include "fake_node_service.h"

namespace evidence::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using testing::FakeNodeService;

const std::string kCaseId = "(2026)鲁0831行复12号";
const std::string kCaseIdEncoded = "%282026%29%E9%B2%810831%E8%A1%8C%E5%A4%8D12%E5%8F%B7";

std::string RecordJson(int n) {
  return boost::json::serialize(boost::json::object{
      {"v", 1}, {"case_id", kCaseId}, {"digest", "sha256:" + std::string(64, 'f')}, {"n", n}});
}

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string allow;
  std::string retry_after;
  bool keep_alive = false;
};

// A connected socket whose reads give up after 20 s, so a server that fails to
// close a connection fails the test instead of hanging it.
tcp::socket Connect(asio::io_context& io, uint16_t port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval guard{20, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  return socket;
}

// A connected socket from another loopback address (all of 127/8 is loopback on
// Linux): a second client, as the server's per-client limits see it.
tcp::socket ConnectFrom(asio::io_context& io, uint16_t port, const std::string& source) {
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(source), 0));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval guard{20, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  return socket;
}

// The server's threads act on their own and there is no event to wait on: spin
// (yielding) until `condition` holds, at most 20 s.
bool WaitUntil(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

Answer Exchange(tcp::socket& socket, http::verb method, const std::string& target,
                const std::string& body = "", const std::string& authorization = "") {
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  const auto& response = parser.get();
  return Answer{
      static_cast<int>(response.result_int()),          response.body(),
      std::string(response[http::field::content_type]), std::string(response[http::field::allow]),
      std::string(response[http::field::retry_after]),  response.keep_alive()};
}

std::string ProblemOf(const Answer& answer) {
  if (answer.content_type != "application/problem+json") return "";
  const std::string type(boost::json::parse(answer.body).at("type").as_string());
  return type.substr(kProblemTypeUriPrefix.size());
}

// Sends raw bytes, optionally half-closes, and returns everything the server
// sends until it closes the connection.
std::string Raw(uint16_t port, const std::string& bytes, bool half_close = false) {
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  beast::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  if (half_close) socket.shutdown(tcp::socket::shutdown_send, ec);
  std::string received;
  char chunk[4096];
  while (true) {
    const size_t n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
    if (ec) break;
  }
  EXPECT_NE(ec, asio::error::would_block) << "the server kept the connection open";
  EXPECT_NE(ec, asio::error::try_again) << "the server kept the connection open";
  return received;
}

// "HTTP/1.1 400 Bad Request..." -> 400; 0 when nothing came back.
int StatusOf(const std::string& raw) {
  if (raw.size() < 12 || raw.rfind("HTTP/1.", 0) != 0) return 0;
  return std::stoi(raw.substr(9, 3));
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ApiServerOptions options = {}) {
    options.server.threads = 2;
    api_ = std::make_unique<ApiServer>(service_, options, &registry_);
    auto port = api_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    service_.AddReader("court-token", Reader{"court-1", "court"});
    service_.AddReader("press-token", Reader{"press-1", "press"});
  }

  // One request on a fresh connection.
  Answer Send(http::verb method, const std::string& target, const std::string& body = "",
              const std::string& authorization = "") {
    asio::io_context io;
    tcp::socket socket = Connect(io, port_);
    return Exchange(socket, method, target, body, authorization);
  }

  void ExpectStillServing() {
    EXPECT_EQ(Send(http::verb::get, "/healthz").status, 200);
    EXPECT_EQ(service_.state_changes(), state_changes_expected_);
  }

  FakeNodeService service_;
  metrics::Registry registry_;
  std::unique_ptr<ApiServer> api_;
  uint16_t port_ = 0;
  size_t state_changes_expected_ = 0;
};

TEST_F(ServerTest, EveryRouteAnswersOverTheNetwork) {
  Start();
  EXPECT_EQ(Send(http::verb::get, "/healthz").status, 200);
  EXPECT_EQ(Send(http::verb::get, "/readyz").status, 200);
  EXPECT_EQ(Send(http::verb::get, "/v1/status").status, 200);
  EXPECT_EQ(ProblemOf(Send(http::verb::get, "/v1/tree-head")), "not-found");
  const Answer submitted = Send(http::verb::post, "/v1/records", RecordJson(1));
  ASSERT_EQ(submitted.status, 202) << submitted.body;
  const std::string id(boost::json::parse(submitted.body).at("id").as_string());
  EXPECT_EQ(Send(http::verb::post, "/v1/records", RecordJson(1)).status, 200);
  service_.Commit(id);
  EXPECT_EQ(Send(http::verb::post, "/v1/batches", "{\"records\":[" + RecordJson(2) + "]}").status,
            202);
  EXPECT_EQ(Send(http::verb::get, "/v1/records/" + id).status, 401);
  EXPECT_EQ(Send(http::verb::get, "/v1/records/" + id + "?digest=sha256:" + std::string(64, 'f')).status,
            200);
  EXPECT_EQ(Send(http::verb::get, "/v1/digests/sha256:" + std::string(64, 'f')).status, 200);
  EXPECT_EQ(Send(http::verb::get, "/v1/cases/" + kCaseIdEncoded).status, 401);
  EXPECT_EQ(Send(http::verb::get, "/v1/cases/" + kCaseIdEncoded, "", "Bearer press-token").status,
            403);
  const Answer trail =
      Send(http::verb::get, "/v1/cases/" + kCaseIdEncoded, "", "Bearer court-token");
  ASSERT_EQ(trail.status, 200) << trail.body;
  EXPECT_EQ(boost::json::parse(trail.body).at("case_id").as_string(), kCaseId);
  EXPECT_EQ(Send(http::verb::get, "/v1/blocks/1").status, 200);
  EXPECT_EQ(Send(http::verb::get, "/v1/blocks?from=1&limit=10").status, 200);
  EXPECT_EQ(Send(http::verb::get, "/v1/tree-head").status, 200);
  EXPECT_EQ(Send(http::verb::get, "/v1/consistency?from=1&to=1").status, 200);
  const Answer metrics = Send(http::verb::get, "/metrics");
  EXPECT_EQ(metrics.content_type, metrics::kPrometheusContentType);
  EXPECT_NE(metrics.body.find("evidence_http_requests_total{route=\"/v1/records\",code=\"202\"} 1"),
            std::string::npos);
  const Answer openapi = Send(http::verb::get, "/openapi.yaml");
  EXPECT_EQ(openapi.body, OpenApiYaml());
  const Answer wrong = Send(http::verb::delete_, "/v1/status");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET");
  EXPECT_EQ(ProblemOf(Send(http::verb::get, "/nope")), "not-found");
}

TEST_F(ServerTest, KeepAliveAndPipeliningServeManyRequestsOnOneConnection) {
  Start();
  asio::io_context io;
  tcp::socket socket = Connect(io, port_);
  for (int i = 0; i < 5; ++i) {
    const Answer answer = Exchange(socket, http::verb::get, "/healthz");
    EXPECT_EQ(answer.status, 200);
    EXPECT_TRUE(answer.keep_alive);
  }
  EXPECT_EQ(Exchange(socket, http::verb::post, "/v1/records", "{").status, 400);  // stays open
  EXPECT_EQ(Exchange(socket, http::verb::get, "/healthz").status, 200);
  const std::string two =
      "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /v1/status HTTP/1.1\r\nHost: a\r\n"
      "Connection: close\r\n\r\n";
  const std::string raw = Raw(port_, two);
  EXPECT_EQ(StatusOf(raw), 200);
  EXPECT_NE(raw.find("test-chain"), std::string::npos);  // the second answer came too
}

TEST_F(ServerTest, WaitForCommitAnswers201OverTheNetwork) {
  Start();
  const std::string id = FakeNodeService::IdOf(boost::json::parse(RecordJson(3)).as_object());
  std::thread committer([&] {
    service_.WaitForWatches(1);
    service_.Commit(id);
  });
  const Answer answer =
      Send(http::verb::post, "/v1/records?wait=commit&timeout_ms=60000", RecordJson(3));
  committer.join();
  ASSERT_EQ(answer.status, 201) << answer.body;
  EXPECT_EQ(boost::json::parse(answer.body).at("receipt").at("record_id").as_string(), id);
}

TEST_F(ServerTest, StopAnswersPendingWaitsAndClosesConnections) {
  Start();
  asio::io_context io;
  tcp::socket idle = Connect(io, port_);
  EXPECT_EQ(Exchange(idle, http::verb::get, "/healthz").status, 200);
  std::string waiting_result;
  std::thread waiter([&] {
    waiting_result =
        Raw(port_, "POST /v1/records?wait=commit HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                       std::to_string(RecordJson(4).size()) + "\r\n\r\n" + RecordJson(4));
  });
  service_.WaitForWatches(1);
  api_->Stop();
  waiter.join();
  EXPECT_EQ(StatusOf(waiting_result), 0);  // closed without an answer, never hung
  char byte;
  beast::error_code ec;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(service_.open_watches(), 0u);
}

TEST_F(ServerTest, Expect100ContinueIsHonoured) {
  Start();
  asio::io_context io;
  tcp::socket socket = Connect(io, port_);
  const std::string body = RecordJson(5);
  const std::string head =
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  asio::write(socket, asio::buffer(head));
  beast::flat_buffer buffer;
  http::response<http::empty_body> interim;
  http::response_parser<http::empty_body> interim_parser;
  http::read_header(socket, buffer, interim_parser);
  EXPECT_EQ(interim_parser.get().result(), http::status::continue_);
  asio::write(socket, asio::buffer(body));
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 202u) << response.body();
}

TEST_F(ServerTest, MalformedBodiesOverTheNetworkAreRefusedAndChangeNothing) {
  Start();
  const std::vector<std::pair<std::string, std::string>> corpus = {
      {"", "malformed-json"},
      {"{\"v\":1", "malformed-json"},
      {"{\"v\":1}{}", "malformed-json"},
      {"{\"v\":1,\"v\":1}", "duplicate-key"},
      {std::string(100'000, '[') + std::string(100'000, ']'), "too-deep"},
      {"{\"size\":1.0}", "float-not-allowed"},
      {"{\"size\":1E400}", "float-not-allowed"},
      {"{\"t\":\"\xc3\x28\"}", "invalid-utf8"},
      {"{\"t\":\"\\ud800\"}", "invalid-utf8"},
      {"null", "wrong-type"},
      {"{\"fail\":\"record.bad_signature\"}", "bad-signature"},
  };
  for (const auto& [body, problem] : corpus) {
    const Answer answer = Send(http::verb::post, "/v1/records", body);
    EXPECT_EQ(answer.status / 100, 4) << body.substr(0, 40);
    EXPECT_EQ(ProblemOf(answer), problem) << body.substr(0, 40);
    EXPECT_EQ(Send(http::verb::post, "/v1/batches", "{\"records\":[" + body + "]}").status / 100,
              4);
  }
  EXPECT_EQ(ProblemOf(Send(http::verb::get, "/v1/cases/%zz", "", "Bearer court-token")),
            "bad-request");
  EXPECT_EQ(ProblemOf(Send(http::verb::get, "/v1/cases/%E9", "", "Bearer court-token")),
            "bad-request");
  EXPECT_EQ(ProblemOf(Send(http::verb::get, "/v1/digests/sha256%3Azz")), "bad-digest");
  ExpectStillServing();
}

TEST_F(ServerTest, BrokenHttpGets400OrAClosedConnectionNever5xx) {
  ApiServerOptions options;
  options.server.request_timeout = std::chrono::milliseconds(2000);
  Start(options);
  const std::vector<std::string> corpus = {
      "HELLO\r\n\r\n",
      "GET\r\n\r\n",
      "GET /healthz\r\n\r\n",
      "GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost a\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHo st: a\r\n\r\n",
      "GET /he\x01lthz HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: a\x7f\x00\r\n\r\n",
      "GET http://evil/healthz HTTP/1.1\r\nHost: a\r\n\r\n",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n{}",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\nffffffffffffffffff\r\n",
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: "
      "2\r\n\r\n{}",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS ClientHello
      std::string(5000, '\0'),
      "\r\n\r\n\r\n",
  };
  for (const std::string& bytes : corpus) {
    const std::string answer = Raw(port_, bytes, /*half_close=*/true);
    const int status = StatusOf(answer);
    EXPECT_TRUE(status == 0 || (status >= 400 && status < 500))
        << status << " for " << bytes.substr(0, 60);
  }
  ExpectStillServing();
}

TEST_F(ServerTest, TruncatedBodiesAndSlowClientsAreCutOff) {
  ApiServerOptions options;
  options.server.request_timeout = std::chrono::milliseconds(300);
  Start(options);
  // Half a body, then end of stream: nothing to answer, connection closed.
  EXPECT_EQ(StatusOf(Raw(
                port_, "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{\"v\":",
                true)),
            0);
  // Slowloris: a request that never completes is closed after request_timeout
  // (Raw's 20 s read guard fails the test if it is not).
  EXPECT_EQ(StatusOf(Raw(port_, "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ")), 0);
  EXPECT_EQ(
      StatusOf(Raw(port_, "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n{")),
      0);
  // An idle keep-alive connection is closed too.
  EXPECT_EQ(StatusOf(Raw(port_, "")), 0);
  ExpectStillServing();
}

TEST_F(ServerTest, SizeLimitsGive413And431) {
  ApiServerOptions options;
  options.server.body_bytes_max = 4096;
  options.server.header_bytes_max = 2048;
  Start(options);
  const std::string big(5000, ' ');
  const Answer too_large = Send(http::verb::post, "/v1/records", "{}" + big);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(ProblemOf(too_large), "too-large");
  // Declared too large up front: refused before any body is sent.
  EXPECT_EQ(
      StatusOf(
          Raw(port_, "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n")),
      413);
  // Chunked past the limit.
  std::string chunked =
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunked += "3e8\r\n" + std::string(1000, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  EXPECT_EQ(StatusOf(Raw(port_, chunked, true)), 413);
  const std::string long_header =
      "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(4000, 'x') + "\r\n\r\n";
  EXPECT_EQ(StatusOf(Raw(port_, long_header, true)), 431);
  EXPECT_EQ(
      StatusOf(Raw(port_, "GET /" + std::string(4000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", true)),
      431);
  ExpectStillServing();
}

TEST_F(ServerTest, ConnectionsOverTheCapGet429) {
  ApiServerOptions options;
  options.server.connections_max = 3;
  Start(options);
  asio::io_context io;
  std::vector<tcp::socket> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(Connect(io, port_));
    EXPECT_EQ(Exchange(open.back(), http::verb::get, "/healthz").status, 200);  // accepted and held
  }
  const std::string refused = Raw(port_, "");
  EXPECT_EQ(StatusOf(refused), 429);
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos);
  open.clear();  // the server sees these close and frees their slots
}

TEST_F(ServerTest, FullMempoolIs429WithRetryAfterOverTheNetwork) {
  Start();
  service_.set_mempool_full(true);
  const Answer answer = Send(http::verb::post, "/v1/records", RecordJson(9));
  EXPECT_EQ(answer.status, 429);
  EXPECT_EQ(answer.retry_after, "1");
  ExpectStillServing();
}

// ---- issue 17, finding 5: one client must not deny the API or pin its memory

TEST_F(ServerTest, OneClientCannotTakeEveryConnection) {
  ApiServerOptions options;
  options.server.connections_max = 48;
  options.server.connections_per_client_max = 8;
  Start(options);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 48; ++i) idle.push_back(Connect(io, port_));  // 127.0.0.1 tries them all
  // Another client is still served: only 8 of the 48 hold a slot.
  tcp::socket other = ConnectFrom(io, port_, "127.0.0.2");
  EXPECT_EQ(Exchange(other, http::verb::get, "/v1/status").status, 200);
  // The ninth connection of the first client got 429 and was closed.
  std::string refused;
  char chunk[4096];
  beast::error_code ec;
  while (!ec) refused.append(chunk, idle[8].read_some(asio::buffer(chunk), ec));
  EXPECT_EQ(StatusOf(refused), 429);
  EXPECT_NE(refused.find("from 127.0.0.1"), std::string::npos);
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos);
}

TEST_F(ServerTest, APartialHeaderHoldsItsSlotOnlyForTheHeaderTimeout) {
  ApiServerOptions options;
  options.server.request_timeout = std::chrono::milliseconds(60'000);
  options.server.header_timeout = std::chrono::milliseconds(200);
  Start(options);
  // Closed after 200 ms; Raw's 20 s read guard fails the test if it waited for
  // the 60 s request timeout.
  EXPECT_EQ(StatusOf(Raw(port_, "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ")), 0);
  EXPECT_EQ(StatusOf(Raw(port_, "")), 0);  // an idle connection too
  // A body, once the headers are in, has the rest of the request timeout.
  asio::io_context io;
  tcp::socket socket = Connect(io, port_);
  const std::string body = RecordJson(5);
  asio::write(socket, asio::buffer("POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_TRUE(WaitUntil([&] { return api_->connections() == 1; }));
  asio::write(socket, asio::buffer(body));
  std::string answer;
  char chunk[4096];
  beast::error_code ec;
  while (answer.find("\r\n\r\n") == std::string::npos && !ec) {
    answer.append(chunk, socket.read_some(asio::buffer(chunk), ec));
  }
  EXPECT_EQ(StatusOf(answer), 202);
}

TEST(ArrivingBodyTest, ABodyGrowsWithItsBytesNotWithItsAnnouncedLength) {
  const std::string head =
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 8388608\r\n\r\n";
  const std::string some(1000, 'x');
  auto feed = [&](auto& parser) {
    parser.body_limit(8 * 1024 * 1024);
    beast::error_code ec;
    size_t used = parser.put(asio::buffer(head), ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(used, head.size());
    used = parser.put(asio::buffer(some), ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(used, some.size());
  };
  // Beast's string_body reserves the whole announced length at once (the
  // 2.2 GiB of 300 partial bodies)...
  http::request_parser<http::string_body> reserving;
  feed(reserving);
  EXPECT_GE(reserving.get().body().capacity(), 8u * 1024 * 1024);
  // ... the server's body holds what came.
  http::request_parser<ArrivingBody> arriving;
  feed(arriving);
  EXPECT_EQ(arriving.get().body().text, some);
  EXPECT_LT(arriving.get().body().text.capacity(), 64u * 1024);
}

TEST_F(ServerTest, PartialBodiesPinOnlyTheirBytesAndAClientOverItsBudgetGets429) {
  ApiServerOptions options;
  options.server.body_bytes_max = 256 * 1024;
  options.server.client_body_bytes_max = 512 * 1024;
  options.server.body_bytes_in_flight_max = 4 * 1024 * 1024;
  Start(options);
  asio::io_context io;
  const std::string announce =
      "POST /v1/records HTTP/1.1\r\nHost: a\r\nContent-Length: 262144\r\n\r\n";
  // Twenty connections announce 256 KiB each and send 1 KiB: 20 KiB held, not 5 MiB.
  std::vector<tcp::socket> partial;
  for (int i = 0; i < 20; ++i) {
    partial.push_back(Connect(io, port_));
    asio::write(partial.back(), asio::buffer(announce + std::string(1024, ' ')));
  }
  EXPECT_TRUE(WaitUntil([&] { return api_->body_bytes_in_flight() == 20 * 1024; }))
      << api_->body_bytes_in_flight();
  // One more sends all but the last byte: the client now holds 276 KiB.
  partial.push_back(Connect(io, port_));
  asio::write(partial.back(), asio::buffer(announce + std::string(262143, ' ')));
  EXPECT_TRUE(WaitUntil([&] { return api_->body_bytes_in_flight() == 20 * 1024 + 262143; }));
  // A whole 256 KiB body from the same client would pass its 512 KiB share: 429.
  const std::string full = announce + std::string(262144 - 2, ' ') + "{}";
  const std::string refused = Raw(port_, full);
  EXPECT_EQ(StatusOf(refused), 429) << refused.substr(0, 300);
  EXPECT_NE(refused.find("in flight from 127.0.0.1"), std::string::npos);
  // Another client has its own share.
  tcp::socket other = ConnectFrom(io, port_, "127.0.0.2");
  asio::write(other, asio::buffer(announce + std::string(262144 - 2, ' ') + "{}"));
  std::string answer;
  char chunk[4096];
  beast::error_code ec;
  while (answer.find("\r\n\r\n") == std::string::npos && !ec) {
    answer.append(chunk, other.read_some(asio::buffer(chunk), ec));
  }
  EXPECT_EQ(StatusOf(answer), 202) << answer.substr(0, 300);
  state_changes_expected_ = 1;
  // Closing the partial bodies gives their bytes back.
  partial.clear();
  EXPECT_TRUE(WaitUntil([&] { return api_->body_bytes_in_flight() == 0; }))
      << api_->body_bytes_in_flight();
  ExpectStillServing();
}

}  // namespace
}  // namespace evidence::api
