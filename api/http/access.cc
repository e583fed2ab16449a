#include "api/http/access.h"

#include <array>
#include <initializer_list>

namespace evidence::api {
namespace {

struct Grant {
  std::string_view role;
  Permission permission;
};

constexpr std::array kGrants = {
    Grant{kRoleSupervisor, Permission::kReadSupervisionReports},
};

}  // namespace

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kReadSupervisionReports:
      return "read supervision reports";
  }
  return "?";
}

bool RoleAllows(std::string_view role, Permission permission) {
  for (const Grant& grant : kGrants) {
    if (grant.role == role && grant.permission == permission) return true;
  }
  return false;
}

Status RequirePermission(const Reader& reader, Permission permission) {
  if (RoleAllows(reader.role, permission)) return Status::Ok();
  std::string roles;
  for (const Grant& grant : kGrants) {
    if (grant.permission != permission) continue;
    roles += (roles.empty() ? "'" : ", '") + std::string(grant.role) + "'";
  }
  return Status::PermissionDenied("reader '" + reader.id + "' (role '" + reader.role +
                                  "') may not " + std::string(PermissionName(permission)) +
                                  "; readers of role " + roles + " may");
}

}  // namespace evidence::api
