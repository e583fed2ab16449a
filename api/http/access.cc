#include "api/http/access.h"

namespace evidence::api {

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kPublic: return "public";
    case Access::kSubmission: return "submission";
    case Access::kDocumentHolder: return "document-holder";
    case Access::kRedacted: return "redacted";
    case Access::kRecordHolder: return "record-holder";
    case Access::kCaseTrails: return "case-trails";
    case Access::kSupervisionReports: return "supervision-reports";
  }
  return "unknown";
}

std::optional<ledger::ReaderRight> RequiredRight(Access access) {
  switch (access) {
    case Access::kPublic:
    case Access::kSubmission:
    case Access::kDocumentHolder:
    case Access::kRedacted:
    case Access::kRecordHolder:
      return std::nullopt;
    case Access::kCaseTrails: return ledger::ReaderRight::kCaseTrails;
    case Access::kSupervisionReports: return ledger::ReaderRight::kSupervisionReports;
  }
  return std::nullopt;
}

std::optional<ledger::ReaderRight> ReaderRightOf(Access access) {
  switch (access) {
    case Access::kRedacted:
    case Access::kRecordHolder:
      return ledger::ReaderRight::kRecords;
    default:
      return RequiredRight(access);
  }
}

}  // namespace evidence::api
