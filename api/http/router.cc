#include "api/http/router.h"

#include <atomic>
#include <cctype>
#include <memory>

#include "api/http/url.h"
#include "common/limits.h"
#include "common/metrics.h"
#include "crypto/hash.h"

namespace evidence::api {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  EVIDENCE_CHECK(!path.empty() && path.front() == '/');
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Matches and collects "{}" segments; empty segments never match "{}".
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
           std::vector<std::string_view>& params) {
  if (pattern.size() != path.size()) return false;
  params.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{}") {
      if (path[i].empty()) return false;
      params.push_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// `text` for a problem body: printable ASCII as is (but '"' and '\\'), every
// other byte percent-encoded, at most `bytes_max` bytes.
std::string Printable(std::string_view text, size_t bytes_max) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (out.size() >= bytes_max) break;
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7F && c != '"' && c != '\\') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string InstanceOf(std::string_view target) {
  return Printable(target.substr(0, target.find('?')), 256);
}

HttpResponse ProblemResponse(const ApiError& error, std::string_view instance) {
  HttpResponse response;
  response.status = ProblemHttpStatus(error.type);
  response.content_type = "application/problem+json";
  response.body = ProblemJson(error, instance);
  if (error.retry_after_seconds > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds));
  }
  return response;
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  Route route;
  route.method = std::move(method);
  route.access = access;
  route.segments.clear();
  for (std::string_view segment : SplitPath(pattern)) route.segments.emplace_back(segment);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

// Wraps `reply` so it counts the answer and runs at most once (a handler that
// replied and then threw must not answer twice).
Reply Router::Counted(std::string route, Reply reply) const {
  auto replied = std::make_shared<std::atomic<bool>>(false);
  return [requests = requests_, route = std::move(route), reply = std::move(reply),
          replied](HttpResponse response) {
    if (replied->exchange(true)) return;
    if (requests != nullptr) requests->Increment({route, std::to_string(response.status)});
    reply(std::move(response));
  };
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) out.push_back({route.method, route.pattern, route.access});
  return out;
}

ApiResult<Caller> Router::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer";
  std::string scheme(authorization.substr(0, authorization.find(' ')));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (authorization.empty() || scheme != kScheme) return Caller{};  // anonymous
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > limits::kHttpBearerTokenBytesMax) {
    return MakeError(ProblemType::kUnauthorized,
                     "send a reader token from genesis as 'Authorization: Bearer <token>'");
  }
  const std::string digest =
      crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, token));
  std::optional<Reader> reader = authenticator_ ? authenticator_(digest) : std::nullopt;
  if (!reader) {
    return MakeError(ProblemType::kUnauthorized, "the bearer token is not a registered reader's");
  }
  return Caller{std::move(reader)};
}

void Router::Dispatch(HttpRequest request, Reply reply) const {
  const std::string instance = InstanceOf(request.target);
  auto target = SplitTarget(request.target);
  if (!target.ok()) {
    Counted("unmatched", std::move(reply))(
        ProblemResponse(MakeError(ProblemType::kBadRequest, target.status().message()), instance));
    return;
  }
  const std::vector<std::string_view> path = SplitPath(target->path);
  std::vector<std::string_view> params;
  std::string allow;
  for (const Route& route : routes_) {
    if (!Match(route.segments, path, params)) continue;
    if (route.method != request.method) {
      if (allow.find(route.method) == std::string::npos) {
        allow += allow.empty() ? route.method : ", " + route.method;
      }
      continue;
    }
    Reply counted = Counted(route.pattern, std::move(reply));
    ApiResult<Caller> caller = Authenticate(request.authorization);
    const std::optional<ledger::ReaderRight> right = RequiredRight(route.access);
    if (caller.ok() && right && !caller->reader) {
      caller = MakeError(ProblemType::kUnauthorized,
                         "send a reader token from genesis as 'Authorization: Bearer <token>'");
    }
    if (!caller.ok()) {
      // Checked before anything else: an unauthorised caller learns nothing,
      // not even whether what it asked for exists.
      HttpResponse response = ProblemResponse(caller.error(), instance);
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"evidence-ledger\"");
      counted(std::move(response));
      return;
    }
    // A reader whose role lacks the route's right (or, where readers see more
    // than the public, that right) is told so; it never gets the public view
    // instead, which would hide a misconfigured credential.
    const std::optional<ledger::ReaderRight> reader_right = ReaderRightOf(route.access);
    if (caller->reader && reader_right && !caller->May(*reader_right)) {
      counted(ProblemResponse(
          MakeError(ProblemType::kForbidden,
                    "reader '" + caller->reader->id + "' (role '" + caller->reader->role +
                        "') may not read " +
                        std::string(ledger::ReaderRightDescription(*reader_right))),
          instance));
      return;
    }
    request.caller = std::move(caller).value();
    try {
      route.handler(request, params, counted);
    } catch (...) {
      // A resource failure or bug inside a handler, never client input (handlers
      // turn bad input into problems). Answer unless the handler already did.
      counted(ProblemResponse(MakeError(ProblemType::kInternal, "internal error"), instance));
    }
    return;
  }
  Reply counted = Counted("unmatched", std::move(reply));
  if (!allow.empty()) {
    HttpResponse response = ProblemResponse(
        MakeError(ProblemType::kMethodNotAllowed,
                  Printable(request.method, 32) + " is not allowed here; use " + allow),
        instance);
    response.headers.emplace_back("Allow", allow);
    counted(std::move(response));
    return;
  }
  counted(ProblemResponse(
      MakeError(ProblemType::kNotFound, "no route for this path; see /openapi.yaml"), instance));
}

}  // namespace evidence::api
