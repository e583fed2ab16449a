// Internal helpers of ledger/: reading a JSON object field by field, strictly.
// A FieldReader refuses missing fields, wrong types and (at Finish) any field it
// was not asked for, with the error codes of the format being read.
//
// Thread-safety: a FieldReader is a short-lived local; the free functions are pure.
#pragma once

#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/errors.h"

namespace evidence::ledger {

// Which ErrorCode each kind of schema refusal gets.
struct SchemaCodes {
  ErrorCode unknown_field;
  ErrorCode missing_field;
  ErrorCode wrong_type;
  ErrorCode bad_value;
};
inline constexpr SchemaCodes kRecordCodes = {
    ErrorCode::kRecordUnknownField, ErrorCode::kRecordMissingField, ErrorCode::kRecordWrongType,
    ErrorCode::kRecordBadValue};
inline constexpr SchemaCodes kGenesisCodes = {
    ErrorCode::kGenesisInvalid, ErrorCode::kGenesisInvalid, ErrorCode::kGenesisInvalid,
    ErrorCode::kGenesisInvalid};
inline constexpr SchemaCodes kReceiptCodes = {
    ErrorCode::kReceiptMalformed, ErrorCode::kReceiptMalformed, ErrorCode::kReceiptMalformed,
    ErrorCode::kReceiptMalformed};

class FieldReader {
 public:
  // `where` names the object in messages ("record", "sig.batch", "validators[2]").
  FieldReader(const boost::json::value& value, std::string where, SchemaCodes codes);

  Result<const boost::json::value*> Required(std::string_view name);
  const boost::json::value* Optional(std::string_view name);  // nullptr when absent
  Result<std::string> String(std::string_view name);
  Result<int64_t> Signed(std::string_view name);
  Result<uint64_t> Unsigned(std::string_view name);
  Result<std::vector<std::string>> StringArray(std::string_view name, size_t max_elements);
  Result<const boost::json::array*> Array(std::string_view name, size_t max_elements);
  // Refuses a non-object value and any field not read.
  Status Finish();

  Status Error(ErrorCode code, std::string_view detail) const;
  const std::string& where() const { return where_; }

 private:
  const boost::json::object* object_ = nullptr;
  std::string where_;
  SchemaCodes codes_;
  std::set<std::string, std::less<>> read_;
};

bool IsLowerHex(std::string_view text, size_t length);
// Non-empty ASCII [A-Za-z0-9._-].
bool IsIdentifier(std::string_view text);
bool IsValidUtf8(std::string_view text);
Result<crypto::Digest> ParseHexDigest(std::string_view field, std::string_view hex,
                                      SchemaCodes codes);

}  // namespace evidence::ledger
