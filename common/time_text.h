// Times and civil dates as text: RFC 3339 timestamps ("2026-03-01T09:30:00+08:00")
// and ISO 8601 calendar dates ("2026-03-01"), over Howard Hinnant's date library
// (the model for C++20 <chrono> calendars; GCC 12 lacks std::chrono::parse).
//
// A civil day is a count of days since 1970-01-01 in some time zone's calendar;
// which zone is the caller's business (supervision counts days in 北京时间, UTC+8).
//
// Parsing is strict: exactly the digits the format names, a real date and time,
// at most millisecond precision; anything else is InvalidArgument with a message
// that shows the expected form.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence {

inline constexpr int64_t kMsPerDay = 86'400'000;
inline constexpr int64_t kMsPerMinute = 60'000;

// "2026-03-01T09:30:00Z", "2026-03-01T09:30:00.250+08:00" (T or t, Z or z; fraction of
// 1 to 3 digits) -> unix milliseconds.
Result<int64_t> ParseRfc3339Ms(std::string_view text);

// Unix milliseconds as RFC 3339 in the zone `utc_offset_minutes` east of UTC, with
// milliseconds only when they are not zero: "2026-03-01T09:30:00+08:00".
std::string FormatRfc3339Ms(int64_t unix_ms, int utc_offset_minutes);

// "2026-03-01" -> days since 1970-01-01.
Result<int32_t> ParseCivilDate(std::string_view text);
std::string FormatCivilDate(int32_t civil_day);

// The civil day of a unix time in the zone `utc_offset_minutes` east of UTC.
int32_t CivilDayOf(int64_t unix_ms, int utc_offset_minutes);
// Unix milliseconds of 00:00 of `civil_day` in that zone.
int64_t StartOfCivilDayMs(int32_t civil_day, int utc_offset_minutes);
// 0 = Monday ... 6 = Sunday.
int WeekdayOf(int32_t civil_day);
// Year and month (1..12) of a civil day.
int YearOf(int32_t civil_day);
int MonthOf(int32_t civil_day);

}  // namespace evidence
