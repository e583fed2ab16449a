#include "ledger/chain_params.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace evidence::ledger {
namespace {

TEST(ChainParams, LegacyValuesAreTheOldNodeDefaults) {
  // The values every node used before the rules moved onto the chain.
  EXPECT_EQ(kLegacyChainParams.record_future_skew_ms, 5 * 60 * 1000);
  EXPECT_EQ(kLegacyChainParams.record_past_window_ms, 7LL * 24 * 3600 * 1000);
  EXPECT_EQ(kLegacyChainParams.block_records_max, limits::kBlockRecordsMax);
  EXPECT_EQ(kLegacyChainParams.block_bytes_max, limits::kBlockBytesMax);
  EXPECT_EQ(kLegacyChainParams.batch_records_max, limits::kBatchRecordsMax);
  EXPECT_EQ(kLegacyChainParams.governance_threshold, 0u);
  EXPECT_TRUE(CheckChainParams(kLegacyChainParams, ErrorCode::kGenesisInvalid).ok());
}

TEST(ChainParams, JsonRoundTripAndStrictness) {
  ChainParams params;
  params.governance_threshold = 3;
  params.record_past_window_ms = 1000;
  boost::json::object json = ChainParamsToJson(params);
  EXPECT_EQ(json.size(), 6u);
  auto parsed = ChainParamsFromJson(json, "params", kGenesisCodes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, params);
  boost::json::object missing = json;
  missing.erase("block_records_max");
  EXPECT_EQ(ErrorCodeOf(ChainParamsFromJson(missing, "params", kGenesisCodes).status()),
            ErrorCode::kGenesisInvalid);
  boost::json::object extra = json;
  extra["color"] = 1;
  EXPECT_FALSE(ChainParamsFromJson(extra, "params", kGenesisCodes).ok());
  boost::json::object wrong_type = json;
  wrong_type["block_bytes_max"] = "big";
  EXPECT_FALSE(ChainParamsFromJson(wrong_type, "params", kGenesisCodes).ok());
  EXPECT_FALSE(ChainParamsFromJson(boost::json::array(), "params", kGenesisCodes).ok());
}

TEST(ChainParams, UpdateChangesOnlyTheNamedFields) {
  ChainParams base;
  base.governance_threshold = 3;
  auto updated = ChainParamsUpdateFromJson(
      base, boost::json::object{{"record_past_window_ms", 42}, {"governance_threshold", 4}},
      "params", kGenesisCodes);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->record_past_window_ms, 42);
  EXPECT_EQ(updated->governance_threshold, 4u);
  EXPECT_EQ(updated->block_records_max, base.block_records_max);
  EXPECT_FALSE(ChainParamsUpdateFromJson(base, boost::json::object{}, "params", kGenesisCodes).ok())
      << "an update must change something";
  EXPECT_FALSE(
      ChainParamsUpdateFromJson(base, boost::json::object{{"x", 1}}, "params", kGenesisCodes).ok());
}

TEST(ChainParams, BoundsAreTheProtocolLimits) {
  auto refused = [](auto change) {
    ChainParams p;
    change(p);
    return !CheckChainParams(p, ErrorCode::kGenesisInvalid).ok();
  };
  EXPECT_TRUE(refused([](ChainParams& p) { p.batch_records_max = 0; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.batch_records_max = limits::kBatchRecordsMax + 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.block_records_max = 0; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.block_records_max = limits::kBlockRecordsMax + 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.block_bytes_max = kBlockBytesMin - 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.block_bytes_max = limits::kBlockBytesMax + 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.record_future_skew_ms = -1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.record_future_skew_ms = kRecordFutureSkewMsMax + 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) { p.record_past_window_ms = kRecordPastWindowMsMax + 1; }));
  EXPECT_TRUE(refused([](ChainParams& p) {
    p.governance_threshold = limits::kGovernanceInstitutionsMax + 1;
  }));
  EXPECT_FALSE(refused([](ChainParams& p) { p.block_bytes_max = kBlockBytesMin; }));
}

}  // namespace
}  // namespace evidence::ledger
