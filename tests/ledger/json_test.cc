#include "ledger/json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace evidence::ledger {
namespace {

std::string Jcs(std::string_view text) {
  auto value = StrictJsonParse(text, 1 << 20, 16);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  if (!value.ok()) return "";
  auto jcs = CanonicalJson(*value);
  EXPECT_TRUE(jcs.ok()) << jcs.status().ToString();
  return jcs.ok() ? *jcs : "";
}

Status ParseStatus(std::string_view text, size_t max_depth = 8) {
  return StrictJsonParse(text, 1 << 20, max_depth).status();
}

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(Jcs(R"( { "b" : [ 1 , true , null ] , "a" : { "d" : -5 , "c" : "x" } } )"),
            R"({"a":{"c":"x","d":-5},"b":[1,true,null]})");
}

TEST(CanonicalJson, SortsByUtf16CodeUnitsNotCodePoints) {
  // U+20AC, U+1F600 (surrogates D83D DE00) and U+FB01: in UTF-16 order the emoji
  // comes before U+FB01, although its code point (and UTF-8) is larger.
  EXPECT_EQ(Jcs("{\"\xef\xac\x81\":3,\"\xf0\x9f\x98\x80\":2,\"\xe2\x82\xac\":1}"),
            "{\"\xe2\x82\xac\":1,\"\xf0\x9f\x98\x80\":2,\"\xef\xac\x81\":3}");
  // RFC 8785 §3.2.3 example keys (ASCII part) and a key that is a prefix of another.
  EXPECT_EQ(Jcs(R"({"ab":1,"a":2,"B":3,"1":4})"), R"({"1":4,"B":3,"a":2,"ab":1})");
}

TEST(CanonicalJson, EscapesStringsLikeEcmaScript) {
  boost::json::value value = boost::json::string(
      std::string("\x01\b\t\n\f\r\"\\/\x7f\xe2\x80\xa8\xc3\xa9\x1f", 16));
  EXPECT_EQ(CanonicalJson(value).value(),
            std::string("\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xe2\x80\xa8\xc3\xa9\\u001f\""));
  // Input escapes of printable characters come out raw.
  EXPECT_EQ(Jcs(R"(["\u0041\u00e9\u9c81\/"])"), "[\"A\xc3\xa9\xe9\xb2\x81/\"]");
}

TEST(CanonicalJson, IntegersOnlyWithinExactRange) {
  EXPECT_EQ(Jcs("[9007199254740991,-9007199254740991,0,-0]"),
            "[9007199254740991,-9007199254740991,0,0]");
  EXPECT_FALSE(CanonicalJson(boost::json::value(1.5)).ok());
  EXPECT_FALSE(CanonicalJson(boost::json::value(int64_t{1} << 53)).ok());
  EXPECT_FALSE(CanonicalJson(boost::json::value(uint64_t{1} << 60)).ok());
}

TEST(StrictJsonParse, RefusesDuplicateKeysAtAnyDepth) {
  Status status = ParseStatus(R"({"a":1,"a":2})");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("duplicate key \"a\""), std::string::npos) << status.message();
  EXPECT_FALSE(ParseStatus(R"({"x":[{"b":1,"c":2,"b":3}]})").ok());
  // Same key in sibling objects is fine; an escaped spelling is still a duplicate.
  EXPECT_TRUE(ParseStatus(R"([{"a":1},{"a":2}])").ok());
  EXPECT_FALSE(ParseStatus(R"({"a":1,"\u0061":2})").ok());
}

// Small objects are searched linearly, large ones through a set: both refuse
// a repeated key wherever it falls, and nested objects keep their own keys.
TEST(StrictJsonParse, RefusesDuplicateKeysInLargeObjects) {
  for (int members : {31, 32, 33, 100}) {
    std::string object = "{";
    for (int i = 0; i < members; ++i) {
      object += (i > 0 ? "," : "") + std::string("\"k") + std::to_string(i) + "\":{\"k0\":" +
                std::to_string(i) + "}";
    }
    EXPECT_TRUE(ParseStatus(object + "}").ok()) << members;
    for (int repeated : {0, members / 2, members - 1}) {
      Status status = ParseStatus(object + ",\"k" + std::to_string(repeated) + "\":1}");
      EXPECT_NE(status.message().find("duplicate key \"k" + std::to_string(repeated) + "\""),
                std::string::npos)
          << members << " " << repeated << ": " << status.message();
    }
  }
}

TEST(StrictJsonParse, RefusesNonIntegers) {
  EXPECT_FALSE(ParseStatus("[1.0]").ok());
  EXPECT_FALSE(ParseStatus("[1e3]").ok());
  EXPECT_FALSE(ParseStatus("[9007199254740992]").ok());
  EXPECT_FALSE(ParseStatus("[-9007199254740992]").ok());
  EXPECT_FALSE(ParseStatus("[18446744073709551616]").ok());
  EXPECT_TRUE(ParseStatus("[9007199254740991]").ok());
}

TEST(StrictJsonParse, RefusesDepthCommentsTrailingDataBadUtf8AndSize) {
  EXPECT_TRUE(ParseStatus("[[[]]]", 3).ok());
  EXPECT_FALSE(ParseStatus("[[[[]]]]", 3).ok());
  EXPECT_FALSE(ParseStatus("[1] // c").ok());
  EXPECT_FALSE(ParseStatus("/* c */ [1]").ok());
  EXPECT_FALSE(ParseStatus("[1] [2]").ok());
  EXPECT_FALSE(ParseStatus("[1],").ok());
  EXPECT_FALSE(ParseStatus("[\"\xff\"]").ok());
  EXPECT_FALSE(ParseStatus("[\"\xc0\xaf\"]").ok());  // overlong
  EXPECT_FALSE(ParseStatus("").ok());
  EXPECT_FALSE(ParseStatus("{\"a\":").ok());
  EXPECT_FALSE(StrictJsonParse("[1,2,3]", 6, 8).ok());
  EXPECT_TRUE(StrictJsonParse("[1,2,3]", 7, 8).ok());
  EXPECT_TRUE(ParseStatus("  {}  \n").ok());
}

// The JCS vectors every SDK checks too (tests/vectors/records/jcs.json).
TEST(CanonicalJson, SharedVectors) {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/records/jcs.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::value file = boost::json::parse(text.str());
  const boost::json::array& vectors = file.at("vectors").as_array();
  ASSERT_GE(vectors.size(), 5u);
  for (const boost::json::value& vector : vectors) {
    const std::string input(vector.at("input").as_string());
    auto parsed = StrictJsonParse(input, 4096, 8);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto canonical = CanonicalJson(*parsed);
    ASSERT_TRUE(canonical.ok());
    EXPECT_EQ(*canonical, std::string(vector.at("canonical").as_string()))
        << vector.at("note").as_string();
  }
}

}  // namespace
}  // namespace evidence::ledger
