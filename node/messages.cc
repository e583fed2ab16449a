#include "node/messages.h"

#include <cereal/archives/portable_binary.hpp>

#include <sstream>
#include <string>

#include "common/limits.h"
#include "ledger/serialization.h"

namespace evidence::node {
namespace {

namespace ser = ledger::serialization;

// The body after the kind byte, as a cereal archive.
template <class Body>
Bytes EncodeBody(PeerMessageKind kind, Body&& body) {
  std::ostringstream stream(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(stream);
    body(archive);
  }
  std::string text = stream.str();
  Bytes out;
  out.reserve(1 + text.size());
  out.push_back(static_cast<uint8_t>(kind));
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

// Runs `body` over the bytes after the kind byte; refuses trailing bytes and
// turns cereal's exceptions into a Status.
template <class Body>
Status DecodeBody(ByteView bytes, Body&& body) {
  std::string text(AsStringView(bytes));
  std::istringstream stream(text, std::ios::binary);
  try {
    cereal::PortableBinaryInputArchive archive(stream);
    body(archive);
  } catch (const std::exception& error) {
    return Status::InvalidArgument(std::string("peer message: ") + error.what());
  }
  if (stream.tellg() != static_cast<std::streamoff>(text.size())) {
    return Status::InvalidArgument("peer message: trailing bytes");
  }
  return Status::Ok();
}

Bytes EncodeSyncResponse(const SyncResponse& response) {
  return EncodeBody(PeerMessageKind::kSyncResponse, [&](auto& archive) {
    archive(static_cast<uint32_t>(response.blocks.size()));
    for (const consensus::DecidedBlock& block : response.blocks) {
      ser::SaveBytes(archive, consensus::EncodeMessage(block));
    }
  });
}

Result<PeerMessage> DecodeSyncResponse(ByteView body) {
  std::vector<Bytes> encoded;
  EVIDENCE_RETURN_IF_ERROR(DecodeBody(body, [&](auto& archive) {
    uint32_t count = 0;
    archive(count);
    if (count > kSyncBlocksMax) throw cereal::Exception("sync response has too many blocks");
    encoded.resize(count);
    for (Bytes& block : encoded) ser::LoadBytes(archive, block, limits::kFrameBytesMax);
  }));
  SyncResponse response;
  for (const Bytes& bytes : encoded) {
    EVIDENCE_ASSIGN_OR_RETURN(consensus::Message message, consensus::DecodeMessage(bytes));
    auto* decided = std::get_if<consensus::DecidedBlock>(&message);
    if (decided == nullptr) {
      return Status::InvalidArgument("peer message: sync response holds a non-block message");
    }
    response.blocks.push_back(std::move(*decided));
  }
  return PeerMessage(std::move(response));
}

}  // namespace

Bytes EncodePeerMessage(const PeerMessage& message) {
  if (const auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    Bytes out{static_cast<uint8_t>(PeerMessageKind::kConsensus)};
    Bytes body = consensus::EncodeMessage(*consensus_message);
    out.insert(out.end(), body.begin(), body.end());
    return out;
  }
  if (const auto* gossip = std::get_if<RecordsGossip>(&message)) {
    EVIDENCE_CHECK(gossip->leaves.size() <= kGossipRecordsMax);
    return EncodeBody(PeerMessageKind::kRecords, [&](auto& archive) {
      archive(static_cast<uint32_t>(gossip->leaves.size()));
      for (const std::string& leaf : gossip->leaves) ser::SaveBytes(archive, leaf);
    });
  }
  if (const auto* status = std::get_if<StatusMessage>(&message)) {
    return EncodeBody(PeerMessageKind::kStatus, [&](auto& archive) { archive(status->height); });
  }
  if (const auto* request = std::get_if<SyncRequest>(&message)) {
    return EncodeBody(PeerMessageKind::kSyncRequest,
                      [&](auto& archive) { archive(request->from_height, request->count); });
  }
  if (const auto* governance = std::get_if<GovernanceGossip>(&message)) {
    EVIDENCE_CHECK(governance->leaf.size() <= limits::kGovernanceActionBytesMax);
    return EncodeBody(PeerMessageKind::kGovernance,
                      [&](auto& archive) { ser::SaveBytes(archive, governance->leaf); });
  }
  const auto& response = std::get<SyncResponse>(message);
  EVIDENCE_CHECK(response.blocks.size() <= kSyncBlocksMax);
  return EncodeSyncResponse(response);
}

Result<PeerMessage> DecodePeerMessage(ByteView bytes) {
  if (bytes.empty()) return Status::InvalidArgument("peer message: empty frame");
  ByteView body = bytes.subspan(1);
  switch (static_cast<PeerMessageKind>(bytes[0])) {
    case PeerMessageKind::kConsensus: {
      EVIDENCE_ASSIGN_OR_RETURN(consensus::Message message, consensus::DecodeMessage(body));
      return PeerMessage(std::move(message));
    }
    case PeerMessageKind::kRecords: {
      RecordsGossip gossip;
      EVIDENCE_RETURN_IF_ERROR(DecodeBody(body, [&](auto& archive) {
        uint32_t count = 0;
        archive(count);
        if (count > kGossipRecordsMax) throw cereal::Exception("gossip has too many records");
        gossip.leaves.resize(count);
        for (std::string& leaf : gossip.leaves) {
          ser::LoadBytes(archive, leaf, limits::kRecordJcsBytesMax);
        }
      }));
      return PeerMessage(std::move(gossip));
    }
    case PeerMessageKind::kStatus: {
      StatusMessage status;
      EVIDENCE_RETURN_IF_ERROR(DecodeBody(body, [&](auto& archive) { archive(status.height); }));
      return PeerMessage(status);
    }
    case PeerMessageKind::kSyncRequest: {
      SyncRequest request;
      EVIDENCE_RETURN_IF_ERROR(DecodeBody(
          body, [&](auto& archive) { archive(request.from_height, request.count); }));
      if (request.count == 0 || request.count > kSyncBlocksMax || request.from_height == 0) {
        return Status::InvalidArgument("peer message: sync request out of range");
      }
      return PeerMessage(request);
    }
    case PeerMessageKind::kSyncResponse:
      return DecodeSyncResponse(body);
    case PeerMessageKind::kGovernance: {
      GovernanceGossip governance;
      EVIDENCE_RETURN_IF_ERROR(DecodeBody(body, [&](auto& archive) {
        ser::LoadBytes(archive, governance.leaf, limits::kGovernanceActionBytesMax);
      }));
      if (governance.leaf.empty()) return Status::InvalidArgument("peer message: empty action");
      return PeerMessage(std::move(governance));
    }
  }
  return Status::InvalidArgument("peer message: unknown kind " + std::to_string(bytes[0]));
}

}  // namespace evidence::node
