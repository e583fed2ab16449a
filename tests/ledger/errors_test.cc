#include "ledger/errors.h"

#include <gtest/gtest.h>

#include <set>

namespace evidence::ledger {
namespace {

TEST(ErrorCode, NamesAreStableUniqueAndRoundTrip) {
  // A few names pinned: they are API (HTTP problem types, CLI messages).
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordBadSignature), "record.bad_signature");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordUnknownAgency), "record.unknown_agency");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordChainMismatch), "record.chain_mismatch");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordTimeInFuture), "record.time_in_future");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordTooLarge), "record.too_large");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordBadDigest), "record.bad_digest");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordUnknownField), "record.unknown_field");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRecordDuplicate), "record.duplicate");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kReceiptBadCommit), "receipt.bad_commit");
  std::set<std::string_view> names;
  for (ErrorCode code : kAllErrorCodes) {
    std::string_view name = ErrorCodeName(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    Status status = LedgerError(code, "detail");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), std::string(name) + ": detail");
    EXPECT_EQ(ErrorCodeOf(status), code);
  }
}

TEST(ErrorCode, OtherStatusesHaveNoCode) {
  EXPECT_FALSE(ErrorCodeOf(Status::Ok()).has_value());
  EXPECT_FALSE(ErrorCodeOf(Status::IoError("disk: full")).has_value());
  EXPECT_FALSE(ErrorCodeOf(Status::InvalidArgument("record.nonsense: x")).has_value());
}

TEST(ErrorCode, TheCodeIsTypedNotReadFromTheText) {
  // A message that merely looks like a ledger refusal carries no code.
  EXPECT_FALSE(ErrorCodeOf(Status::InvalidArgument("record.bad_signature: x")).has_value());
  // Context in front of the message keeps the code (a batch names the record).
  Status in_batch = LedgerError(ErrorCode::kRecordBadSignature, "x").WithContext("record 3");
  EXPECT_EQ(in_batch.message(), "record 3: record.bad_signature: x");
  EXPECT_EQ(ErrorCodeOf(in_batch), ErrorCode::kRecordBadSignature);
}

TEST(ErrorCode, EveryCodeIsListedOnceInDeclarationOrder) {
  for (size_t i = 0; i < std::size(kAllErrorCodes); ++i) {
    EXPECT_EQ(static_cast<size_t>(kAllErrorCodes[i]), i);
  }
  EXPECT_EQ(std::size(kAllErrorCodes), static_cast<size_t>(ErrorCode::kRecordUnknownStage) + 1);
}

}  // namespace
}  // namespace evidence::ledger
