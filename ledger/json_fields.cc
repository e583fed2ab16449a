#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;

FieldReader::FieldReader(const json::value& value, std::string where, SchemaCodes codes)
    : object_(value.if_object()), where_(std::move(where)), codes_(codes) {}

Status FieldReader::Error(ErrorCode code, std::string_view detail) const {
  return LedgerError(code, where_ + ": " + std::string(detail));
}

const json::value* FieldReader::Optional(std::string_view name) {
  if (object_ == nullptr) return nullptr;
  read_.emplace(name);
  return object_->if_contains(json::string_view(name.data(), name.size()));
}

Result<const json::value*> FieldReader::Required(std::string_view name) {
  if (object_ == nullptr) return Error(codes_.wrong_type, "must be a JSON object");
  const json::value* value = Optional(name);
  if (value == nullptr) {
    return Error(codes_.missing_field, "missing field \"" + std::string(name) + "\"");
  }
  return value;
}

Result<std::string> FieldReader::String(std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* value, Required(name));
  if (!value->is_string()) {
    return Error(codes_.wrong_type, "field \"" + std::string(name) + "\" must be a string");
  }
  const json::string& s = value->get_string();
  return std::string(s.data(), s.size());
}

Result<int64_t> FieldReader::Signed(std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* value, Required(name));
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= uint64_t(INT64_MAX)) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return Error(codes_.wrong_type, "field \"" + std::string(name) + "\" must be an integer");
}

Result<uint64_t> FieldReader::Unsigned(std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* value, Required(name));
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64()) {
    if (value->get_int64() < 0) {
      return Error(codes_.bad_value, "field \"" + std::string(name) + "\" must not be negative");
    }
    return static_cast<uint64_t>(value->get_int64());
  }
  return Error(codes_.wrong_type, "field \"" + std::string(name) + "\" must be an integer");
}

Result<const json::array*> FieldReader::Array(std::string_view name, size_t max_elements) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* value, Required(name));
  if (!value->is_array()) {
    return Error(codes_.wrong_type, "field \"" + std::string(name) + "\" must be an array");
  }
  if (value->get_array().size() > max_elements) {
    return Error(codes_.bad_value, "field \"" + std::string(name) + "\" has more than " +
                                       std::to_string(max_elements) + " elements");
  }
  return &value->get_array();
}

Result<std::vector<std::string>> FieldReader::StringArray(std::string_view name,
                                                          size_t max_elements) {
  EVIDENCE_ASSIGN_OR_RETURN(const json::array* array, Array(name, max_elements));
  std::vector<std::string> out;
  for (const json::value& element : *array) {
    if (!element.is_string()) {
      return Error(codes_.wrong_type, "field \"" + std::string(name) + "\" must hold strings");
    }
    out.emplace_back(element.get_string().data(), element.get_string().size());
  }
  return out;
}

Status FieldReader::Finish() {
  if (object_ == nullptr) return Error(codes_.wrong_type, "must be a JSON object");
  for (const json::key_value_pair& member : *object_) {
    std::string_view key(member.key().data(), member.key().size());
    if (read_.find(key) == read_.end()) {
      return Error(codes_.unknown_field, "unknown field \"" + std::string(key.substr(0, 64)) + "\"");
    }
  }
  return Status::Ok();
}

bool IsLowerHex(std::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsIdentifier(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c >> 5) == 0x6) { len = 2; cp = c & 0x1f; }
    else if ((c >> 4) == 0xe) { len = 3; cp = c & 0x0f; }
    else if ((c >> 3) == 0x1e) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > text.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return false;
    }
    i += len;
  }
  return true;
}

Result<crypto::Digest> ParseHexDigest(std::string_view field, std::string_view hex,
                                      SchemaCodes codes) {
  if (!IsLowerHex(hex, 64)) {
    return LedgerError(codes.bad_value,
                       std::string(field) + " must be 64 lower-case hex digits (32 bytes)");
  }
  return crypto::DigestFromHex(hex).value();
}

}  // namespace evidence::ledger
