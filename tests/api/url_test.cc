#include "api/http/url.h"

#include "common/limits.h"

#include <gtest/gtest.h>

namespace evidence::api {
namespace {

TEST(UrlTest, PercentDecodesChineseCaseIdsAndParentheses) {
  auto decoded = PercentDecode("%282026%29%E9%B2%810831%E8%A1%8C%E5%A4%8D12%E5%8F%B7");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, "(2026)鲁0831行复12号");
  EXPECT_EQ(*PercentDecode("(2026)a+b"), "(2026)a+b");  // '+' stays a plus
  EXPECT_EQ(*PercentDecode("%3a%3A"), "::");
  EXPECT_EQ(*PercentDecode(""), "");
}

TEST(UrlTest, RefusesMalformedEscapesNulAndInvalidUtf8) {
  for (const char* text :
       {"%", "%4", "abc%", "%zz", "%g1", "%1g", "%00", "a%00b", "%ff", "%E9%B2", "%C0%AF"}) {
    EXPECT_FALSE(PercentDecode(text).ok()) << text;
  }
}

TEST(UrlTest, SplitsTargetsAndRefusesNonOriginForms) {
  auto target = SplitTarget("/v1/blocks?from=1&limit=2");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/v1/blocks");
  EXPECT_EQ(target->query, "from=1&limit=2");
  EXPECT_EQ(SplitTarget("/x")->query, "");
  EXPECT_FALSE(SplitTarget("").ok());
  EXPECT_FALSE(SplitTarget("*").ok());
  EXPECT_FALSE(SplitTarget("http://host/v1/status").ok());
  EXPECT_FALSE(SplitTarget("/v1/status#frag").ok());
}

TEST(UrlTest, ParsesQueriesStrictly) {
  auto query = ParseQuery("from=1&limit=%32&&flag");
  ASSERT_TRUE(query.ok());
  ASSERT_EQ(query->size(), 3u);
  EXPECT_EQ((*query)[1], (std::pair<std::string, std::string>("limit", "2")));
  EXPECT_EQ((*query)[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_FALSE(ParseQuery("a=1&a=2").ok());
  EXPECT_FALSE(ParseQuery("=1").ok());
  EXPECT_FALSE(ParseQuery("a=%zz").ok());
  EXPECT_TRUE(ParseQuery("")->empty());
}

// Finding 7 of issue 17: 4,000 distinct parameters were each compared with every
// other one (25 ms a request); 200 pipelining clients starved /v1/status.
TEST(UrlTest, AQueryOfThousandsOfParametersIsRefusedBeforeItIsDecoded) {
  std::string query;
  for (int i = 0; i < 4000; ++i) query += "p" + std::to_string(i) + "=%41&";
  auto parsed = ParseQuery(query);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("more than " +
                                           std::to_string(limits::kHttpQueryParametersMax)),
            std::string::npos)
      << parsed.status().message();
  // As many as the limit allows parse; a repeat is found wherever it sits.
  std::string most;
  for (size_t i = 0; i < limits::kHttpQueryParametersMax; ++i) {
    most += "p" + std::to_string(i) + "=" + std::to_string(i) + "&";
  }
  ASSERT_TRUE(ParseQuery(most).ok());
  EXPECT_EQ(ParseQuery(most)->size(), limits::kHttpQueryParametersMax);
  const size_t last = most.rfind('p');
  most.replace(last, most.find('=', last) - last, "p0");  // the last name repeats the first
  auto repeated = ParseQuery(most);
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("'p0' is repeated"), std::string::npos);
}

TEST(UrlTest, ParsesUnsignedIntegersStrictly) {
  EXPECT_EQ(ParseUint64("0"), 0u);
  EXPECT_EQ(ParseUint64("42"), 42u);
  EXPECT_EQ(ParseUint64("18446744073709551615"), UINT64_MAX);
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "01", "1.0", "0x10", "18446744073709551616",
                           "99999999999999999999999"}) {
    EXPECT_FALSE(ParseUint64(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace evidence::api
