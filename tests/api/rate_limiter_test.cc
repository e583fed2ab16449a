#include "api/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace evidence::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const RateLimiter::Clock::time_point kStart{};

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter(/*rate_per_second=*/2, /*burst=*/3, /*agencies_max=*/10);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Check("a", 1, kStart), 0u);
    limiter.Charge("a", 1, kStart);
  }
  EXPECT_EQ(limiter.Check("a", 1, kStart), 1u);  // empty: one token takes 0.5 s -> 1 s
  EXPECT_EQ(limiter.Check("b", 1, kStart), 0u);  // another agency has its own bucket
  EXPECT_EQ(limiter.Check("a", 1, kStart + milliseconds(500)), 0u);
  limiter.Charge("a", 1, kStart + milliseconds(500));
  EXPECT_EQ(limiter.Check("a", 1, kStart + milliseconds(600)), 1u);
  EXPECT_EQ(limiter.Check("a", 3, kStart + seconds(100)), 0u);  // refilled, capped at the burst
  limiter.Charge("a", 3, kStart + seconds(100));
  EXPECT_EQ(limiter.Check("a", 1, kStart + seconds(100)), 1u);
}

TEST(RateLimiterTest, RetryAfterCoversTheMissingTokens) {
  RateLimiter limiter(1, 10, 10);
  limiter.Charge("a", 10, kStart);
  EXPECT_EQ(limiter.Check("a", 5, kStart), 5u);
  EXPECT_EQ(limiter.Check("a", 50, kStart), 10u);  // more than the burst: wait for a full bucket
  limiter.Charge("a", 15, kStart);                 // may go negative
  EXPECT_EQ(limiter.Check("a", 1, kStart), 16u);
}

TEST(RateLimiterTest, ZeroRateDisablesTheLimit) {
  RateLimiter limiter(0, 0, 1);
  limiter.Charge("a", 1e9, kStart);
  EXPECT_EQ(limiter.Check("a", 1e9, kStart), 0u);
  EXPECT_EQ(limiter.agencies(), 0u);
}

TEST(RateLimiterTest, TracksABoundedNumberOfAgencies) {
  RateLimiter limiter(1, 2, 2);
  limiter.Charge("a", 1, kStart);
  limiter.Charge("b", 1, kStart);
  EXPECT_EQ(limiter.Check("c", 1, kStart), 1u);  // full of agencies still spending
  EXPECT_EQ(limiter.agencies(), 2u);
  EXPECT_EQ(limiter.Check("c", 1, kStart + seconds(5)), 0u);  // a and b refilled: dropped
  EXPECT_LE(limiter.agencies(), 2u);
}

}  // namespace
}  // namespace evidence::api
