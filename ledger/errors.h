// Stable error codes of the ledger's refusals. Every refusal of a record, batch,
// block, genesis or receipt is a Status whose message starts with the code's
// stable name and ": ", e.g. "record.bad_signature: signature does not verify under
// key 3f2a...". The names are part of the API (HTTP problem types use them): never
// rename one, only add.
//
// Thread-safety: pure functions.
#pragma once

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
};

std::string_view ErrorCodeName(ErrorCode code);

// Status(kInvalidArgument, "<name>: <detail>").
Status LedgerError(ErrorCode code, std::string_view detail);

// The code at the start of a status message, if it carries one.
std::optional<ErrorCode> ErrorCodeOf(const Status& status);

}  // namespace evidence::ledger
