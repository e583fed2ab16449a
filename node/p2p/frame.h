// Frame header of the p2p wire format (docs/p2p-wire-format.md): every message
// is a u32 big-endian payload length followed by the payload.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"

namespace evidence::node::p2p {

inline constexpr size_t kFrameHeaderBytes = 4;
using FrameHeader = std::array<uint8_t, kFrameHeaderBytes>;

FrameHeader EncodeFrameHeader(uint32_t payload_bytes);

// The payload length announced by `header`; InvalidArgument when it exceeds
// `frame_bytes_max` (the connection must then be dropped).
Result<uint32_t> DecodeFrameHeader(const FrameHeader& header, size_t frame_bytes_max);

// Header followed by the payload, as sent on the wire.
Bytes EncodeFrame(ByteView payload);

}  // namespace evidence::node::p2p
