#include "common/time_text.h"

#include <gtest/gtest.h>

namespace evidence {
namespace {

constexpr int kBeijing = 480;  // UTC+8, minutes

TEST(Rfc3339Test, ParsesZonesAndFractions) {
  // 2026-03-01T01:30:00Z is 1772328600000 ms.
  EXPECT_EQ(*ParseRfc3339Ms("2026-03-01T01:30:00Z"), 1772328600000);
  EXPECT_EQ(*ParseRfc3339Ms("2026-03-01t01:30:00z"), 1772328600000);
  EXPECT_EQ(*ParseRfc3339Ms("2026-03-01T09:30:00+08:00"), 1772328600000);
  EXPECT_EQ(*ParseRfc3339Ms("2026-02-28T20:30:00-05:00"), 1772328600000);
  EXPECT_EQ(*ParseRfc3339Ms("2026-03-01T09:30:00.5+08:00"), 1772328600500);
  EXPECT_EQ(*ParseRfc3339Ms("2026-03-01T09:30:00.123+08:00"), 1772328600123);
  EXPECT_EQ(*ParseRfc3339Ms("1969-12-31T23:59:59Z"), -1000);
}

TEST(Rfc3339Test, RefusesAnythingElse) {
  for (const char* text : {"", "2026-03-01", "2026-03-01T09:30:00", "2026-3-01T09:30:00Z",
                           "2026-03-01 09:30:00Z", "2026-02-30T09:30:00Z", "2026-03-01T24:30:00Z",
                           "2026-03-01T09:30:00.1234Z", "2026-03-01T09:30:00.Z",
                           "2026-03-01T09:30:00+8:00", "2026-03-01T09:30:00+08:00 ",
                           "+2026-03-01T09:30:00Z", "2026-03-01T09:30:00UTC"}) {
    auto parsed = ParseRfc3339Ms(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find("2026-03-01T09:30:00+08:00"), std::string::npos);
    }
  }
}

TEST(Rfc3339Test, FormatsInTheGivenZone) {
  EXPECT_EQ(FormatRfc3339Ms(1772328600000, kBeijing), "2026-03-01T09:30:00+08:00");
  EXPECT_EQ(FormatRfc3339Ms(1772328600000, 0), "2026-03-01T01:30:00Z");
  EXPECT_EQ(FormatRfc3339Ms(1772328600250, -330), "2026-02-28T20:00:00.250-05:30");
  for (int64_t ms : {int64_t{0}, int64_t{1772328600123}, int64_t{-86'400'001}}) {
    EXPECT_EQ(*ParseRfc3339Ms(FormatRfc3339Ms(ms, kBeijing)), ms);
  }
}

TEST(CivilDateTest, ParsesFormatsAndCounts) {
  EXPECT_EQ(*ParseCivilDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseCivilDate("2026-01-01"), 20454);
  EXPECT_EQ(FormatCivilDate(20454), "2026-01-01");
  EXPECT_EQ(FormatCivilDate(-1), "1969-12-31");
  EXPECT_FALSE(ParseCivilDate("2026-02-29").ok());
  EXPECT_FALSE(ParseCivilDate("2026-1-01").ok());
  EXPECT_FALSE(ParseCivilDate("2026-01-01T00:00:00Z").ok());
  EXPECT_EQ(WeekdayOf(*ParseCivilDate("2026-03-02")), 0);  // Monday
  EXPECT_EQ(WeekdayOf(*ParseCivilDate("2026-02-28")), 5);  // Saturday
  EXPECT_EQ(YearOf(*ParseCivilDate("2026-12-31")), 2026);
  EXPECT_EQ(MonthOf(*ParseCivilDate("2026-12-31")), 12);
}

TEST(CivilDateTest, DayBoundariesFollowTheZone) {
  const int32_t day = *ParseCivilDate("2026-03-01");
  const int64_t start = StartOfCivilDayMs(day, kBeijing);
  EXPECT_EQ(start, *ParseRfc3339Ms("2026-03-01T00:00:00+08:00"));
  EXPECT_EQ(CivilDayOf(start, kBeijing), day);
  EXPECT_EQ(CivilDayOf(start - 1, kBeijing), day - 1);
  // 2026-02-28T23:00Z is already March 1st in Beijing.
  EXPECT_EQ(CivilDayOf(*ParseRfc3339Ms("2026-02-28T23:00:00Z"), kBeijing), day);
  EXPECT_EQ(CivilDayOf(-1, 0), -1);
}

}  // namespace
}  // namespace evidence
