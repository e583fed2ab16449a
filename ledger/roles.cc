#include "ledger/roles.h"

#include <array>

namespace evidence::ledger {
namespace {

constexpr uint32_t Bits(ReaderRight right) { return static_cast<uint32_t>(right); }

constexpr uint32_t kCaseReader = Bits(ReaderRight::kCaseTrails) | Bits(ReaderRight::kRecords);

constexpr std::array<ReaderRole, 4> kRoles = {{
    {"court", "法院", kCaseReader},
    {"procuratorate", "检察院", kCaseReader},
    {"reconsideration", "行政复议机构", kCaseReader},
    {"supervisor", "执法监督机构", kCaseReader | Bits(ReaderRight::kSupervisionReports)},
}};

}  // namespace

std::string_view ReaderRightDescription(ReaderRight right) {
  switch (right) {
    case ReaderRight::kCaseTrails: return "case trails";
    case ReaderRight::kRecords: return "records";
    case ReaderRight::kSupervisionReports: return "supervision reports";
  }
  return "unknown right";
}

std::span<const ReaderRole> ReaderRoles() { return kRoles; }

const ReaderRole* FindReaderRole(std::string_view name) {
  for (const ReaderRole& role : kRoles) {
    if (role.name == name) return &role;
  }
  return nullptr;
}

bool RoleMay(std::string_view role, ReaderRight right) {
  const ReaderRole* found = FindReaderRole(role);
  return found != nullptr && (found->rights & Bits(right)) != 0;
}

std::string ReaderRoleNames() {
  std::string out;
  for (const ReaderRole& role : kRoles) {
    if (!out.empty()) out += ", ";
    out += role.name;
  }
  return out;
}

}  // namespace evidence::ledger
