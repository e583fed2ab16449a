// evidence-load run/etcd/get: keep-alive HTTP/1.1 load; all connections are
// asynchronous loops on one thread, requests are serialized before the run.
#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "load.h"

namespace evidence::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

constexpr size_t kResponseBodyBytesMax = 256 * 1024 * 1024;

double SecondsSince(Clock::time_point start, Clock::time_point t) {
  return std::chrono::duration<double>(t - start).count();
}

// A synchronous keep-alive connection for the commit poller (GET /v1/status);
// reconnects after a transport error.
class Connection {
 public:
  explicit Connection(Endpoint endpoint) : endpoint_(std::move(endpoint)), stream_(io_) {}

  struct Answer {
    unsigned status = 0;  // 0: transport error
    std::string body;
  };

  Answer Send(const Request& request) {
    beast::error_code error;
    if (!connected_) Connect(error);
    if (error) return {};
    http::request<http::string_body> message{request.post ? http::verb::post : http::verb::get,
                                             request.target, 11};
    message.set(http::field::host, endpoint_.host);
    message.keep_alive(true);
    if (request.post) {
      message.set(http::field::content_type, "application/json");
      message.body() = request.body;
      message.prepare_payload();
    }
    http::write(stream_, message, error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyBytesMax);
    if (!error) http::read(stream_, buffer_, parser, error);
    if (error) {
      connected_ = false;
      stream_.socket().close(error);
      return {};
    }
    Answer answer{parser.get().result_int(), std::move(parser.get().body())};
    if (!parser.get().keep_alive()) connected_ = false;
    return answer;
  }

 private:
  void Connect(beast::error_code& error) {
    asio::ip::tcp::resolver resolver(io_);
    auto results = resolver.resolve(endpoint_.host, endpoint_.port, error);
    if (error) return;
    stream_.socket().close(error);
    asio::connect(stream_.socket(), results, error);
    if (error) return;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), error);
    buffer_.clear();
    connected_ = true;
  }

  Endpoint endpoint_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

struct Outcome {
  Clock::time_point sent;
  Clock::time_point answered;
  unsigned status = 0;
  size_t records = 0;
};

struct Poll {
  Clock::time_point at;
  uint64_t tree_size = 0;
};

std::optional<uint64_t> TreeSize(Connection& connection) {
  Request status{false, "/v1/status", "", 0};
  Connection::Answer answer = connection.Send(status);
  if (answer.status != 200) return std::nullopt;
  boost::system::error_code error;
  boost::json::value json = boost::json::parse(answer.body, error);
  if (error || !json.is_object()) return std::nullopt;
  const boost::json::value* size = json.as_object().if_contains("tree_size");
  if (size == nullptr || !size->is_number()) return std::nullopt;
  return size->to_number<uint64_t>();
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// One request serialized once before the run: the head without Host and
// without the blank line ends at head_end; the body follows. A connection
// writes head, its own "Host: ...\r\n\r\n" line, then the body.
struct Wire {
  std::string bytes;
  size_t head_end = 0;
};

Wire Serialize(const Request& request) {
  Wire wire;
  std::string& s = wire.bytes;
  s.reserve(request.target.size() + request.body.size() + 128);
  s += request.post ? "POST " : "GET ";
  s += request.target;
  s += " HTTP/1.1\r\n";
  if (request.post) {
    s += "Content-Type: application/json\r\nContent-Length: ";
    s += std::to_string(request.body.size());
    s += "\r\n";
  }
  s += "Connection: keep-alive\r\n";
  wire.head_end = s.size();
  s += request.body;
  return wire;
}

// The shared state of one run. Everything but next is touched by the one
// I/O thread only, until it returns.
struct Run {
  const LoadOptions& options;
  const std::vector<Request>& requests;
  Clock::time_point start;
  std::atomic<size_t> next{0};
  std::vector<Wire> wires;
  std::vector<Outcome> outcomes;
  std::mutex refusal_mutex;
  std::string first_refusal;

  double RequestsPerSecond() const {
    if (options.offered_records_per_second <= 0 || requests.empty()) return 0;
    return options.offered_records_per_second / static_cast<double>(requests[0].records);
  }

  void Record(size_t i, unsigned status, const std::string& body) {
    Outcome& outcome = outcomes[i];
    outcome.answered = Clock::now();
    outcome.status = status;
    outcome.records = requests[i].records;
    if (status != 0 && (status < 200 || status > 299)) {
      std::lock_guard lock(refusal_mutex);
      if (first_refusal.empty()) first_refusal = std::to_string(status) + " " + body.substr(0, 300);
    }
  }
};

// One keep-alive connection driven as an asynchronous loop on the run's
// io_context: (wait for the scheduled time) → (connect) → write → read →
// record → next index. A transport error closes the socket, counts status 0,
// and the next request reconnects.
class AsyncConnection {
 public:
  AsyncConnection(asio::io_context& io, Run& run, const Endpoint& endpoint)
      : run_(run),
        endpoint_(endpoint),
        host_line_("Host: " + endpoint.host + "\r\n\r\n"),
        socket_(io),
        timer_(io),
        requests_per_second_(run.RequestsPerSecond()) {}

  void Next() {
    index_ = run_.next.fetch_add(1);
    if (index_ >= run_.requests.size()) return;
    if (requests_per_second_ <= 0) return Send();
    timer_.expires_at(run_.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                       static_cast<double>(index_) / requests_per_second_)));
    timer_.async_wait([this](const beast::error_code&) { Send(); });
  }

 private:
  void Send() {
    run_.outcomes[index_].sent = Clock::now();
    if (connected_) return Write();
    beast::error_code error;
    if (resolved_.empty()) {
      asio::ip::tcp::resolver resolver(socket_.get_executor());
      resolved_ = resolver.resolve(endpoint_.host, endpoint_.port, error);
      if (error) return Fail();
    }
    asio::async_connect(socket_, resolved_,
                        [this](const beast::error_code& error, const asio::ip::tcp::endpoint&) {
                          if (error) return Fail();
                          beast::error_code ignored;
                          socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
                          buffer_.clear();
                          connected_ = true;
                          Write();
                        });
  }

  void Write() {
    const Wire& wire = run_.wires[index_];
    std::array<asio::const_buffer, 3> buffers{
        asio::buffer(wire.bytes.data(), wire.head_end), asio::buffer(host_line_),
        asio::buffer(wire.bytes.data() + wire.head_end, wire.bytes.size() - wire.head_end)};
    asio::async_write(socket_, buffers, [this](const beast::error_code& error, size_t) {
      if (error) return Fail();
      Read();
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kResponseBodyBytesMax);
    http::async_read(socket_, buffer_, *parser_, [this](const beast::error_code& error, size_t) {
      if (error) return Fail();
      const auto& response = parser_->get();
      run_.Record(index_, response.result_int(), response.body());
      if (!response.keep_alive()) Close();
      Next();
    });
  }

  void Fail() {
    Close();
    run_.Record(index_, 0, "");
    Next();
  }

  void Close() {
    beast::error_code ignored;
    socket_.close(ignored);
    connected_ = false;
  }

  Run& run_;
  const Endpoint& endpoint_;
  const std::string host_line_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  asio::ip::tcp::resolver::results_type resolved_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  const double requests_per_second_;
  size_t index_ = 0;
  bool connected_ = false;
};

// Polls GET /v1/status until, after answered_all, every accepted record is
// in the tree (or commit_wait_s has passed).
void PollCommits(const Run& run, Connection& status_connection, uint64_t base,
                 const std::atomic<bool>& answered_all, std::vector<Poll>& polls) {
  const auto interval = std::chrono::duration<double, std::milli>(run.options.poll_interval_ms);
  Clock::time_point give_up = Clock::time_point::max();
  for (;;) {
    std::optional<uint64_t> size = TreeSize(status_connection);
    if (size) polls.push_back({Clock::now(), *size});
    if (answered_all && give_up == Clock::time_point::max()) {
      give_up = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(run.options.commit_wait_s));
    }
    size_t accepted = 0;
    if (answered_all) {
      for (const Outcome& o : run.outcomes) {
        if (o.status >= 200 && o.status <= 299) accepted += o.records;
      }
      if ((size && *size >= base + accepted) || Clock::now() > give_up) return;
    }
    std::this_thread::sleep_for(interval);
  }
}

// Runs every connection's loop on one io_context in this thread until all
// requests are answered.
void DriveConnections(Run& run) {
  // Only this thread touches io (the resolver is synchronous): no locking.
  asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  std::vector<std::unique_ptr<AsyncConnection>> connections;
  for (size_t c = 0; c < run.options.connections; ++c) {
    connections.push_back(std::make_unique<AsyncConnection>(
        io, run, run.options.endpoints[c % run.options.endpoints.size()]));
  }
  for (auto& connection : connections) connection->Next();
  io.run();
}

void Summarize(const Run& run, LoadSummary& summary) {
  std::vector<double> latencies_ms;
  Clock::time_point last = run.start;
  for (const Outcome& outcome : run.outcomes) {
    last = std::max(last, outcome.answered);
    if (outcome.status == 0) {
      summary.transport_errors += 1;
    } else if (outcome.status >= 200 && outcome.status <= 299) {
      summary.requests_ok += 1;
      summary.records_accepted += outcome.records;
      latencies_ms.push_back(1000 * SecondsSince(outcome.sent, outcome.answered));
    } else {
      summary.requests_refused += 1;
    }
  }
  summary.duration_s = SecondsSince(run.start, last);
  if (summary.duration_s > 0) {
    summary.answered_records_per_second =
        static_cast<double>(summary.records_accepted) / summary.duration_s;
  }
  summary.answer_latency_p50_ms = Percentile(latencies_ms, 0.50);
  summary.answer_latency_p99_ms = Percentile(latencies_ms, 0.99);
  summary.first_refusal = run.first_refusal;
}

// Commit latency by watermark: a request's records count as committed at the
// first poll whose tree size covers every record accepted up to that request's
// answer (the mempool hands records to blocks in arrival order).
void SummarizeCommits(const Run& run, const std::vector<Poll>& polls, uint64_t base,
                      LoadSummary& summary) {
  std::vector<const Outcome*> accepted;
  for (const Outcome& outcome : run.outcomes) {
    if (outcome.status >= 200 && outcome.status <= 299) accepted.push_back(&outcome);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Outcome* a, const Outcome* b) { return a->answered < b->answered; });
  std::vector<double> latencies_ms;
  uint64_t cumulative = 0;
  size_t poll = 0;
  for (const Outcome* outcome : accepted) {
    cumulative += outcome->records;
    while (poll < polls.size() &&
           (polls[poll].tree_size < base + cumulative || polls[poll].at < outcome->answered)) {
      ++poll;
    }
    if (poll == polls.size()) break;
    double latency_ms = 1000 * SecondsSince(outcome->sent, polls[poll].at);
    for (size_t k = 0; k < outcome->records; ++k) latencies_ms.push_back(latency_ms);
  }
  uint64_t committed = polls.empty() ? 0 : polls.back().tree_size - base;
  summary.records_committed = std::min<uint64_t>(committed, summary.records_accepted);
  Clock::time_point done = polls.empty() ? run.start : polls.back().at;
  for (const Poll& p : polls) {
    if (p.tree_size >= base + summary.records_accepted) {
      done = p.at;
      break;
    }
  }
  summary.commit_duration_s = SecondsSince(run.start, done);
  if (summary.commit_duration_s > 0) {
    summary.committed_records_per_second =
        static_cast<double>(summary.records_committed) / summary.commit_duration_s;
  }
  summary.commit_latency_p50_ms = Percentile(latencies_ms, 0.50);
  summary.commit_latency_p99_ms = Percentile(latencies_ms, 0.99);
}

}  // namespace

Result<Endpoint> ParseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return Status::InvalidArgument("not an http:// URL: " + url);
  std::string rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return Endpoint{rest, "80"};
  return Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
}

Result<LoadSummary> RunLoad(const LoadOptions& options, const std::vector<Request>& requests) {
  if (options.endpoints.empty() || options.connections == 0 || requests.empty()) {
    return Status::InvalidArgument("need endpoints, connections and requests");
  }
  Run run{options, requests, Clock::now()};
  run.outcomes.resize(requests.size());
  run.wires.reserve(requests.size());
  for (const Request& request : requests) run.wires.push_back(Serialize(request));
  Connection status_connection(options.endpoints[0]);
  uint64_t base = 0;
  if (options.track_commits) {
    std::optional<uint64_t> size = TreeSize(status_connection);
    if (!size) return Status::Unavailable("GET /v1/status did not answer with a tree_size");
    base = *size;
  }
  std::atomic<bool> answered_all{false};
  std::vector<Poll> polls;
  run.start = Clock::now();
  std::thread poller;
  if (options.track_commits) {
    poller = std::thread([&] { PollCommits(run, status_connection, base, answered_all, polls); });
  }
  DriveConnections(run);
  answered_all = true;
  if (poller.joinable()) poller.join();
  LoadSummary summary;
  summary.offered_records_per_second = options.offered_records_per_second;
  Summarize(run, summary);
  if (options.track_commits) SummarizeCommits(run, polls, base, summary);
  return summary;
}

std::string SummaryJson(const std::string& mode, const LoadSummary& s) {
  boost::json::object json;
  json["mode"] = mode;
  json["offered_records_per_second"] = s.offered_records_per_second;
  json["duration_s"] = s.duration_s;
  json["requests_ok"] = s.requests_ok;
  json["requests_refused"] = s.requests_refused;
  json["transport_errors"] = s.transport_errors;
  json["records_accepted"] = s.records_accepted;
  json["answered_records_per_second"] = s.answered_records_per_second;
  json["answer_latency_p50_ms"] = s.answer_latency_p50_ms;
  json["answer_latency_p99_ms"] = s.answer_latency_p99_ms;
  json["records_committed"] = s.records_committed;
  json["commit_duration_s"] = s.commit_duration_s;
  json["committed_records_per_second"] = s.committed_records_per_second;
  json["commit_latency_p50_ms"] = s.commit_latency_p50_ms;
  json["commit_latency_p99_ms"] = s.commit_latency_p99_ms;
  json["first_refusal"] = s.first_refusal;
  return boost::json::serialize(json);
}

}  // namespace evidence::load
