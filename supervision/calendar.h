// WorkingCalendar: which civil days are working days (工作日), from the holiday
// calendar file (configs/holidays-cn.toml): Monday to Friday, less the official
// holidays, plus the adjusted working days (调休上班, a Saturday or Sunday worked).
//
// Periods are counted as the statutes count them: the day of the act that starts
// a period is not counted (民事诉讼法 第八十五条: 期间开始的日不计算在内), so the
// 7th working day after a decision made on a Friday is the second Tuesday after
// it when no holiday intervenes.
//
// A year the file lists as unpublished (published = false), or does not list at
// all, is counted Monday to Friday; Covers(year) tells callers so they can warn.
//
// File format (TOML):
//   format = "evidence-holidays/1"
//   [[year]]  year = 2026, published = true, source = "...",
//             holidays = [{ name, from = 2026-01-01, to = 2026-01-03 }, ...],
//             working_days = [2026-01-04, ...]
// Checked on load: known keys only, dates inside their year, holiday spans in
// order (from <= to) and within limits, adjusted working days on a Saturday or
// Sunday and not inside a holiday, each year once.
//
// Thread-safety: immutable after Parse; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace evidence::supervision {

inline constexpr size_t kCalendarYearsMax = 200;
inline constexpr size_t kCalendarSpansPerYearMax = 64;
inline constexpr int kCalendarYearMin = 1970;
inline constexpr int kCalendarYearMax = 2200;

struct CalendarYear {
  int year = 0;
  bool published = false;
  std::string source;
};

class WorkingCalendar {
 public:
  // A calendar with no years: every Monday to Friday is a working day.
  WorkingCalendar() = default;

  static Result<WorkingCalendar> Parse(std::string_view toml_text);
  // Reads and parses a calendar file (at most 1 MiB); errors name it.
  static Result<WorkingCalendar> Load(const std::string& path);
  // The built-in calendar (configs/holidays-cn.toml at build time).
  static const WorkingCalendar& Default();
  static std::string_view DefaultText();

  bool IsWorkingDay(int32_t civil_day) const;
  // The civil day that is the `count`-th working day after `civil_day` (which is
  // itself not counted). count >= 1.
  int32_t AddWorkingDays(int32_t civil_day, int count) const;
  // `civil_day` when it is a working day, else the next working day.
  int32_t WorkingDayOnOrAfter(int32_t civil_day) const;

  // Whether the file gives the published holidays of `year`.
  bool Covers(int year) const;
  const std::vector<CalendarYear>& years() const { return years_; }

 private:
  std::vector<CalendarYear> years_;
  std::set<int32_t> holidays_;
  std::set<int32_t> adjusted_working_days_;
};

}  // namespace evidence::supervision
