// A small metrics registry rendering the Prometheus text exposition format 0.0.4.
// The node's own series are in node/node_metrics.h; the HTTP server registers its
// request counter itself; the API's /metrics route renders the registry.
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

#include "common/mutex.h"

namespace evidence::metrics {

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
  mutable Mutex mutex_;
  std::vector<uint64_t> bucket_counts_ EVIDENCE_GUARDED_BY(mutex_);  // one per bound then +Inf
  double sum_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  uint64_t count_ EVIDENCE_GUARDED_BY(mutex_) = 0;
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
  mutable Mutex mutex_;
  std::map<std::vector<std::string>, uint64_t> series_ EVIDENCE_GUARDED_BY(mutex_);
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
  Entry& Add(std::string name, std::string help) EVIDENCE_REQUIRES(mutex_);
  mutable Mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_ EVIDENCE_GUARDED_BY(mutex_);
};

// Content-Type of RenderText's output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace evidence::metrics
