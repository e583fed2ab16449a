#pragma once

#include <chrono>
#include <cstdint>

namespace evidence {

// Milliseconds since the Unix epoch by the system clock: record times, block
// times and the time window records are checked against.
inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace evidence
