#include "node/p2p/frame.h"

#include <algorithm>
#include <limits>
#include <string>

#include "common/check.h"

namespace evidence::node::p2p {

FrameHeader EncodeFrameHeader(uint32_t payload_bytes) {
  return {static_cast<uint8_t>(payload_bytes >> 24), static_cast<uint8_t>(payload_bytes >> 16),
          static_cast<uint8_t>(payload_bytes >> 8), static_cast<uint8_t>(payload_bytes)};
}

Result<uint32_t> DecodeFrameHeader(const FrameHeader& header, size_t frame_bytes_max) {
  const uint32_t length = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                          (uint32_t{header[2]} << 8) | uint32_t{header[3]};
  if (length > frame_bytes_max) {
    return Status::InvalidArgument("frame of " + std::to_string(length) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(frame_bytes_max) + " bytes");
  }
  return length;
}

Bytes EncodeFrame(ByteView payload) {
  EVIDENCE_CHECK(payload.size() <= std::numeric_limits<uint32_t>::max());
  const FrameHeader header = EncodeFrameHeader(static_cast<uint32_t>(payload.size()));
  Bytes out(kFrameHeaderBytes + payload.size());
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(payload.begin(), payload.end(), out.begin() + kFrameHeaderBytes);
  return out;
}

}  // namespace evidence::node::p2p
