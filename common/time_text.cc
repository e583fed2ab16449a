#include "common/time_text.h"

// date.h's parse trips GCC 12's -Wmaybe-uninitialized inside its own templates
// (a false positive: the value is written before it is read).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop

#include <cctype>
#include <cstdio>
#include <sstream>

namespace evidence {
namespace {

using Milliseconds = std::chrono::milliseconds;

// `text` matches `shape`, where '9' stands for one ASCII digit and any other
// character for itself (case-insensitively for letters).
bool HasShape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (shape[i] == '9') {
      if (!std::isdigit(c)) return false;
    } else if (std::toupper(c) != static_cast<unsigned char>(shape[i])) {
      return false;
    }
  }
  return true;
}

Status BadTime(std::string_view text) {
  return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) +
                                 "' is not an RFC 3339 time; write e.g. 2026-03-01T09:30:00+08:00 "
                                 "or 2026-03-01T01:30:00Z (at most millisecond precision)");
}

}  // namespace

Result<int64_t> ParseRfc3339Ms(std::string_view text) {
  // Date and time, then an optional fraction, then the zone.
  constexpr std::string_view kDateTime = "9999-99-99T99:99:99";
  if (text.size() < kDateTime.size() + 1 || !HasShape(text.substr(0, kDateTime.size()), kDateTime)) {
    return BadTime(text);
  }
  std::string_view rest = text.substr(kDateTime.size());
  size_t fraction_digits = 0;
  if (!rest.empty() && rest.front() == '.') {
    while (fraction_digits + 1 < rest.size() &&
           std::isdigit(static_cast<unsigned char>(rest[fraction_digits + 1]))) {
      ++fraction_digits;
    }
    if (fraction_digits == 0 || fraction_digits > 3) return BadTime(text);
    rest.remove_prefix(fraction_digits + 1);
  }
  const bool utc = rest.size() == 1 && (rest == "Z" || rest == "z");
  if (!utc && !HasShape(rest, "+99:99") && !HasShape(rest, "-99:99")) return BadTime(text);
  // Normalise the letters for the parser: 'T' and, for UTC, "+00:00".
  std::string normal(text.substr(0, text.size() - rest.size()));
  normal[10] = 'T';
  normal += utc ? std::string("+00:00") : std::string(rest);
  std::istringstream in(normal);
  date::sys_time<Milliseconds> time;
  in >> date::parse("%FT%T%Ez", time);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return BadTime(text);
  return time.time_since_epoch().count();
}

std::string FormatRfc3339Ms(int64_t unix_ms, int utc_offset_minutes) {
  const date::sys_time<Milliseconds> time{Milliseconds(unix_ms)};
  const auto local = time + std::chrono::minutes(utc_offset_minutes);
  const auto day = date::floor<date::days>(local);
  const date::hh_mm_ss<Milliseconds> clock(local - day);
  std::string out = date::format("%F", day) + "T" +
                    date::format("%T", date::floor<std::chrono::seconds>(local));
  if (clock.subseconds().count() != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(clock.subseconds().count()));
    out += fraction;
  }
  if (utc_offset_minutes == 0) return out + "Z";
  const int magnitude = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", utc_offset_minutes < 0 ? '-' : '+',
                magnitude / 60, magnitude % 60);
  return out + zone;
}

Result<int32_t> ParseCivilDate(std::string_view text) {
  if (!HasShape(text, "9999-99-99")) {
    return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) +
                                   "' is not a date; write YYYY-MM-DD, e.g. 2026-03-01");
  }
  std::istringstream in{std::string(text)};
  date::sys_days day;
  in >> date::parse("%F", day);
  if (in.fail()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a date of the calendar");
  }
  return static_cast<int32_t>(day.time_since_epoch().count());
}

std::string FormatCivilDate(int32_t civil_day) {
  return date::format("%F", date::sys_days{date::days{civil_day}});
}

int32_t CivilDayOf(int64_t unix_ms, int utc_offset_minutes) {
  const int64_t local_ms = unix_ms + int64_t{utc_offset_minutes} * kMsPerMinute;
  // Floor division: times before 1970 fall on earlier days.
  int64_t day = local_ms / kMsPerDay;
  if (local_ms % kMsPerDay < 0) --day;
  return static_cast<int32_t>(day);
}

int64_t StartOfCivilDayMs(int32_t civil_day, int utc_offset_minutes) {
  return int64_t{civil_day} * kMsPerDay - int64_t{utc_offset_minutes} * kMsPerMinute;
}

int WeekdayOf(int32_t civil_day) {
  // ISO: Monday = 1 ... Sunday = 7.
  return static_cast<int>(
             date::weekday{date::sys_days{date::days{civil_day}}}.iso_encoding()) - 1;
}

int YearOf(int32_t civil_day) {
  return static_cast<int>(date::year_month_day{date::sys_days{date::days{civil_day}}}.year());
}

int MonthOf(int32_t civil_day) {
  return static_cast<int>(
      static_cast<unsigned>(date::year_month_day{date::sys_days{date::days{civil_day}}}.month()));
}

}  // namespace evidence
