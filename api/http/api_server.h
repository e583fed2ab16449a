// ApiServer: the node's HTTP API in one object — Server (transport), Router and
// ApiHandlers (routes of DESIGN.md §6), CommitWaiter (?wait=commit) — over a
// NodeService. This is what evidence-node creates:
//
//   metrics::Registry registry;
//   metrics::NodeMetrics node_metrics(registry);
//   ApiServer api(service, options, &registry, &node_metrics.http_requests);
//   EVIDENCE_ASSIGN_OR_RETURN(uint16_t port, api.Start());
//   ...
//   api.Stop();  // before `service` goes away
//
// Thread-safety: Start and Stop from one controlling thread. The NodeService and
// the metrics must outlive the ApiServer (or at least its Stop()).
#pragma once

#include <cstdint>
#include <memory>

#include "api/http/handlers.h"
#include "api/http/server.h"

namespace evidence::api {

struct ApiServerOptions {
  ServerOptions server;
  HandlerOptions handlers;
};

class ApiServer {
 public:
  ApiServer(NodeService& service, ApiServerOptions options,
            const metrics::Registry* registry = nullptr,
            metrics::CounterFamily* http_requests = nullptr);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Result<uint16_t> Start();
  // Closes every connection, completes pending waits and cancels their watches.
  void Stop();
  uint16_t port() const;
  size_t connections() const;

 private:
  // Order matters: members go in reverse order, so the waiter completes every wait
  // (whose replies post into the server's io_context) before the server goes.
  Router router_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<CommitWaiter> waiter_;
  std::unique_ptr<ApiHandlers> handlers_;
};

}  // namespace evidence::api
