// evidence-load: the load generator of scripts/bench.sh (docs/performance.md).
//
//   prepare  signs records (or batches of records) for a chain beforehand and
//            writes one HTTP body per line, so signing is not on the measured path.
//   run      posts prepared bodies over keep-alive HTTP/1.1 connections at an
//            offered rate (or as fast as possible) and measures what is committed.
//   etcd     puts same-size values through the etcd v3 HTTP gateway.
//   get      fetches GET /v1/digests/sha256:<hex> (proof serving).
//
// Thread-safety: RunLoad serializes every request once before the timed run,
// drives all connections as asynchronous loops on one io_context run by the
// calling thread, plus one poller thread (GET /v1/status) that it joins before
// it returns; everything they share is atomic or read only after the I/O ends.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace evidence::load {

// ---------------------------------------------------------------- prepare

struct PrepareOptions {
  std::string genesis_path;
  std::string agency;
  std::string key_path;
  size_t records = 0;
  size_t batch = 0;  // 0: single records; else records per batch body
  std::string out_path;
  std::string digests_path;  // optional: one "sha256:<hex>" a line
};

struct PrepareSummary {
  size_t records = 0;
  size_t bodies = 0;
  size_t record_jcs_bytes = 0;  // JCS size of one record, sig included
};

Result<PrepareSummary> Prepare(const PrepareOptions& options);

// ---------------------------------------------------------------- run

struct Endpoint {
  std::string host;
  std::string port;
};
Result<Endpoint> ParseUrl(const std::string& url);  // http://host:port

struct Request {
  bool post = true;
  std::string target;  // path and query
  std::string body;
  size_t records = 1;  // records (or puts) this request carries
};

struct LoadOptions {
  std::vector<Endpoint> endpoints;  // connection i goes to endpoints[i % size]
  size_t connections = 8;
  double offered_records_per_second = 0;  // 0: as fast as possible
  // Poll GET /v1/status on endpoints[0] and measure commits (our nodes only).
  bool track_commits = false;
  double commit_wait_s = 300;  // after the last answer, how long to wait for commits
  double poll_interval_ms = 10;
};

struct LoadSummary {
  double offered_records_per_second = 0;  // 0: as fast as possible
  double duration_s = 0;           // first send to last answer
  size_t requests_ok = 0;          // 2xx
  size_t requests_refused = 0;     // other statuses
  size_t transport_errors = 0;
  size_t records_accepted = 0;     // in 2xx answers
  double answered_records_per_second = 0;
  double answer_latency_p50_ms = 0;
  double answer_latency_p99_ms = 0;
  // With track_commits:
  size_t records_committed = 0;
  double commit_duration_s = 0;    // first send to the poll that saw every accepted record
  double committed_records_per_second = 0;
  double commit_latency_p50_ms = 0;
  double commit_latency_p99_ms = 0;
  std::string first_refusal;       // status and body of the first non-2xx answer
};

Result<LoadSummary> RunLoad(const LoadOptions& options, const std::vector<Request>& requests);

std::string SummaryJson(const std::string& mode, const LoadSummary& summary);

}  // namespace evidence::load
