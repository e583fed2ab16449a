// The chain's parameters: the rules every validator must apply identically to
// decide whether a record or a block is valid, so they live on the chain (genesis
// "params", changed only by a `set-params` governance action, ledger/governance.h)
// and never in a node's configuration file. Two nodes with different node.toml
// files therefore never disagree on a block.
//
//   "params": { "batch_records_max": N,       records one batch signature may cover
//               "block_bytes_max": N,         sum of a block's leaf bytes
//               "block_records_max": N,       records in one block
//               "governance_threshold": N,    institutions whose admins must sign an action
//               "record_future_skew_ms": N,   a record's time at most this after block time
//               "record_past_window_ms": N }  ... and at most this before it
//
// Every field is required in a genesis file (v2) and optional in set-params
// (the ones given replace the current values). Bounds (CheckChainParams) are
// protocol limits from common/limits.h. A genesis file of version 1 (without
// "params") gets kLegacyChainParams: the values every node used before the
// parameters moved onto the chain, so old chains validate as they always did.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>

#include "common/limits.h"
#include "common/status.h"
#include "ledger/errors.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {

inline constexpr int64_t kDayMs = 24LL * 3600 * 1000;
inline constexpr int64_t kRecordFutureSkewMsMax = kDayMs;
inline constexpr int64_t kRecordPastWindowMsMax = 3650 * kDayMs;  // ten years
inline constexpr uint64_t kBlockBytesMin = 4096;
static_assert(kBlockBytesMin >= limits::kRecordJcsBytesMax, "a block holds at least one record");

struct ChainParams {
  uint64_t batch_records_max = limits::kBatchRecordsMax;
  uint64_t block_bytes_max = limits::kBlockBytesMax;
  uint64_t block_records_max = limits::kBlockRecordsMax;
  // Distinct institutions whose admin keys must sign a governance action; 0 on
  // a chain without governance (genesis v1).
  uint64_t governance_threshold = 0;
  int64_t record_future_skew_ms = 5 * 60 * 1000;
  int64_t record_past_window_ms = 7 * 24 * 3600 * 1000;

  bool operator==(const ChainParams&) const = default;
};

// The rules of chains whose genesis predates on-chain parameters.
inline constexpr ChainParams kLegacyChainParams{};

// Every field within its protocol bound (governance_threshold is checked
// against the admins by the governance state). Refusals carry `code`.
Status CheckChainParams(const ChainParams& params, ErrorCode code);

// All six fields required; `reader` reads the object holding them.
Result<ChainParams> ChainParamsFromJson(const boost::json::value& value, const std::string& where,
                                        SchemaCodes codes);
// `base` with the fields `value` names replaced (at least one, no others).
Result<ChainParams> ChainParamsUpdateFromJson(ChainParams base, const boost::json::value& value,
                                              const std::string& where, SchemaCodes codes);
boost::json::object ChainParamsToJson(const ChainParams& params);

}  // namespace evidence::ledger
