#include "ledger/case_id.h"

#include <cstdint>
#include <optional>

namespace evidence::ledger {
namespace {

// One UTF-8 sequence at `at`: its code point and length, or nullopt when the
// bytes there are not a well-formed sequence.
struct Decoded {
  char32_t code_point;
  size_t length;
};

std::optional<Decoded> DecodeAt(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  char32_t value = 0;
  if (lead < 0x80) return Decoded{lead, 1};
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    value = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    value = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    value = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (at + length > text.size()) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3f);
  }
  return Decoded{value, length};
}

bool IsRemovedSpace(char32_t c) {
  return c == 0x20 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200b) || c == 0x202f ||
         c == 0x205f || c == 0x3000 || c == 0xfeff;
}

}  // namespace

std::string CanonicalCaseId(std::string_view case_id) {
  std::string out;
  out.reserve(case_id.size());
  size_t at = 0;
  while (at < case_id.size()) {
    std::optional<Decoded> decoded = DecodeAt(case_id, at);
    if (!decoded) {  // not UTF-8: kept byte for byte (refused elsewhere)
      out.push_back(case_id[at]);
      ++at;
      continue;
    }
    const char32_t c = decoded->code_point;
    if (IsRemovedSpace(c)) {
      // dropped
    } else if (c >= 0xff01 && c <= 0xff5e) {
      out.push_back(static_cast<char>(c - 0xff01 + 0x21));  // full-width -> ASCII
    } else {
      out.append(case_id.substr(at, decoded->length));
    }
    at += decoded->length;
  }
  return out;
}

bool IsCanonicalCaseId(std::string_view case_id) { return CanonicalCaseId(case_id) == case_id; }

}  // namespace evidence::ledger
