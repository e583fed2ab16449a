// Per-agency rate limit for submissions (DESIGN.md §6 "per-agency rate"): one
// token bucket per agency id, refilled at `rate_per_second` up to `burst`.
//
// Only records the node accepted are charged (Charge after a successful
// submission), so nobody can spend an agency's budget with records that fail
// its signature check; Check before submitting refuses an agency whose bucket
// is empty. Two concurrent requests may both pass Check, so an agency can
// exceed its budget by at most the number of requests in flight.
//
// Bounded: at most `agencies_max` buckets; when full, buckets that have refilled
// completely (indistinguishable from new ones) are dropped, and if none has, a
// new agency is refused until one does.
//
// Thread-safety: thread-safe (one mutex). Time is passed in, so tests need no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mutex.h"

namespace evidence::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate_per_second == 0 disables the limit (Check always passes).
  RateLimiter(double rate_per_second, double burst, size_t agencies_max);

  // 0 when `agency` may submit `cost` more records now, else the whole seconds
  // to wait (>= 1) before it may.
  uint32_t Check(std::string_view agency, double cost, Clock::time_point now);

  // Spends `cost` tokens of `agency` (the balance may go negative).
  void Charge(std::string_view agency, double cost, Clock::time_point now);

  size_t agencies() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  Bucket* Find(std::string_view agency, Clock::time_point now) EVIDENCE_REQUIRES(mutex_);
  void Refill(Bucket& bucket, Clock::time_point now) const;

  const double rate_per_second_;
  const double burst_;
  const size_t agencies_max_;
  mutable Mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_ EVIDENCE_GUARDED_BY(mutex_);
};

}  // namespace evidence::api

