// HTTP requests and responses as plain values, and the Router that maps
// (method, path) to a handler. No Beast here: the server converts at its edge, so
// routes and handlers compile and test without it.
//
// Matching works on the raw (still percent-encoded) path split at '/'. A pattern
// segment "{}" matches any one non-empty segment and is handed to the handler raw
// (the handler decodes it). A path that matches a pattern under another method
// gets 405 with an Allow header; no match gets 404; both as problem+json.
//
// Access (access.h): every route declares one. Before a handler runs, the
// router authenticates the caller: a Bearer token is looked up with the
// authenticator (unknown or malformed: 401, on every route, so a reader with a
// mistyped token is told rather than silently served the public view); other
// Authorization schemes are ignored. A route that requires a right answers 401
// (with WWW-Authenticate) without a reader and 403 to a reader whose role lacks
// it; a route where readers see more than the public (kRedacted,
// kRecordHolder) answers 403 to a reader whose role lacks that right. The
// handler finds the caller in request.caller.
//
// Thread-safety: add every route before serving; Dispatch is then const and may
// run concurrently. A handler must call its Reply exactly once, on any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/access.h"
#include "api/http/problem.h"

namespace evidence::metrics {
class CounterFamily;
}  // namespace evidence::metrics

namespace evidence::api {

struct HttpRequest {
  std::string method;         // "GET", "POST", ... as sent
  std::string target;         // origin-form request target, e.g. "/v1/blocks?from=1"
  std::string authorization;  // the Authorization header, empty when absent
  std::string content_type;   // the Content-Type header, empty when absent
  std::string body;
  Caller caller;  // set by the Router (anything else put here is replaced)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Allow, Location
  bool close = false;  // close the connection after this response
};

// The problem+json response for `error` (adds Retry-After when it has one).
HttpResponse ProblemResponse(const ApiError& error, std::string_view instance);

// Path of a target for problem `instance`: the path only, non-printable and
// non-ASCII bytes percent-encoded, at most 256 bytes.
std::string InstanceOf(std::string_view target);

using Reply = std::function<void(HttpResponse)>;
// `params`: the raw path segments that matched "{}" in the pattern, in order.
using Handler = std::function<void(const HttpRequest& request,
                                   const std::vector<std::string_view>& params, Reply reply)>;

// The reader whose bearer-token digest (lower-case hex SHA-256 of the token)
// is given, or nullopt.
using Authenticator = std::function<std::optional<Reader>(std::string_view token_sha256_hex)>;

class Router {
 public:
  struct RouteInfo {
    std::string method;
    std::string pattern;
    Access access;
  };

  // `pattern` is "/v1/records/{}"-style; `method` e.g. "GET". The pattern is the
  // route label in metrics. `access` says who may call it (access.h).
  void Add(std::string method, std::string pattern, Access access, Handler handler);

  // Without one, every Bearer token is unknown (401).
  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }

  // Counts every answer in `requests` as {route = pattern or "unmatched", code}.
  void set_request_counter(metrics::CounterFamily* requests) { requests_ = requests; }

  // Finds the route, checks the caller and runs it; answers 400 for an unusable
  // target, 401 / 403 (see above), 404, 405. An exception escaping a handler
  // becomes a 500 "internal" problem.
  void Dispatch(HttpRequest request, Reply reply) const;

  // Every route, in the order added (the access table's test walks them).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    Access access = Access::kPublic;
    std::vector<std::string> segments;
    Handler handler;
  };
  Reply Counted(std::string route, Reply reply) const;
  // The caller behind the request's Authorization header, or the 401 to answer.
  ApiResult<Caller> Authenticate(std::string_view authorization) const;

  std::vector<Route> routes_;
  Authenticator authenticator_;
  metrics::CounterFamily* requests_ = nullptr;
};

}  // namespace evidence::api
