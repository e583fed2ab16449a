// The bounds the C++ ledger puts on what a receipt may hold (common/limits.h,
// ledger/receipt.h, ledger/vote.h, ledger/record.h). The verifier refuses what the
// ledger would refuse, with the same error code.
export const LIMITS = Object.freeze({
  receiptBytesMax: 256 * 1024, // ledger::kReceiptBytesMax (version 1)
  receiptV2BytesMax: 8 * 1024 * 1024, // ledger::kReceiptV2BytesMax
  receiptGovernanceBlocksMax: 4096, // ledger::kReceiptGovernanceBlocksMax
  governanceActionsPerBlockMax: 16, // limits::kGovernanceActionsPerBlockMax
  governanceActionBytesMax: 16 * 1024, // limits::kGovernanceActionBytesMax
  genesisBytesMax: 4 * 1024 * 1024, // ledger::kGenesisBytesMax
  jsonDepthMax: 8, // limits::kJsonDepthMax
  recordJcsBytesMax: 4096, // limits::kRecordJcsBytesMax
  caseIdBytesMax: 256,
  stageBytesMax: 64,
  agencyIdBytesMax: 128,
  chainIdBytesMax: 64,
  titleBytesMax: 1024,
  mediaTypeBytesMax: 128,
  linksMax: 16,
  batchRecordsMax: 10000,
  batchPathLengthMax: 64, // ledger::kBatchPathLengthMax
  recordSignatureBytesMax: 256, // ledger::kRecordSignatureBytesMax
  inclusionProofLengthMax: 64, // ReceiptFromJson: inclusion_proof holds at most 64 hashes
  commitSignaturesMax: 1000, // ledger::kCommitSignaturesMax
  voteSignatureBytesMax: 256, // ledger::kVoteSignatureBytesMax
  uint32Max: 0xffffffff,
});
