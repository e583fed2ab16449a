#include "api/http/api_server.h"

#include "api/http/portal.h"

namespace evidence::api {

ApiServer::ApiServer(NodeService& service, ApiServerOptions options,
                     metrics::Registry* registry) {
  metrics::CounterFamily* http_requests = nullptr;
  if (registry != nullptr) {
    http_requests = &registry->AddCounterFamily(
        "evidence_http_requests_total", "HTTP requests answered, by route and status code.",
        {"route", "code"});
  }
  if (options.server.requests == nullptr) options.server.requests = http_requests;
  server_ = std::make_unique<Server>(options.server, [this](HttpRequest request, Reply reply) {
    router_.Dispatch(request, std::move(reply));
  });
  waiter_ = std::make_unique<CommitWaiter>(service);
  handlers_ = std::make_unique<ApiHandlers>(service, *waiter_, registry, options.handlers);
  handlers_->Register(router_);
  RegisterPortal(router_);
  router_.set_request_counter(http_requests);
}

ApiServer::~ApiServer() { Stop(); }

Result<uint16_t> ApiServer::Start() { return server_->Start(); }

void ApiServer::Stop() {
  server_->Stop();
  waiter_->Stop();
  handlers_->Stop();
}

uint16_t ApiServer::port() const { return server_->port(); }

size_t ApiServer::connections() const { return server_->connections(); }

size_t ApiServer::body_bytes_in_flight() const { return server_->body_bytes_in_flight(); }

}  // namespace evidence::api
