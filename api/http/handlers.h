// The routes of DESIGN.md §6 over a NodeService: request parsing and checking,
// each route's Access (access.h: the Router checks readers before a handler
// runs; handlers redact what the caller may not see), ?wait=commit, and the
// JSON shapes of the answers (documented in api/openapi.yaml and docs/api.md).
//
// Every refusal is a problem+json answer; nothing refused reaches the service's
// state-changing calls (SubmitRecord, SubmitBatch) unless the body is strict JSON.
// Submissions are rate-limited per agency (the record's "agency" field; only
// records the service accepted are charged): an agency over its rate gets 429.
// Supervision reports (tens of seconds over a year of 100,000 cases) are made on
// a thread of their own, one at a time (a second request meanwhile gets 429), so
// they never hold the connections of an HTTP pool thread.
//
// Thread-safety: handlers may run concurrently; the NodeService, CommitWaiter and
// Registry passed in must outlive this object and every reply it has started.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>

#include "api/http/commit_waiter.h"
#include "api/http/node_service.h"
#include "api/http/rate_limiter.h"
#include "api/http/router.h"
#include "common/limits.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace evidence::metrics {
class Registry;
}  // namespace evidence::metrics

namespace evidence::api {

// The OpenAPI document (api/openapi.yaml), embedded at build time.
std::string_view OpenApiYaml();

struct HandlerOptions {
  std::chrono::milliseconds wait_timeout_default{limits::kHttpWaitTimeoutMsDefault};
  std::chrono::milliseconds wait_timeout_max{limits::kHttpWaitTimeoutMsMax};
  // Per-agency limit on accepted records (RateLimiter); 0 disables it.
  double agency_records_per_second = limits::kAgencyRecordsPerSecondDefault;
  double agency_burst_records = limits::kAgencyBurstRecordsDefault;
  size_t rate_limited_agencies_max = limits::kRateLimitedAgenciesMax;
};

class ApiHandlers {
 public:
  // `registry` (may be null: /metrics then answers 404) is rendered at /metrics.
  ApiHandlers(NodeService& service, CommitWaiter& waiter, const metrics::Registry* registry,
              HandlerOptions options = {});
  ~ApiHandlers();  // Stop()
  ApiHandlers(const ApiHandlers&) = delete;
  ApiHandlers& operator=(const ApiHandlers&) = delete;

  // Adds every route to `router`.
  void Register(Router& router);

  // Cancels a supervision report being made (its request is answered 503) and
  // waits for its thread. Later report requests are answered 503 at once.
  // Idempotent; call from the controlling thread once the server has stopped
  // dispatching requests (ApiServer::Stop does), not from a handler.
  void Stop();

 private:
  using Params = std::vector<std::string_view>;
  void SubmitRecord(const HttpRequest& request, Reply reply);
  void SubmitBatch(const HttpRequest& request, Reply reply);
  void SubmitGovernance(const HttpRequest& request, Reply reply);
  // GET /v1/agencies and /v1/validators: one list of the register in force.
  void GetRegisterList(const HttpRequest& request, std::string_view list, Reply reply);
  void GetRecord(const HttpRequest& request, const Params& params, Reply reply);
  void GetTimestamp(const HttpRequest& request, const Params& params, Reply reply);
  void GetCheckpoint(const HttpRequest& request, Reply reply);
  void AddCosignature(const HttpRequest& request, Reply reply);
  void AddAnchor(const HttpRequest& request, Reply reply);
  void ListAnchors(const HttpRequest& request, Reply reply);
  void FindByDigest(const HttpRequest& request, const Params& params, Reply reply);
  void GetCase(const HttpRequest& request, const Params& params, Reply reply);
  void SupervisionReport(const HttpRequest& request, Reply reply);
  static BlockDetail DetailFor(const HttpRequest& request);
  void GetBlock(const HttpRequest& request, const Params& params, Reply reply);
  void ListBlocks(const HttpRequest& request, Reply reply);
  void ListGovernanceBlocks(const HttpRequest& request, Reply reply);
  void GetTreeHead(const HttpRequest& request, Reply reply);
  void GetConsistency(const HttpRequest& request, Reply reply);
  void GetStatus(const HttpRequest& request, Reply reply);
  void GetReady(const HttpRequest& request, Reply reply);

  NodeService& service_;
  CommitWaiter& waiter_;
  const metrics::Registry* registry_;
  HandlerOptions options_;
  RateLimiter limiter_;
  // The supervision report's thread (one), whether a report is queued or being
  // made, and whether Stop() was called (also the report's cancel flag).
  std::unique_ptr<boost::asio::thread_pool> reports_;
  std::atomic<bool> report_busy_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace evidence::api
