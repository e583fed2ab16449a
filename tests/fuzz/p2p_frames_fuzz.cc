// Fuzz target: the bytes a validator peer sends over its TLS connection, as
// the node reads them: a stream of frames (u32 big-endian length, payload,
// p2p::DecodeFrameHeader with the node's frame bound), each payload one
// PeerMessage (node::DecodePeerMessage: consensus proposal, vote, decided
// block, block request; record gossip; status; sync request and response),
// then the checks the node runs next: consensus::ValidateMessage, the block
// decoder for proposals and decided blocks, the record parser for gossip.
//
// Properties: a decoded message re-encodes to bytes that decode to the same
// message, and re-encoding is stable; a payload the decoder accepts never
// exceeds the frame bound.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "common/limits.h"
#include "ledger/block.h"
#include "ledger/record.h"
#include "node/consensus/types.h"
#include "node/messages.h"
#include "node/p2p/frame.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace evidence;

// What the node does with a block's bytes before the core judges it.
void CheckBlockBytes(const Bytes& bytes) {
  auto block = ledger::DecodeBlock(bytes);
  if (!block.ok()) return;
  auto again = ledger::DecodeBlock(ledger::EncodeBlock(*block));
  FUZZ_EXPECT(again.ok() && *again == *block);
}

void CheckConsensus(const consensus::Message& message) {
  constexpr size_t kValidators = ledger::testing::TestChain::kValidators;
  if (!consensus::ValidateMessage(message, kValidators).ok()) return;
  if (const auto* proposal = std::get_if<consensus::Proposal>(&message)) {
    CheckBlockBytes(proposal->block);
  } else if (const auto* decided = std::get_if<consensus::DecidedBlock>(&message)) {
    CheckBlockBytes(decided->block);
  }
}

void CheckPayload(ByteView payload) {
  auto message = node::DecodePeerMessage(payload);
  if (!message.ok()) return;
  Bytes encoded = node::EncodePeerMessage(*message);
  FUZZ_EXPECT(encoded.size() <= limits::kFrameBytesMax);
  auto again = node::DecodePeerMessage(encoded);
  FUZZ_EXPECT(again.ok() && *again == *message);
  FUZZ_EXPECT(node::EncodePeerMessage(*again) == encoded);
  if (const auto* consensus_message = std::get_if<consensus::Message>(&*message)) {
    CheckConsensus(*consensus_message);
  } else if (const auto* gossip = std::get_if<node::RecordsGossip>(&*message)) {
    for (const std::string& leaf : gossip->leaves) (void)ledger::ParseRecord(leaf);
  } else if (const auto* response = std::get_if<node::SyncResponse>(&*message)) {
    for (const consensus::DecidedBlock& decided : response->blocks) {
      CheckConsensus(consensus::Message(decided));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView stream(data, size);
  while (stream.size() >= node::p2p::kFrameHeaderBytes) {
    node::p2p::FrameHeader header;
    std::copy_n(stream.begin(), header.size(), header.begin());
    stream = stream.subspan(header.size());
    auto length = node::p2p::DecodeFrameHeader(header, limits::kFrameBytesMax);
    if (!length.ok()) return 0;  // the node drops the connection
    FUZZ_EXPECT(*length <= limits::kFrameBytesMax);
    if (*length > stream.size()) return 0;  // the connection ends mid-frame
    CheckPayload(stream.first(*length));
    stream = stream.subspan(*length);
  }
  return 0;
}
