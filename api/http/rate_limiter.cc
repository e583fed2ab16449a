#include "api/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace evidence::api {

RateLimiter::RateLimiter(double rate_per_second, double burst, size_t agencies_max)
    : rate_per_second_(rate_per_second), burst_(burst), agencies_max_(agencies_max) {
  EVIDENCE_CHECK(rate_per_second >= 0);
  EVIDENCE_CHECK(rate_per_second == 0 || burst >= 1);
  EVIDENCE_CHECK(agencies_max >= 1);
}

void RateLimiter::Refill(Bucket& bucket, Clock::time_point now) const {
  if (now <= bucket.updated) return;
  const double seconds = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + seconds * rate_per_second_);
  bucket.updated = now;
}

RateLimiter::Bucket* RateLimiter::Find(std::string_view agency, Clock::time_point now) {
  auto it = buckets_.find(std::string(agency));
  if (it != buckets_.end()) {
    Refill(it->second, now);
    return &it->second;
  }
  if (buckets_.size() >= agencies_max_) {
    // A bucket that refilled completely is the same as a new one: forget it.
    for (auto entry = buckets_.begin(); entry != buckets_.end();) {
      Refill(entry->second, now);
      entry = entry->second.tokens >= burst_ ? buckets_.erase(entry) : std::next(entry);
    }
    if (buckets_.size() >= agencies_max_) return nullptr;
  }
  return &buckets_.emplace(std::string(agency), Bucket{burst_, now}).first->second;
}

uint32_t RateLimiter::Check(std::string_view agency, double cost, Clock::time_point now) {
  if (rate_per_second_ == 0) return 0;
  MutexLock lock(&mutex_);
  Bucket* bucket = Find(agency, now);
  if (bucket == nullptr) return 1;
  // A cost above the burst can never be met at once: allow it from a full bucket.
  const double needed = std::min(cost, burst_);
  if (bucket->tokens >= needed) return 0;
  const double seconds = (needed - bucket->tokens) / rate_per_second_;
  return static_cast<uint32_t>(std::clamp(std::ceil(seconds), 1.0, 3600.0));
}

void RateLimiter::Charge(std::string_view agency, double cost, Clock::time_point now) {
  if (rate_per_second_ == 0) return;
  MutexLock lock(&mutex_);
  if (Bucket* bucket = Find(agency, now)) bucket->tokens -= cost;
}

size_t RateLimiter::agencies() const {
  MutexLock lock(&mutex_);
  return buckets_.size();
}

}  // namespace evidence::api
