#include "ledger/errors.h"

#include <array>
#include <utility>

namespace evidence::ledger {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 42> kNames = {{
    {ErrorCode::kRecordMalformedJson, "record.malformed_json"},
    {ErrorCode::kRecordUnknownField, "record.unknown_field"},
    {ErrorCode::kRecordMissingField, "record.missing_field"},
    {ErrorCode::kRecordWrongType, "record.wrong_type"},
    {ErrorCode::kRecordBadValue, "record.bad_value"},
    {ErrorCode::kRecordTooLarge, "record.too_large"},
    {ErrorCode::kRecordBadVersion, "record.bad_version"},
    {ErrorCode::kRecordChainMismatch, "record.chain_mismatch"},
    {ErrorCode::kRecordTimeInFuture, "record.time_in_future"},
    {ErrorCode::kRecordTimeOutOfWindow, "record.time_out_of_window"},
    {ErrorCode::kRecordBadDigest, "record.bad_digest"},
    {ErrorCode::kRecordBadLink, "record.bad_link"},
    {ErrorCode::kRecordBadSignature, "record.bad_signature"},
    {ErrorCode::kRecordUnknownAgency, "record.unknown_agency"},
    {ErrorCode::kRecordUnknownKey, "record.unknown_key"},
    {ErrorCode::kRecordDuplicate, "record.duplicate"},
    {ErrorCode::kBatchBadProof, "batch.bad_proof"},
    {ErrorCode::kBatchTooLarge, "batch.too_large"},
    {ErrorCode::kBatchBadSignature, "batch.bad_signature"},
    {ErrorCode::kBatchMalformed, "batch.malformed"},
    {ErrorCode::kBlockMalformed, "block.malformed"},
    {ErrorCode::kBlockWrongChain, "block.wrong_chain"},
    {ErrorCode::kBlockWrongHeight, "block.wrong_height"},
    {ErrorCode::kBlockWrongPrevious, "block.wrong_previous"},
    {ErrorCode::kBlockWrongTime, "block.wrong_time"},
    {ErrorCode::kBlockWrongLogRoot, "block.wrong_log_root"},
    {ErrorCode::kBlockWrongLeavesRoot, "block.wrong_leaves_root"},
    {ErrorCode::kBlockWrongValidators, "block.wrong_validators"},
    {ErrorCode::kBlockWrongProposer, "block.wrong_proposer"},
    {ErrorCode::kBlockWrongEvidence, "block.wrong_evidence"},
    {ErrorCode::kBlockBadLastCommit, "block.bad_last_commit"},
    {ErrorCode::kBlockDuplicateRecord, "block.duplicate_record"},
    {ErrorCode::kBlockTooLarge, "block.too_large"},
    {ErrorCode::kBlockBadRecord, "block.bad_record"},
    {ErrorCode::kGenesisInvalid, "genesis.invalid"},
    {ErrorCode::kReceiptMalformed, "receipt.malformed"},
    {ErrorCode::kReceiptDigestMismatch, "receipt.digest_mismatch"},
    {ErrorCode::kReceiptBadRecordSignature, "receipt.bad_record_signature"},
    {ErrorCode::kReceiptBadInclusion, "receipt.bad_inclusion"},
    {ErrorCode::kReceiptHeaderMismatch, "receipt.header_mismatch"},
    {ErrorCode::kReceiptBadCommit, "receipt.bad_commit"},
    {ErrorCode::kReceiptValidatorMismatch, "receipt.validator_set_mismatch"},
}};

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  EVIDENCE_CHECK_MSG(false, "ErrorCode without a name");
  return {};
}

Status LedgerError(ErrorCode code, std::string_view detail) {
  std::string message(ErrorCodeName(code));
  message += ": ";
  message += detail;
  return Status::InvalidArgument(std::move(message));
}

std::optional<ErrorCode> ErrorCodeOf(const Status& status) {
  std::string_view message = status.message();
  auto colon = message.find(": ");
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view prefix = message.substr(0, colon);
  for (const auto& [c, name] : kNames) {
    if (name == prefix) return c;
  }
  return std::nullopt;
}

}  // namespace evidence::ledger
