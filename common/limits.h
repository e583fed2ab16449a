// Every bound of the system in one place, with the relations between them.
// Changing one of these changes what the network accepts: they are part of the
// protocol unless marked local.
#pragma once

#include <cstddef>
#include <cstdint>

namespace evidence::limits {

// Records (DESIGN.md §3).
inline constexpr size_t kRecordJcsBytesMax = 4096;
inline constexpr size_t kCaseIdBytesMax = 256;
inline constexpr size_t kStageBytesMax = 64;
inline constexpr size_t kAgencyIdBytesMax = 128;
inline constexpr size_t kChainIdBytesMax = 64;
inline constexpr size_t kTitleBytesMax = 1024;
inline constexpr size_t kMediaTypeBytesMax = 128;
inline constexpr size_t kLinksMax = 16;
inline constexpr size_t kJsonDepthMax = 8;

// Batches.
inline constexpr size_t kBatchRecordsMax = 10'000;

// Blocks.
inline constexpr size_t kBlockRecordsMax = 10'000;
inline constexpr size_t kBlockBytesMax = 16 * 1024 * 1024;
static_assert(kBlockBytesMax >= kRecordJcsBytesMax * 1000, "a block holds at least 1000 full records");

// Governance (ledger/governance.h): institutions with admin keys, their keys,
// the signed actions and how many of them a block or the pending pool holds.
inline constexpr size_t kGovernanceInstitutionsMax = 64;
inline constexpr size_t kGovernanceAdminKeysMax = 16;        // per institution
inline constexpr size_t kGovernanceActionBytesMax = 16 * 1024;  // JCS of a signed action
inline constexpr size_t kGovernanceSignaturesMax = 64;       // on one action
inline constexpr size_t kGovernanceActionsPerBlockMax = 16;
inline constexpr size_t kGovernancePoolActionsMax = 256;     // pending, per node (local)
inline constexpr size_t kGovernancePoolBytesMax = 1024 * 1024;  // their leaf bytes (local)
inline constexpr size_t kGovernanceHistoryShownMax = 256;  // committed actions GET /v1/governance lists
// GET /v1/governance/blocks: governance blocks (header, commit, actions) per page.
inline constexpr size_t kGovernanceBlocksPageMax = 256;
inline constexpr size_t kGovernanceBlocksPageDefault = 64;
inline constexpr size_t kValidatorsMax = 1000;               // = commit signatures
inline constexpr size_t kObserversMax = 1000;
inline constexpr size_t kWitnessesMax = 64;                 // outside witnesses in the register
static_assert(kGovernanceSignaturesMax >= kGovernanceInstitutionsMax,
              "every institution can sign one action");
static_assert(kGovernanceActionsPerBlockMax <= kGovernancePoolActionsMax,
              "a block's actions fit the pool");

// Wire (local).
inline constexpr size_t kFrameBytesMax = kBlockBytesMax + 1024 * 1024;
static_assert(kFrameBytesMax > kBlockBytesMax, "a frame carries a whole block");
static_assert(kFrameBytesMax - kBlockBytesMax >=
                  2 * kGovernanceActionsPerBlockMax * kGovernanceActionBytesMax,
              "a frame carries a whole block and its governance actions");
static_assert(kGovernancePoolBytesMax >= kGovernanceActionsPerBlockMax * kGovernanceActionBytesMax,
              "a block's worth of the largest actions fits the pool");

// Consensus core (node/consensus/core.h): what one validator's messages may make
// the core keep. At the current height each proposer may bring this many blocks
// (its own, and rarely a re-proposed valid value nobody brought before); for
// the next height one proposal and a few votes per validator.
inline constexpr size_t kConsensusProposerBlocksPerHeightMax = 2;
inline constexpr size_t kConsensusNextHeightProposalsPerValidatorMax = 1;
inline constexpr size_t kConsensusNextHeightVotesPerValidatorMax = 8;  // 2 types x 4 rounds

// Node: write-ahead log and per-peer send queues (local).
inline constexpr size_t kWalRecordBytesMax = kFrameBytesMax;
// The log's file: each record is a whole signer state, so when the next one
// would pass this, the log is rewritten to hold only it (a stalled height,
// whose every vote writes the locked block again, cannot fill the disk).
inline constexpr size_t kWalBytesMax = 4 * kWalRecordBytesMax;
static_assert(kWalBytesMax >= 2 * kWalRecordBytesMax, "a full record is appended to a log holding one");
// Frames: gossip under load is many small frames (a few records each), so the
// frame bound sits far above what the byte bound allows of them: bytes, not the
// count of small frames, limit a queue.
inline constexpr size_t kPeerSendQueueFramesMax = 16384;
inline constexpr size_t kPeerSendQueueBytesMax = 64 * 1024 * 1024;
static_assert(kPeerSendQueueBytesMax >= 2 * kFrameBytesMax, "a peer queue holds two full frames");

// Peers (local): what one peer may cost this node. Every peer holds a genesis
// node key, but one may be Byzantine: each bound is per peer, so one cannot
// take another's share (docs/design.md §5 adds them up).
// Unauthenticated inbound connections (TLS handshakes in progress).
// Peer slots of one p2p transport over the life of the process: genesis's
// nodes, then one per node key governance admits while it runs (a removed
// peer's slot is never reused; a restart starts from the register in force).
inline constexpr size_t kP2pPeersMax = 256;
inline constexpr uint64_t kP2pHandshakeTimeoutMsDefault = 5'000;
inline constexpr size_t kP2pPendingHandshakesMax = 64;
inline constexpr size_t kP2pPendingHandshakesPerAddressMax = 4;
static_assert(kP2pPendingHandshakesPerAddressMax * 8 <= kP2pPendingHandshakesMax,
              "one address holds at most an eighth of the pending handshakes");
// Decoded messages waiting for the consensus thread (node/intake/peer_inbox.h).
inline constexpr size_t kPeerInboxConsensusMessagesMax = 1024;
inline constexpr size_t kPeerInboxConsensusBytesMax = kFrameBytesMax + 1024 * 1024;
static_assert(kPeerInboxConsensusBytesMax >= kFrameBytesMax, "a full proposal fits the lane");
inline constexpr size_t kPeerInboxBulkMessagesMax = 64;
inline constexpr size_t kPeerInboxBulkBytesMax = kFrameBytesMax;
static_assert(kPeerInboxBulkBytesMax >= kFrameBytesMax, "a full sync response fits the lane");
// Gossiped records waiting for their checks (node/intake/peer_intake.h): in
// all, and from one peer.
inline constexpr size_t kGossipInboxRecordsMax = 50'000;
inline constexpr size_t kGossipInboxBytesMax = 64 * 1024 * 1024;
inline constexpr size_t kGossipInboxRecordsPerPeerMax = kGossipInboxRecordsMax / 2;
inline constexpr size_t kGossipInboxBytesPerPeerMax = kGossipInboxBytesMax / 2;
static_assert(kGossipInboxBytesPerPeerMax >= kFrameBytesMax, "a peer's full gossip frame fits");
// Decided blocks served to peers (node/driver/block_server.h): a response
// stops growing at the target; each peer's budget refills at the rate.
inline constexpr size_t kSyncBlocksMax = 64;  // blocks asked for / answered at once
inline constexpr size_t kSyncResponseBytesTarget = 8 * 1024 * 1024;
inline constexpr size_t kSyncServeBytesPerSecondPerPeer = 32 * 1024 * 1024;
inline constexpr size_t kSyncServeBurstBytesPerPeer = 2 * kSyncResponseBytesTarget;
static_assert(kSyncServeBurstBytesPerPeer >= kSyncResponseBytesTarget,
              "a full response fits a peer's saved budget");
static_assert(kSyncResponseBytesTarget < kFrameBytesMax,
              "a response (its first block alone, or blocks up to the target) fits a frame");

// The memory a peer may cost this node, at most: the frame being read and its
// decoded copy, its inbox lanes and gossip share, its send queue, a response
// being served to it, and its blocks in the consensus core (current height's
// budget and a next-height proposal, each with up to two copies: the message
// and the store).
inline constexpr size_t kPeerMemoryBytesMax =
    2 * kFrameBytesMax + kPeerInboxConsensusBytesMax + kPeerInboxBulkBytesMax +
    kGossipInboxBytesPerPeerMax + kPeerSendQueueBytesMax + kSyncResponseBytesTarget +
    kBlockBytesMax +
    (kConsensusProposerBlocksPerHeightMax + kConsensusNextHeightProposalsPerValidatorMax) *
        kBlockBytesMax;
static_assert(kPeerMemoryBytesMax <= 256ull * 1024 * 1024,
              "one peer (a Byzantine validator) costs at most 256 MiB");

// HTTP (local).
inline constexpr size_t kHttpBodyBytesMax = 8 * 1024 * 1024;
inline constexpr size_t kPageLimitMax = 1000;
inline constexpr size_t kPageLimitDefault = 100;
static_assert(kPageLimitDefault <= kPageLimitMax, "the default page fits the maximum");
inline constexpr size_t kHttpHeaderBytesMax = 16 * 1024;     // request line and all headers
inline constexpr size_t kHttpBearerTokenBytesMax = 512;
inline constexpr uint64_t kHttpWaitTimeoutMsDefault = 30'000;  // ?wait=commit without timeout_ms
inline constexpr uint64_t kHttpWaitTimeoutMsMax = 120'000;
static_assert(kHttpWaitTimeoutMsDefault <= kHttpWaitTimeoutMsMax, "the default wait is allowed");
inline constexpr uint64_t kHttpRequestTimeoutMsDefault = 10'000;  // a whole request must arrive in this
// The request line and headers (and, on a kept-alive connection, the wait for
// the next request) must arrive within this: a partial header holds a slot only
// this long.
inline constexpr uint64_t kHttpHeaderTimeoutMsDefault = 5'000;
static_assert(kHttpHeaderTimeoutMsDefault <= kHttpRequestTimeoutMsDefault,
              "the headers arrive within the time of the whole request");
inline constexpr size_t kHttpQueryParametersMax = 16;  // no route takes more than a few
inline constexpr size_t kHttpConnectionsMax = 512;
// One client (remote address) may hold only a share of the connections, and of
// the request bodies being received: its connections and its bodies in flight
// (counted as the bytes arrive, never from Content-Length up front).
inline constexpr size_t kHttpConnectionsPerClientMax = 32;
static_assert(kHttpConnectionsPerClientMax * 8 <= kHttpConnectionsMax,
              "one client holds at most an eighth of the connections");
inline constexpr size_t kHttpClientBodyBytesMax = 4 * kHttpBodyBytesMax;
static_assert(kHttpClientBodyBytesMax >= kHttpBodyBytesMax, "a client can send one full body");
inline constexpr size_t kHttpBodyBytesInFlightMax = 256 * 1024 * 1024;  // all clients together
static_assert(kHttpBodyBytesInFlightMax >= 8 * kHttpClientBodyBytesMax,
              "one client holds at most an eighth of the body budget");
// Per-agency submission rate (records accepted per second, bucket size), and how
// many agencies the limiter tracks at once.
inline constexpr uint64_t kAgencyRecordsPerSecondDefault = 1000;
inline constexpr uint64_t kAgencyBurstRecordsDefault = kBatchRecordsMax;
static_assert(kAgencyBurstRecordsDefault >= kBatchRecordsMax, "one full batch fits the burst");
inline constexpr size_t kRateLimitedAgenciesMax = 4096;
// Free space a node keeps on its data directory's file system: below it the node
// writes nothing (no record taken, no vote, no block; node/disk_guard.h). Enough
// for a few full blocks, LevelDB's next memtable flush and the WAL's records.
inline constexpr uint64_t kDiskReserveBytesDefault = 256ULL * 1024 * 1024;
inline constexpr uint64_t kDiskReserveBytesMax = 1ULL << 40;
static_assert(kDiskReserveBytesDefault <= kDiskReserveBytesMax, "the default reserve is allowed");
// Refused signatures the node explains to clients (each explanation costs up to
// 7 more signature checks), per second over all clients, and the burst.
inline constexpr uint64_t kSignatureExplanationsPerSecond = 20;
inline constexpr uint64_t kSignatureExplanationsBurst = 100;

// Files an operator writes (local): a real node.toml is a few hundred bytes.
inline constexpr size_t kNodeTomlBytesMax = 1024 * 1024;
// Supervision reports (local): the longest period one report may cover, in days.
inline constexpr size_t kReportPeriodDaysMax = 3660;

}  // namespace evidence::limits
