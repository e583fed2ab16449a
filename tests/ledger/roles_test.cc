#include "ledger/roles.h"

#include <gtest/gtest.h>

namespace evidence::ledger {
namespace {

TEST(ReaderRoles, EveryRoleReadsCaseTrailsAndOnlyTheSupervisorReadsReports) {
  ASSERT_EQ(ReaderRoles().size(), 4u);
  for (const ReaderRole& role : ReaderRoles()) {
    EXPECT_TRUE(RoleMay(role.name, ReaderRight::kCaseTrails)) << role.name;
    EXPECT_TRUE(RoleMay(role.name, ReaderRight::kRecords)) << role.name;
    EXPECT_EQ(RoleMay(role.name, ReaderRight::kSupervisionReports), role.name == "supervisor")
        << role.name;
    EXPECT_EQ(FindReaderRole(role.name), &role);
    EXPECT_FALSE(role.chinese.empty());
  }
}

TEST(ReaderRoles, AnUnknownRoleMayReadNothing) {
  for (ReaderRight right :
       {ReaderRight::kCaseTrails, ReaderRight::kRecords, ReaderRight::kSupervisionReports}) {
    EXPECT_FALSE(RoleMay("press", right));
    EXPECT_FALSE(RoleMay("", right));
    EXPECT_FALSE(RoleMay("Court", right));  // names are exact
  }
  EXPECT_EQ(FindReaderRole("press"), nullptr);
  EXPECT_EQ(ReaderRoleNames(), "court, procuratorate, reconsideration, supervisor");
}

}  // namespace
}  // namespace evidence::ledger
