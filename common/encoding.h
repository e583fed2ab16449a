// Hex and base64 over OpenSSL's encoders, with strict decoding: anything that is
// not the canonical encoding is refused with a message.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace evidence {

// Lower-case hex, no separators.
std::string HexEncode(ByteView data);
// Accepts upper or lower case; refuses odd length and non-hex characters.
Result<Bytes> HexDecode(std::string_view hex);
// Decodes exactly `size` bytes of hex (e.g. a 32-byte hash), else an error.
Result<Bytes> HexDecodeExact(std::string_view hex, size_t size);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(ByteView data);
// Refuses whitespace, missing or excess padding, and non-alphabet characters.
Result<Bytes> Base64Decode(std::string_view text);

// Percent-encodes (RFC 3986 §2.1, upper-case hex) every byte but the unreserved
// characters A-Z a-z 0-9 - . _ ~, for one query value or path segment.
std::string PercentEncode(std::string_view text);

}  // namespace evidence
