// NodeService: everything the HTTP API needs from the node, as one abstract
// interface. The node implements it over its store, mempool and consensus; tests
// implement it with a fake. The API never touches ledger or node types directly.
//
// Results are JSON-ready: records, receipts, blocks and commits travel as Boost.JSON
// values in the formats of DESIGN.md §3 (the API passes them through untouched).
// Errors are Status values: ledger refusals carry their ledger::ErrorCode as a
// typed reason (ledger/errors.h), other failures say what they are by StatusCode
// (NotFound, ResourceExhausted for "full, retry later", Unavailable, ...). The API
// turns them into problem+json (api/http/problem.h: ErrorFromStatus); the service
// never picks HTTP problem types itself.
//
// Thread-safety: every method may be called concurrently from the API's worker
// threads; implementations must be thread-safe and should return quickly (no
// waiting for consensus: waits go through WatchCommit).
//
// Invariant every implementation keeps: a call that returns an error has changed
// no state (nothing refused reaches the mempool or the log).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/access.h"
#include "common/status.h"

namespace evidence::api {

enum class RecordStatus { kPending, kCommitted };

// "pending" / "committed".
std::string_view RecordStatusName(RecordStatus status);

// A record as the API shows it.
struct RecordView {
  std::string id;  // record id, lower-case hex
  RecordStatus status = RecordStatus::kPending;
  boost::json::object record;  // the record JSON, `sig` included
  boost::json::value receipt;  // receipt v1 JSON when committed, null when pending
};

// How to treat a submission.
struct SubmitOptions {
  // Check everything a submission is checked for (schema, ledger rules,
  // signature, submission rules) and store nothing (?dry_run=1).
  bool dry_run = false;
};

// What became of one submitted record.
struct SubmitOutcome {
  std::string id;              // record id, lower-case hex
  bool already_known = false;  // the same record id was accepted before (idempotent)
  RecordStatus status = RecordStatus::kPending;
  boost::json::value receipt;  // receipt when committed, else null
  std::string signing_bytes_sha256;  // hex SHA-256 of the signing bytes the node computed
};

struct BatchOutcome {
  std::string batch_id;                // the batch root (sig.batch.root), lower-case hex
  std::vector<SubmitOutcome> records;  // one per record, in the batch's order
};

// What became of a submitted governance action.
struct GovernanceOutcome {
  std::string id;              // action id, lower-case hex
  uint64_t seq = 0;
  bool already_known = false;  // the same action is pending already (idempotent)
};

struct CaseTrail {
  std::string case_id;
  std::vector<RecordView> records;  // in ledger order; each record's `links` name earlier ones
};

// What a block answer holds. Everyone may see a block's header, commit and leaf
// hashes (the tree is public: anyone can check it); the records themselves (case
// ids, titles, agencies) only readers, like case trails.
enum class BlockDetail { kLeafHashes, kRecords };

struct BlockPage {
  // Each {"height", "hash", "header", "commit", "last_commit", "leaves"} and, for
  // BlockDetail::kRecords, "records", as the node shapes it.
  std::vector<boost::json::value> blocks;
  std::optional<uint64_t> next_from;  // height to ask for next; nullopt at the tip
};

struct TreeHead {
  uint64_t size = 0;          // leaves in the log
  std::string root_hex;       // log root, lower-case hex
  uint64_t height = 0;        // block whose header carries this head
  boost::json::value commit;  // the commit signing that block
};

// An RFC 3161 time-stamp token for a committed record (docs/timestamps.md).
// Exactly one member is set.
struct TimestampAnswer {
  std::string token_der;     // a TimeStampResp DER, when this node's institution issues it
  std::string redirect_url;  // otherwise the URL where that institution's node serves it
};

// GET /v1/reports/supervision: the cases with an act the agencies dated in
// [from_day, to_day] (civil days in the supervision rules' time zone, both
// included), of one agency or all.
struct SupervisionReportQuery {
  int32_t from_day = 0;
  int32_t to_day = 0;
  std::optional<std::string> agency;
  // Set (by the API, when it stops) once nobody waits for the report any more;
  // the service then gives up early with kUnavailable. Null: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, when not ready (e.g. "syncing: height 10 of 250")
};

class NodeService {
 public:
  virtual ~NodeService() = default;

  // Validates a record (schema, chain, agency, key, signature, time window, size,
  // submission rules) and admits it to the mempool (with options.dry_run: admits
  // nothing). Same record id again: already_known = true and its current status,
  // no second entry. Errors: the ledger's refusals, ResourceExhausted (mempool
  // full), Unavailable (not ready). On a refusal `refusal_details` (may be null)
  // receives what the node computed that helps the client fix it, as problem
  // extension members: "record_id" and "signing_bytes_sha256" once the record
  // parsed, "signing_bytes" when its signature was refused, "index" (and
  // "batch_id") for the refused record of a batch.
  virtual Result<SubmitOutcome> SubmitRecord(const boost::json::object& record,
                                             const SubmitOptions& options,
                                             boost::json::object* refusal_details) = 0;

  // Validates a signed batch ({"records": [...]}, docs/api.md) and admits its
  // records, all or none; otherwise as SubmitRecord.
  virtual Result<BatchOutcome> SubmitBatch(const boost::json::object& batch,
                                           const SubmitOptions& options,
                                           boost::json::object* refusal_details) = 0;

  // `id_hex`: 64 lower-case hex digits (checked by the API). Unknown: not-found.
  virtual Result<RecordView> GetRecord(std::string_view id_hex) = 0;

  // Every record (pending or committed) whose `digest` is `algorithm:hex`.
  // `algorithm` is "sha256" or "sm3", `hex` 64 lower-case digits (checked by the
  // API). None: an empty vector (the API answers 404).
  virtual Result<std::vector<RecordView>> FindByDigest(std::string_view algorithm,
                                                          std::string_view hex) = 0;

  // The reader whose bearer-token digest in genesis is `token_sha256_hex`
  // (lower-case hex of SHA-256 of the token), or nullopt.
  virtual std::optional<Reader> FindReader(std::string_view token_sha256_hex) = 0;

  // The trail of a case (the API has checked the reader): its committed records
  // in ledger order, then its pending ones in arrival order, like FindByDigest.
  // `case_id` and its canonical form (ledger/case_id.h) are both looked up.
  // Unknown case: not-found.
  virtual Result<CaseTrail> GetCase(std::string_view case_id) = 0;

  // The supervision report of a period (supervision/report.h has its shape; the
  // API has checked the reader's role). ResourceExhausted when another report is
  // being made or the period holds too many records to judge at once.
  virtual Result<boost::json::object> SupervisionReport(const SupervisionReportQuery& query) = 0;

  // Block at `height` with its commit: {"height", "hash", "header", "commit",
  // "last_commit", "leaves": [leaf hash hex, ...]}, plus "records" (the leaves'
  // records, in order) when `detail` is kRecords (the API has checked the reader
  // may read records).
  // Beyond the tip: not-found.
  virtual Result<boost::json::value> GetBlock(uint64_t height, BlockDetail detail) = 0;

  // Up to `limit` blocks from height `from` (limit is 1..kPageLimitMax; the service
  // may return fewer, e.g. to bound the response size), each as GetBlock shapes it.
  virtual Result<BlockPage> ListBlocks(uint64_t from, uint64_t limit, BlockDetail detail) = 0;

  // The committed blocks that carry governance actions, from height `from` on, in
  // height order: up to `limit` (1..kGovernanceBlocksPageMax; fewer once the page
  // holds about 4 MiB), each {"block", "commit", "actions"} as a v2 receipt
  // carries it (ledger::GovernanceBlockToJson). next_from: the height of the
  // next governance block, nullopt when there is none.
  virtual Result<BlockPage> ListGovernanceBlocks(uint64_t from, uint64_t limit) = 0;

  // The genesis file the node runs on, as JSON text (JCS and a newline:
  // ledger::Genesis::ToJson), for verifiers: the portal checks receipts against it.
  virtual std::string GetGenesisJson() = 0;

  // The governance register in force for the next block, for GET /v1/governance:
  //   { "height": <the next block's height>, "state_hash": "<hex>",
  //     "register": <ledger::GovernanceState::ToJson>,
  //     "latest": { "state_hash", "next_seq" }   the register after the last block
  //     "actions": [ { "height", "seq", "id", "action" } ]  committed, newest last
  //     "pending": [ { "seq", "id", "action" } ] }         this node's pool
  virtual boost::json::object GetGovernance() = 0;

  // Checks a signed governance action (ledger/governance.h) against the
  // register after the last block and the actions pending before it, and
  // (unless options.dry_run) keeps it for this node's next proposal. Errors:
  // the ledger's governance refusals, ResourceExhausted (pool full),
  // Unavailable (not ready).
  virtual Result<GovernanceOutcome> SubmitGovernance(const boost::json::object& action,
                                                     const SubmitOptions& options) = 0;

  // Latest signed tree head. Nothing committed yet: not-found.
  virtual Result<TreeHead> GetTreeHead() = 0;

  // RFC 6962 consistency proof (hex hashes) from tree size `from_size` to `to_size`
  // (the API ensures 0 < from_size <= to_size). A size beyond the log: not-found.
  virtual Result<std::vector<std::string>> GetConsistencyProof(uint64_t from_size,
                                                                  uint64_t to_size) = 0;

  // The RFC 3161 token of a committed record from the TSA of `institution` (a
  // validator's name or institution in genesis; empty: this node's). A record
  // that is unknown or still pending: not-found, never a token. An institution
  // genesis does not name: invalid-argument. Another institution's token: its
  // node's URL when this node knows it, else not-found. A node without a TSA:
  // unavailable.
  virtual Result<TimestampAnswer> GetTimestamp(std::string_view id_hex,
                                               std::string_view institution) = 0;

  // The latest tree head as a C2SP signed note (docs/witness.md): checkpoint
  // text, this node's validator signature, the witnesses' cosignatures on it.
  // Nothing committed yet: not-found.
  virtual Result<std::string> GetCheckpoint() = 0;

  // A witness's cosignature (a signed note: the current checkpoint and one
  // cosignature). Unknown key: permission-denied; malformed, forged, stale:
  // invalid-argument. A refusal stores nothing.
  virtual Status AddCosignature(std::string_view note) = 0;

  // An outside TSA's RFC 3161 token over one of this ledger's checkpoints
  // (POST /v1/anchors, docs/timestamps.md §anchoring): the body
  // {"tree_size": N, "token": "<base64>"}; the anchor as GET /v1/anchors lists
  // it. No trusted TSA CA: permission-denied; malformed, not over our
  // checkpoint, not verifying, already held: invalid-argument; full:
  // resource-exhausted. A refusal stores nothing.
  virtual Result<boost::json::object> AddAnchor(std::string_view body) = 0;
  // GET /v1/anchors?from=K: {"total", "anchors": [...]} from position K.
  virtual Result<boost::json::object> ListAnchors(uint64_t from) = 0;

  // Node state for GET /v1/status (chain id, height, peers, mempool, version...).
  virtual boost::json::object GetStatus() = 0;

  // Whether the node serves reads and writes (synced, store open, consensus running).
  virtual Readiness GetReadiness() = 0;

  // Commit notification for ?wait=commit. Calls `on_commit` once with the record's
  // receipt when the record commits; at once (possibly inside this call) when it
  // already is. Returns a token for CancelCommitWatch. `on_commit` may run on any
  // thread, is cheap and never calls back into the NodeService; the service must
  // not hold a lock that CancelCommitWatch takes while calling it. A watch on an
  // unknown id simply never fires (the API times out).
  using CommitCallback = std::function<void(boost::json::value receipt)>;
  virtual uint64_t WatchCommit(std::string_view id_hex, CommitCallback on_commit) = 0;

  // Drops a watch that has not fired (no effect when it has). Any thread, never
  // from inside on_commit.
  virtual void CancelCommitWatch(uint64_t token) = 0;
};

}  // namespace evidence::api
