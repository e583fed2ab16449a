#include "api/http/problem.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

namespace evidence::api {
namespace {

TEST(ProblemTest, EveryTypeHasAUniqueStableNameUriTitleAndStatus) {
  std::set<std::string_view> names;
  for (ProblemType type : kAllProblemTypes) {
    const std::string_view name = ProblemName(type);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(ProblemTypeUri(type), std::string(kProblemTypeUriPrefix) + std::string(name));
    EXPECT_FALSE(ProblemTitle(type).empty());
    const int status = ProblemHttpStatus(type);
    EXPECT_TRUE(status >= 400 && status < 600) << name;
    // Only failures that are not the client's may be 5xx.
    if (status >= 500) {
      EXPECT_TRUE(type == ProblemType::kInternal || type == ProblemType::kNotReady) << name;
    }
  }
}

TEST(ProblemTest, StatusesOfTheDocumentedRefusals) {
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kMalformedJson), 400);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kDuplicateKey), 400);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kTooLarge), 413);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kTooMany), 429);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kUnauthorized), 401);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kForbidden), 403);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kNotFound), 404);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kMethodNotAllowed), 405);
  EXPECT_EQ(ProblemHttpStatus(ProblemType::kHeadersTooLarge), 431);
  EXPECT_EQ(ProblemName(ProblemType::kFloatNotAllowed), "float-not-allowed");
}

TEST(ProblemTest, LedgerCodesMapToProblemsByTypeWithTheMessageAsDetail) {
  const ApiError error = ErrorFromStatus(
      ledger::LedgerError(ledger::ErrorCode::kRecordChainMismatch, "chain_id is 'x'"));
  EXPECT_EQ(error.type, ProblemType::kWrongChain);
  EXPECT_EQ(error.detail, "record.chain_mismatch: chain_id is 'x'");
  auto type_of = [](ledger::ErrorCode code) {
    return ErrorFromStatus(ledger::LedgerError(code, "d")).type;
  };
  EXPECT_EQ(type_of(ledger::ErrorCode::kRecordUnknownKey), ProblemType::kUnknownKey);
  EXPECT_EQ(type_of(ledger::ErrorCode::kRecordTooLarge), ProblemType::kTooLarge);
  EXPECT_EQ(type_of(ledger::ErrorCode::kRecordUnknownKind), ProblemType::kUnknownKind);
  EXPECT_EQ(type_of(ledger::ErrorCode::kRecordBadValue), ProblemType::kBadValue);
  EXPECT_EQ(type_of(ledger::ErrorCode::kBatchBadProof), ProblemType::kInvalidBatch);
  // The code survives context (a batch names the failing record first).
  EXPECT_EQ(ErrorFromStatus(ledger::LedgerError(ledger::ErrorCode::kRecordBadSignature, "d")
                                .WithContext("record 2"))
                .type,
            ProblemType::kBadSignature);
}

TEST(ProblemTest, StatusesWithoutALedgerCodeMapByStatusCode) {
  // Text that looks like a ledger code is not one: nothing is read from messages.
  EXPECT_EQ(ErrorFromStatus(Status::InvalidArgument("record.unknown_key: k")).type,
            ProblemType::kBadRequest);
  EXPECT_EQ(ErrorFromStatus(Status::InvalidArgument("plain")).type, ProblemType::kBadRequest);
  EXPECT_EQ(ErrorFromStatus(Status::NotFound("x")).type, ProblemType::kNotFound);
  EXPECT_EQ(ErrorFromStatus(Status::Unauthenticated("x")).type, ProblemType::kUnauthorized);
  EXPECT_EQ(ErrorFromStatus(Status::PermissionDenied("x")).type, ProblemType::kForbidden);
  const ApiError busy = ErrorFromStatus(Status::ResourceExhausted("mempool full"));
  EXPECT_EQ(busy.type, ProblemType::kTooMany);
  EXPECT_GT(busy.retry_after_seconds, 0u);
  const ApiError not_ready = ErrorFromStatus(Status::Unavailable("syncing"));
  EXPECT_EQ(not_ready.type, ProblemType::kNotReady);
  EXPECT_GT(not_ready.retry_after_seconds, 0u);
  EXPECT_EQ(ErrorFromStatus(Status::IoError("disk")).type, ProblemType::kInternal);
}

// Every ledger code has a problem type; every record.*, batch.* and
// governance.* code (what a client's request can be refused with) a specific
// one, so a new ledger code cannot silently become bad-request or internal.
TEST(ProblemTest, EveryLedgerCodeHasAProblemType) {
  for (ledger::ErrorCode code : ledger::kAllErrorCodes) {
    const std::string_view name = ledger::ErrorCodeName(code);
    const ProblemType type = ProblemTypeOf(code);
    EXPECT_EQ(ErrorFromStatus(ledger::LedgerError(code, "d")).type, type) << name;
    if (name.starts_with("record.") || name.starts_with("batch.") ||
        name.starts_with("governance.")) {
      EXPECT_NE(type, ProblemType::kBadRequest) << name;
      EXPECT_NE(type, ProblemType::kInternal) << name;
    } else {
      EXPECT_EQ(type, ProblemType::kInternal) << name;
    }
  }
}

TEST(ProblemTest, ProblemJsonHasTheRfc9457Members) {
  const std::string text =
      ProblemJson(MakeError(ProblemType::kDuplicateKey, "send \"a\" once"), "/v1/records");
  const boost::json::object body = boost::json::parse(text).as_object();
  EXPECT_EQ(body.at("type").as_string(), "https://evidence-ledger.org/problems/duplicate-key");
  EXPECT_EQ(body.at("title").as_string(), ProblemTitle(ProblemType::kDuplicateKey));
  EXPECT_EQ(body.at("status").as_int64(), 400);
  EXPECT_EQ(body.at("detail").as_string(), "send \"a\" once");
  EXPECT_EQ(body.at("instance").as_string(), "/v1/records");
}

// A detail that is not valid UTF-8 (raw request bytes echoed by a handler)
// still gives a body that is valid JSON (found with fuzz_http_api).
TEST(ProblemTest, RegressionDetailWithInvalidUtf8StaysValidJson) {
  const std::string text =
      ProblemJson(MakeError(ProblemType::kBadRequest, "bad \xff\xfe byte\n"), "/v1/x");
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(text, error);
  ASSERT_FALSE(error) << text;
  EXPECT_EQ(body.at("detail").as_string(), "bad %FF%FE byte%0A");
  // Valid UTF-8 is kept as it is.
  EXPECT_EQ(
      boost::json::parse(ProblemJson(MakeError(ProblemType::kBadRequest, "案号 (2026)\n"), "/"))
          .at("detail")
          .as_string(),
      "案号 (2026)\n");
}

}  // namespace
}  // namespace evidence::api
