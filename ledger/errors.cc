#include "ledger/errors.h"

namespace evidence::ledger {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRecordMalformedJson:
      return "record.malformed_json";
    case ErrorCode::kRecordUnknownField:
      return "record.unknown_field";
    case ErrorCode::kRecordMissingField:
      return "record.missing_field";
    case ErrorCode::kRecordWrongType:
      return "record.wrong_type";
    case ErrorCode::kRecordBadValue:
      return "record.bad_value";
    case ErrorCode::kRecordTooLarge:
      return "record.too_large";
    case ErrorCode::kRecordBadVersion:
      return "record.bad_version";
    case ErrorCode::kRecordChainMismatch:
      return "record.chain_mismatch";
    case ErrorCode::kRecordTimeInFuture:
      return "record.time_in_future";
    case ErrorCode::kRecordTimeOutOfWindow:
      return "record.time_out_of_window";
    case ErrorCode::kRecordBadDigest:
      return "record.bad_digest";
    case ErrorCode::kRecordBadLink:
      return "record.bad_link";
    case ErrorCode::kRecordBadSignature:
      return "record.bad_signature";
    case ErrorCode::kRecordUnknownAgency:
      return "record.unknown_agency";
    case ErrorCode::kRecordUnknownKey:
      return "record.unknown_key";
    case ErrorCode::kRecordDuplicate:
      return "record.duplicate";
    case ErrorCode::kBatchBadProof:
      return "batch.bad_proof";
    case ErrorCode::kBatchTooLarge:
      return "batch.too_large";
    case ErrorCode::kBatchBadSignature:
      return "batch.bad_signature";
    case ErrorCode::kBatchMalformed:
      return "batch.malformed";
    case ErrorCode::kBlockMalformed:
      return "block.malformed";
    case ErrorCode::kBlockWrongChain:
      return "block.wrong_chain";
    case ErrorCode::kBlockWrongHeight:
      return "block.wrong_height";
    case ErrorCode::kBlockWrongPrevious:
      return "block.wrong_previous";
    case ErrorCode::kBlockWrongTime:
      return "block.wrong_time";
    case ErrorCode::kBlockWrongLogRoot:
      return "block.wrong_log_root";
    case ErrorCode::kBlockWrongLeavesRoot:
      return "block.wrong_leaves_root";
    case ErrorCode::kBlockWrongValidators:
      return "block.wrong_validators";
    case ErrorCode::kBlockWrongProposer:
      return "block.wrong_proposer";
    case ErrorCode::kBlockWrongEvidence:
      return "block.wrong_evidence";
    case ErrorCode::kBlockBadLastCommit:
      return "block.bad_last_commit";
    case ErrorCode::kBlockDuplicateRecord:
      return "block.duplicate_record";
    case ErrorCode::kBlockTooLarge:
      return "block.too_large";
    case ErrorCode::kBlockBadRecord:
      return "block.bad_record";
    case ErrorCode::kGenesisInvalid:
      return "genesis.invalid";
    case ErrorCode::kReceiptMalformed:
      return "receipt.malformed";
    case ErrorCode::kReceiptDigestMismatch:
      return "receipt.digest_mismatch";
    case ErrorCode::kReceiptBadRecordSignature:
      return "receipt.bad_record_signature";
    case ErrorCode::kReceiptBadInclusion:
      return "receipt.bad_inclusion";
    case ErrorCode::kReceiptHeaderMismatch:
      return "receipt.header_mismatch";
    case ErrorCode::kReceiptBadCommit:
      return "receipt.bad_commit";
    case ErrorCode::kReceiptValidatorMismatch:
      return "receipt.validator_set_mismatch";
    case ErrorCode::kRecordUnknownKind:
      return "record.unknown_kind";
    case ErrorCode::kRecordCaseIdNotCanonical:
      return "record.case_id_not_canonical";
    case ErrorCode::kRecordKeyRevoked:
      return "record.key_revoked";
    case ErrorCode::kGovernanceMalformed:
      return "governance.malformed";
    case ErrorCode::kGovernanceUnknownAction:
      return "governance.unknown_action";
    case ErrorCode::kGovernanceChainMismatch:
      return "governance.chain_mismatch";
    case ErrorCode::kGovernanceNotGoverned:
      return "governance.not_governed";
    case ErrorCode::kGovernanceBadSequence:
      return "governance.bad_sequence";
    case ErrorCode::kGovernanceUnknownAdminKey:
      return "governance.unknown_admin_key";
    case ErrorCode::kGovernanceAdminKeyRevoked:
      return "governance.admin_key_revoked";
    case ErrorCode::kGovernanceBadSignature:
      return "governance.bad_signature";
    case ErrorCode::kGovernanceTooFewSignatures:
      return "governance.too_few_signatures";
    case ErrorCode::kGovernanceUnknownEntry:
      return "governance.unknown_entry";
    case ErrorCode::kGovernanceConflict:
      return "governance.conflict";
    case ErrorCode::kGovernanceUnsafeValidatorSet:
      return "governance.unsafe_validator_set";
    case ErrorCode::kBlockBadGovernance:
      return "block.bad_governance";
    case ErrorCode::kBlockWrongState:
      return "block.wrong_state";
    case ErrorCode::kReceiptBadGovernance:
      return "receipt.bad_governance";
    case ErrorCode::kReceiptWrongChain:
      return "receipt.wrong_chain";
    case ErrorCode::kReceiptUnsupportedVersion:
      return "receipt.unsupported_version";
    case ErrorCode::kRecordUnknownStage:
      return "record.unknown_stage";
  }
  EVIDENCE_CHECK_MSG(false, "ErrorCode without a name");
  return {};
}

Status LedgerError(ErrorCode code, std::string_view detail) {
  std::string message(ErrorCodeName(code));
  message += ": ";
  message += detail;
  return Status(StatusCode::kInvalidArgument, std::move(message),
                StatusReason{kLedgerErrorDomain, static_cast<uint16_t>(code)});
}

std::optional<ErrorCode> ErrorCodeOf(const Status& status) {
  const StatusReason reason = status.reason();
  if (status.ok() || reason.domain != kLedgerErrorDomain) return std::nullopt;
  EVIDENCE_CHECK(reason.code < std::size(kAllErrorCodes));
  return static_cast<ErrorCode>(reason.code);
}

}  // namespace evidence::ledger
