#include "api/http/problem.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace evidence::api {
namespace {

TEST(ProblemTest, EveryTypeHasAUniqueStableNameUriTitleAndStatus) {
  std::set<std::string_view> names;
  for (ProblemType type : kAllProblemTypes) {
    const std::string_view name = ProblemName(type);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(ProblemTypeUri(type), std::string(kProblemTypeUriPrefix) + std::string(name));
    EXPECT_FALSE(ProblemTitle(type).empty());
    EXPECT_EQ(ProblemTypeFromName(name), type) << name;
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

TEST(ProblemTest, NamesMapFromOtherSpellings) {
  EXPECT_EQ(ProblemTypeFromName("unknown_agency"), ProblemType::kUnknownAgency);
  EXPECT_EQ(ProblemTypeFromName("UNKNOWN_AGENCY"), ProblemType::kUnknownAgency);
  EXPECT_EQ(ProblemTypeFromName("kUnknownAgency"), ProblemType::kUnknownAgency);
  EXPECT_EQ(ProblemTypeFromName("record.bad_signature"), ProblemType::kBadSignature);
  EXPECT_EQ(ProblemTypeFromName("no-such-thing"), std::nullopt);
  EXPECT_EQ(ProblemTypeFromName(""), std::nullopt);
}

TEST(ProblemTest, LedgerCodesMapToProblemsWithTheRestAsDetail) {
  const ApiError error =
      ErrorFromLedgerStatus(Status::InvalidArgument("record.chain_mismatch: chain_id is 'x'"));
  EXPECT_EQ(error.type, ProblemType::kWrongChain);
  EXPECT_EQ(error.detail, "chain_id is 'x'");
  EXPECT_EQ(ErrorFromLedgerStatus(Status::InvalidArgument("record.unknown_key: k")).type,
            ProblemType::kUnknownKey);
  EXPECT_EQ(ErrorFromLedgerStatus(Status::InvalidArgument("record.too_large: 5000 bytes")).type,
            ProblemType::kTooLarge);
  EXPECT_EQ(ErrorFromLedgerStatus(
                Status::InvalidArgument("record.bad_value: kind \"memo\" is not a record kind"))
                .type,
            ProblemType::kUnknownKind);
  EXPECT_EQ(ErrorFromLedgerStatus(Status::InvalidArgument("record.bad_value: size")).type,
            ProblemType::kBadValue);
  EXPECT_EQ(ErrorFromLedgerStatus(Status::InvalidArgument("batch.bad_proof: p")).type,
            ProblemType::kInvalidBatch);
  // Without a known code: by Status code.
  EXPECT_EQ(ErrorFromLedgerStatus(Status::InvalidArgument("plain")).type, ProblemType::kBadRequest);
  EXPECT_EQ(ErrorFromLedgerStatus(Status::NotFound("x")).type, ProblemType::kNotFound);
  const ApiError busy = ErrorFromStatus(Status::ResourceExhausted("mempool full"));
  EXPECT_EQ(busy.type, ProblemType::kTooMany);
  EXPECT_GT(busy.retry_after_seconds, 0u);
  EXPECT_EQ(ErrorFromStatus(Status::IoError("disk")).type, ProblemType::kInternal);
}

// Every record.* and batch.* code the ledger declares (ledger/errors.h) maps to a
// specific problem type, so a new ledger code cannot silently become bad-request.
TEST(ProblemTest, EveryLedgerRecordAndBatchCodeHasASpecificProblemType) {
  std::ifstream file(std::string(EVIDENCE_SOURCE_DIR) + "/ledger/errors.h");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const std::string source = text.str();
  size_t codes = 0;
  for (std::string_view prefix : {"\"record.", "\"batch."}) {
    for (size_t at = source.find(prefix); at != std::string::npos;
         at = source.find(prefix, at + 1)) {
      const size_t end = source.find_first_not_of("abcdefghijklmnopqrstuvwxyz_.", at + 1);
      if (end == std::string::npos || source[end] != '"') continue;  // prose, not a code
      const std::string code = source.substr(at + 1, end - at - 1);
      const ApiError error = ErrorFromLedgerStatus(Status::InvalidArgument(code + ": detail"));
      EXPECT_NE(error.type, ProblemType::kBadRequest) << code;
      EXPECT_NE(error.type, ProblemType::kInternal) << code;
      EXPECT_EQ(error.detail, "detail") << code;
      ++codes;
    }
  }
  EXPECT_GT(codes, 10u);
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

}  // namespace
}  // namespace evidence::api
