// Strict reading of the supervision files' TOML (rules, holiday calendar): parse
// text into a table without letting toml++'s exceptions out, and read fields by
// type, refusing unknown keys and values of the wrong type with the dotted path
// of the offending field in the message.
//
// Thread-safety: pure functions.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::supervision::toml_fields {

// Reads a whole file of at most `bytes_max` bytes; errors name the file.
Result<std::string> ReadFile(const std::string& path, size_t bytes_max);

// Parses TOML text; `what` names the file in errors ("supervision rules").
Result<toml::table> ParseText(std::string_view text, std::string_view what);

// Refuses a key of `table` that is not in `allowed`; `where` is its dotted path.
Status OnlyKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                const std::string& where);

Status Invalid(const std::string& where, std::string_view problem);

// Required fields (absent: an error naming the field).
Result<std::string> String(const toml::table& table, std::string_view key,
                           const std::string& where);
Result<int64_t> Integer(const toml::table& table, std::string_view key, int64_t min, int64_t max,
                        const std::string& where);
Result<bool> Boolean(const toml::table& table, std::string_view key, const std::string& where);
const toml::array* Array(const toml::table& table, std::string_view key);
const toml::table* Table(const toml::table& table, std::string_view key);

// Optional fields: the fallback when absent.
Result<std::string> StringOr(const toml::table& table, std::string_view key,
                             std::string fallback, const std::string& where);
Result<int64_t> IntegerOr(const toml::table& table, std::string_view key, int64_t fallback,
                          int64_t min, int64_t max, const std::string& where);
Result<bool> BooleanOr(const toml::table& table, std::string_view key, bool fallback,
                       const std::string& where);

// A TOML local date (2026-01-01) as days since 1970-01-01.
Result<int32_t> Date(const toml::node& node, const std::string& where);

}  // namespace evidence::supervision::toml_fields
