// A small synchronous HTTP/1.1 client for the `evidence` CLI: one keep-alive
// connection to one node (http://host:port), a deadline on every request, and
// problem+json refusals (docs/api.md, RFC 9457) turned into readable messages.
//
// Transport failures (cannot resolve, connection refused, timeout, connection
// closed before an answer) are a Status; any HTTP answer, 4xx and 5xx included,
// is an HttpAnswer for the caller to judge. A request on a kept-alive
// connection that the server closed meanwhile is retried once on a fresh one:
// every request the CLI sends is idempotent (record submission is idempotent by
// record id), so a retry never makes a second entry.
//
// Thread-safety: not thread-safe; one HttpClient per thread. Boost.Beast stays in
// http_client.cc.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::cli {

// A node's base URL: "http://HOST[:PORT][/PREFIX]", HOST a name, an IPv4
// address or a bracketed IPv6 address; PORT defaults to 80. No query, fragment
// or user info; https is refused (the node serves plain HTTP).
struct NodeUrl {
  std::string host;  // without brackets
  uint16_t port = 80;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)
  std::string text;         // as given, without a trailing slash, for messages
};
Result<NodeUrl> ParseNodeUrl(std::string_view url);

struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
  uint32_t retry_after_seconds = 0;  // from Retry-After, 0 when absent
  std::string location;              // the Location header (redirects), empty when absent
};

// The answer body as JSON (any status), or why it is not JSON.
Result<boost::json::value> ParseAnswerJson(const HttpAnswer& answer);

// The last segment of a problem+json "type" ("not-found"), or "" when the
// answer is not a problem.
std::string ProblemName(const HttpAnswer& answer);

// One line for a person: "<detail> (<name>, HTTP <status>)" for a problem,
// otherwise "HTTP <status>: <start of the body>".
std::string DescribeAnswer(const HttpAnswer& answer);

class HttpClient {
 public:
  explicit HttpClient(NodeUrl url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `target` is the path and query after the URL's prefix, e.g. "/v1/status".
  // The whole exchange (connecting included) must finish within `timeout`.
  Result<HttpAnswer> Get(std::string_view target, std::chrono::milliseconds timeout);
  // POST with Content-Type: application/json.
  Result<HttpAnswer> PostJson(std::string_view target, std::string_view body,
                              std::chrono::milliseconds timeout);
  // POST with Content-Type: text/plain; charset=utf-8 (a signed note).
  Result<HttpAnswer> PostText(std::string_view target, std::string_view body,
                              std::chrono::milliseconds timeout);

  // POST with another Content-Type (e.g. application/timestamp-query to a TSA).
  Result<HttpAnswer> Post(std::string_view target, std::string_view body,
                          std::string_view content_type, std::chrono::milliseconds timeout);

  // Sends "Authorization: Bearer <token>" with every request from now on (a
  // reader credential; empty: none).
  void set_bearer_token(std::string token) { bearer_token_ = std::move(token); }

  const NodeUrl& url() const { return url_; }

 private:
  struct Connection;
  Result<HttpAnswer> Send(bool post, std::string_view target, std::string_view body,
                          std::string_view content_type, std::chrono::milliseconds timeout);

  NodeUrl url_;
  std::string bearer_token_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace evidence::cli
