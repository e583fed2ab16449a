// The reader roles of genesis ("readers": [{ "id", "role", ... }]) and what each
// may read through the HTTP API (docs/api.md, "Access"). One table, used by the
// genesis check (an unknown role is refused when genesis is loaded, so a typo
// cannot silently lock a reader out) and by the API (which route needs which
// right).
//
//   role             中文                      rights
//   court            法院                      case trails, records
//   procuratorate    检察院                    case trails, records
//   reconsideration  行政复议机构              case trails, records
//   supervisor       执法监督机构 (司法局)     case trails, records, supervision reports
//
// "case trails": GET /v1/cases/{case_id}; "records": the case metadata of any
// record (GET /v1/records/{id}, the records inside GET /v1/blocks...);
// "supervision reports": GET /v1/reports/supervision (issue 14).
//
// Thread-safety: constant data and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace evidence::ledger {

enum class ReaderRight : uint32_t {
  kCaseTrails = 1u << 0,
  kRecords = 1u << 1,
  kSupervisionReports = 1u << 2,
};

// "case trails", "records", "supervision reports": for messages people read.
std::string_view ReaderRightDescription(ReaderRight right);

struct ReaderRole {
  std::string_view name;     // as written in genesis
  std::string_view chinese;  // for documentation and the portal
  uint32_t rights = 0;       // ReaderRight bits
};

// Every role, in the order of the table above.
std::span<const ReaderRole> ReaderRoles();
// The role named `name`, or nullptr.
const ReaderRole* FindReaderRole(std::string_view name);
// Whether a reader of `role` has `right`; false for an unknown role.
bool RoleMay(std::string_view role, ReaderRight right);
// "court, procuratorate, reconsideration, supervisor" (for error messages).
std::string ReaderRoleNames();

}  // namespace evidence::ledger
