#include "supervision/calendar.h"

#include "common/check.h"
#include "common/time_text.h"
#include "supervision/toml_fields.h"

namespace evidence::supervision {

// Generated from configs/holidays-cn.toml (supervision/CMakeLists.txt).
std::string_view BuiltInCalendarText();

namespace {

namespace tf = toml_fields;

constexpr std::string_view kFormat = "evidence-holidays/1";
// Far more than any statutory period: a loop that runs longer has a bug.
constexpr int kWorkingDaysMax = 10'000;

struct YearDays {
  std::set<int32_t> holidays;
  std::set<int32_t> working_days;
};

Status ReadHolidays(const toml::table& entry, int year, const std::string& where, YearDays& out) {
  const toml::array* holidays = tf::Array(entry, "holidays");
  if (holidays == nullptr) return tf::Invalid(where + ".holidays", "must be an array");
  if (holidays->size() > kCalendarSpansPerYearMax) {
    return tf::Invalid(where + ".holidays", "has too many entries");
  }
  for (size_t i = 0; i < holidays->size(); ++i) {
    const std::string at = where + ".holidays[" + std::to_string(i) + "]";
    const toml::table* span = (*holidays)[i].as_table();
    if (span == nullptr) return tf::Invalid(at, "must be { name, from, to }");
    EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(*span, {"name", "from", "to"}, at));
    EVIDENCE_ASSIGN_OR_RETURN(std::string name, tf::String(*span, "name", at));
    if (span->get("from") == nullptr || span->get("to") == nullptr) {
      return tf::Invalid(at, "needs from and to");
    }
    EVIDENCE_ASSIGN_OR_RETURN(int32_t from, tf::Date(*span->get("from"), at + ".from"));
    EVIDENCE_ASSIGN_OR_RETURN(int32_t to, tf::Date(*span->get("to"), at + ".to"));
    if (from > to || to - from > 31) return tf::Invalid(at, "from must be on or before to, at most a month apart");
    if (YearOf(from) != year || YearOf(to) != year) return tf::Invalid(at, "lies outside its year");
    for (int32_t day = from; day <= to; ++day) out.holidays.insert(day);
  }
  return Status::Ok();
}

Status ReadWorkingDays(const toml::table& entry, int year, const std::string& where,
                       YearDays& out) {
  const toml::array* days = tf::Array(entry, "working_days");
  if (days == nullptr) return tf::Invalid(where + ".working_days", "must be an array of dates");
  if (days->size() > kCalendarSpansPerYearMax) {
    return tf::Invalid(where + ".working_days", "has too many entries");
  }
  for (size_t i = 0; i < days->size(); ++i) {
    const std::string at = where + ".working_days[" + std::to_string(i) + "]";
    EVIDENCE_ASSIGN_OR_RETURN(int32_t day, tf::Date((*days)[i], at));
    if (YearOf(day) != year) return tf::Invalid(at, "lies outside its year");
    if (WeekdayOf(day) < 5) {
      return tf::Invalid(at, FormatCivilDate(day) +
                                 " is a Monday to Friday: an adjusted working day (调休上班) is "
                                 "a Saturday or Sunday");
    }
    if (out.holidays.contains(day)) return tf::Invalid(at, "is also listed as a holiday");
    out.working_days.insert(day);
  }
  return Status::Ok();
}

}  // namespace

Result<WorkingCalendar> WorkingCalendar::Parse(std::string_view toml_text) {
  EVIDENCE_ASSIGN_OR_RETURN(toml::table root, tf::ParseText(toml_text, "holiday calendar"));
  EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(root, {"format", "year"}, ""));
  EVIDENCE_ASSIGN_OR_RETURN(std::string format, tf::String(root, "format", ""));
  if (format != kFormat) {
    return tf::Invalid("format", "must be \"" + std::string(kFormat) + "\"");
  }
  WorkingCalendar calendar;
  const toml::array* years = tf::Array(root, "year");
  if (years == nullptr) return tf::Invalid("year", "must be an array of [[year]] tables");
  if (years->size() > kCalendarYearsMax) return tf::Invalid("year", "has too many entries");
  for (size_t i = 0; i < years->size(); ++i) {
    const std::string where = "year[" + std::to_string(i) + "]";
    const toml::table* entry = (*years)[i].as_table();
    if (entry == nullptr) return tf::Invalid(where, "must be a table");
    EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(
        *entry, {"year", "published", "source", "holidays", "working_days"}, where));
    CalendarYear year;
    EVIDENCE_ASSIGN_OR_RETURN(int64_t number, tf::Integer(*entry, "year", kCalendarYearMin,
                                                          kCalendarYearMax, where));
    year.year = static_cast<int>(number);
    EVIDENCE_ASSIGN_OR_RETURN(year.published, tf::Boolean(*entry, "published", where));
    EVIDENCE_ASSIGN_OR_RETURN(year.source, tf::String(*entry, "source", where));
    for (const CalendarYear& seen : calendar.years_) {
      if (seen.year == year.year) return tf::Invalid(where, "repeats the year " + std::to_string(year.year));
    }
    YearDays days;
    EVIDENCE_RETURN_IF_ERROR(ReadHolidays(*entry, year.year, where, days));
    EVIDENCE_RETURN_IF_ERROR(ReadWorkingDays(*entry, year.year, where, days));
    if (!year.published && (!days.holidays.empty() || !days.working_days.empty())) {
      return tf::Invalid(where, "lists dates but is marked published = false");
    }
    calendar.holidays_.merge(days.holidays);
    calendar.adjusted_working_days_.merge(days.working_days);
    calendar.years_.push_back(std::move(year));
  }
  return calendar;
}

Result<WorkingCalendar> WorkingCalendar::Load(const std::string& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, tf::ReadFile(path, 1 << 20));
  auto calendar = Parse(text);
  if (!calendar.ok()) return calendar.status().WithContext(path);
  return calendar;
}

std::string_view WorkingCalendar::DefaultText() { return BuiltInCalendarText(); }

const WorkingCalendar& WorkingCalendar::Default() {
  static const WorkingCalendar* calendar = [] {
    Result<WorkingCalendar> parsed = Parse(BuiltInCalendarText());
    EVIDENCE_CHECK_MSG(parsed.ok(), "the built-in configs/holidays-cn.toml does not parse");
    return new WorkingCalendar(std::move(parsed).value());
  }();
  return *calendar;
}

bool WorkingCalendar::IsWorkingDay(int32_t civil_day) const {
  if (adjusted_working_days_.contains(civil_day)) return true;
  if (holidays_.contains(civil_day)) return false;
  return WeekdayOf(civil_day) < 5;
}

int32_t WorkingCalendar::AddWorkingDays(int32_t civil_day, int count) const {
  EVIDENCE_CHECK(count >= 1 && count <= kWorkingDaysMax);
  int32_t day = civil_day;
  for (int counted = 0; counted < count;) {
    ++day;
    if (IsWorkingDay(day)) ++counted;
  }
  return day;
}

int32_t WorkingCalendar::WorkingDayOnOrAfter(int32_t civil_day) const {
  int32_t day = civil_day;
  // Holidays and weekends never run longer than a few weeks.
  for (int step = 0; !IsWorkingDay(day); ++step) {
    EVIDENCE_CHECK(step < kWorkingDaysMax);
    ++day;
  }
  return day;
}

bool WorkingCalendar::Covers(int year) const {
  for (const CalendarYear& entry : years_) {
    if (entry.year == year) return entry.published;
  }
  return false;
}

}  // namespace evidence::supervision
