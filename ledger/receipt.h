// Receipts v1 (DESIGN.md §3, specified in docs/receipt-format.md): everything an
// offline verifier needs besides the document and the genesis file.
//
//   { "v": 1,
//     "record": { <the record, sig included> },
//     "leaf_index": I, "tree_size": N,
//     "inclusion_proof": ["<hex>", ...],
//     "block": { "chain_id", "height", "time_ms", "previous_hash", "log_size",
//                "log_root", "leaves_root", "validators_hash", "proposer",
//                "evidence_hash", "last_commit_hash" },          (hashes in hex)
//     "commit": { "height", "round", "block_hash",
//                 "signatures": [ { "validator", "timestamp_ms", "signature" } ] },
//     "validator_set_hash": "<hex>" }
//
// ParseReceipt refuses (exit status 2 of `evidence verify`, "unusable input"):
//   text that is not a well-formed v1 receipt (section 6 of the page: strict
//   JSON, every member, type, format and limit, the record's v1 format rules)
//                                                            receipt.malformed
//   `v` an integer other than 1                              receipt.unsupported_version
// VerifyReceipt then checks, in this order, and stops at the first failure
// (exit status 1, "invalid"):
//   1. record.chain_id and block.chain_id are the genesis'   receipt.wrong_chain
//   2. the document's digest is the record's digest          receipt.digest_mismatch
//   3. the record's signature (or batch signature + path)    receipt.bad_record_signature
//      by a key genesis registers for the record's agency,
//      of the algorithm sig.alg names
//   4. the leaf H(0x00 || JCS(record)) is at leaf_index in   receipt.bad_inclusion
//      the tree of tree_size = block.log_size, root block.log_root
//   5. H(block header bytes) = commit.block_hash, heights    receipt.header_mismatch
//   6. the commit's precommits by > 2/3 of genesis power     receipt.bad_commit
//   7. validator_set_hash and block.validators_hash are      receipt.validator_set_mismatch
//      the genesis validator set's hash
// docs/receipt-format.md §7 lists every rule with its limit; the corpus in
// tests/vectors/receipts/ holds one receipt per rule with the expected answer.
// The record rules applied are the v1 record format (CheckRecordShape), never
// the submission rules, which may tighten over time: v1 receipts verify forever.
//
// Receipts v2 (docs/receipt-format.md §11): the receipt of a record in a block
// after a governance change (a version-2 block header, docs/governance.md §3).
// Every member of v1 with "v": 2, the block possibly of version 2 (its
// "version", "actions_root", "next_validators_hash", "state_hash"), and
//     "governance": [ { "block": <v2 header>, "commit": <commit>,
//                       "actions": ["<JCS of a signed action>", ...] }, ... ]
// the blocks of the chain that carry governance actions, in height order: all
// of those below the receipt's block, and any later ones the node knew (for
// revocation notes). VerifyReceipt replays them from genesis (each header is
// the block its commit signs, by more than 2/3 of the power of the validators
// in force at its height; its state_hash is the register the earlier ones
// give, so none is missing; its actions are those of its actions_root and
// apply in order; receipt.bad_governance otherwise), then checks the record
// like v1, against the register in force at the receipt's block (its agency
// key, its validators), and the block's state_hash against the replayed
// register. A key revoked after the record's block gives a note; one revoked
// as compromised from an `effective` time before the record's claimed time
// gives a warning.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/record.h"
#include "ledger/store.h"

namespace evidence::ledger {

inline constexpr size_t kReceiptBytesMax = 256 * 1024;          // version 1
inline constexpr size_t kReceiptV2BytesMax = 8 * 1024 * 1024;     // version 2
inline constexpr size_t kReceiptGovernanceBlocksMax = 4096;

// A block that carries governance actions, as a v2 receipt carries it.
struct GovernanceBlock {
  BlockHeader header;
  Commit commit;
  std::vector<std::string> actions;  // the leaves (JCS) of its actions
  bool operator==(const GovernanceBlock&) const = default;
};

struct Receipt {
  uint32_t version = 1;  // 2: the governance history below is part of it
  Record record;
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<crypto::Digest> inclusion_proof;
  BlockHeader header;
  Commit commit;
  crypto::Digest validator_set_hash{};
  std::vector<GovernanceBlock> governance;  // version 2 only
  bool operator==(const Receipt&) const = default;
};

boost::json::value ReceiptToJson(const Receipt& receipt);
std::string ReceiptToText(const Receipt& receipt);  // JCS + newline
Result<Receipt> ParseReceipt(std::string_view json_text);
Result<Receipt> ReceiptFromJson(const boost::json::value& json);

// JSON forms shared with the HTTP API.
boost::json::value BlockHeaderToJson(const BlockHeader& header);
// `allow_version_2`: the header may carry "version": 2 and its three members
// (a v2 receipt's; a v1 receipt's block never does).
Result<BlockHeader> BlockHeaderFromJson(const boost::json::value& json,
                                        bool allow_version_2 = false);
boost::json::value CommitToJson(const Commit& commit);
Result<Commit> CommitFromJson(const boost::json::value& json);

// The receipt of a committed record (proof in the tree head of its own block):
// version 1 for a version-1 block, version 2 (with every governance block the
// store holds) otherwise.
Result<Receipt> BuildReceipt(const Store& store, const crypto::Digest& record_id);

// What a valid receipt proves.
struct ProvenFacts {
  std::string record_id;  // hex
  std::string agency;
  std::string case_id;
  std::string kind;
  std::string stage;
  std::string digest;
  int64_t record_time_ms = 0;  // claimed by the agency
  int64_t block_time_ms = 0;   // BFT time of the block (from the previous commit)
  // What the receipt proves about time: the document existed no later than this
  // (存在时间不晚于), the weighted median of the commit's precommit timestamps
  // (CommitMedianTimeMs; docs/receipt-format.md §7).
  int64_t existed_by_ms = 0;
  uint64_t height = 0;
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::string log_root;  // hex
  uint64_t signing_power = 0;
  uint64_t total_power = 0;
  // Which register the receipt was checked against: genesis's (v1, or no
  // change in force yet), or the one `governance_changes_in_force` governance
  // blocks made (replayed from genesis; `governance_blocks` were carried).
  uint32_t receipt_version = 1;
  uint64_t governance_blocks = 0;
  uint64_t governance_changes_in_force = 0;
  std::string state_hash;  // hex of the register in force at the block
  std::vector<std::string> notes;     // e.g. the key was revoked after this record
  std::vector<std::string> warnings;  // e.g. the key was compromised before this record's time
};

// True when a failed verification means the inputs are unusable (malformed or
// unsupported receipt, invalid genesis, or an error without a ledger code such
// as an unreadable file): exit status 2 of `evidence verify`, where a receipt
// that is well-formed but proves nothing is 1.
bool IsUnusableInput(const Status& status);

// The document's bytes, or only its digest ("sha256:<hex>").
Result<ProvenFacts> VerifyReceipt(ByteView document, const Receipt& receipt, const Genesis& genesis);
Result<ProvenFacts> VerifyReceiptForDigest(std::string_view digest, const Receipt& receipt,
                                           const Genesis& genesis);

}  // namespace evidence::ledger
