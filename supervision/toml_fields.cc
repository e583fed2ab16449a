#include "supervision/toml_fields.h"

#include <algorithm>
#include <fstream>
#include <cstdio>
#include <sstream>

#include "common/time_text.h"

namespace evidence::supervision::toml_fields {

Result<std::string> ReadFile(const std::string& path, size_t bytes_max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::string text;
  char chunk[8192];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > bytes_max) {
      return Status::InvalidArgument(path + " is larger than " + std::to_string(bytes_max) + " bytes");
    }
  }
  if (in.bad()) return Status::IoError("cannot read " + path);
  return text;
}

Result<toml::table> ParseText(std::string_view text, std::string_view what) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << what << ": " << error.description() << " (line " << error.source().begin.line
            << ", column " << error.source().begin.column << ")";
    return Status::InvalidArgument(message.str());
  }
}

Status Invalid(const std::string& where, std::string_view problem) {
  return Status::InvalidArgument(where + ": " + std::string(problem));
}

Status OnlyKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                const std::string& where) {
  for (const auto& [key, value] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return Invalid(where.empty() ? std::string(key.str()) : where + "." + std::string(key.str()),
                     "is not a known setting");
    }
  }
  return Status::Ok();
}

namespace {
std::string Path(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}
}  // namespace

Result<std::string> String(const toml::table& table, std::string_view key,
                           const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Invalid(Path(where, key), "is missing");
  const auto* value = node->as_string();
  if (value == nullptr) return Invalid(Path(where, key), "must be a string");
  return value->get();
}

Result<int64_t> Integer(const toml::table& table, std::string_view key, int64_t min, int64_t max,
                        const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Invalid(Path(where, key), "is missing");
  const auto* value = node->as_integer();
  if (value == nullptr || value->get() < min || value->get() > max) {
    return Invalid(Path(where, key),
                   "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value->get();
}

Result<bool> Boolean(const toml::table& table, std::string_view key, const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Invalid(Path(where, key), "is missing");
  const auto* value = node->as_boolean();
  if (value == nullptr) return Invalid(Path(where, key), "must be true or false");
  return value->get();
}

const toml::array* Array(const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  return node == nullptr ? nullptr : node->as_array();
}

const toml::table* Table(const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  return node == nullptr ? nullptr : node->as_table();
}

Result<std::string> StringOr(const toml::table& table, std::string_view key,
                             std::string fallback, const std::string& where) {
  if (table.get(key) == nullptr) return fallback;
  return String(table, key, where);
}

Result<int64_t> IntegerOr(const toml::table& table, std::string_view key, int64_t fallback,
                          int64_t min, int64_t max, const std::string& where) {
  if (table.get(key) == nullptr) return fallback;
  return Integer(table, key, min, max, where);
}

Result<bool> BooleanOr(const toml::table& table, std::string_view key, bool fallback,
                       const std::string& where) {
  if (table.get(key) == nullptr) return fallback;
  return Boolean(table, key, where);
}

Result<int32_t> Date(const toml::node& node, const std::string& where) {
  const auto* value = node.as_date();
  if (value == nullptr) return Invalid(where, "must be a date such as 2026-01-01 (no quotes)");
  const toml::date& date = value->get();
  char text[16];
  std::snprintf(text, sizeof text, "%04u-%02u-%02u", static_cast<unsigned>(date.year),
                static_cast<unsigned>(date.month), static_cast<unsigned>(date.day));
  auto day = ParseCivilDate(text);
  if (!day.ok()) return Invalid(where, day.status().message());
  return *day;
}

}  // namespace evidence::supervision::toml_fields
