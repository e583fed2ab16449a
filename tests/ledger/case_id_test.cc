#include "ledger/case_id.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace evidence::ledger {
namespace {

boost::json::value LoadVectors() {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/records/case-ids.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

// The vectors every SDK checks too (tests/vectors/records/case-ids.json).
TEST(CaseId, CanonicalFormOfEveryVector) {
  const boost::json::value vectors = LoadVectors();
  const boost::json::array& list = vectors.at("vectors").as_array();
  ASSERT_GE(list.size(), 20u);
  for (const boost::json::value& vector : list) {
    const std::string input(vector.at("input").as_string());
    const std::string canonical(vector.at("canonical").as_string());
    EXPECT_EQ(CanonicalCaseId(input), canonical) << vector.at("note").as_string();
    EXPECT_EQ(IsCanonicalCaseId(input), input == canonical) << vector.at("note").as_string();
    EXPECT_EQ(CanonicalCaseId(canonical), canonical) << "idempotent: " << vector.at("note").as_string();
  }
}

// Finding 4 of issue 20: "（2026）…" and "(2026)…" were two cases.
TEST(CaseId, FullAndHalfWidthParenthesesAreOneCase) {
  EXPECT_EQ(CanonicalCaseId("（2026）鲁0831行复12号"), CanonicalCaseId("(2026)鲁0831行复12号"));
  EXPECT_EQ(CanonicalCaseId("(2026) 鲁0831行复12号"), CanonicalCaseId("(2026)鲁0831行复12号"));
  EXPECT_FALSE(IsCanonicalCaseId("（2026）鲁0831行复12号"));
  EXPECT_TRUE(IsCanonicalCaseId("(2026)鲁0831行复12号"));
}

TEST(CaseId, BytesThatAreNotUtf8AreKeptAsTheyAre) {
  const std::string broken = std::string("a\xe9") + "\xff" + "b";
  EXPECT_EQ(CanonicalCaseId(broken), broken);
  EXPECT_EQ(CanonicalCaseId(std::string("\xe3\x80")), std::string("\xe3\x80"));  // cut U+3000
}

}  // namespace
}  // namespace evidence::ledger
