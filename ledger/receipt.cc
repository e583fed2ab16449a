#include "ledger/receipt.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "ledger/errors.h"
#include "ledger/governance.h"
#include "ledger/governance_history.h"
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

Result<GovernanceBlock> GovernanceBlockFromJson(const json::value& value, size_t i);

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

Result<BlockHeader> BlockHeaderFromJson(const json::value& value, bool allow_version_2) {
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
  const json::object* object = value.if_object();
  if (allow_version_2 && object != nullptr && object->contains("version")) {
    EVIDENCE_ASSIGN_OR_RETURN(uint64_t version, reader.Unsigned("version"));
    if (version != kBlockVersionGoverned) return Malformed("block.version must be 2 when given");
    h.version = kBlockVersionGoverned;
    EVIDENCE_ASSIGN_OR_RETURN(h.actions_root, HexField(reader, "actions_root"));
    EVIDENCE_ASSIGN_OR_RETURN(h.next_validators_hash, HexField(reader, "next_validators_hash"));
    EVIDENCE_ASSIGN_OR_RETURN(h.state_hash, HexField(reader, "state_hash"));
  }
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

namespace {

Result<GovernanceBlock> GovernanceBlockFromJson(const json::value& value, size_t i) {
  const std::string where = "governance[" + std::to_string(i) + "]";
  FieldReader reader(value, where, kReceiptCodes);
  GovernanceBlock g;
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* block, reader.Required("block"));
  auto header = BlockHeaderFromJson(*block, true);
  if (!header.ok()) return Malformed(where + ": " + header.status().message());
  g.header = std::move(header).value();
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* commit, reader.Required("commit"));
  auto parsed_commit = CommitFromJson(*commit);
  if (!parsed_commit.ok()) return Malformed(where + ": " + parsed_commit.status().message());
  g.commit = std::move(parsed_commit).value();
  EVIDENCE_ASSIGN_OR_RETURN(g.actions,
                            reader.StringArray("actions", limits::kGovernanceActionsPerBlockMax));
  for (const std::string& action : g.actions) {
    if (action.empty() || action.size() > limits::kGovernanceActionBytesMax) {
      return Malformed(where + ".actions: an action of 1.." +
                       std::to_string(limits::kGovernanceActionBytesMax) + " bytes");
    }
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return g;
}

}  // namespace

json::value GovernanceBlockToJson(const GovernanceBlock& g) {
  json::array actions;
  for (const std::string& leaf : g.actions) actions.emplace_back(leaf);
  return json::object{{"block", BlockHeaderToJson(g.header)},
                      {"commit", CommitToJson(g.commit)},
                      {"actions", std::move(actions)}};
}

Result<GovernanceBlock> LoadGovernanceBlock(const Store& store, uint64_t height) {
  GovernanceBlock g;
  EVIDENCE_ASSIGN_OR_RETURN(g.header, store.GetHeader(height));
  EVIDENCE_ASSIGN_OR_RETURN(g.commit, store.GetCommit(height));
  EVIDENCE_ASSIGN_OR_RETURN(g.actions, store.GetActions(height));
  return g;
}

json::value ReceiptToJson(const Receipt& r) {
  json::array proof;
  for (const crypto::Digest& d : r.inclusion_proof) proof.emplace_back(crypto::DigestHex(d));
  json::object out{{"v", r.version},
                      {"record", RecordToJson(r.record)},
                      {"leaf_index", r.leaf_index},
                      {"tree_size", r.tree_size},
                      {"inclusion_proof", std::move(proof)},
                      {"block", BlockHeaderToJson(r.header)},
                      {"commit", CommitToJson(r.commit)},
                      {"validator_set_hash", crypto::DigestHex(r.validator_set_hash)}};
  if (r.version != 1) {
    json::array governance;
    for (const GovernanceBlock& g : r.governance) governance.push_back(GovernanceBlockToJson(g));
    out["governance"] = std::move(governance);
  }
  return out;
}

std::string ReceiptToText(const Receipt& receipt) {
  return CanonicalJson(ReceiptToJson(receipt)).value() + "\n";
}

Result<Receipt> ReceiptFromJson(const json::value& value) {
  FieldReader reader(value, "receipt", kReceiptCodes);
  Receipt r;
  // The version first: a later version may have other members.
  EVIDENCE_ASSIGN_OR_RETURN(int64_t version, reader.Signed("v"));
  if (version != 1 && version != 2) {
    return LedgerError(ErrorCode::kReceiptUnsupportedVersion,
                       "receipt version " + std::to_string(version) +
                           ": this verifier knows versions 1 and 2 (a later `evidence verify` "
                           "may know it)");
  }
  r.version = static_cast<uint32_t>(version);
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
  EVIDENCE_ASSIGN_OR_RETURN(r.header, BlockHeaderFromJson(*block, r.version == 2));
  EVIDENCE_ASSIGN_OR_RETURN(const json::value* commit, reader.Required("commit"));
  EVIDENCE_ASSIGN_OR_RETURN(r.commit, CommitFromJson(*commit));
  EVIDENCE_ASSIGN_OR_RETURN(r.validator_set_hash, HexField(reader, "validator_set_hash"));
  if (r.version == 2) {
    EVIDENCE_ASSIGN_OR_RETURN(const json::array* governance,
                              reader.Array("governance", kReceiptGovernanceBlocksMax));
    for (size_t i = 0; i < governance->size(); ++i) {
      EVIDENCE_ASSIGN_OR_RETURN(GovernanceBlock g, GovernanceBlockFromJson((*governance)[i], i));
      r.governance.push_back(std::move(g));
    }
  }
  EVIDENCE_RETURN_IF_ERROR(reader.Finish());
  return r;
}

Result<Receipt> ParseReceipt(std::string_view json_text) {
  auto parsed = StrictJsonParse(json_text, kReceiptV2BytesMax, limits::kJsonDepthMax);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  EVIDENCE_ASSIGN_OR_RETURN(Receipt receipt, ReceiptFromJson(*parsed));
  if (receipt.version == 1 && json_text.size() > kReceiptBytesMax) {
    return Malformed("a version-1 receipt is at most " + std::to_string(kReceiptBytesMax) +
                     " bytes");
  }
  return receipt;
}

Result<Receipt> BuildReceipt(const Store& store, const crypto::Digest& record_id) {
  EVIDENCE_ASSIGN_OR_RETURN(StoredRecord stored, store.GetRecord(record_id));
  Receipt r;
  r.record = stored.record;
  r.leaf_index = stored.leaf_index;
  EVIDENCE_ASSIGN_OR_RETURN(r.header, store.GetHeader(stored.height));
  EVIDENCE_ASSIGN_OR_RETURN(r.commit, store.GetCommit(stored.height));
  r.tree_size = r.header.log_size;
  EVIDENCE_ASSIGN_OR_RETURN(r.inclusion_proof, store.InclusionProof(r.leaf_index, r.tree_size));
  r.validator_set_hash = r.header.validators_hash;
  if (r.header.version == kBlockVersionLegacy) return r;
  // After a governance change: the governance blocks from genesis on.
  r.version = 2;
  for (uint64_t height : store.GovernanceHeights()) {
    if (r.governance.size() == kReceiptGovernanceBlocksMax) break;
    EVIDENCE_ASSIGN_OR_RETURN(GovernanceBlock g, LoadGovernanceBlock(store, height));
    r.governance.push_back(std::move(g));
  }
  return r;
}

namespace {

// The checks both versions make once the record's key is known (from genesis in
// version 1, from the register in force in version 2): the record's signature, its
// inclusion in the block's log root, and that the header is the block the commit signs.
Status CheckRecordInBlock(const Receipt& r, const Genesis& genesis, const crypto::PublicKey& key) {
  EVIDENCE_RETURN_IF_ERROR(Check(ErrorCode::kReceiptBadRecordSignature,
                                 VerifyRecordSignature(genesis.hash(), key, r.record)));
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
  if (BlockHash(genesis.hash(), r.header) != r.commit.block_hash ||
      r.commit.height != r.header.height) {
    return LedgerError(ErrorCode::kReceiptHeaderMismatch,
                       "the block header's hash is not the block hash the commit signs");
  }
  return Status::Ok();
}

// Version 1: everything against genesis.
Result<ProvenFacts> VerifyReceiptV1(std::string_view digest, const Receipt& r,
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
  // 3b-5. Signature, inclusion in the block's log root, the header is the committed block.
  EVIDENCE_RETURN_IF_ERROR(CheckRecordInBlock(r, genesis, *key));
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

Status BadGovernance(size_t i, uint64_t height, std::string_view why) {
  return LedgerError(ErrorCode::kReceiptBadGovernance,
                     "governance[" + std::to_string(i) + "] (block " + std::to_string(height) +
                         "): " + std::string(why));
}

// Replays a v2 receipt's governance blocks from genesis (header of version 2
// and of this chain, heights increasing, each the block its commit signs by
// the validators in force at its height, its state_hash and
// next_validators_hash those of the register the earlier ones give, its
// actions those of its actions_root, applying in order).
Result<GovernanceHistory> ReplayGovernance(const Receipt& r, const Genesis& genesis) {
  GovernanceHistory history(GovernanceState::FromGenesis(genesis));
  uint64_t previous = 0;
  for (size_t i = 0; i < r.governance.size(); ++i) {
    const GovernanceBlock& g = r.governance[i];
    const BlockHeader& h = g.header;
    auto bad = [&](std::string_view why) { return BadGovernance(i, h.height, why); };
    if (h.chain_id != genesis.chain_id()) return bad("another chain's block");
    if (h.version != kBlockVersionGoverned) return bad("not a version-2 block header");
    if (h.height <= previous) return bad("heights must increase");
    previous = h.height;
    if (g.actions.empty()) return bad("carries no governance action");
    if (BlockHash(genesis.hash(), h) != g.commit.block_hash || g.commit.height != h.height) {
      return bad("the header is not the block its commit signs");
    }
    const GovernanceStatePtr in_force = history.InForce(h.height);
    Status quorum = VerifyCommit(genesis.chain_id(), in_force->validator_set(), g.commit);
    if (!quorum.ok()) return bad("commit: " + quorum.message());
    if (h.validators_hash != in_force->validator_set_hash()) {
      return bad("validators_hash is not the hash of the validators in force");
    }
    const GovernanceStatePtr before = history.Latest();
    if (h.state_hash != before->Hash() || h.next_validators_hash != before->validator_set_hash()) {
      return bad("state_hash is not the register the governance blocks before it give (is one "
                 "missing?)");
    }
    if (h.actions_root != LeavesRoot(genesis.hash(), g.actions)) {
      return bad("actions_root does not match the actions");
    }
    Status applied = history.Apply(h.height, h.time_ms, g.actions);
    if (!applied.ok()) return bad(applied.message());
  }
  return history;
}

// What the register known last says about the record's key and agency after
// its block: notes, and a warning for a compromised key whose `effective` time
// is at or before the record's claimed time.
void NoteLaterChanges(const GovernanceState& latest, const Record& record, uint64_t height,
                      ProvenFacts& facts) {
  const RegisteredKey* key = latest.FindAgencyKey(record.agency, record.sig.key_id);
  if (key != nullptr && key->revoked && key->revoked->height >= height) {
    const KeyRevocation& revoked = *key->revoked;
    std::string when = "key " + record.sig.key_id + " was revoked (" + revoked.reason +
                       ") by governance action " + std::to_string(revoked.seq) + " in block " +
                       std::to_string(revoked.height) + " at time_ms " +
                       std::to_string(revoked.time_ms) + ", after this record was committed";
    if (revoked.reason == "compromised" && record.time_ms >= revoked.effective_ms) {
      facts.warnings.push_back(when + "; it is not to be trusted from effective_ms " +
                               std::to_string(revoked.effective_ms) +
                               ", and this record's agency-claimed time " +
                               std::to_string(record.time_ms) +
                               " is not earlier: whoever held the stolen key may have signed it");
    } else {
      facts.notes.push_back(when + ": the record stays valid");
    }
  }
  const AgencyEntry* agency = latest.FindAgency(record.agency);
  if (agency != nullptr && agency->removed && agency->removed->height >= height) {
    facts.notes.push_back("agency \"" + record.agency + "\" was removed by governance action " +
                          std::to_string(agency->removed->seq) + " in block " +
                          std::to_string(agency->removed->height) +
                          ", after this record was committed");
  }
}

// Version 2: the governance history replayed, then the v1 checks against the
// register in force at the record's block.
Result<ProvenFacts> VerifyReceiptV2(std::string_view digest, const Receipt& r,
                                    const Genesis& genesis) {
  auto wrong_chain = [&](std::string_view field, const std::string& chain_id) {
    return LedgerError(ErrorCode::kReceiptWrongChain,
                       std::string(field) + " is \"" + chain_id + "\", but the genesis is for \"" +
                           genesis.chain_id() + "\"");
  };
  if (r.record.chain_id != genesis.chain_id()) return wrong_chain("record.chain_id", r.record.chain_id);
  if (r.header.chain_id != genesis.chain_id()) return wrong_chain("block.chain_id", r.header.chain_id);
  EVIDENCE_ASSIGN_OR_RETURN(GovernanceHistory history, ReplayGovernance(r, genesis));
  const uint64_t height = r.header.height;
  if (height == 0) return LedgerError(ErrorCode::kReceiptHeaderMismatch, "block height 0");
  const GovernanceStatePtr in_force = history.InForce(height);
  const GovernanceStatePtr before = history.AfterBlock(height - 1);
  // The block commits to the register the governance blocks below it give.
  const bool complete = r.header.version == kBlockVersionGoverned
                            ? r.header.state_hash == before->Hash() &&
                                  r.header.next_validators_hash == before->validator_set_hash()
                            : before->next_seq() == 1;
  if (!complete) {
    return LedgerError(ErrorCode::kReceiptBadGovernance,
                       "the block's state_hash is not the register the receipt's governance "
                       "blocks give (one below block " + std::to_string(height) +
                           " is missing?)");
  }
  if (digest != r.record.digest) {
    return LedgerError(ErrorCode::kReceiptDigestMismatch,
                       "the document's digest " + std::string(digest) +
                           " is not the recorded digest " + r.record.digest);
  }
  const crypto::PublicKey* key = in_force->FindActiveAgencyKey(r.record.agency, r.record.sig.key_id);
  if (key == nullptr) {
    return LedgerError(ErrorCode::kReceiptBadRecordSignature,
                       "key " + r.record.sig.key_id + " is not registered for agency \"" +
                           r.record.agency + "\" in the register in force at block " +
                           std::to_string(height));
  }
  EVIDENCE_RETURN_IF_ERROR(CheckRecordInBlock(r, genesis, *key));
  const ValidatorSet& validators = in_force->validator_set();
  EVIDENCE_RETURN_IF_ERROR(Check(ErrorCode::kReceiptBadCommit,
                                 VerifyCommit(genesis.chain_id(), validators, r.commit)));
  const crypto::Digest set_hash = in_force->validator_set_hash();
  if (r.validator_set_hash != set_hash || r.header.validators_hash != set_hash) {
    return LedgerError(ErrorCode::kReceiptValidatorMismatch,
                       "the receipt's validator set is not the one in force at block " +
                           std::to_string(height));
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
  facts.existed_by_ms = CommitMedianTimeMs(validators, r.commit);
  facts.height = height;
  facts.leaf_index = r.leaf_index;
  facts.tree_size = r.tree_size;
  facts.log_root = crypto::DigestHex(r.header.log_root);
  for (const CommitSignature& s : r.commit.signatures) {
    facts.signing_power += validators.at(s.validator_index).power;
  }
  facts.total_power = validators.total_power();
  facts.receipt_version = 2;
  facts.governance_blocks = r.governance.size();
  for (uint64_t at : history.ChangeHeights()) {
    if (at + kGovernanceActivationDelay <= height) ++facts.governance_changes_in_force;
  }
  facts.state_hash = crypto::DigestHex(in_force->Hash());
  NoteLaterChanges(*history.Latest(), r.record, height, facts);
  return facts;
}

}  // namespace

Result<ProvenFacts> VerifyReceiptForDigest(std::string_view digest, const Receipt& r,
                                           const Genesis& genesis) {
  if (r.version == 2) return VerifyReceiptV2(digest, r, genesis);
  EVIDENCE_ASSIGN_OR_RETURN(ProvenFacts facts, VerifyReceiptV1(digest, r, genesis));
  facts.state_hash = crypto::DigestHex(GovernanceState::FromGenesis(genesis)->Hash());
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
