#include "api/http/access.h"

#include <gtest/gtest.h>

namespace evidence::api {
namespace {

TEST(AccessTest, OnlyTheSupervisorRoleReadsSupervisionReports) {
  EXPECT_TRUE(RoleAllows("supervisor", Permission::kReadSupervisionReports));
  for (const char* role : {"court", "procuratorate", "notary", "Supervisor", "supervisor ", ""}) {
    EXPECT_FALSE(RoleAllows(role, Permission::kReadSupervisionReports)) << role;
  }
}

TEST(AccessTest, ARefusalNamesTheReaderItsRoleAndTheRolesThatMay) {
  EXPECT_TRUE(RequirePermission(Reader{"office", "supervisor", true},
                                Permission::kReadSupervisionReports)
                  .ok());
  Status refused = RequirePermission(Reader{"court-1", "court", true},
                                     Permission::kReadSupervisionReports);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(),
            "reader 'court-1' (role 'court') may not read supervision reports; readers of role "
            "'supervisor' may");
}

}  // namespace
}  // namespace evidence::api
