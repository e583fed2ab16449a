#include "api/cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <charconv>

namespace evidence::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// A batch answer with --wait carries a receipt per record (a few KiB each).
constexpr uint64_t kAnswerBodyBytesMax = 256ull * 1024 * 1024;
constexpr size_t kDescribedBodyBytesMax = 300;

// Runs one started asynchronous operation to completion on `io` (the stream's
// expiry bounds it) and returns its error code.
template <typename Start>
beast::error_code RunToCompletion(net::io_context& io, Start start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code error, auto&&...) { result = error; });
  io.restart();
  io.run();
  return result;
}

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

bool IsClosedByPeer(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe ||
         error == http::error::partial_message;
}

std::string HostHeader(const NodeUrl& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return host + ":" + std::to_string(url.port);
}

Result<uint16_t> ParsePort(std::string_view text, std::string_view url) {
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return Status::InvalidArgument("the port in " + std::string(url) + " must be 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

Result<NodeUrl> ParseNodeUrl(std::string_view url) {
  const std::string given(url);
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://")) {
    return Status::InvalidArgument(given +
                                   ": the node serves plain http:// (put a TLS proxy in "
                                   "front of it and give the proxy's http address)");
  }
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument(given + ": write the node as http://HOST:PORT");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#@ ") != std::string_view::npos) {
    return Status::InvalidArgument(given + ": no query, fragment, user or spaces in the node URL");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string prefix(slash == std::string_view::npos ? "" : rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  NodeUrl out;
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument(given + ": unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) {
      return Status::InvalidArgument(given + ": expected ':PORT' after ']'");
    }
    if (!after.empty()) port_text = after.substr(1);
    if (!after.empty() && port_text.empty()) port_text = "x";  // "[::1]:" has no port
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (colon != std::string_view::npos && port_text.empty()) port_text = "x";
  }
  if (out.host.empty()) return Status::InvalidArgument(given + ": no host name");
  if (!port_text.empty()) {
    EVIDENCE_ASSIGN_OR_RETURN(out.port, ParsePort(port_text, given));
  }
  out.path_prefix = std::move(prefix);
  out.text = std::string(kScheme) + std::string(authority) + out.path_prefix;
  return out;
}

Result<boost::json::value> ParseAnswerJson(const HttpAnswer& answer) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(answer.body, error);
  if (error) {
    return Status::InvalidArgument("the node answered HTTP " + std::to_string(answer.status) +
                                   " with a body that is not JSON (" + error.message() + ")");
  }
  return value;
}

namespace {

const boost::json::object* ProblemObject(const HttpAnswer& answer, boost::json::value& storage) {
  if (answer.status < 400) return nullptr;
  auto parsed = ParseAnswerJson(answer);
  if (!parsed.ok() || !parsed->is_object()) return nullptr;
  storage = std::move(parsed).value();
  const boost::json::object& object = storage.as_object();
  const boost::json::value* type = object.if_contains("type");
  if (type == nullptr || !type->is_string()) return nullptr;
  return &object;
}

std::string StringField(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->as_string());
}

}  // namespace

std::string ProblemName(const HttpAnswer& answer) {
  boost::json::value storage;
  const boost::json::object* problem = ProblemObject(answer, storage);
  if (problem == nullptr) return "";
  std::string type = StringField(*problem, "type");
  return type.substr(type.rfind('/') + 1);
}

std::string DescribeAnswer(const HttpAnswer& answer) {
  const std::string status = "HTTP " + std::to_string(answer.status);
  boost::json::value storage;
  if (const boost::json::object* problem = ProblemObject(answer, storage)) {
    std::string detail = StringField(*problem, "detail");
    if (detail.empty()) detail = StringField(*problem, "title");
    std::string type = StringField(*problem, "type");
    return detail + " (" + type.substr(type.rfind('/') + 1) + ", " + status + ")";
  }
  std::string text = answer.body.substr(0, kDescribedBodyBytesMax);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.empty()) return status;
  return status + ": " + text + (answer.body.size() > text.size() ? "..." : "");
}

struct HttpClient::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;

  void Close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    open = false;
  }

  Status Connect(const NodeUrl& url, Clock::time_point deadline) {
    tcp::resolver resolver(io);
    beast::error_code error;
    auto endpoints = resolver.resolve(url.host, std::to_string(url.port), error);
    if (error) return Status::Unavailable("cannot resolve " + url.host + ": " + error.message());
    stream.expires_after(Remaining(deadline));
    error = RunToCompletion(io, [&](auto handler) { stream.async_connect(endpoints, handler); });
    if (error) {
      stream.close();
      if (error == beast::error::timeout) {
        return Status::Unavailable("cannot connect to " + url.text + ": timed out");
      }
      return Status::Unavailable("cannot connect to " + url.text + ": " + error.message());
    }
    open = true;
    return Status::Ok();
  }

  // Writes the request and reads the answer. `untouched` tells whether the
  // failure happened before any byte of an answer arrived.
  Result<HttpAnswer> Exchange(http::request<http::string_body>& request, const NodeUrl& url,
                              Clock::time_point deadline, bool& untouched) {
    untouched = true;
    stream.expires_after(Remaining(deadline));
    beast::error_code error =
        RunToCompletion(io, [&](auto handler) { http::async_write(stream, request, handler); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(kAnswerBodyBytesMax);
    if (!error) {
      error = RunToCompletion(
          io, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
      untouched = !parser.got_some() && buffer.size() == 0;
    }
    if (error) {
      untouched = untouched && IsClosedByPeer(error);
      if (error == beast::error::timeout) {
        return Status::Unavailable("no answer from " + url.text + " in time");
      }
      return Status::Unavailable("connection to " + url.text + " failed: " + error.message());
    }
    http::response<http::string_body> response = parser.release();
    HttpAnswer answer;
    answer.status = static_cast<int>(response.result_int());
    answer.content_type = std::string(response[http::field::content_type]);
    answer.body = std::move(response.body());
    answer.location = std::string(response[http::field::location]);
    std::string_view retry = response[http::field::retry_after];
    unsigned seconds = 0;
    if (std::from_chars(retry.data(), retry.data() + retry.size(), seconds).ec == std::errc()) {
      answer.retry_after_seconds = seconds;
    }
    if (!response.keep_alive()) Close();
    return answer;
  }
};

HttpClient::HttpClient(NodeUrl url)
    : url_(std::move(url)), connection_(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() {
  if (connection_->open) connection_->Close();
}

Result<HttpAnswer> HttpClient::Get(std::string_view target, std::chrono::milliseconds timeout) {
  return Send(false, target, "", "", timeout);
}

Result<HttpAnswer> HttpClient::PostJson(std::string_view target, std::string_view body,
                                        std::chrono::milliseconds timeout) {
  return Send(true, target, body, "application/json", timeout);
}

Result<HttpAnswer> HttpClient::Post(std::string_view target, std::string_view body,
                                    std::string_view content_type,
                                    std::chrono::milliseconds timeout) {
  return Send(true, target, body, content_type, timeout);
}

Result<HttpAnswer> HttpClient::PostText(std::string_view target, std::string_view body,
                                        std::chrono::milliseconds timeout) {
  return Send(true, target, body, "text/plain; charset=utf-8", timeout);
}

Result<HttpAnswer> HttpClient::Send(bool post, std::string_view target, std::string_view body,
                                    std::string_view content_type,
                                    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  http::request<http::string_body> request{post ? http::verb::post : http::verb::get,
                                           url_.path_prefix + std::string(target), 11};
  request.set(http::field::host, HostHeader(url_));
  request.set(http::field::user_agent, "evidence-cli/0.1.0");
  request.set(http::field::accept, "application/json, application/problem+json");
  if (!bearer_token_.empty()) request.set(http::field::authorization, "Bearer " + bearer_token_);
  if (post) {
    request.set(http::field::content_type, content_type);
    request.body() = std::string(body);
  }
  request.keep_alive(true);
  request.prepare_payload();
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_->open;
    if (!connection_->open) EVIDENCE_RETURN_IF_ERROR(connection_->Connect(url_, deadline));
    bool untouched = false;
    Result<HttpAnswer> answer = connection_->Exchange(request, url_, deadline, untouched);
    if (answer.ok()) return answer;
    connection_->Close();
    // A kept-alive connection the server closed while idle: try once more on a fresh one.
    if (!(reused && untouched && attempt == 0 && Clock::now() < deadline)) return answer.status();
  }
}

}  // namespace evidence::cli
