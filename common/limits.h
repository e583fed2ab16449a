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
inline constexpr size_t kValidatorsMax = 1000;               // = commit signatures
inline constexpr size_t kObserversMax = 1000;
static_assert(kGovernanceSignaturesMax >= kGovernanceInstitutionsMax,
              "every institution can sign one action");
static_assert(kGovernanceActionsPerBlockMax <= kGovernancePoolActionsMax,
              "a block's actions fit the pool");

// Wire (local).
inline constexpr size_t kFrameBytesMax = kBlockBytesMax + 1024 * 1024;
static_assert(kFrameBytesMax > kBlockBytesMax, "a frame carries a whole block");

// Node: write-ahead log and per-peer send queues (local).
inline constexpr size_t kWalRecordBytesMax = kFrameBytesMax;
// Frames: gossip under load is many small frames (a few records each), so the
// frame bound sits far above what the byte bound allows of them: bytes, not the
// count of small frames, limit a queue.
inline constexpr size_t kPeerSendQueueFramesMax = 16384;
inline constexpr size_t kPeerSendQueueBytesMax = 64 * 1024 * 1024;
static_assert(kPeerSendQueueBytesMax >= 2 * kFrameBytesMax, "a peer queue holds two full frames");

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
inline constexpr size_t kHttpConnectionsMax = 512;
// Per-agency submission rate (records accepted per second, bucket size), and how
// many agencies the limiter tracks at once.
inline constexpr uint64_t kAgencyRecordsPerSecondDefault = 1000;
inline constexpr uint64_t kAgencyBurstRecordsDefault = kBatchRecordsMax;
static_assert(kAgencyBurstRecordsDefault >= kBatchRecordsMax, "one full batch fits the burst");
inline constexpr size_t kRateLimitedAgenciesMax = 4096;
// Refused signatures the node explains to clients (each explanation costs up to
// 7 more signature checks), per second over all clients, and the burst.
inline constexpr uint64_t kSignatureExplanationsPerSecond = 20;
inline constexpr uint64_t kSignatureExplanationsBurst = 100;

}  // namespace evidence::limits
