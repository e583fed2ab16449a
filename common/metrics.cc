#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <variant>

#include "common/check.h"

namespace evidence::metrics {
namespace {

bool IsNameChar(char c, bool first, bool allow_colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return alpha || (allow_colon && c == ':') || (!first && digit);
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

// A number as Prometheus reads it: shortest round-trip form, +Inf/-Inf/NaN.
std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  EVIDENCE_CHECK(result.ec == std::errc());
  return std::string(buffer, result.ptr);
}

// Label values escape backslash, double quote and line feed; help text escapes
// backslash and line feed.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i] + "=\"" + Escape(values[i], true) + '"';
  }
  return out + '}';
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), bucket_counts_(upper_bounds_.size() + 1, 0) {
  for (size_t i = 1; i < upper_bounds_.size(); ++i) {
    EVIDENCE_CHECK(upper_bounds_[i - 1] < upper_bounds_[i]);
  }
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  MutexLock lock(&mutex_);
  ++bucket_counts_[bucket];
  sum_ += value;
  ++count_;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  MutexLock lock(&mutex_);
  uint64_t running = 0;
  for (uint64_t count : bucket_counts_) {
    running += count;
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.sum = sum_;
  snapshot.count = count_;
  return snapshot;
}

CounterFamily::CounterFamily(std::vector<std::string> label_names)
    : label_names_(std::move(label_names)) {
  for (const std::string& name : label_names_) EVIDENCE_CHECK(IsValidName(name, false));
}

void CounterFamily::Increment(const std::vector<std::string>& label_values, uint64_t by) {
  EVIDENCE_CHECK(label_values.size() == label_names_.size());
  MutexLock lock(&mutex_);
  auto it = series_.find(label_values);
  if (it == series_.end()) {
    if (series_.size() >= kFamilySeriesMax) {
      overflow_.fetch_add(by, std::memory_order_relaxed);
      return;
    }
    it = series_.emplace(label_values, 0).first;
  }
  it->second += by;
}

uint64_t CounterFamily::value(const std::vector<std::string>& label_values) const {
  MutexLock lock(&mutex_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second;
}

std::map<std::vector<std::string>, uint64_t> CounterFamily::Read() const {
  MutexLock lock(&mutex_);
  return series_;
}

struct Registry::Entry {
  std::string name;
  std::string help;
  std::variant<std::monostate, std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
               std::unique_ptr<Histogram>, std::unique_ptr<CounterFamily>>
      metric;

  void Render(std::string& out) const;
};

void Registry::Entry::Render(std::string& out) const {
  static constexpr std::string_view kTypes[] = {"untyped", "counter", "gauge", "histogram",
                                                "counter"};
  out += "# HELP " + name + ' ' + Escape(help, false) + '\n';
  out += "# TYPE " + name + ' ' + std::string(kTypes[metric.index()]) + '\n';
  if (const auto* counter = std::get_if<std::unique_ptr<Counter>>(&metric)) {
    out += name + ' ' + std::to_string((*counter)->value()) + '\n';
  } else if (const auto* gauge = std::get_if<std::unique_ptr<Gauge>>(&metric)) {
    out += name + ' ' + std::to_string((*gauge)->value()) + '\n';
  } else if (const auto* histogram = std::get_if<std::unique_ptr<Histogram>>(&metric)) {
    const Histogram::Snapshot s = (*histogram)->Read();
    for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
      const std::string le = i < s.upper_bounds.size() ? FormatNumber(s.upper_bounds[i]) : "+Inf";
      out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(s.cumulative_counts[i]) + '\n';
    }
    out += name + "_sum " + FormatNumber(s.sum) + '\n';
    out += name + "_count " + std::to_string(s.count) + '\n';
  } else if (const auto* family = std::get_if<std::unique_ptr<CounterFamily>>(&metric)) {
    for (const auto& [values, count] : (*family)->Read()) {
      out += name + Labels((*family)->label_names(), values) + ' ' + std::to_string(count) + '\n';
    }
  }
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::Add(std::string name, std::string help) {
  EVIDENCE_CHECK(IsValidName(name, true));
  for (const auto& entry : entries_) EVIDENCE_CHECK(entry->name != name);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

Counter& Registry::AddCounter(std::string name, std::string help) {
  MutexLock lock(&mutex_);
  auto counter = std::make_unique<Counter>();
  Counter& ref = *counter;
  Add(std::move(name), std::move(help)).metric = std::move(counter);
  return ref;
}

Gauge& Registry::AddGauge(std::string name, std::string help) {
  MutexLock lock(&mutex_);
  auto gauge = std::make_unique<Gauge>();
  Gauge& ref = *gauge;
  Add(std::move(name), std::move(help)).metric = std::move(gauge);
  return ref;
}

Histogram& Registry::AddHistogram(std::string name, std::string help,
                                  std::vector<double> upper_bounds) {
  MutexLock lock(&mutex_);
  auto histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  Histogram& ref = *histogram;
  Add(std::move(name), std::move(help)).metric = std::move(histogram);
  return ref;
}

CounterFamily& Registry::AddCounterFamily(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  MutexLock lock(&mutex_);
  auto family = std::make_unique<CounterFamily>(std::move(label_names));
  CounterFamily& ref = *family;
  Add(std::move(name), std::move(help)).metric = std::move(family);
  return ref;
}

std::string Registry::RenderText() const {
  MutexLock lock(&mutex_);
  std::string out;
  for (const auto& entry : entries_) entry->Render(out);
  return out;
}

}  // namespace evidence::metrics
