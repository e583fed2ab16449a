#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace evidence::metrics {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesInPrometheusTextFormat) {
  Registry registry;
  Counter& counter = registry.AddCounter("evidence_things_total", "Things.\nSecond line \\.");
  Gauge& gauge = registry.AddGauge("evidence_level", "Level.");
  counter.Increment();
  counter.Increment(4);
  gauge.Set(10);
  gauge.Add(-3);
  EXPECT_EQ(registry.RenderText(),
            "# HELP evidence_things_total Things.\\nSecond line \\\\.\n"
            "# TYPE evidence_things_total counter\n"
            "evidence_things_total 5\n"
            "# HELP evidence_level Level.\n"
            "# TYPE evidence_level gauge\n"
            "evidence_level 7\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  Histogram& histogram = registry.AddHistogram("evidence_latency_seconds", "Latency.", {0.5, 1});
  histogram.Observe(0.25);
  histogram.Observe(0.5);  // le is inclusive
  histogram.Observe(0.75);
  histogram.Observe(7);
  EXPECT_EQ(registry.RenderText(),
            "# HELP evidence_latency_seconds Latency.\n"
            "# TYPE evidence_latency_seconds histogram\n"
            "evidence_latency_seconds_bucket{le=\"0.5\"} 2\n"
            "evidence_latency_seconds_bucket{le=\"1\"} 3\n"
            "evidence_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "evidence_latency_seconds_sum 8.5\n"
            "evidence_latency_seconds_count 4\n");
}

TEST(MetricsTest, LabelledFamilyEscapesValuesAndBoundsItsSeries) {
  Registry registry;
  CounterFamily& family = registry.AddCounterFamily("evidence_x_total", "X.", {"route", "code"});
  family.Increment({"/v1/records", "201"});
  family.Increment({"/v1/records", "201"});
  family.Increment({"a\"b\\c\nd", "400"});
  EXPECT_EQ(family.value({"/v1/records", "201"}), 2u);
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("evidence_x_total{route=\"/v1/records\",code=\"201\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("evidence_x_total{route=\"a\\\"b\\\\c\\nd\",code=\"400\"} 1\n"),
            std::string::npos);
  for (size_t i = 0; i < kFamilySeriesMax + 10; ++i)
    family.Increment({"r" + std::to_string(i), "200"});
  EXPECT_EQ(family.Read().size(), kFamilySeriesMax);
  EXPECT_GT(family.overflow(), 0u);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  Counter& counter = registry.AddCounter("evidence_things_total", "Things.");
  Histogram& histogram = registry.AddHistogram("evidence_seconds", "Seconds.", {0.1, 1});
  CounterFamily& family = registry.AddCounterFamily("evidence_requests_total", "Requests.",
                                                    {"route", "code"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        counter.Increment();
        histogram.Observe(0.2);
        family.Increment({"/healthz", "200"});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40'000u);
  EXPECT_EQ(histogram.Read().count, 40'000u);
  EXPECT_EQ(family.value({"/healthz", "200"}), 40'000u);
}

}  // namespace
}  // namespace evidence::metrics
