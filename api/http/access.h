// Who may call each route of the API and what each caller sees (docs/api.md,
// "Access"). Every route declares its Access when it is added to the Router;
// the Router authenticates the caller (Authorization: Bearer <token>, a reader
// of genesis) and enforces the rights a route requires before its handler runs,
// so a new route cannot forget the check. What a reader's role may read is the
// table in ledger/roles.h.
//
// The rule the table keeps: without a reader credential no route returns
// another record's case id, title, stage, agency or links. Holding a document
// (its digest) or a signed record is enough to see that record, and only it.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ledger/roles.h"

namespace evidence::api {

// A reader from genesis, found by the SHA-256 of its bearer token.
struct Reader {
  std::string id;
  std::string role;  // a role of ledger/roles.h (an unknown one may read nothing)
};

// Who is calling: nobody in particular, or an authenticated reader.
struct Caller {
  std::optional<Reader> reader;

  bool May(ledger::ReaderRight right) const {
    return reader.has_value() && ledger::RoleMay(reader->role, right);
  }
};

enum class Access {
  // Anyone; the answer never carries case metadata (status, tree heads, proofs,
  // health, metrics).
  kPublic,
  // Anyone: the signed record (or batch) in the body is the credential, and the
  // answer is about those records only.
  kSubmission,
  // Anyone: the answer is about the records of the document digest the caller
  // names (whoever holds the document may prove it).
  kDocumentHolder,
  // Anyone, but case metadata only for a reader with ReaderRight::kRecords;
  // others get headers, commits and leaf hashes. A reader whose role lacks the
  // right gets 403 (it asked, with its credential, for what it may not see).
  kRedacted,
  // One record: a reader with ReaderRight::kRecords, or whoever names the
  // record's document digest (?digest=, checked by the handler against the
  // record); anyone else 401 (a reader without the right 403).
  kRecordHolder,
  // Readers with ReaderRight::kCaseTrails: 401 without a credential, 403 for a
  // role without the right.
  kCaseTrails,
  // Readers with ReaderRight::kSupervisionReports (401 / 403 likewise).
  kSupervisionReports,
};

inline constexpr Access kAllAccesses[] = {
    Access::kPublic,       Access::kSubmission, Access::kDocumentHolder,     Access::kRedacted,
    Access::kRecordHolder, Access::kCaseTrails, Access::kSupervisionReports};

// "public", "submission", "document-holder", "redacted", "record-holder",
// "case-trails", "supervision-reports".
std::string_view AccessName(Access access);

// The right a caller must have before the route's handler runs, if any.
std::optional<ledger::ReaderRight> RequiredRight(Access access);
// The right a reader (a caller with a credential) must have, if any: the
// required one, or the one that lets it see more than the public does.
std::optional<ledger::ReaderRight> ReaderRightOf(Access access);

}  // namespace evidence::api
