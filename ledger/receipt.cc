#include "ledger/receipt.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "ledger/json_fields.h"

namespace evidence::ledger {
namespace json = boost::json;
namespace {

Status Malformed(std::string_view detail) { return LedgerError(ErrorCode::kReceiptMalformed, detail); }

Result<crypto::Digest> HexField(FieldReader& reader, std::string_view name) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string hex, reader.String(name));
  return ParseHexDigest(reader.where() + "." + std::string(name), hex, kReceiptCodes);
}

Result<CommitSignature> SignatureFromJson(const json::value& value, size_t i) {
  FieldReader reader(value, "commit.signatures[" + std::to_string(i) + "]", kReceiptCodes);
  CommitSignature s;
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t index, reader.Unsigned("validator"));
  if (index > UINT32_MAX) return Malformed("validator index out of range");
  s.validator_index = static_cast<uint32_t>(index);
  EVIDENCE_ASSIGN_OR_RETURN(s.timestamp_ms, reader.Signed("timestamp_ms"));
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, reader.String("signature"));
  auto decoded = Base64Decode(text);
  if (!decoded.ok() || decoded->size() > kVoteSignatureBytesMax) {
    return Malformed(reader.where() + ".signature is not base64 of at most 256 bytes");
  }
  s.signature = std::move(decoded).value();
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return s;
}

Status Check(ErrorCode code, const Status& status) {
  if (status.ok()) return status;
  return LedgerError(code, status.message());
}

}  // namespace

json::value BlockHeaderToJson(const BlockHeader& h) {
  json::object out{{"chain_id", h.chain_id},
                      {"height", h.height},
                      {"time_ms", h.time_ms},
                      {"previous_hash", crypto::DigestHex(h.previous_hash)},
                      {"log_size", h.log_size},
                      {"log_root", crypto::DigestHex(h.log_root)},
                      {"leaves_root", crypto::DigestHex(h.leaves_root)},
                      {"validators_hash", crypto::DigestHex(h.validators_hash)},
                      {"proposer", h.proposer},
                      {"evidence_hash", crypto::DigestHex(h.evidence_hash)},
                      {"last_commit_hash", crypto::DigestHex(h.last_commit_hash)}};
  if (h.version != kBlockVersionLegacy) {
    // Version-2 members (a v1 receipt's block never has them).
    out["version"] = h.version;
    out["actions_root"] = crypto::DigestHex(h.actions_root);
    out["next_validators_hash"] = crypto::DigestHex(h.next_validators_hash);
    out["state_hash"] = crypto::DigestHex(h.state_hash);
  }
  return out;
}

Result<BlockHeader> BlockHeaderFromJson(const json::value& value) {
  FieldReader reader(value, "block", kReceiptCodes);
  BlockHeader h;
  EVIDENCE_ASSIGN_OR_RETURN(h.chain_id, reader.String("chain_id"));
  // The rule of genesis chain ids (and of record.chain_id).
  if (h.chain_id.size() > limits::kChainIdBytesMax || !IsIdentifier(h.chain_id)) {
    return Malformed("block.chain_id must be 1.." + std::to_string(limits::kChainIdBytesMax) +
                     " characters of A-Z a-z 0-9 . _ -");
  }
  EVIDENCE_ASSIGN_OR_RETURN(h.height, reader.Unsigned("height"));
  EVIDENCE_ASSIGN_OR_RETURN(h.time_ms, reader.Signed("time_ms"));
  EVIDENCE_ASSIGN_OR_RETURN(h.previous_hash, HexField(reader, "previous_hash"));
  EVIDENCE_ASSIGN_OR_RETURN(h.log_size, reader.Unsigned("log_size"));
  EVIDENCE_ASSIGN_OR_RETURN(h.log_root, HexField(reader, "log_root"));
  EVIDENCE_ASSIGN_OR_RETURN(h.leaves_root, HexField(reader, "leaves_root"));
  EVIDENCE_ASSIGN_OR_RETURN(h.validators_hash, HexField(reader, "validators_hash"));
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t proposer, reader.Unsigned("proposer"));
  if (proposer > UINT32_MAX) return Malformed("block.proposer out of range");
  h.proposer = static_cast<uint32_t>(proposer);
  EVIDENCE_ASSIGN_OR_RETURN(h.evidence_hash, HexField(reader, "evidence_hash"));
  EVIDENCE_ASSIGN_OR_RETURN(h.last_commit_hash, HexField(reader, "last_commit_hash"));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return h;
}

json::value CommitToJson(const Commit& c) {
  json::array signatures;
  for (const CommitSignature& s : c.signatures) {
    signatures.push_back(json::object{{"validator", s.validator_index},
                                      {"timestamp_ms", s.timestamp_ms},
                                      {"signature", Base64Encode(s.signature)}});
  }
  return json::object{{"height", c.height},
                      {"round", c.round},
                      {"block_hash", crypto::DigestHex(c.block_hash)},
                      {"signatures", std::move(signatures)}};
}

Result<Commit> CommitFromJson(const json::value& value) {
  FieldReader reader(value, "commit", kReceiptCodes);
  Commit c;
  EVIDENCE_ASSIGN_OR_RETURN(c.height, reader.Unsigned("height"));
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t round, reader.Unsigned("round"));
  if (round > UINT32_MAX) return Malformed("commit.round out of range");
  c.round = static_cast<uint32_t>(round);
  EVIDENCE_ASSIGN_OR_RETURN(c.block_hash, HexField(reader, "block_hash"));
  EVIDENCE_ASSIGN_OR_RETURN(const json::array* signatures,
                            reader.Array("signatures", kCommitSignaturesMax));
  for (size_t i = 0; i < signatures->size(); ++i) {
    EVIDENCE_ASSIGN_OR_RETURN(CommitSignature s, SignatureFromJson((*signatures)[i], i));
    c.signatures.push_back(std::move(s));
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return c;
}

json::value ReceiptToJson(const Receipt& r) {
  json::array proof;
  for (const crypto::Digest& d : r.inclusion_proof) proof.emplace_back(crypto::DigestHex(d));
  return json::object{{"v", 1},
                      {"record", RecordToJson(r.record)},
                      {"leaf_index", r.leaf_index},
                      {"tree_size", r.tree_size},
                      {"inclusion_proof", std::move(proof)},
                      {"block", BlockHeaderToJson(r.header)},
                      {"commit", CommitToJson(r.commit)},
                      {"validator_set_hash", crypto::DigestHex(r.validator_set_hash)}};
}

std::string ReceiptToText(const Receipt& receipt) {
  return CanonicalJson(ReceiptToJson(receipt)).value() + "\n";
}

Result<Receipt> ReceiptFromJson(const json::value& value) {
  FieldReader reader(value, "receipt", kReceiptCodes);
  Receipt r;
  // The version first: a later version may have other members.
  EVIDENCE_ASSIGN_OR_RETURN(int64_t version, reader.Signed("v"));
  if (version != 1) {
    return LedgerError(ErrorCode::kReceiptUnsupportedVersion,
                       "receipt version " + std::to_string(version) +
                           ": this verifier knows version 1 only (a later `evidence verify` "
                           "may know it)");
  }
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* record, reader.Required("record"));
  auto parsed = RecordFromJson(*record);
  if (!parsed.ok()) return Malformed("record: " + parsed.status().message());
  r.record = std::move(parsed).value();
  EVIDENCE_ASSIGN_OR_RETURN(r.leaf_index, reader.Unsigned("leaf_index"));
  EVIDENCE_ASSIGN_OR_RETURN(r.tree_size, reader.Unsigned("tree_size"));
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> proof, reader.StringArray("inclusion_proof", 64));
  for (const std::string& hex : proof) {
    EVIDENCE_ASSIGN_OR_RETURN(crypto::Digest d, ParseHexDigest("inclusion_proof", hex, kReceiptCodes));
    r.inclusion_proof.push_back(d);
  }
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* block, reader.Required("block"));
  EVIDENCE_ASSIGN_OR_RETURN(r.header, BlockHeaderFromJson(*block));
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* commit, reader.Required("commit"));
  EVIDENCE_ASSIGN_OR_RETURN(r.commit, CommitFromJson(*commit));
  EVIDENCE_ASSIGN_OR_RETURN(r.validator_set_hash, HexField(reader, "validator_set_hash"));
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return r;
}

Result<Receipt> ParseReceipt(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, kReceiptBytesMax, limits::kJsonDepthMax);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  return ReceiptFromJson(*parsed);
}

Result<Receipt> BuildReceipt(const Store& store, const crypto::Digest& record_id) {
  EVIDENCE_ASSIGN_OR_RETURN(StoredRecord stored, store.GetRecord(record_id));
  Receipt r;
  r.record = stored.record;
  r.leaf_index = stored.leaf_index;
  EVIDENCE_ASSIGN_OR_RETURN(r.header, store.GetHeader(stored.height));
  if (r.header.version != kBlockVersionLegacy) {
    return Status::FailedPrecondition(
        "block " + std::to_string(stored.height) +
        " comes after a governance change: its receipt needs the governance history, "
        "which receipt version 1 cannot carry");
  }
  EVIDENCE_ASSIGN_OR_RETURN(r.commit, store.GetCommit(stored.height));
  r.tree_size = r.header.log_size;
  EVIDENCE_ASSIGN_OR_RETURN(r.inclusion_proof, store.InclusionProof(r.leaf_index, r.tree_size));
  r.validator_set_hash = r.header.validators_hash;
  return r;
}

Result<ProvenFacts> VerifyReceiptForDigest(std::string_view digest, const Receipt& r,
                                           const Genesis& genesis) {
  // 1. The chain. Each chain id is named on its own, so that the message shows
  // the one that differs (it used to print block.chain_id for both).
  auto wrong_chain = [&](std::string_view field, const std::string& chain_id) {
    return LedgerError(ErrorCode::kReceiptWrongChain,
                       std::string(field) + " is \"" + chain_id + "\", but the genesis is for \"" +
                           genesis.chain_id() + "\"");
  };
  if (r.record.chain_id != genesis.chain_id()) return wrong_chain("record.chain_id", r.record.chain_id);
  if (r.header.chain_id != genesis.chain_id()) return wrong_chain("block.chain_id", r.header.chain_id);
  // 2. The document.
  if (digest != r.record.digest) {
    return LedgerError(ErrorCode::kReceiptDigestMismatch,
                       "the document's digest " + std::string(digest) +
                           " is not the recorded digest " + r.record.digest);
  }
  // 3. Authorship.
  const crypto::PublicKey* key = genesis.FindAgencyKey(r.record.agency, r.record.sig.key_id);
  if (key == nullptr) {
    return LedgerError(ErrorCode::kReceiptBadRecordSignature,
                       "key " + r.record.sig.key_id + " is not registered in genesis for agency \"" +
                           r.record.agency + "\"");
  }
  EVIDENCE_RETURN_IF_ERROR(Check(ErrorCode::kReceiptBadRecordSignature,
                                 VerifyRecordSignature(genesis.hash(), *key, r.record)));
  // 4. Inclusion in the block's log root.
  crypto::MerkleHasher hasher(genesis.hash());
  if (r.tree_size != r.header.log_size) {
    return LedgerError(ErrorCode::kReceiptBadInclusion,
                       "tree_size " + std::to_string(r.tree_size) + " is not the block's log_size " +
                           std::to_string(r.header.log_size));
  }
  crypto::Digest leaf_hash = hasher.HashLeaf(AsBytes(RecordLeaf(r.record)));
  EVIDENCE_RETURN_IF_ERROR(Check(ErrorCode::kReceiptBadInclusion,
                                 crypto::VerifyInclusion(hasher, leaf_hash, r.leaf_index, r.tree_size,
                                                         r.inclusion_proof, r.header.log_root)));
  // 5. The header is the committed block.
  if (BlockHash(genesis.hash(), r.header) != r.commit.block_hash ||
      r.commit.height != r.header.height) {
    return LedgerError(ErrorCode::kReceiptHeaderMismatch,
                       "the block header's hash is not the block hash the commit signs");
  }
  // 6. The commit.
  EVIDENCE_RETURN_IF_ERROR(Check(ErrorCode::kReceiptBadCommit,
                                 VerifyCommit(genesis.chain_id(), genesis.validator_set(), r.commit)));
  // 7. The validator set.
  crypto::Digest set_hash = genesis.validator_set_hash();
  if (r.validator_set_hash != set_hash || r.header.validators_hash != set_hash) {
    return LedgerError(ErrorCode::kReceiptValidatorMismatch,
                       "the receipt's validator set is not the genesis validator set");
  }
  ProvenFacts facts;
  facts.record_id = crypto::DigestHex(RecordId(genesis.hash(), r.record));
  facts.agency = r.record.agency;
  facts.case_id = r.record.case_id;
  facts.kind = r.record.kind;
  facts.stage = r.record.stage;
  facts.digest = r.record.digest;
  facts.record_time_ms = r.record.time_ms;
  facts.block_time_ms = r.header.time_ms;
  facts.existed_by_ms = CommitMedianTimeMs(genesis.validator_set(), r.commit);
  facts.height = r.header.height;
  facts.leaf_index = r.leaf_index;
  facts.tree_size = r.tree_size;
  facts.log_root = crypto::DigestHex(r.header.log_root);
  for (const CommitSignature& s : r.commit.signatures) {
    facts.signing_power += genesis.validator_set().at(s.validator_index).power;
  }
  facts.total_power = genesis.validator_set().total_power();
  return facts;
}

bool IsUnusableInput(const Status& status) {
  std::optional<ErrorCode> code = ErrorCodeOf(status);
  return !code.has_value() || *code == ErrorCode::kReceiptMalformed ||
         *code == ErrorCode::kReceiptUnsupportedVersion || *code == ErrorCode::kGenesisInvalid;
}

Result<ProvenFacts> VerifyReceipt(ByteView document, const Receipt& receipt,
                                  const Genesis& genesis) {
  auto recorded = ParseDocumentDigest(receipt.record.digest);
  if (!recorded.ok()) return Malformed(recorded.status().message());
  std::string digest =
      FormatDocumentDigest(recorded->algorithm, crypto::Hash(recorded->algorithm, document));
  return VerifyReceiptForDigest(digest, receipt, genesis);
}

}  // namespace evidence::ledger
