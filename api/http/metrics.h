// A small metrics registry rendering the Prometheus text exposition format 0.0.4,
// and the node's standard `evidence_*` series.
//
// Series are created up front (AddCounter, ...) and updated from any thread:
// counters and gauges are lock-free atomics; a histogram and a labelled family
// take a short mutex. Registered series live as long as the Registry; the
// references handed out stay valid (series are never removed).
//
// Invariants: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]*, histogram bounds strictly increase; a name is registered
// once. Breaking these is a bug (EVIDENCE_CHECK). A labelled family holds at most
// kFamilySeriesMax series; increments for further label values are dropped and
// counted in the family's `overflow` (a bound against label explosion).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace evidence::api::metrics {

inline constexpr size_t kFamilySeriesMax = 1024;

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void Add(int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable std::mutex mutex_;
  std::vector<uint64_t> bucket_counts_;  // GUARDED_BY(mutex_), one per bound then +Inf
  double sum_ = 0;                       // GUARDED_BY(mutex_)
  uint64_t count_ = 0;                   // GUARDED_BY(mutex_)
};

// Counters that share a name and differ by label values, e.g. {route, code}.
class CounterFamily {
 public:
  explicit CounterFamily(std::vector<std::string> label_names);
  // `label_values` has one value per label name (any bytes; escaped on output).
  void Increment(const std::vector<std::string>& label_values, uint64_t by = 1);
  uint64_t value(const std::vector<std::string>& label_values) const;
  uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }
  const std::vector<std::string>& label_names() const { return label_names_; }
  std::map<std::vector<std::string>, uint64_t> Read() const;

 private:
  const std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, uint64_t> series_;  // GUARDED_BY(mutex_)
  std::atomic<uint64_t> overflow_{0};
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& AddCounter(std::string name, std::string help);
  Gauge& AddGauge(std::string name, std::string help);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> upper_bounds);
  CounterFamily& AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names);

  // The whole registry in Prometheus text format 0.0.4, series in registration order.
  std::string RenderText() const;

 private:
  struct Entry;
  Entry& Add(std::string name, std::string help);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;  // GUARDED_BY(mutex_)
};

// Content-Type of RenderText's output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The node's standard series, registered in `registry` by the constructor.
// The node updates height, records, mempool, peers, latency and signature checks;
// the HTTP server updates http_requests.
struct NodeMetrics {
  explicit NodeMetrics(Registry& registry);

  Gauge& height;                      // evidence_height
  Counter& records_committed;         // evidence_records_committed_total
  Gauge& mempool_records;             // evidence_mempool_records
  Gauge& peers_connected;             // evidence_peers_connected
  Histogram& commit_latency_seconds;  // evidence_commit_latency_seconds
  Counter& signature_checks;          // evidence_signature_checks_total
  Counter& peer_frames_dropped;       // evidence_peer_frames_dropped_total
  Counter& peer_send_frames_dropped;  // evidence_peer_send_frames_dropped_total
  CounterFamily& http_requests;       // evidence_http_requests_total{route,code}
};

}  // namespace evidence::api::metrics
