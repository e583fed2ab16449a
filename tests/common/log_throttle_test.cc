#include "common/log_throttle.h"

#include <gtest/gtest.h>

namespace evidence {
namespace {

using std::chrono::milliseconds;

TEST(LogThrottleTest, LetsThroughAFewLinesPerIntervalAndCountsTheRest) {
  LogThrottle throttle(2, milliseconds(1000));
  const auto start = LogThrottle::Clock::time_point() + milliseconds(5000);
  EXPECT_EQ(throttle.Admit(start), 0u);
  EXPECT_EQ(throttle.Admit(start + milliseconds(1)), 0u);
  // 499 more refusals in the same second: no line each.
  for (int i = 0; i < 499; ++i) EXPECT_FALSE(throttle.Admit(start + milliseconds(2 + i)));
  EXPECT_EQ(throttle.suppressed_total(), 499u);
  // The next interval's first line says how many were left out.
  EXPECT_EQ(throttle.Admit(start + milliseconds(1000)), 499u);
  EXPECT_EQ(throttle.Admit(start + milliseconds(1001)), 0u);
  EXPECT_FALSE(throttle.Admit(start + milliseconds(1002)));
  EXPECT_EQ(throttle.Admit(start + milliseconds(5000)), 1u);
}

TEST(LogThrottleTest, ARefusalFloodOfAMinuteLogsAtMostOneLineASecond) {
  // Finding 4 of issue 17: 499 refusals in a minute logged 998 WARN lines.
  LogThrottle throttle(1, milliseconds(1000));
  const auto start = LogThrottle::Clock::time_point() + milliseconds(1);
  int lines = 0;
  for (int i = 0; i < 60'000; i += 7) {
    if (throttle.Admit(start + milliseconds(i))) ++lines;
  }
  EXPECT_LE(lines, 61);
  EXPECT_GE(lines, 59);
}

}  // namespace
}  // namespace evidence
