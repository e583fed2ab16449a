// Fuzz target: an HTTP request as the API server hands it to the routes
// (method, request target with path and query string, Authorization and
// Content-Type headers, body), through api::Router and api::ApiHandlers to the
// node's real ChainService over a real store (the fixed chain's three blocks)
// and mempool: percent-decoding, query parameters, ids, digests, case ids,
// heights, page limits, ?wait=commit, bearer tokens, and record and batch
// bodies through strict JSON and the ledger's checks.
//
// Input: "METHOD\nTARGET\nAUTHORIZATION\nCONTENT-TYPE\nBODY" (the first four
// lines, then the rest is the body), so that seeds are readable requests.
//
// Properties: every request gets exactly one answer; no answer is a 500
// (internal) problem; an answer is JSON or problem+json that parses, and a
// problem's "status" is the HTTP status; an answer's status is one the API
// documents.
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <set>

#include "api/http/commit_waiter.h"
#include "api/http/handlers.h"
#include "api/http/problem.h"
#include "api/http/router.h"
#include "ledger/store.h"
#include "node/record_pool.h"
#include "node/service.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace evidence;

struct Api {
  Api() {
    const auto& chain = fuzz::FixedChain();
    const std::string directory = fuzz::ScratchDirectory() + "/store";
    auto opened = ledger::Store::Open(directory, chain.genesis());
    EVIDENCE_CHECK(opened.ok());
    store = std::move(opened).value();
    for (const fuzz::FixedStep& step : fuzz::FixedHistory()) {
      EVIDENCE_CHECK(store->Append(step.block, step.commit).ok());
    }
    node::RecordPoolOptions pool_options;
    pool_options.verify_threads = 1;
    pool_options.records_max = 64;
    // The time window is the chain's (genesis params, no longer a node option):
    // the fixed chain's records, from 2026-01-01, stop at it once they are more
    // than a week old; every check before it is still reached.
    pool = std::make_unique<node::RecordPool>([this] { return store->NextState(); },
                                              pool_options);
    node::ChainService::Hooks hooks;
    hooks.on_admitted = [](std::vector<std::string>, bool) {};
    hooks.status = [] { return node::NodeStatus{}; };
    service = std::make_unique<node::ChainService>(chain.genesis(), *store, *pool,
                                                   std::move(hooks), nullptr);
    waiter = std::make_unique<api::CommitWaiter>(*service);
    api::HandlerOptions options;
    options.wait_timeout_default = std::chrono::milliseconds(1);
    options.wait_timeout_max = std::chrono::milliseconds(1);
    handlers = std::make_unique<api::ApiHandlers>(*service, *waiter, nullptr, options);
    handlers->Register(router);
  }

  std::unique_ptr<ledger::Store> store;
  std::unique_ptr<node::RecordPool> pool;
  std::unique_ptr<node::ChainService> service;
  std::unique_ptr<api::CommitWaiter> waiter;
  std::unique_ptr<api::ApiHandlers> handlers;
  api::Router router;
};

Api& TheApi() {
  static Api* api = new Api();  // lives as long as the process
  return *api;
}

void CheckResponse(const api::HttpResponse& response) {
  static const std::set<int> kDocumented = {200, 201, 202, 400, 401, 403, 404,
                                            405, 413, 415, 422, 429, 503};
  FUZZ_EXPECT(kDocumented.contains(response.status));
  if (response.content_type == "application/problem+json") {
    boost::system::error_code error;
    boost::json::value body = boost::json::parse(response.body, error);
    FUZZ_EXPECT(!error && body.is_object());
    const boost::json::value* status = body.as_object().if_contains("status");
    FUZZ_EXPECT(status != nullptr && status->is_int64() && status->as_int64() == response.status);
  } else if (response.content_type == "application/json") {
    boost::system::error_code error;
    (void)boost::json::parse(response.body, error);
    FUZZ_EXPECT(!error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view lines[4];
  for (std::string_view& line : lines) {
    const size_t end = input.find('\n');
    if (end == std::string_view::npos) return 0;
    line = input.substr(0, end);
    input.remove_prefix(end + 1);
  }
  api::HttpRequest request{std::string(lines[0]), std::string(lines[1]), std::string(lines[2]),
                           std::string(lines[3]), std::string(input)};
  auto answers = std::make_shared<std::atomic<int>>(0);
  std::promise<api::HttpResponse> answered;
  TheApi().router.Dispatch(request, [answers, &answered](api::HttpResponse response) {
    // A second answer would be a bug: it must never come (checked below, and
    // here in case it comes after the first was taken).
    FUZZ_EXPECT(answers->fetch_add(1) == 0);
    answered.set_value(std::move(response));
  });
  api::HttpResponse response = answered.get_future().get();
  CheckResponse(response);
  return 0;
}
