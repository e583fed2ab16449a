// The HTTP/1.1 server: Boost.Beast over Asio, asynchronous, keep-alive, a small
// pool of threads, each running its own io_context; connections are dealt out
// to them in turn and stay on one thread. Beast stays inside server.cc (this
// header is Beast-free).
//
// Protection against clients (all bounds in ServerOptions, defaults from limits.h;
// a client is a remote address):
//   - the request line and headers must arrive within header_timeout (an idle
//     kept-alive connection waits for its next request that long), the whole
//     request within request_timeout, else the connection is closed
//     (slowloris); a response must be taken within request_timeout;
//   - headers over header_bytes_max -> 431; a body over body_bytes_max -> 413
//     (also early, on Content-Length or Expect: 100-continue); then close;
//   - a body's memory is reserved as its bytes arrive (never Content-Length up
//     front), from its client's budget (client_body_bytes_max) and the server's
//     (body_bytes_in_flight_max); a body that would exceed either -> 429;
//   - malformed HTTP (request line, headers, chunked encoding) -> 400 and close;
//   - at most connections_max open connections, at most
//     connections_per_client_max of them from one client: the next one gets 429
//     with Retry-After and is closed.
// Refusals are counted ({route="transport"}) and logged as event=http_refused,
// at most a few lines a second (the first line after a flood says how many
// were left out).
// The handler gets only complete, well-formed requests. Responses to requests that
// were refused here are problem+json like the router's.
//
// Thread-safety: Start and Stop from one controlling thread. The handler runs on
// pool threads, concurrently for different connections; it must call the Reply
// exactly once, from any thread. Stop closes the listener and every connection,
// and joins the threads; pending replies are then dropped. Stop is idempotent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http/router.h"
#include "common/limits.h"
#include "common/status.h"

namespace evidence::metrics {
class CounterFamily;
}  // namespace evidence::metrics

namespace evidence::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see Server::port())
  size_t threads = 2;
  size_t connections_max = limits::kHttpConnectionsMax;
  size_t connections_per_client_max = limits::kHttpConnectionsPerClientMax;
  std::chrono::milliseconds header_timeout{limits::kHttpHeaderTimeoutMsDefault};
  std::chrono::milliseconds request_timeout{limits::kHttpRequestTimeoutMsDefault};
  size_t header_bytes_max = limits::kHttpHeaderBytesMax;
  size_t body_bytes_max = limits::kHttpBodyBytesMax;
  size_t client_body_bytes_max = limits::kHttpClientBodyBytesMax;
  size_t body_bytes_in_flight_max = limits::kHttpBodyBytesInFlightMax;
  // Counts answers given by the server itself (malformed HTTP, limits) as
  // {route = "transport", code}. May be null.
  metrics::CounterFamily* requests = nullptr;
};

using RequestHandler = std::function<void(HttpRequest request, Reply reply)>;

class Server {
 public:
  Server(ServerOptions options, RequestHandler handler);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Returns the bound port.
  Result<uint16_t> Start();
  void Stop();

  uint16_t port() const;
  size_t connections() const;            // open connections now
  size_t body_bytes_in_flight() const;   // request bytes received and not yet handled

  struct Impl;  // server.cc only (public so its connection type can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace evidence::api
