#include "ledger/chain_params.h"

#include <boost/json.hpp>

namespace evidence::ledger {
namespace json = boost::json;
namespace {

// One table of the fields: name, member, and how it is read.
struct UnsignedField {
  std::string_view name;
  uint64_t ChainParams::*member;
};
struct SignedField {
  std::string_view name;
  int64_t ChainParams::*member;
};
constexpr UnsignedField kUnsignedFields[] = {
    {"batch_records_max", &ChainParams::batch_records_max},
    {"block_bytes_max", &ChainParams::block_bytes_max},
    {"block_records_max", &ChainParams::block_records_max},
    {"governance_threshold", &ChainParams::governance_threshold},
};
constexpr SignedField kSignedFields[] = {
    {"record_future_skew_ms", &ChainParams::record_future_skew_ms},
    {"record_past_window_ms", &ChainParams::record_past_window_ms},
};

// Reads the fields of `value` into `params`; `all` requires every one.
Result<size_t> ReadFields(ChainParams& params, const json::value& value, const std::string& where,
                          SchemaCodes codes, bool all) {
  FieldReader reader(value, where, codes);
  if (!value.is_object()) return reader.Error(codes.wrong_type, "must be a JSON object");
  size_t given = 0;
  for (const UnsignedField& field : kUnsignedFields) {
    if (!all && reader.Optional(field.name) == nullptr) continue;
    EVIDENCE_ASSIGN_OR_RETURN(params.*field.member, reader.Unsigned(field.name));
    ++given;
  }
  for (const SignedField& field : kSignedFields) {
    if (!all && reader.Optional(field.name) == nullptr) continue;
    EVIDENCE_ASSIGN_OR_RETURN(params.*field.member, reader.Signed(field.name));
    ++given;
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return given;
}

}  // namespace

Status CheckChainParams(const ChainParams& p, ErrorCode code) {
  auto range = [code](std::string_view name, auto value, auto min, auto max) -> Status {
    if (value < min || value > max) {
      return LedgerError(code, "params." + std::string(name) + " must be " + std::to_string(min) +
                                   ".." + std::to_string(max) + ", not " + std::to_string(value));
    }
    return Status::Ok();
  };
  EVIDENCE_RETURN_IF_ERROR(
      range("batch_records_max", p.batch_records_max, uint64_t{1}, uint64_t{limits::kBatchRecordsMax}));
  EVIDENCE_RETURN_IF_ERROR(range("block_bytes_max", p.block_bytes_max, kBlockBytesMin,
                                 uint64_t{limits::kBlockBytesMax}));
  EVIDENCE_RETURN_IF_ERROR(range("block_records_max", p.block_records_max, uint64_t{1},
                                 uint64_t{limits::kBlockRecordsMax}));
  EVIDENCE_RETURN_IF_ERROR(range("governance_threshold", p.governance_threshold, uint64_t{0},
                                 uint64_t{limits::kGovernanceInstitutionsMax}));
  EVIDENCE_RETURN_IF_ERROR(range("record_future_skew_ms", p.record_future_skew_ms, int64_t{0},
                                 kRecordFutureSkewMsMax));
  return range("record_past_window_ms", p.record_past_window_ms, int64_t{0},
               kRecordPastWindowMsMax);
}

Result<ChainParams> ChainParamsFromJson(const json::value& value, const std::string& where,
                                        SchemaCodes codes) {
  ChainParams params;
  EVIDENCE_ASSIGN_OR_RETURN(size_t given, ReadFields(params, value, where, codes, true));
  (void)given;
  return params;
}

Result<ChainParams> ChainParamsUpdateFromJson(ChainParams base, const json::value& value,
                                              const std::string& where, SchemaCodes codes) {
  EVIDENCE_ASSIGN_OR_RETURN(size_t given, ReadFields(base, value, where, codes, false));
  if (given == 0) {
    return LedgerError(codes.missing_field, where + ": names no parameter to change");
  }
  return base;
}

json::object ChainParamsToJson(const ChainParams& params) {
  json::object out;
  for (const UnsignedField& field : kUnsignedFields) {
    out[json::string_view(field.name.data(), field.name.size())] = params.*field.member;
  }
  for (const SignedField& field : kSignedFields) {
    out[json::string_view(field.name.data(), field.name.size())] = params.*field.member;
  }
  return out;
}

}  // namespace evidence::ledger
