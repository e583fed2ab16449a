// LogThrottle: decides which of many repeated events get a log line, so that a
// peer or client that makes a node refuse thousands of connections or frames a
// second cannot flood its log (and its disk) with the same warning.
//
// At most `lines_per_interval` events are let through in each interval; the
// others are counted. The first event let through after some were suppressed
// carries that count, so the log still says how many there were:
//
//   static LogThrottle throttle(5, std::chrono::seconds(1));  // one per event kind
//   if (auto suppressed = throttle.Admit(std::chrono::steady_clock::now())) {
//     spdlog::warn("event=http_refused ... suppressed={}", *suppressed);
//   }
//
// Thread-safety: Admit may be called from any thread.
// Invariants: at most lines_per_interval admissions per interval; every event is
// either admitted or counted in the next admission's `suppressed`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/mutex.h"

namespace evidence {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  LogThrottle(uint32_t lines_per_interval, Clock::duration interval);
  LogThrottle(const LogThrottle&) = delete;
  LogThrottle& operator=(const LogThrottle&) = delete;

  // One event at `now`: the number of events suppressed since the last admitted
  // one when this one should be logged, nullopt when it should not.
  std::optional<uint64_t> Admit(Clock::time_point now) EVIDENCE_EXCLUDES(mutex_);

  // Events suppressed so far in total (for tests and metrics).
  uint64_t suppressed_total() const EVIDENCE_EXCLUDES(mutex_);

 private:
  const uint32_t lines_per_interval_;
  const Clock::duration interval_;
  mutable Mutex mutex_;
  Clock::time_point interval_start_ EVIDENCE_GUARDED_BY(mutex_){};
  uint32_t lines_in_interval_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  uint64_t suppressed_since_line_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  uint64_t suppressed_total_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  bool started_ EVIDENCE_GUARDED_BY(mutex_) = false;
};

}  // namespace evidence
