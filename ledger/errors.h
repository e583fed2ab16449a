// Stable error codes of the ledger's refusals. Every refusal of a record, batch,
// block, genesis or receipt is a Status that carries its code as a typed reason
// (StatusReason in domain kLedgerErrorDomain; ErrorCodeOf reads it back) and whose
// message starts with the code's stable name and ": " for people, e.g.
// "record.bad_signature: signature does not verify under key 3f2a...". Nothing
// reads the code back from the text. The names and numbers are part of the API
// (the HTTP layer maps each code to a problem type): never rename or renumber
// one, only add at the end.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::ledger {

enum class ErrorCode {
  // Records.
  kRecordMalformedJson,    // "record.malformed_json"
  kRecordUnknownField,     // "record.unknown_field"
  kRecordMissingField,     // "record.missing_field"
  kRecordWrongType,        // "record.wrong_type"
  kRecordBadValue,         // "record.bad_value": out of range, bad enum, bad characters
  kRecordTooLarge,         // "record.too_large": JCS or a string over its limit
  kRecordBadVersion,       // "record.bad_version"
  kRecordChainMismatch,    // "record.chain_mismatch"
  kRecordTimeInFuture,     // "record.time_in_future"
  kRecordTimeOutOfWindow,  // "record.time_out_of_window": too far from block time
  kRecordBadDigest,        // "record.bad_digest"
  kRecordBadLink,          // "record.bad_link"
  kRecordBadSignature,     // "record.bad_signature"
  kRecordUnknownAgency,    // "record.unknown_agency"
  kRecordUnknownKey,       // "record.unknown_key": key not registered for that agency
  kRecordDuplicate,        // "record.duplicate": already in the log (idempotent)
  kBatchBadProof,          // "batch.bad_proof": record id not under the batch root
  kBatchTooLarge,          // "batch.too_large"
  kBatchBadSignature,      // "batch.bad_signature"
  kBatchMalformed,         // "batch.malformed"
  // Blocks.
  kBlockMalformed,         // "block.malformed"
  kBlockWrongChain,        // "block.wrong_chain"
  kBlockWrongHeight,       // "block.wrong_height"
  kBlockWrongPrevious,     // "block.wrong_previous"
  kBlockWrongTime,         // "block.wrong_time"
  kBlockWrongLogRoot,      // "block.wrong_log_root"
  kBlockWrongLeavesRoot,   // "block.wrong_leaves_root"
  kBlockWrongValidators,   // "block.wrong_validators"
  kBlockWrongProposer,     // "block.wrong_proposer"
  kBlockWrongEvidence,     // "block.wrong_evidence"
  kBlockBadLastCommit,     // "block.bad_last_commit"
  kBlockDuplicateRecord,   // "block.duplicate_record"
  kBlockTooLarge,          // "block.too_large"
  kBlockBadRecord,         // "block.bad_record"
  // Genesis.
  kGenesisInvalid,         // "genesis.invalid"
  // Receipts (checks of `evidence verify`, in order).
  kReceiptMalformed,           // "receipt.malformed"
  kReceiptDigestMismatch,      // "receipt.digest_mismatch"
  kReceiptBadRecordSignature,  // "receipt.bad_record_signature"
  kReceiptBadInclusion,        // "receipt.bad_inclusion"
  kReceiptHeaderMismatch,      // "receipt.header_mismatch"
  kReceiptBadCommit,           // "receipt.bad_commit"
  kReceiptValidatorMismatch,   // "receipt.validator_set_mismatch"
  // Records (added later).
  kRecordUnknownKind,      // "record.unknown_kind": `kind` is not one of the record kinds
  kRecordCaseIdNotCanonical,  // "record.case_id_not_canonical": submission rule (ledger/case_id.h)
  kRecordKeyRevoked,       // "record.key_revoked": the key was revoked by governance
  // Governance actions (ledger/governance.h, in the order ApplyAction checks
  // them), then blocks and receipts that carry them.
  kGovernanceMalformed,      // "governance.malformed": the action's JSON or an operand is malformed
  kGovernanceUnknownAction,  // "governance.unknown_action": `action` names no governance action
  kGovernanceChainMismatch,  // "governance.chain_mismatch"
  kGovernanceNotGoverned,    // "governance.not_governed": the chain's genesis has no admin keys
  kGovernanceBadSequence,    // "governance.bad_sequence": seq replayed or out of order
  kGovernanceUnknownAdminKey, // "governance.unknown_admin_key"
  kGovernanceAdminKeyRevoked, // "governance.admin_key_revoked"
  kGovernanceBadSignature,   // "governance.bad_signature"
  kGovernanceTooFewSignatures, // "governance.too_few_signatures": below the threshold
  kGovernanceUnknownEntry,   // "governance.unknown_entry": names an agency, key, ... that does not exist
  kGovernanceConflict,       // "governance.conflict": adds what exists, reuses a key, ...
  kGovernanceUnsafeValidatorSet, // "governance.unsafe_validator_set": too few validators, or no quorum with one down
  kBlockBadGovernance,       // "block.bad_governance": a governance action of the block is refused
  kBlockWrongState,          // "block.wrong_state": next_validators_hash, governance_hash or state_hash
  kReceiptBadGovernance,     // "receipt.bad_governance": the governance history does not lead to the block's state
  // Receipts (added later; docs/receipt-format.md §7 gives every code's exit status).
  kReceiptWrongChain,          // "receipt.wrong_chain": a well-formed receipt of another chain
  kReceiptUnsupportedVersion,  // "receipt.unsupported_version": `v` is an integer other than 1
  // Submission rules of the supervision office (added later).
  kRecordUnknownStage,     // "record.unknown_stage": `stage` is not in its kind's vocabulary
                           // (an admission rule of new submissions, never of blocks)
};

// Every ErrorCode, in declaration order (for tables and tests).
inline constexpr ErrorCode kAllErrorCodes[] = {
    ErrorCode::kRecordMalformedJson,  ErrorCode::kRecordUnknownField,
    ErrorCode::kRecordMissingField,   ErrorCode::kRecordWrongType,
    ErrorCode::kRecordBadValue,       ErrorCode::kRecordTooLarge,
    ErrorCode::kRecordBadVersion,     ErrorCode::kRecordChainMismatch,
    ErrorCode::kRecordTimeInFuture,   ErrorCode::kRecordTimeOutOfWindow,
    ErrorCode::kRecordBadDigest,      ErrorCode::kRecordBadLink,
    ErrorCode::kRecordBadSignature,   ErrorCode::kRecordUnknownAgency,
    ErrorCode::kRecordUnknownKey,     ErrorCode::kRecordDuplicate,
    ErrorCode::kBatchBadProof,        ErrorCode::kBatchTooLarge,
    ErrorCode::kBatchBadSignature,    ErrorCode::kBatchMalformed,
    ErrorCode::kBlockMalformed,       ErrorCode::kBlockWrongChain,
    ErrorCode::kBlockWrongHeight,     ErrorCode::kBlockWrongPrevious,
    ErrorCode::kBlockWrongTime,       ErrorCode::kBlockWrongLogRoot,
    ErrorCode::kBlockWrongLeavesRoot, ErrorCode::kBlockWrongValidators,
    ErrorCode::kBlockWrongProposer,   ErrorCode::kBlockWrongEvidence,
    ErrorCode::kBlockBadLastCommit,   ErrorCode::kBlockDuplicateRecord,
    ErrorCode::kBlockTooLarge,        ErrorCode::kBlockBadRecord,
    ErrorCode::kGenesisInvalid,       ErrorCode::kReceiptMalformed,
    ErrorCode::kReceiptDigestMismatch, ErrorCode::kReceiptBadRecordSignature,
    ErrorCode::kReceiptBadInclusion,  ErrorCode::kReceiptHeaderMismatch,
    ErrorCode::kReceiptBadCommit,     ErrorCode::kReceiptValidatorMismatch,
    ErrorCode::kRecordUnknownKind,    ErrorCode::kRecordCaseIdNotCanonical,
    ErrorCode::kRecordKeyRevoked,
    ErrorCode::kGovernanceMalformed,
    ErrorCode::kGovernanceUnknownAction,
    ErrorCode::kGovernanceChainMismatch,
    ErrorCode::kGovernanceNotGoverned,
    ErrorCode::kGovernanceBadSequence,
    ErrorCode::kGovernanceUnknownAdminKey,
    ErrorCode::kGovernanceAdminKeyRevoked,
    ErrorCode::kGovernanceBadSignature,
    ErrorCode::kGovernanceTooFewSignatures,
    ErrorCode::kGovernanceUnknownEntry,
    ErrorCode::kGovernanceConflict,
    ErrorCode::kGovernanceUnsafeValidatorSet,
    ErrorCode::kBlockBadGovernance,
    ErrorCode::kBlockWrongState,
    ErrorCode::kReceiptBadGovernance,
    ErrorCode::kReceiptWrongChain,    ErrorCode::kReceiptUnsupportedVersion,
    ErrorCode::kRecordUnknownStage,
};

// The StatusReason domain of ledger error codes.
inline constexpr uint16_t kLedgerErrorDomain = 1;

std::string_view ErrorCodeName(ErrorCode code);

// Status(kInvalidArgument, "<name>: <detail>") with the code as its reason.
Status LedgerError(ErrorCode code, std::string_view detail);

// The ledger code a status carries as its reason (also after WithContext), if any.
std::optional<ErrorCode> ErrorCodeOf(const Status& status);

}  // namespace evidence::ledger
