#include "supervision/calendar.h"

#include <gtest/gtest.h>

#include "common/time_text.h"

namespace evidence::supervision {
namespace {

int32_t Day(const char* text) { return *ParseCivilDate(text); }

const WorkingCalendar& Calendar() { return WorkingCalendar::Default(); }

TEST(WorkingCalendarTest, TheBuiltInFileHasThe2025And2026NoticesAndNo2027Dates) {
  EXPECT_TRUE(Calendar().Covers(2025));
  EXPECT_TRUE(Calendar().Covers(2026));
  EXPECT_FALSE(Calendar().Covers(2027));  // not published in the sources: not invented
  EXPECT_FALSE(Calendar().Covers(2024));
  ASSERT_EQ(Calendar().years().size(), 3u);
  EXPECT_NE(Calendar().years()[0].source.find("国办发明电〔2024〕12号"), std::string::npos);
}

TEST(WorkingCalendarTest, Holidays2026AsTheStateCouncilNoticeSays) {
  // 元旦 1/1–1/3 with 1/4 worked; 春节 2/15–2/23 with 2/14 and 2/28 worked;
  // 清明 4/4–4/6; 劳动节 5/1–5/5 with 5/9 worked; 端午 6/19–6/21; 中秋 9/25–9/27;
  // 国庆 10/1–10/7 with 9/20 and 10/10 worked.
  for (const char* holiday :
       {"2026-01-01", "2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-04",
        "2026-05-05", "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-07"}) {
    EXPECT_FALSE(Calendar().IsWorkingDay(Day(holiday))) << holiday;
  }
  for (const char* worked : {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                             "2026-10-10"}) {
    EXPECT_TRUE(Calendar().IsWorkingDay(Day(worked))) << worked;
  }
  EXPECT_TRUE(Calendar().IsWorkingDay(Day("2026-10-08")));   // Thursday after 国庆
  EXPECT_FALSE(Calendar().IsWorkingDay(Day("2026-10-11")));  // an ordinary Sunday
  EXPECT_FALSE(Calendar().IsWorkingDay(Day("2026-03-07")));  // an ordinary Saturday
}

TEST(WorkingCalendarTest, Holidays2025AsTheStateCouncilNoticeSays) {
  for (const char* holiday : {"2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04",
                              "2025-05-05", "2025-06-02", "2025-10-08"}) {
    EXPECT_FALSE(Calendar().IsWorkingDay(Day(holiday))) << holiday;
  }
  for (const char* worked : {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}) {
    EXPECT_TRUE(Calendar().IsWorkingDay(Day(worked))) << worked;
  }
}

TEST(WorkingCalendarTest, AnUnpublishedYearCountsMondayToFriday) {
  EXPECT_TRUE(Calendar().IsWorkingDay(Day("2027-01-01")));   // a Friday; no notice yet
  EXPECT_FALSE(Calendar().IsWorkingDay(Day("2027-01-02")));  // Saturday
}

TEST(WorkingCalendarTest, CountsWorkingDaysAfterTheStartingDay) {
  // Seven working days after Wednesday 2026-09-30: 国庆 10/1–10/7 off, then Thu 10/8,
  // Fri 10/9, Sat 10/10 (调休上班), Mon 10/12 ... Thu 10/15.
  EXPECT_EQ(Calendar().AddWorkingDays(Day("2026-09-30"), 7), Day("2026-10-15"));
  // Across 春节 with both adjusted Saturdays: Fri 2/13 -> Sat 2/14 (1), 2/24..2/27 (5),
  // Sat 2/28 (6), Mon 3/2 (7).
  EXPECT_EQ(Calendar().AddWorkingDays(Day("2026-02-13"), 7), Day("2026-03-02"));
  // An ordinary week: Friday + 1 working day is Monday.
  EXPECT_EQ(Calendar().AddWorkingDays(Day("2026-03-06"), 1), Day("2026-03-09"));
  EXPECT_EQ(Calendar().WorkingDayOnOrAfter(Day("2026-05-01")), Day("2026-05-06"));
  EXPECT_EQ(Calendar().WorkingDayOnOrAfter(Day("2026-05-06")), Day("2026-05-06"));
}

TEST(WorkingCalendarTest, ParsesAMinimalFile) {
  auto calendar = WorkingCalendar::Parse(R"(format = "evidence-holidays/1"
[[year]]
year = 2030
published = true
source = "test"
holidays = [{ name = "x", from = 2030-01-01, to = 2030-01-02 }]
working_days = [2030-01-05]
)");
  ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
  EXPECT_FALSE(calendar->IsWorkingDay(Day("2030-01-02")));
  EXPECT_TRUE(calendar->IsWorkingDay(Day("2030-01-05")));  // a Saturday worked
  EXPECT_TRUE(calendar->Covers(2030));
}

TEST(WorkingCalendarTest, RefusesBadFilesWithTheFieldInTheMessage) {
  const std::string head = "format = \"evidence-holidays/1\"\n[[year]]\nyear = 2030\nsource = \"t\"\n";
  const std::pair<std::string, std::string> cases[] = {
      {"format = \"x\"\n", "format"},
      {head + "published = true\nholidays = []\nworking_days = [2030-01-07]\n", "Saturday or Sunday"},
      {head + "published = true\nholidays = [{ name = \"x\", from = 2031-01-01, to = 2031-01-01 }]\n"
              "working_days = []\n", "outside its year"},
      {head + "published = true\nholidays = [{ name = \"x\", from = 2030-01-03, to = 2030-01-01 }]\n"
              "working_days = []\n", "from must be on or before to"},
      {head + "published = false\nholidays = []\nworking_days = [2030-01-05]\n", "published = false"},
      {head + "published = true\nholidays = []\nworking_days = [\"2030-01-05\"]\n", "must be a date"},
      {head + "published = true\nholidays = []\nworking_days = []\ncolour = 1\n", "not a known setting"},
      {head + "published = true\nholidays = []\nworking_days = []\n[[year]]\nyear = 2030\n"
              "published = false\nsource = \"t\"\nholidays = []\nworking_days = []\n", "repeats"},
      {"format = \"evidence-holidays/1\"\n[[year]\n", "line"},
  };
  for (const auto& [text, expected] : cases) {
    auto calendar = WorkingCalendar::Parse(text);
    ASSERT_FALSE(calendar.ok()) << text;
    EXPECT_NE(calendar.status().message().find(expected), std::string::npos)
        << calendar.status().message();
  }
}

}  // namespace
}  // namespace evidence::supervision
