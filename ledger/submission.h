// Rules a node applies to the records clients submit (POST /v1/records and
// POST /v1/batches, dry runs included), on top of the record rules every block
// applies (ledger/validation.h, CheckRecord):
//   1. case_id is in canonical form (ledger/case_id.h), so one case is one trail;
//   2. every link names a record of the same case that is committed, or an
//      earlier record of the same batch (DESIGN.md §3: links name earlier records
//      of the same case);
//   3. a batch names each record once.
//
// They are submission rules, not block rules (docs/design.md §3, "Submission
// rules and block rules"): blocks committed before they existed hold records
// that break them and must stay valid for a node that syncs from genesis and
// for `evidence audit`; and whether a link resolves depends on what this node
// has committed at this moment, which validators do not agree on byte for byte.
// A Byzantine proposer can therefore commit an agency-signed record that breaks
// them (it cannot forge one); the record then proves exactly what the agency
// signed, and readers see its links as the agency wrote them.
//
// ExplainBadSignature tells a client why a signature did not verify (raw r||s
// instead of DER, the domain prefix left out, JSON that is not JCS), found by
// looking at the encoding and by verifying the signature over the usual
// mistakes: at most kExplainVerificationsMax more signature checks.
//
// Thread-safety: SubmissionChecker is a short-lived local of one thread; the
// free functions are pure.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"

namespace evidence::ledger {

// What a node knows about a record id named by a link.
struct LinkTarget {
  enum class State { kUnknown, kPending, kCommitted };
  State state = State::kUnknown;
  std::string case_id;  // of the record, when pending or committed
};
using FindLinkTargetFn = std::function<Result<LinkTarget>(const crypto::Digest& record_id)>;

// Rule 1 alone, for one record: record.case_id_not_canonical with the canonical
// form to sign instead.
Status CheckCaseIdCanonical(const Record& record);

class SubmissionChecker {
 public:
  // `records` as submitted (one record, or a whole batch in index order) and
  // their ids (RecordId); both must outlive the checker. `find` looks a link
  // up in the node's log and mempool.
  SubmissionChecker(const std::vector<Record>& records, const std::vector<crypto::Digest>& ids,
                    FindLinkTargetFn find);

  // Rule 3: no record id twice in the submission (batch.malformed).
  Status CheckDistinct() const;
  // Rules 1 and 2 for records[i] (record.case_id_not_canonical, record.bad_link).
  // Each distinct link target is looked up once per checker.
  Status CheckRecord(size_t i);

 private:
  Result<LinkTarget> Find(const crypto::Digest& id);
  Status CheckLink(size_t i, const std::string& link_hex);

  const std::vector<Record>& records_;
  const std::vector<crypto::Digest>& ids_;
  FindLinkTargetFn find_;
  std::map<crypto::Digest, size_t> index_of_;  // record id -> position in the submission
  std::map<crypto::Digest, LinkTarget> found_;
};

// Signature checks ExplainBadSignature makes at most (the raw r||s form, then
// each mistaken message).
inline constexpr size_t kExplainVerificationsMax = 7;

// For a record whose signature the node refused (record.bad_signature or
// batch.bad_signature): one sentence on what the client most likely did wrong,
// or "" when no check below finds it. `received` is the record object as the
// client sent it (its member order), or null.
std::string ExplainBadSignature(const GovernanceState& state, const Record& record,
                                const boost::json::object* received);

}  // namespace evidence::ledger
