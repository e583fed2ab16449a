#include "common/log_throttle.h"

#include "common/check.h"

namespace evidence {

LogThrottle::LogThrottle(uint32_t lines_per_interval, Clock::duration interval)
    : lines_per_interval_(lines_per_interval), interval_(interval) {
  EVIDENCE_CHECK(lines_per_interval_ >= 1 && interval_ > Clock::duration::zero());
}

std::optional<uint64_t> LogThrottle::Admit(Clock::time_point now) {
  MutexLock lock(&mutex_);
  if (!started_ || now - interval_start_ >= interval_) {
    started_ = true;
    interval_start_ = now;
    lines_in_interval_ = 0;
  }
  if (lines_in_interval_ >= lines_per_interval_) {
    ++suppressed_since_line_;
    ++suppressed_total_;
    return std::nullopt;
  }
  ++lines_in_interval_;
  const uint64_t suppressed = suppressed_since_line_;
  suppressed_since_line_ = 0;
  return suppressed;
}

uint64_t LogThrottle::suppressed_total() const {
  MutexLock lock(&mutex_);
  return suppressed_total_;
}

}  // namespace evidence
