#include "api/http/strict_json.h"

#include <gtest/gtest.h>

#include <string>

namespace evidence::api {
namespace {

ProblemType RefusalOf(std::string_view text) {
  auto result = ParseStrictJson(text);
  EXPECT_FALSE(result.ok()) << "accepted: " << text;
  return result.ok() ? ProblemType::kInternal : result.error().type;
}

std::string Nested(size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

TEST(StrictJsonTest, AcceptsAWellFormedRecordWithChineseText) {
  auto result = ParseStrictJsonObject(
      R"({"v":1,"case_id":"(2026)鲁0831行复12号","links":["a","b"],"time":1767225600000,)"
      R"("neg":-9223372036854775808,"big":18446744073709551615,"ok":true,"none":null})");
  ASSERT_TRUE(result.ok()) << result.error().detail;
  EXPECT_EQ(result->at("case_id").as_string(), "(2026)鲁0831行复12号");
  EXPECT_EQ(result->at("neg").as_int64(), INT64_MIN);
  EXPECT_EQ(result->at("big").as_uint64(), UINT64_MAX);
  EXPECT_EQ(result->at("links").as_array().size(), 2u);
}

TEST(StrictJsonTest, DepthUpToTheLimitPassesAndOneMoreIsTooDeep) {
  EXPECT_TRUE(ParseStrictJson(Nested(limits::kJsonDepthMax)).ok());
  EXPECT_EQ(RefusalOf(Nested(limits::kJsonDepthMax + 1)), ProblemType::kTooDeep);
  EXPECT_EQ(RefusalOf(Nested(10'000)), ProblemType::kTooDeep);
  EXPECT_EQ(RefusalOf(R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}})"),
            ProblemType::kTooDeep);
}

TEST(StrictJsonTest, DuplicateKeysAreRefusedAtAnyLevelAndAfterUnescaping) {
  EXPECT_EQ(RefusalOf(R"({"a":1,"a":2})"), ProblemType::kDuplicateKey);
  EXPECT_EQ(RefusalOf(R"({"x":{"sig":1,"b":2,"sig":3}})"), ProblemType::kDuplicateKey);
  EXPECT_EQ(RefusalOf(R"([{"k":1},{"k":2,"k":2}])"), ProblemType::kDuplicateKey);
  EXPECT_EQ(RefusalOf(R"({"a":1,"\u0061":2})"), ProblemType::kDuplicateKey);
  // The same key in sibling objects is fine.
  EXPECT_TRUE(ParseStrictJson(R"([{"k":1},{"k":2}])").ok());
  auto result = ParseStrictJson(R"({"chain_id":"x","chain_id":"y"})");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().detail.find("chain_id"), std::string::npos);
}

TEST(StrictJsonTest, FractionsExponentsAndOutOfRangeIntegersAreRefused) {
  for (const char* text :
       {"1.0", "0.5", "-0.0", "1e3", "1E+2", "2e-1", "[1,2.5]", R"({"size":1.0})",
        "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"}) {
    EXPECT_EQ(RefusalOf(text), ProblemType::kFloatNotAllowed) << text;
  }
}

TEST(StrictJsonTest, SyntaxErrorsTrailingDataCommentsAndEmptyInputAreMalformed) {
  for (const char* text :
       {"",     " ",           "{",          "}",        R"({"a":})", R"({"a" 1})",
        "[1,]", R"({"a":1,})", "/* c */ {}", "{} // c",  "{} x",      "{}{}",
        "[] ]", "NaN",         "Infinity",   "'single'", R"({a:1})",  "\"unterminated",
        "01",   "+1",          "tru"}) {
    EXPECT_EQ(RefusalOf(text), ProblemType::kMalformedJson) << text;
  }
}

TEST(StrictJsonTest, InvalidUtf8IsRefusedInStringsKeysAndBetweenTokens) {
  for (const std::string& text :
       {std::string("\"\xff\""), std::string("{\"\xc0\xaf\":1}"), std::string("\"\xed\xa0\x80\""),
        std::string("\"\xe4\xb8\""), std::string("\"\xf4\x90\x80\x80\""),
        std::string("\xef\xbb\xbf{}"
                    "\x80")}) {
    EXPECT_EQ(RefusalOf(text), ProblemType::kInvalidUtf8) << text;
  }
  EXPECT_EQ(RefusalOf(R"("\ud800")"), ProblemType::kInvalidUtf8);
  EXPECT_EQ(RefusalOf(R"("\udc00x")"), ProblemType::kInvalidUtf8);
  EXPECT_TRUE(ParseStrictJson(R"("\ud83d\ude00")").ok());  // a valid pair
}

TEST(StrictJsonTest, ObjectIntakeRefusesOtherTopLevelTypes) {
  for (const char* text : {"[]", "1", "\"s\"", "null", "true"}) {
    auto result = ParseStrictJsonObject(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().type, ProblemType::kWrongType) << text;
  }
}

TEST(StrictJsonTest, Utf8ValidatorFollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("鲁行复"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));   // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\x80"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe9\xb2"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
}

}  // namespace
}  // namespace evidence::api
