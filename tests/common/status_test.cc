#include "common/status.h"

#include <gtest/gtest.h>

namespace evidence {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return Status::InvalidArgument("must be positive");
  return x;
}

Status Twice(int x, int* out) {
  EVIDENCE_ASSIGN_OR_RETURN(int v, ParsePositive(x));
  *out = v * 2;
  return Status::Ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::NotFound("no block 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: no block 7");
  EXPECT_EQ(s.WithContext("store").message(), "store: no block 7");
}

TEST(StatusTest, ResultCarriesValueOrError) {
  int out = 0;
  EXPECT_TRUE(Twice(4, &out).ok());
  EXPECT_EQ(out, 8);
  Status s = Twice(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "must be positive");
}

TEST(StatusDeathTest, ValueOfErrorAborts) {
  Result<int> r = Status::Internal("x");
  EXPECT_DEATH((void)r.value(), "CHECK failed");
}

}  // namespace
}  // namespace evidence
