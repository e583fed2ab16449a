#include "common/encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/algorithm/hex.hpp>

namespace evidence {

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

std::string HexEncode(ByteView data) {
  std::string out;
  out.reserve(data.size() * 2);
  boost::algorithm::hex_lower(data.begin(), data.end(), std::back_inserter(out));
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out;
  out.reserve(hex.size() / 2);
  try {
    boost::algorithm::unhex(hex.begin(), hex.end(), std::back_inserter(out));
  } catch (const boost::algorithm::hex_decode_error&) {
    return Status::InvalidArgument("not a hex string (only 0-9, a-f, A-F are allowed)");
  }
  return out;
}

Result<Bytes> HexDecodeExact(std::string_view hex, size_t size) {
  if (hex.size() != size * 2) {
    return Status::InvalidArgument("expected " + std::to_string(size * 2) + " hex digits (" +
                                   std::to_string(size) + " bytes), got " +
                                   std::to_string(hex.size()));
  }
  return HexDecode(hex);
}

std::string Base64Encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  if (data.empty()) return out;
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  EVIDENCE_CHECK(written == static_cast<int>(out.size()));
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.empty()) return Bytes{};
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument("base64 length must be a multiple of 4 (with '=' padding)");
  }
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  Bytes out(text.size() / 4 * 3);
  int decoded = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (decoded < 0) return Status::InvalidArgument("not valid base64");
  out.resize(static_cast<size_t>(decoded) - padding);
  // EVP_DecodeBlock tolerates whitespace and non-zero trailing bits: accept only
  // the one canonical encoding of these bytes.
  if (Base64Encode(out) != text) return Status::InvalidArgument("not canonical base64");
  return out;
}

}  // namespace evidence
