// The peer-to-peer envelope: every p2p frame between validators carries exactly
// one PeerMessage. Consensus messages keep their own encoding
// (consensus::EncodeMessage); the envelope adds record gossip, status and
// block-range sync next to them.
//
// Wire form of one frame payload (docs/p2p-wire-format.md, "envelope"):
//   u8 kind, then the body (cereal portable binary: one endianness byte, then
//   the fields; every length bounded):
//   1 consensus      the bytes of consensus::EncodeMessage (rest of the frame)
//   2 records        u32 count (<= kGossipRecordsMax), per record: u32 length, JCS text
//   3 status         u64 height (last committed height of the sender)
//   4 sync request   u64 from_height, u32 count (1..kSyncBlocksMax)
//   5 sync response  u32 count (<= kSyncBlocksMax), per block: u32 length, the
//                    consensus::EncodeMessage bytes of a DecidedBlock
//   6 governance     u32 length (<= limits::kGovernanceActionBytesMax), the JCS
//                    text of one signed governance action the sender admitted
// Trailing bytes, unknown kinds and over-long fields are refused.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/status.h"
#include "node/consensus/types.h"

namespace evidence::node {

inline constexpr size_t kGossipRecordsMax = 1000;  // records in one gossip frame
inline constexpr size_t kSyncBlocksMax = limits::kSyncBlocksMax;  // blocks asked for / answered at once
// A response stops growing here (node/driver/block_server.h).
inline constexpr size_t kSyncResponseBytesTarget = limits::kSyncResponseBytesTarget;

enum class PeerMessageKind : uint8_t {
  kConsensus = 1,
  kRecords = 2,
  kStatus = 3,
  kSyncRequest = 4,
  kSyncResponse = 5,
  kGovernance = 6,
};

// Records admitted to the sender's mempool (their JCS leaves, `sig` included).
struct RecordsGossip {
  std::vector<std::string> leaves;
  bool operator==(const RecordsGossip&) const = default;
};

// "My store holds every block up to `height`."
struct StatusMessage {
  uint64_t height = 0;
  bool operator==(const StatusMessage&) const = default;
};

// "Send me the decided blocks from `from_height`, at most `count`."
struct SyncRequest {
  uint64_t from_height = 0;
  uint32_t count = 0;
  bool operator==(const SyncRequest&) const = default;
};

// Decided blocks in increasing consecutive heights (possibly fewer than asked).
struct SyncResponse {
  std::vector<consensus::DecidedBlock> blocks;
  bool operator==(const SyncResponse&) const = default;
};

// A governance action the sender admitted to its pool (POST /v1/governance),
// so that whichever validator proposes next can put it in a block.
struct GovernanceGossip {
  std::string leaf;  // JCS of the signed action
  bool operator==(const GovernanceGossip&) const = default;
};

using PeerMessage = std::variant<consensus::Message, RecordsGossip, StatusMessage, SyncRequest,
                                 SyncResponse, GovernanceGossip>;

Bytes EncodePeerMessage(const PeerMessage& message);
// Never throws; InvalidArgument names what is wrong.
Result<PeerMessage> DecodePeerMessage(ByteView bytes);

}  // namespace evidence::node
