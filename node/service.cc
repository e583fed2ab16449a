#include "node/service.h"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/case_id.h"
#include "ledger/receipt.h"
#include "ledger/submission.h"
#include "node/anchors.h"
#include "node/record_pool.h"
#include "node/checkpoints.h"
#include "node/timestamps.h"
#include "supervision/store_report.h"

namespace evidence::node {
namespace {

namespace json = boost::json;

constexpr size_t kDigestRecordsMax = 1000;    // records answered per document digest
constexpr size_t kCaseRecordsMax = 10'000;    // records answered per case trail
constexpr size_t kPageBytesTarget = 4 * 1024 * 1024;  // a block page stops growing here

Status TooMany(const Status& status) {
  return Status::ResourceExhausted(status.message() + "; retry later");
}

}  // namespace

ChainService::ChainService(const ledger::Genesis& genesis, const ledger::Store& store,
                           RecordPool& mempool, Hooks hooks, NodeMetrics* metrics,
                           const TimestampService* timestamps, CheckpointService* checkpoints,
                           SupervisionSettings supervision, AnchorService* anchors)
    : genesis_(genesis),
      store_(store),
      mempool_(mempool),
      hooks_(std::move(hooks)),
      metrics_(metrics),
      timestamps_(timestamps),
      checkpoints_(checkpoints),
      anchors_(anchors),
      explanations_(static_cast<double>(limits::kSignatureExplanationsPerSecond),
                    static_cast<double>(limits::kSignatureExplanationsBurst), 1),
      genesis_json_(genesis.ToJson()),
      supervision_(supervision),
      governance_pool_([&store] { return store.LatestState(); }) {
  EVIDENCE_CHECK(supervision_.rules != nullptr && supervision_.calendar != nullptr);
}

// ---------------------------------------------------------------- submissions

// The outcome for a record id the node already holds, or nullopt.
Result<std::optional<api::SubmitOutcome>> ChainService::KnownOutcome(const crypto::Digest& id) {
  Result<bool> committed = store_.ContainsRecord(id);
  if (!committed.ok()) return committed.status();
  api::SubmitOutcome outcome;
  outcome.id = crypto::DigestHex(id);
  outcome.already_known = true;
  if (*committed) {
    Result<ledger::Receipt> receipt = ProvenReceipt(id);
    if (!receipt.ok()) return receipt.status();
    outcome.status = api::RecordStatus::kCommitted;
    outcome.receipt = ledger::ReceiptToJson(*receipt);
    return std::optional<api::SubmitOutcome>(std::move(outcome));
  }
  if (mempool_.Contains(id)) return std::optional<api::SubmitOutcome>(std::move(outcome));
  return std::optional<api::SubmitOutcome>();
}

// The record id does not cover `sig`: a copy of a held record with a damaged
// or foreign signature has the same id. It is answered as already known only
// when it is the exact leaf the node holds or its own signature holds (an
// agency may sign the same record again; P-256 and SM2 signatures differ each
// time). The time window is not applied: the record was in it when admitted.
Status ChainService::CheckKnownCopy(const ledger::Record& record, const crypto::Digest& id,
                                    api::RecordStatus status) {
  const std::string leaf = ledger::RecordLeaf(record);
  if (status == api::RecordStatus::kCommitted) {
    Result<ledger::StoredRecord> stored = store_.GetRecord(id);
    if (!stored.ok()) return stored.status();
    if (stored->leaf == leaf) return Status::Ok();
  } else if (mempool_.CheckedLeafOf(leaf)) {
    return Status::Ok();
  }
  if (metrics_ != nullptr) metrics_->signature_checks.Increment(1);
  return ledger::CheckRecordAuthorship(*store_.NextState(), record);
}

// A record checked against the store, then committed by the consensus thread
// before it entered the mempool, would stay there for good (the commit removed
// it before it was added): a restarted node catching up on gossip and blocks
// at once did this, and the stale entry kept it saying records wait. Looking
// again once it is in closes the gap (the store is written before the pool is
// cleaned).
void ChainService::DropCommitted(const std::vector<crypto::Digest>& ids) {
  std::vector<crypto::Digest> committed;
  for (const crypto::Digest& id : ids) {
    Result<bool> contained = store_.ContainsRecord(id);
    if (contained.ok() && *contained) committed.push_back(id);
  }
  if (!committed.empty()) mempool_.Remove(committed);
}

namespace {

// The answer's facts about record `i` of a submission.
void NoteRecord(const api::SubmitOutcome& outcome, std::optional<size_t> index,
                json::object* details) {
  (*details)["record_id"] = outcome.id;
  (*details)["signing_bytes_sha256"] = outcome.signing_bytes_sha256;
  if (index) (*details)["index"] = *index;
}

// A vote as the block JSON shows it: every field its signature covers
// (ledger/vote.h), the signer's index and the signature in base64.
json::object VoteJson(const ledger::Vote& vote) {
  return json::object{
      {"type", vote.type == ledger::VoteType::kPrevote ? "prevote" : "precommit"},
      {"height", vote.height},
      {"round", vote.round},
      {"block_hash", crypto::DigestHex(vote.block_hash)},
      {"timestamp_ms", vote.timestamp_ms},
      {"validator", vote.validator_index},
      {"signature", Base64Encode(vote.signature)}};
}

json::array EvidenceJson(const std::vector<ledger::DuplicateVoteEvidence>& evidence) {
  json::array out;
  for (const ledger::DuplicateVoteEvidence& item : evidence) {
    out.push_back(json::object{{"a", VoteJson(item.a)}, {"b", VoteJson(item.b)}});
  }
  return out;
}

bool IsSignatureRefusal(const Status& status) {
  std::optional<ledger::ErrorCode> code = ledger::ErrorCodeOf(status);
  return code == ledger::ErrorCode::kRecordBadSignature ||
         code == ledger::ErrorCode::kBatchBadSignature;
}

}  // namespace

Result<ledger::LinkTarget> ChainService::FindLinkTarget(const crypto::Digest& id) const {
  Result<ledger::StoredRecord> stored = store_.GetRecord(id);
  if (stored.ok()) {
    return ledger::LinkTarget{ledger::LinkTarget::State::kCommitted, stored->record.case_id};
  }
  if (stored.status().code() != StatusCode::kNotFound) return stored.status();
  if (std::optional<ledger::Record> pending = mempool_.Get(id)) {
    return ledger::LinkTarget{ledger::LinkTarget::State::kPending, pending->case_id};
  }
  return ledger::LinkTarget{};
}

// A refusal of records[i] of a submission, with what helps the client fix it:
// the record id and signing-bytes hash in `details`, and for a signature, the
// signing bytes and (within the explanation budget) what most likely went wrong.
Status ChainService::Refuse(Status status, const std::vector<ledger::Record>& records, size_t i,
                            const std::vector<api::SubmitOutcome>& outcomes,
                            const json::object* received, json::object* details) {
  const bool batch = records.size() > 1 || records[i].sig.batch.has_value();
  NoteRecord(outcomes[i], batch ? std::optional<size_t>(i) : std::nullopt, details);
  if (IsSignatureRefusal(status)) {
    if (records[i].sig.batch) {
      const Bytes signing = ledger::BatchSigningBytes(ledger::BatchHeaderOf(records[i]));
      (*details)["batch_signing_bytes"] = std::string(signing.begin(), signing.end());
      (*details)["batch_signing_bytes_sha256"] =
          crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, signing));
    } else {
      const Bytes signing = ledger::RecordSigningBytes(records[i]);
      (*details)["signing_bytes"] = std::string(signing.begin(), signing.end());
    }
    const auto now = api::RateLimiter::Clock::now();
    if (explanations_.Check("", 1, now) == 0) {
      explanations_.Charge("", 1, now);
      std::string explanation =
          ledger::ExplainBadSignature(*store_.NextState(), records[i], received);
      if (!explanation.empty()) {
        status = Status(status.code(), status.message() + ". " + explanation, status.reason());
      }
    }
  }
  if (records.size() > 1) status = status.WithContext("records[" + std::to_string(i) + "]");
  return status;
}

// Checks `records` (one record, or a whole batch) and admits them to the
// mempool, all or none (with options.dry_run: checks them and admits nothing).
// Records the node holds already are answered as they are (idempotent) and not
// checked again. `outcomes` is aligned with `records`.
Status ChainService::Admit(const std::vector<ledger::Record>& records,
                           const api::SubmitOptions& options,
                           std::vector<api::SubmitOutcome>* outcomes, const json::object* received,
                           json::object* details) {
  std::vector<crypto::Digest> ids;
  std::vector<size_t> fresh;  // positions of the records the node does not hold
  for (size_t i = 0; i < records.size(); ++i) {
    const Bytes signing = ledger::RecordSigningBytes(records[i]);
    ids.push_back(crypto::Hash(genesis_.hash(), signing));  // the record id
    (*outcomes)[i].id = crypto::DigestHex(ids[i]);
    (*outcomes)[i].signing_bytes_sha256 =
        genesis_.hash() == crypto::HashAlgorithm::kSha256
            ? (*outcomes)[i].id
            : crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, signing));
    auto known = KnownOutcome(ids[i]);
    if (!known.ok()) return known.status();
    if (known->has_value()) {
      Status copy = CheckKnownCopy(records[i], ids[i], (**known).status);
      if (!copy.ok()) return Refuse(copy, records, i, *outcomes, received, details);
      (**known).signing_bytes_sha256 = (*outcomes)[i].signing_bytes_sha256;
      (*outcomes)[i] = std::move(**known);
    } else {
      fresh.push_back(i);
    }
  }
  ledger::SubmissionChecker rules(records, ids,
                                  [this](const crypto::Digest& id) { return FindLinkTarget(id); });
  if (records.size() > 1) EVIDENCE_RETURN_IF_ERROR(rules.CheckDistinct());
  for (size_t i : fresh) {
    Status status = rules.CheckRecord(i);
    // The stage vocabulary binds new submissions only (never blocks or receipts).
    if (status.ok()) status = supervision_.rules->CheckStage(records[i].kind, records[i].stage);
    if (!status.ok()) return Refuse(status, records, i, *outcomes, received, details);
  }
  if (fresh.empty()) return Status::Ok();
  const int64_t now_ms = WallClockMs();
  if (options.dry_run) {
    ledger::BatchSignatureCache cache;
    const ledger::GovernanceStatePtr state = store_.NextState();
    for (size_t i : fresh) {
      Status status = ledger::CheckRecord(*state, records[i], now_ms, &cache);
      if (!status.ok()) return Refuse(status, records, i, *outcomes, received, details);
    }
    return Status::Ok();
  }
  // Held records are answered above; new ones wait until the node can store blocks.
  EVIDENCE_RETURN_IF_ERROR(DiskRoom());
  std::vector<ledger::Record> fresh_records;
  std::vector<crypto::Digest> fresh_ids;
  for (size_t i : fresh) {
    fresh_records.push_back(records[i]);
    fresh_ids.push_back(ids[i]);
  }
  uint64_t checks = 0;
  size_t refused = 0;
  Result<std::vector<std::string>> admitted =
      mempool_.CheckAndAdd(std::move(fresh_records), now_ms, &checks, fresh_ids, &refused);
  if (metrics_ != nullptr) metrics_->signature_checks.Increment(checks);
  if (!admitted.ok()) {
    if (admitted.status().code() == StatusCode::kResourceExhausted) {
      return TooMany(admitted.status());
    }
    return Refuse(admitted.status(), records, fresh.at(refused), *outcomes, received, details);
  }
  DropCommitted(fresh_ids);
  if (metrics_ != nullptr) {
    metrics_->mempool_records.Set(static_cast<int64_t>(mempool_.size()));
  }
  if (!admitted->empty()) hooks_.on_admitted(std::move(*admitted), false);
  return Status::Ok();
}

Status ChainService::DiskRoom() const {
  const NodeStatus status = hooks_.status();
  if (!status.disk_full) return Status::Ok();
  return Status::Unavailable(
      "this node's disk is full (" + std::to_string(status.disk_free_bytes) +
      " bytes free, below its reserve of " + std::to_string(status.disk_reserve_bytes) +
      "): it takes no records until its operator frees space; send the same record to another "
      "validator, or here again later");
}

Result<api::SubmitOutcome> ChainService::SubmitRecord(const json::object& record_json,
                                                      const api::SubmitOptions& options,
                                                      json::object* refusal_details) {
  json::object scratch;
  json::object* details = refusal_details != nullptr ? refusal_details : &scratch;
  Result<ledger::Record> record = ledger::RecordFromJson(json::value(record_json));
  if (!record.ok()) return record.status();
  std::vector<api::SubmitOutcome> outcomes(1);
  std::vector<ledger::Record> records;
  records.push_back(std::move(*record));
  EVIDENCE_RETURN_IF_ERROR(Admit(records, options, &outcomes, &record_json, details));
  return outcomes[0];
}

Result<api::BatchOutcome> ChainService::SubmitBatch(const json::object& batch,
                                                    const api::SubmitOptions& options,
                                                    json::object* refusal_details) {
  json::object scratch;
  json::object* details = refusal_details != nullptr ? refusal_details : &scratch;
  Result<std::vector<ledger::Record>> records = ledger::ParseBatch(json::serialize(batch));
  if (!records.ok()) return records.status();
  api::BatchOutcome outcome;
  outcome.batch_id = crypto::DigestHex(records->front().sig.batch->root);
  (*details)["batch_id"] = outcome.batch_id;
  outcome.records.resize(records->size());
  EVIDENCE_RETURN_IF_ERROR(Admit(*records, options, &outcome.records, nullptr, details));
  return outcome;
}

void ChainService::AdmitFromPeer(std::vector<std::string> leaves) {
  std::vector<ledger::Record> records;
  std::vector<crypto::Digest> ids;
  for (const std::string& leaf : leaves) {
    // Held already, byte for byte (came in a proposal, or from another peer).
    if (mempool_.CheckedLeafOf(leaf)) continue;
    Result<ledger::Record> record = ledger::ParseRecord(leaf);
    if (!record.ok()) continue;  // a peer's bad record is its own problem
    crypto::Digest id = ledger::RecordId(genesis_.hash(), *record);
    Result<bool> committed = store_.ContainsRecord(id);
    if (!committed.ok() || *committed || mempool_.Contains(id)) continue;
    records.push_back(std::move(*record));
    ids.push_back(id);
  }
  if (records.empty()) return;
  // Checked on every core; each record on its own, so one peer's bad record
  // does not drop the others. Batch signatures are remembered by the mempool,
  // so a batch costs one check however its records arrive.
  uint64_t checks = 0;
  std::vector<std::string> admitted_leaves =
      mempool_.CheckAndAddEach(std::move(records), WallClockMs(), &checks, ids);
  DropCommitted(ids);
  if (metrics_ != nullptr) metrics_->signature_checks.Increment(checks);
  if (!admitted_leaves.empty()) hooks_.on_admitted(std::move(admitted_leaves), true);
}

// ---------------------------------------------------------------- reads

// A receipt as a verifier would check it with genesis alone (ledger::
// VerifyReceiptForDigest) and for the record asked for: a damaged block, commit,
// leaf, index entry or Merkle node never leaves this node as a proof. The checks
// cost about as much as one verification (four signatures), once per receipt.
Result<ledger::Receipt> ChainService::ProvenReceipt(const crypto::Digest& id) const {
  Result<ledger::Receipt> receipt = ledger::BuildReceipt(store_, id);
  if (!receipt.ok()) {
    if (receipt.status().code() != StatusCode::kNotFound) return StoreDamaged(id, receipt.status());
    Result<bool> indexed = store_.ContainsRecord(id);
    if (indexed.ok() && !*indexed) return receipt.status();  // not committed (yet)
    return StoreDamaged(id, receipt.status());  // indexed, but a part is missing
  }
  if (crypto::Hash(genesis_.hash(), ledger::RecordSigningBytes(receipt->record)) != id) {
    return StoreDamaged(id, Status::Corruption("the record index names the leaf of another record"));
  }
  Result<ledger::ProvenFacts> proven =
      ledger::VerifyReceiptForDigest(receipt->record.digest, *receipt, genesis_);
  if (!proven.ok()) return StoreDamaged(id, proven.status());
  return receipt;
}

Status ChainService::StoreDamaged(const crypto::Digest& id, const Status& damage) const {
  if (std::optional<uint64_t> suppressed = damage_log_.Admit(LogThrottle::Clock::now())) {
    spdlog::critical(
        "event=store_damaged record={} reason=\"{}\" recovery=\"this node serves no proof of "
        "this record from its store; stop it and run evidence-node --config <node.toml> "
        "--resync (rebuilds the store from the peers, keeps consensus.wal)\" suppressed={}",
        crypto::DigestHex(id), damage.message(), *suppressed);
  }
  return Status::Unavailable("this node's store is damaged where it holds record " +
                             crypto::DigestHex(id) + " (" + damage.message() +
                             "): it gives no proof from damaged data; ask another validator");
}

Result<api::RecordView> ChainService::CommittedView(const ledger::StoredRecord& stored) {
  Result<ledger::Receipt> receipt = ProvenReceipt(stored.id);
  if (!receipt.ok()) return receipt.status();
  api::RecordView view;
  view.id = crypto::DigestHex(stored.id);
  view.status = api::RecordStatus::kCommitted;
  view.record = ledger::RecordToJson(stored.record).as_object();
  view.receipt = ledger::ReceiptToJson(*receipt);
  return view;
}

Result<api::RecordView> ChainService::GetRecord(std::string_view id_hex) {
  Result<crypto::Digest> id = crypto::DigestFromHex(id_hex);
  if (!id.ok()) return Status::InvalidArgument("record id must be 64 hex digits");
  Result<ledger::StoredRecord> stored = store_.GetRecord(*id);
  if (stored.ok()) return CommittedView(*stored);
  if (stored.status().code() != StatusCode::kNotFound) {
    return StoreDamaged(*id, stored.status());
  }
  std::optional<ledger::Record> pending = mempool_.Get(*id);
  if (!pending) return Status::NotFound("no record with id " + std::string(id_hex));
  return PendingView(*pending);
}

api::RecordView ChainService::PendingView(const ledger::Record& record) const {
  api::RecordView view;
  view.id = crypto::DigestHex(ledger::RecordId(genesis_.hash(), record));
  view.status = api::RecordStatus::kPending;
  view.record = ledger::RecordToJson(record).as_object();
  return view;
}

Result<std::vector<api::RecordView>> ChainService::FindByDigest(std::string_view algorithm,
                                                                   std::string_view hex) {
  std::string digest = std::string(algorithm) + ":" + std::string(hex);
  auto stored = store_.RecordsByDigest(digest, kDigestRecordsMax);
  if (!stored.ok()) return stored.status();
  std::vector<api::RecordView> views;
  for (const ledger::StoredRecord& record : *stored) {
    auto view = CommittedView(record);
    if (!view.ok()) return view.status();
    views.push_back(std::move(*view));
  }
  for (ledger::Record& pending : mempool_.FindByDigest(digest)) views.push_back(PendingView(pending));
  return views;
}

// What the reader may read is its role's (ledger/roles.h), checked by the API.
std::optional<api::Reader> ChainService::FindReader(std::string_view token_sha256_hex) {
  // The register's readers (governance may add, remove or re-role them).
  const ledger::GovernanceStatePtr state = store_.NextState();
  for (const ledger::GenesisReader& reader : state->readers()) {
    if (reader.token_sha256 && crypto::DigestHex(*reader.token_sha256) == token_sha256_hex) {
      return api::Reader{reader.id, reader.role};
    }
  }
  return std::nullopt;
}

Result<api::CaseTrail> ChainService::GetCase(std::string_view case_id) {
  // The canonical form first; the id as given too when it differs, so records
  // committed before case ids had a canonical form are found under theirs.
  const std::string canonical = ledger::CanonicalCaseId(case_id);
  std::vector<std::string> names = {canonical};
  if (canonical != case_id) names.emplace_back(case_id);
  std::vector<ledger::StoredRecord> committed;
  for (const std::string& name : names) {
    auto stored = store_.RecordsByCase(name, kCaseRecordsMax);
    if (!stored.ok()) return stored.status();
    for (ledger::StoredRecord& record : *stored) committed.push_back(std::move(record));
  }
  std::sort(committed.begin(), committed.end(),
            [](const ledger::StoredRecord& a, const ledger::StoredRecord& b) {
              return a.leaf_index < b.leaf_index;
            });
  if (committed.size() > kCaseRecordsMax) committed.resize(kCaseRecordsMax);
  api::CaseTrail trail;
  trail.case_id = canonical;
  for (const ledger::StoredRecord& record : committed) {
    auto view = CommittedView(record);
    if (!view.ok()) return view.status();
    trail.records.push_back(std::move(*view));
  }
  for (const std::string& name : names) {
    for (ledger::Record& pending : mempool_.FindByCase(name)) {
      if (trail.records.size() >= kCaseRecordsMax) break;
      trail.records.push_back(PendingView(pending));
    }
  }
  if (trail.records.empty()) return Status::NotFound("no record of this case");
  return trail;
}

json::value ChainService::BlockJson(uint64_t height, api::BlockDetail detail) {
  Result<ledger::Block> block = store_.GetBlock(height);
  Result<ledger::Commit> commit = store_.GetCommit(height);
  if (!block.ok() || !commit.ok()) return nullptr;
  crypto::MerkleHasher hasher(genesis_.hash());
  json::array leaves;
  json::array records;
  for (const std::string& leaf : block->leaves) {
    leaves.emplace_back(crypto::DigestHex(hasher.HashLeaf(AsBytes(leaf))));
    if (detail != api::BlockDetail::kRecords) continue;
    Result<ledger::Record> record = ledger::ParseRecord(leaf);
    EVIDENCE_CHECK_MSG(record.ok(), "the store holds a leaf that is not a record");
    records.push_back(ledger::RecordToJson(*record));
  }
  json::object out{
      {"height", height},
      {"hash", crypto::DigestHex(ledger::BlockHash(genesis_.hash(), block->header))},
      {"header", ledger::BlockHeaderToJson(block->header)},
      {"commit", ledger::CommitToJson(*commit)},
      {"last_commit", ledger::CommitToJson(block->last_commit)},
      {"evidence", EvidenceJson(block->evidence)},
      {"leaves", std::move(leaves)}};
  if (detail == api::BlockDetail::kRecords) out["records"] = std::move(records);
  return out;
}

Result<json::object> ChainService::SupervisionReport(const api::SupervisionReportQuery& query) {
  if (query.agency) {
    const auto& agencies = genesis_.agencies();
    if (std::none_of(agencies.begin(), agencies.end(),
                     [&](const ledger::GenesisAgency& agency) { return agency.id == *query.agency; })) {
      return Status::NotFound("no agency '" + *query.agency + "' in genesis");
    }
  }
  bool idle = false;
  if (!report_running_.compare_exchange_strong(idle, true)) {
    return Status::ResourceExhausted("another supervision report is being made");
  }
  struct Done {
    std::atomic<bool>& running;
    ~Done() { running.store(false); }
  } done{report_running_};
  supervision::ReportRequest request{query.from_day, query.to_day, query.agency};
  supervision::StoreReportOptions options;
  options.cancel = query.cancel;
  return supervision::BuildReportFromStore(store_, *supervision_.rules, *supervision_.calendar,
                                           request, WallClockMs(), options);
}

Result<json::value> ChainService::GetBlock(uint64_t height, api::BlockDetail detail) {
  if (height == 0 || height > store_.height()) {
    return Status::NotFound("no block at height " + std::to_string(height) +
                                                 " (the chain is at " +
                                                 std::to_string(store_.height()) + ")");
  }
  json::value block = BlockJson(height, detail);
  if (block.is_null()) return Status::Internal("block unreadable");
  return block;
}

Result<api::BlockPage> ChainService::ListBlocks(uint64_t from, uint64_t limit,
                                                api::BlockDetail detail) {
  uint64_t head = store_.height();
  api::BlockPage page;
  size_t bytes = 0;
  uint64_t height = std::max<uint64_t>(from, 1);
  for (; height <= head && page.blocks.size() < limit && bytes < kPageBytesTarget; ++height) {
    json::value block = BlockJson(height, detail);
    if (block.is_null()) return Status::Internal("block unreadable");
    bytes += json::serialize(block).size();
    page.blocks.push_back(std::move(block));
  }
  if (height <= head) page.next_from = height;
  return page;
}

Result<api::TimestampAnswer> ChainService::GetTimestamp(std::string_view id_hex,
                                                        std::string_view institution) {
  if (timestamps_ == nullptr) {
    return Status::Unavailable("this node issues no time-stamp tokens");
  }
  return timestamps_->Get(id_hex, institution);
}

Result<std::string> ChainService::GetCheckpoint() {
  if (checkpoints_ == nullptr) return Status::Unavailable("this node serves no checkpoints");
  return checkpoints_->GetCheckpoint();
}

Status ChainService::AddCosignature(std::string_view note) {
  if (checkpoints_ == nullptr) return Status::Unavailable("this node takes no cosignatures");
  return checkpoints_->AddCosignature(note);
}

namespace {

boost::json::object AnchorToJson(const Anchor& anchor) {
  return boost::json::object{{"tree_size", anchor.tree_size},
                             {"root", crypto::DigestHex(anchor.root)},
                             {"checkpoint", anchor.checkpoint},
                             {"tsa", anchor.tsa_name},
                             {"gen_time", anchor.gen_time},
                             {"token", Base64Encode(anchor.token)}};
}

}  // namespace

Result<boost::json::object> ChainService::AddAnchor(std::string_view body) {
  if (anchors_ == nullptr) return Status::Unavailable("this node takes no anchors");
  EVIDENCE_ASSIGN_OR_RETURN(Anchor anchor, anchors_->Add(body));
  spdlog::info("event=anchor_added tree_size={} tsa=\"{}\" gen_time={}", anchor.tree_size,
               anchor.tsa_name, anchor.gen_time);
  return AnchorToJson(anchor);
}

Result<boost::json::object> ChainService::ListAnchors(uint64_t from) {
  if (anchors_ == nullptr) return Status::Unavailable("this node keeps no anchors");
  size_t total = 0;
  boost::json::array list;
  for (const Anchor& anchor : anchors_->List(static_cast<size_t>(from), &total)) {
    list.push_back(AnchorToJson(anchor));
  }
  boost::json::object out{{"total", total}, {"from", from}, {"anchors", std::move(list)}};
  return out;
}

std::string ChainService::GetGenesisJson() { return genesis_json_; }

Result<api::TreeHead> ChainService::GetTreeHead() {
  ledger::TreeHead head = store_.head();
  if (head.height == 0) return Status::NotFound("nothing committed yet");
  Result<ledger::Commit> commit = store_.GetCommit(head.height);
  if (!commit.ok()) return commit.status();
  api::TreeHead out;
  out.size = head.size;
  out.root_hex = crypto::DigestHex(head.root);
  out.height = head.height;
  out.commit = ledger::CommitToJson(*commit);
  return out;
}

Result<std::vector<std::string>> ChainService::GetConsistencyProof(uint64_t from_size,
                                                                      uint64_t to_size) {
  uint64_t size = store_.head().size;
  if (to_size > size) {
    return Status::NotFound("the log holds " + std::to_string(size) + " records, fewer than " +
                         std::to_string(to_size));
  }
  auto proof = store_.ConsistencyProof(from_size, to_size);
  if (!proof.ok()) return proof.status();
  std::vector<std::string> out;
  for (const crypto::Digest& hash : *proof) out.push_back(crypto::DigestHex(hash));
  return out;
}

Result<api::BlockPage> ChainService::ListGovernanceBlocks(uint64_t from, uint64_t limit) {
  const std::vector<uint64_t> heights = store_.GovernanceHeights();
  api::BlockPage page;
  size_t bytes = 0;
  auto at = std::lower_bound(heights.begin(), heights.end(), from);
  for (; at != heights.end() && page.blocks.size() < limit && bytes < kPageBytesTarget; ++at) {
    EVIDENCE_ASSIGN_OR_RETURN(ledger::GovernanceBlock block,
                              ledger::LoadGovernanceBlock(store_, *at));
    json::value shaped = ledger::GovernanceBlockToJson(block);
    bytes += json::serialize(shaped).size();
    page.blocks.push_back(std::move(shaped));
  }
  if (at != heights.end()) page.next_from = *at;
  return page;
}

json::object ChainService::GetGovernance() {
  // The height first: the state is then the one in force for that block or a
  // later one, never an older one.
  const uint64_t height = store_.height() + 1;
  const ledger::GovernanceStatePtr state = store_.NextState();
  const ledger::GovernanceStatePtr latest = store_.LatestState();
  json::array actions;
  std::vector<uint64_t> heights = store_.GovernanceHeights();
  // The newest blocks first until the answer holds limits::kGovernanceHistoryShownMax
  // actions (or a few more: a block's actions are shown whole).
  std::vector<json::object> newest_first;
  for (auto at = heights.rbegin();
       at != heights.rend() && newest_first.size() < limits::kGovernanceHistoryShownMax; ++at) {
    Result<std::vector<std::string>> leaves = store_.GetActions(*at);
    if (!leaves.ok()) break;  // a store read failed: show what was read
    for (auto leaf = leaves->rbegin(); leaf != leaves->rend(); ++leaf) {
      Result<ledger::GovernanceAction> action = ledger::ParseAction(*leaf);
      if (!action.ok()) continue;  // committed actions parse (validation checked them)
      newest_first.push_back(json::object{
          {"height", *at},
          {"seq", action->seq},
          {"id", crypto::DigestHex(ledger::ActionId(genesis_.hash(), *action))},
          {"action", ledger::ActionToJson(*action)}});
    }
  }
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) actions.push_back(*it);
  json::array pending;
  for (const PendingAction& entry : governance_pool_.Pending()) {
    Result<ledger::GovernanceAction> action = ledger::ParseAction(entry.leaf);
    EVIDENCE_CHECK(action.ok());
    pending.push_back(json::object{{"seq", entry.seq},
                                   {"id", crypto::DigestHex(entry.id)},
                                   {"action", ledger::ActionToJson(*action)}});
  }
  return json::object{{"height", height},
                      {"state_hash", crypto::DigestHex(state->Hash())},
                      {"register", state->ToJson()},
                      {"latest", json::object{{"state_hash", crypto::DigestHex(latest->Hash())},
                                              {"next_seq", latest->next_seq()}}},
                      {"actions", std::move(actions)},
                      {"actions_total", latest->next_seq() - 1},
                      {"pending", std::move(pending)}};
}

Result<api::GovernanceOutcome> ChainService::SubmitGovernance(const json::object& body,
                                                              const api::SubmitOptions& options) {
  // Strictly as a block would carry it (ParseAction bounds the bytes).
  EVIDENCE_ASSIGN_OR_RETURN(ledger::GovernanceAction action,
                            ledger::ParseAction(json::serialize(body)));
  const ledger::ActionContext context{store_.height() + 1, WallClockMs()};
  EVIDENCE_ASSIGN_OR_RETURN(GovernancePool::Admission admission,
                            governance_pool_.Add(action, context, options.dry_run));
  if (!options.dry_run && !admission.already_known) {
    spdlog::info("event=governance_admitted seq={} action={} id={}", admission.seq,
                 ledger::ActionTypeName(action.type()), crypto::DigestHex(admission.id));
    if (hooks_.on_governance_admitted) hooks_.on_governance_admitted();
  }
  return api::GovernanceOutcome{crypto::DigestHex(admission.id), admission.seq,
                                admission.already_known};
}

Result<bool> ChainService::AdmitGovernanceFromPeer(std::string_view leaf) {
  EVIDENCE_ASSIGN_OR_RETURN(ledger::GovernanceAction action, ledger::ParseAction(leaf));
  const ledger::ActionContext context{store_.height() + 1, WallClockMs()};
  EVIDENCE_ASSIGN_OR_RETURN(GovernancePool::Admission admission,
                            governance_pool_.Add(action, context, /*dry_run=*/false));
  if (!admission.already_known) {
    spdlog::info("event=governance_admitted seq={} action={} id={} from=peer", admission.seq,
                 ledger::ActionTypeName(action.type()), crypto::DigestHex(admission.id));
  }
  return !admission.already_known;
}

json::object ChainService::GetStatus() {
  ledger::TreeHead head = store_.head();
  NodeStatus status = hooks_.status();
  const ledger::GovernanceStatePtr state = store_.NextState();
  json::object out{{"chain_id", genesis_.chain_id()},
                   {"genesis_time_ms", genesis_.genesis_time_ms()},
                   {"hash", crypto::HashAlgorithmName(genesis_.hash())},
                   {"height", head.height},
                   {"tree_size", head.size},
                   {"tree_root", crypto::DigestHex(head.root)},
                   {"best_peer_height", status.best_peer_height},
                   {"syncing", status.best_peer_height > head.height},
                   {"peers", status.peers_connected},
                   {"validators", state->validators().size()},
                   {"quorum_connected", status.quorum_connected},
                   {"mempool", mempool_.size()},
                   {"version", "0.1.0"}};
  if (status.validator_index && *status.validator_index < state->validators().size()) {
    out["validator"] = state->validators()[*status.validator_index].name;
  } else {
    out["validator"] = nullptr;
  }
  return out;
}

api::Readiness ChainService::GetReadiness() {
  NodeStatus status = hooks_.status();
  uint64_t height = store_.height();
  if (!status.consensus_running) return {false, "starting"};
  if (status.disk_full) {
    return {false, "disk full: " + std::to_string(status.disk_free_bytes) +
                       " bytes free, below the reserve of " +
                       std::to_string(status.disk_reserve_bytes)};
  }
  if (status.best_peer_height > height) {
    return {false, "syncing: height " + std::to_string(height) + " of " +
                       std::to_string(status.best_peer_height)};
  }
  if (status.validator_index && !status.quorum_connected) {
    return {false, "connected to " + std::to_string(status.peers_connected) +
                       " peers, fewer than a quorum of validators"};
  }
  return {true, ""};
}

// ---------------------------------------------------------------- commits

uint64_t ChainService::WatchCommit(std::string_view id_hex, CommitCallback on_commit) {
  Result<crypto::Digest> id = crypto::DigestFromHex(id_hex);
  uint64_t token = 0;
  {
    MutexLock lock(&watches_mutex_);
    token = next_token_++;
    if (!id.ok()) return token;  // never fires
    watches_.emplace(token, Watch{std::string(id_hex), std::move(on_commit)});
    watches_by_id_.emplace(std::string(id_hex), token);
  }
  // Registered first, checked second: a commit in between fires it either way.
  Result<ledger::Receipt> receipt = ProvenReceipt(*id);
  if (!receipt.ok()) return token;
  CommitCallback callback;
  {
    MutexLock lock(&watches_mutex_);
    auto watch = watches_.find(token);
    if (watch == watches_.end()) return token;  // fired by OnCommitted meanwhile
    callback = std::move(watch->second.callback);
    watches_.erase(watch);
    std::erase_if(watches_by_id_, [&](const auto& entry) { return entry.second == token; });
  }
  callback(ledger::ReceiptToJson(*receipt));
  return token;
}

void ChainService::CancelCommitWatch(uint64_t token) {
  MutexLock lock(&watches_mutex_);
  auto watch = watches_.find(token);
  if (watch == watches_.end()) return;
  auto range = watches_by_id_.equal_range(watch->second.id_hex);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == token) {
      watches_by_id_.erase(it);
      break;
    }
  }
  watches_.erase(watch);
}

void ChainService::OnCommitted(const ledger::Block& block, const ledger::Commit& commit,
                               const std::vector<crypto::Digest>& ids, bool synced) {
  EVIDENCE_CHECK(ids.size() == block.leaves.size());
  std::vector<int64_t> waited_ms = mempool_.Remove(ids);
  if (metrics_ != nullptr) {
    // Before any ?wait=commit answer goes out, so a client that then reads
    // /metrics sees this block (the driver's PublishProgress comes later).
    metrics_->height.Set(static_cast<int64_t>(block.header.height));
    // Chain-level: every stored block counts, synced or not (the node started
    // the counter at its store's log size).
    metrics_->records_committed.Increment(ids.size());
    if (commit.round > 0) metrics_->rounds_above_zero.Increment();
    metrics_->mempool_records.Set(static_cast<int64_t>(mempool_.size()));
    // Admission to this node's mempool to commit, for blocks decided while the
    // node took part (records it never pooled are not counted either).
    if (!synced) {
      for (int64_t waited : waited_ms) metrics_->commit_latency_seconds.Observe(waited / 1000.0);
    }
  }
  std::vector<std::pair<crypto::Digest, CommitCallback>> fire;
  {
    MutexLock lock(&watches_mutex_);
    if (watches_by_id_.empty()) return;  // nobody waits (?wait=commit): nothing to look up
    for (const crypto::Digest& id : ids) {
      auto range = watches_by_id_.equal_range(crypto::DigestHex(id));
      for (auto it = range.first; it != range.second; ++it) {
        auto watch = watches_.find(it->second);
        fire.emplace_back(id, std::move(watch->second.callback));
        watches_.erase(watch);
      }
      watches_by_id_.erase(range.first, range.second);
    }
  }
  for (auto& [id, callback] : fire) {
    Result<ledger::Receipt> receipt = ledger::BuildReceipt(store_, id);
    EVIDENCE_CHECK_MSG(receipt.ok(), "no receipt for a record just committed");
    callback(ledger::ReceiptToJson(*receipt));
  }
}

}  // namespace evidence::node
