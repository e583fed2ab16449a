// Who may read what: the permissions of reader roles (genesis "readers": id,
// role, token), checked by the routes that serve protected data.
//
// A route asks RequirePermission(reader, permission) after Authenticate (the
// bearer token) and answers 403 forbidden when the reader's role lacks it. The
// table below is the one place that grants permissions to roles:
//   role "supervisor" (the justice bureau's supervision office, 司法局行政执法
//   监督机构): kReadSupervisionReports.
// Routes that do not ask yet (case trails read every reader's role as allowed)
// can be moved onto the table by adding a permission and granting it.
//
// Thread-safety: pure functions over constant data.
#pragma once

#include <string_view>

#include "api/http/node_service.h"
#include "common/status.h"

namespace evidence::api {

enum class Permission {
  kReadSupervisionReports,  // GET /v1/reports/supervision
};

inline constexpr std::string_view kRoleSupervisor = "supervisor";

// "read supervision reports": for messages.
std::string_view PermissionName(Permission permission);

bool RoleAllows(std::string_view role, Permission permission);

// Ok, or PermissionDenied naming the reader, its role and the roles that may.
Status RequirePermission(const Reader& reader, Permission permission);

}  // namespace evidence::api
