#include "api/http/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/http/arriving_body.h"
#include "api/http/client_table.h"
#include "common/log_throttle.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/thread.h"

namespace evidence::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session;

struct Server::Impl {
  Impl(ServerOptions options_in, RequestHandler handler_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        clients(options.connections_max, options.connections_per_client_max,
                options.client_body_bytes_max, options.body_bytes_in_flight_max) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);

  // A refusal of a client (limits, malformed HTTP): counted, and logged at most
  // a few lines a second however many there are.
  void LogRefusal(const std::string& client, int status, const std::string& detail);

  const ServerOptions options;
  const RequestHandler handler;
  ClientTable clients;
  LogThrottle refusal_log{5, std::chrono::seconds(1)};
  Mutex sessions_mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions EVIDENCE_GUARDED_BY(sessions_mutex);
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
  // One io_context per thread, each run by exactly that thread: a connection
  // stays on one thread (no strand, no hand-over between threads), and
  // connections are dealt out in turn. `io` (thread 0) also accepts.
  asio::io_context& NextContext() {
    size_t i = next_context++ % (extra.size() + 1);
    return i == 0 ? io : *extra[i - 1];
  }
  size_t next_context = 0;  // touched by the accepting thread only
  // Declared last so they go first: destroying an io_context destroys pending
  // handlers and with them sessions, which unregister above.
  std::vector<std::unique_ptr<asio::io_context>> extra;  // threads 1..n-1
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
};

// One connection: read a request, hand it to the handler, write the reply, repeat.
class Session : public std::enable_shared_from_this<Session>, public BodyBudget {
 public:
  Session(tcp::socket socket, std::string client, Server::Impl& server)
      : stream_(std::move(socket)), client_(std::move(client)), server_(server) {
    admission_ = server_.clients.Open(client_);
  }
  ~Session() override {
    server_.Unregister(this);
    if (admission_ == ClientTable::Admission::kAdmitted) {
      server_.clients.Close(client_, body_reserved_);
    }
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->admission_ == ClientTable::Admission::kAdmitted) return self->ReadHeader();
      const bool server_full = self->admission_ == ClientTable::Admission::kServerFull;
      self->RefuseTooMany(server_full ? "too many open connections; retry later"
                                      : "too many open connections from " + self->client_ +
                                            " (at most " +
                                            std::to_string(
                                                self->server_.options.connections_per_client_max) +
                                            " a client); retry later");
    });
  }

  // Only once the io_context has stopped (no handler can run concurrently).
  void CloseNow() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  // BodyBudget: the body's bytes, as they arrive.
  bool Reserve(size_t bytes) override {
    if (!server_.clients.ReserveBody(client_, bytes)) {
      body_budget_exceeded_ = true;
      return false;
    }
    body_reserved_ += bytes;
    return true;
  }

 private:
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void OnReadError(beast::error_code ec);
  void Handle();
  void Write(HttpResponse response);
  void OnWrite(bool close, beast::error_code ec);
  void Refuse(ProblemType type, std::string detail);
  void RefuseTooMany(std::string detail);
  void ReleaseBody();

  beast::tcp_stream stream_;
  const std::string client_;  // the remote address, without the port
  Server::Impl& server_;
  ClientTable::Admission admission_ = ClientTable::Admission::kAdmitted;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<ArrivingBody>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  size_t body_reserved_ = 0;  // of the request being read or handled
  bool body_budget_exceeded_ = false;
};

void Session::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_.options.header_bytes_max));
  parser_->body_limit(server_.options.body_bytes_max);
  parser_->get().body().budget = this;
  // The headers (or, kept alive, the next request) must come within the header
  // timeout, the body within the rest of the request timeout: a client that
  // trickles bytes is cut off.
  stream_.expires_after(std::min(server_.options.header_timeout, server_.options.request_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  stream_.expires_after(server_.options.request_timeout);
  const auto& request = parser_->get();
  version_ = request.version();
  if (beast::iequals(request[http::field::expect], "100-continue") && !parser_->is_done()) {
    auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                      request.version());
    http::async_write(stream_, *interim,
                      [self = shared_from_this(), interim](beast::error_code write_ec, size_t) {
                        if (write_ec) return self->CloseNow();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  stream_.expires_never();  // the handler may wait for a commit; the reply sets a deadline
  Handle();
}

void Session::OnReadError(beast::error_code ec) {
  static const auto& kHttpCategory =
      beast::http::make_error_code(http::error::bad_target).category();
  if (body_budget_exceeded_) {
    return RefuseTooMany("too many request bytes in flight from " + client_ +
                         " (at most " + std::to_string(server_.options.client_body_bytes_max) +
                         " a client); retry later");
  }
  if (ec == http::error::body_limit) {
    return Refuse(
        ProblemType::kTooLarge,
        "the body is larger than " + std::to_string(server_.options.body_bytes_max) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return Refuse(ProblemType::kHeadersTooLarge,
                  "the request line and headers exceed " +
                      std::to_string(server_.options.header_bytes_max) + " bytes");
  }
  // A clean end, a timeout, a reset or a truncated message: nobody to answer.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec.category() != kHttpCategory) {
    return CloseNow();
  }
  Refuse(ProblemType::kBadRequest, "malformed HTTP request: " + ec.message());
}

void Session::Refuse(ProblemType type, std::string detail) {
  ReleaseBody();
  keep_alive_ = false;
  server_.LogRefusal(client_, ProblemHttpStatus(type), detail);
  HttpResponse response = ProblemResponse(MakeError(type, std::move(detail)), "/");
  if (server_.options.requests != nullptr) {
    server_.options.requests->Increment({"transport", std::to_string(response.status)});
  }
  Write(std::move(response));
}

void Session::RefuseTooMany(std::string detail) {
  ReleaseBody();
  keep_alive_ = false;
  server_.LogRefusal(client_, 429, detail);
  ApiError error = MakeError(ProblemType::kTooMany, std::move(detail));
  error.retry_after_seconds = 1;
  if (server_.options.requests != nullptr) {
    server_.options.requests->Increment({"transport", "429"});
  }
  Write(ProblemResponse(error, "/"));
}

void Session::ReleaseBody() {
  if (body_reserved_ == 0) return;
  server_.clients.ReleaseBody(client_, body_reserved_);
  body_reserved_ = 0;
}

void Session::Handle() {
  http::request<ArrivingBody> request = parser_->release();
  keep_alive_ = request.keep_alive();
  HttpRequest plain;
  plain.method = std::string(request.method_string());
  plain.target = std::string(request.target());
  plain.authorization = std::string(request[http::field::authorization]);
  plain.content_type = std::string(request[http::field::content_type]);
  plain.body = std::move(request.body().text);
  auto replied = std::make_shared<std::atomic<bool>>(false);
  Reply reply = [self = shared_from_this(), replied](HttpResponse response) {
    if (replied->exchange(true)) return;
    // Inline when the handler answers on the session's thread (most do), so an
    // answer costs no trip through the io_context; from another thread, queued.
    asio::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->Write(std::move(response));
    });
  };
  const std::string instance = InstanceOf(plain.target);
  try {
    server_.handler(std::move(plain), reply);
  } catch (...) {
    // The session boundary: nothing escapes into Asio. Handlers turn client input
    // into 4xx themselves, so what lands here is an internal failure.
    reply(ProblemResponse(MakeError(ProblemType::kInternal, "internal error"), instance));
  }
  // The handler has parsed the body (a wait keeps only what it took from it).
  ReleaseBody();
}

void Session::Write(HttpResponse response) {
  response_ = {};
  response_.version(version_);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(http::field::server, "evidence-ledger");
  response_.set(http::field::content_type, response.content_type);
  response_.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive_ && !response.close);
  response_.prepare_payload();
  const bool close = !response_.keep_alive();
  stream_.expires_after(server_.options.request_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this(), close](beast::error_code ec, size_t) {
                      self->OnWrite(close, ec);
                    });
}

void Session::OnWrite(bool close, beast::error_code ec) {
  if (ec || close) return CloseNow();
  ReadHeader();
}

void Server::Impl::Register(const std::shared_ptr<Session>& session) {
  MutexLock lock(&sessions_mutex);
  sessions.emplace(session.get(), session);
}

void Server::Impl::Unregister(Session* session) {
  MutexLock lock(&sessions_mutex);
  sessions.erase(session);
}

void Server::Impl::Accept() {
  acceptor.async_accept(NextContext(), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // E.g. out of file descriptors: back off briefly instead of spinning.
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  beast::error_code endpoint_ec;
  const tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
  std::string client = endpoint_ec ? "unknown" : remote.address().to_string();
  auto session = std::make_shared<Session>(std::move(socket), std::move(client), *this);
  Register(session);
  session->Start();
  Accept();
}

void Server::Impl::LogRefusal(const std::string& client, int status, const std::string& detail) {
  if (std::optional<uint64_t> suppressed = refusal_log.Admit(LogThrottle::Clock::now())) {
    spdlog::warn("event=http_refused client={} status={} reason=\"{}\" suppressed={}", client,
                 status, detail.substr(0, 200), *suppressed);
  }
}

Server::Server(ServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
  EVIDENCE_CHECK(impl_->options.threads >= 1);
  EVIDENCE_CHECK(impl_->options.connections_max >= 1);
  EVIDENCE_CHECK(impl_->options.connections_per_client_max >= 1);
  EVIDENCE_CHECK(impl_->options.client_body_bytes_max >= impl_->options.body_bytes_max);
  EVIDENCE_CHECK(impl_->options.body_bytes_in_flight_max >= impl_->options.client_body_bytes_max);
}

Server::~Server() { Stop(); }

Result<uint16_t> Server::Start() {
  EVIDENCE_CHECK(!impl_->started);
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + impl_->options.address + "'");
  const tcp::endpoint endpoint(address, impl_->options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Status::IoError("cannot listen on " + impl_->options.address + ":" +
                           std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->started = true;
  for (size_t i = 1; i < impl_->options.threads; ++i) {
    impl_->extra.push_back(std::make_unique<asio::io_context>(1));
  }
  impl_->Accept();
  impl_->threads.emplace_back([impl = impl_.get()] {
    NameCurrentThread("api");
    impl->io.run();
  });
  for (auto& context : impl_->extra) {
    // Kept running while idle: its connections come and go.
    impl_->threads.emplace_back([context = context.get()] {
      NameCurrentThread("api");
      auto work = asio::make_work_guard(*context);
      context->run();
    });
  }
  return impl_->port;
}

void Server::Stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->io.stop();
  for (auto& context : impl_->extra) context->stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  // No handler runs now: close the listener and every connection from here.
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  std::vector<std::shared_ptr<Session>> open;
  {
    MutexLock lock(&impl_->sessions_mutex);
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->CloseNow();
}

uint16_t Server::port() const { return impl_->port; }

size_t Server::connections() const { return impl_->clients.connections(); }

size_t Server::body_bytes_in_flight() const { return impl_->clients.body_bytes(); }

}  // namespace evidence::api
