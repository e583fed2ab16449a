// ApiServer: the node's HTTP API in one object — Server (transport), Router and
// ApiHandlers (routes of DESIGN.md §6), the web portal's pages and assets
// (portal.h), CommitWaiter (?wait=commit) — over a NodeService. This is what evidence-node creates:
//
//   metrics::Registry registry;  // common/metrics.h
//   ApiServer api(service, options, &registry);
//   EVIDENCE_ASSIGN_OR_RETURN(uint16_t port, api.Start());
//   ...
//   api.Stop();  // before `service` goes away
//
// With a registry, the server registers evidence_http_requests_total{route,code}
// in it and serves the whole registry at /metrics.
//
// Thread-safety: Start and Stop from one controlling thread. The NodeService and
// the registry must outlive the ApiServer (or at least its Stop()).
#pragma once

#include <cstdint>
#include <memory>

#include "api/http/handlers.h"
#include "api/http/server.h"
#include "common/metrics.h"

namespace evidence::api {

struct ApiServerOptions {
  ServerOptions server;
  HandlerOptions handlers;
};

class ApiServer {
 public:
  ApiServer(NodeService& service, ApiServerOptions options,
            metrics::Registry* registry = nullptr);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Result<uint16_t> Start();
  // Closes every connection, completes pending waits and cancels their watches,
  // and cancels a supervision report being made (waiting for its thread).
  void Stop();
  uint16_t port() const;
  size_t connections() const;
  size_t body_bytes_in_flight() const;

 private:
  // Order matters: members go in reverse order, so the waiter completes every wait
  // (whose replies post into the server's io_context) before the server goes.
  Router router_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<CommitWaiter> waiter_;
  std::unique_ptr<ApiHandlers> handlers_;
};

}  // namespace evidence::api
