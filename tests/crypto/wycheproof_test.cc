// Runs every Wycheproof ECDSA P-256/SHA-256 and Ed25519 verification vector
// through PublicKey::FromSpkiDer and PublicKey::Verify.
//
// Policy for "acceptable" vectors (legal to accept or refuse): we are strict and
// REFUSE them all. In particular BER-encoded ECDSA signatures are not accepted
// (only the exact DER encoding of (r, s) is), so that one signature has one
// encoding. The two vector files in tests/vectors happen to hold no "acceptable"
// vector; the policy is still applied and counted.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/encoding.h"
#include "crypto/signature.h"

namespace evidence::crypto {
namespace {

struct Counts {
  int valid = 0;
  int invalid = 0;
  int acceptable = 0;
  int total() const { return valid + invalid + acceptable; }
};

boost::json::value LoadVectors(const std::string& name) {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

Bytes MustHex(const boost::json::value& value) {
  auto bytes = HexDecode(value.as_string());
  EVIDENCE_CHECK(bytes.ok());
  return std::move(bytes).value();
}

// Runs one file; returns the counts of tests run per expected result.
Counts RunFile(const std::string& name, SignatureAlgorithm algorithm) {
  boost::json::value root = LoadVectors(name);
  Counts counts;
  int groups_without_key = 0;
  for (const boost::json::value& group : root.at("testGroups").as_array()) {
    auto key = PublicKey::FromSpkiDer(MustHex(group.at("publicKeyDer")));
    if (key.ok()) {
      EXPECT_EQ(key->algorithm(), algorithm) << name;
    } else {
      ++groups_without_key;
    }
    for (const boost::json::value& test : group.at("tests").as_array()) {
      const std::string result(test.at("result").as_string());
      const int64_t id = test.at("tcId").as_int64();
      Bytes message = MustHex(test.at("msg"));
      Bytes signature = MustHex(test.at("sig"));
      const bool verified = key.ok() && key->Verify(message, signature);
      if (result == "valid") {
        ++counts.valid;
        EXPECT_TRUE(key.ok()) << name << " tcId " << id << ": key refused for a valid test: "
                              << key.status().ToString();
        EXPECT_TRUE(verified) << name << " tcId " << id << " (valid) did not verify: "
                              << test.at("comment").as_string();
      } else if (result == "invalid") {
        ++counts.invalid;
        EXPECT_FALSE(verified) << name << " tcId " << id << " (invalid) verified: "
                               << test.at("comment").as_string();
      } else {
        EXPECT_EQ(result, "acceptable") << name << " tcId " << id << ": unknown result";
        ++counts.acceptable;
        EXPECT_FALSE(verified) << name << " tcId " << id
                               << " (acceptable) verified, but our strict policy refuses it: "
                               << test.at("comment").as_string();
      }
    }
  }
  const int64_t declared = root.at("numberOfTests").as_int64();
  EXPECT_EQ(counts.total(), declared) << name << ": ran a different number of tests than declared";
  std::cout << "[ wycheproof ] " << name << ": valid=" << counts.valid
            << " invalid=" << counts.invalid << " acceptable=" << counts.acceptable
            << " (all refused) total=" << counts.total() << " numberOfTests=" << declared
            << " groups_with_unloadable_key=" << groups_without_key << "\n";
  return counts;
}

void Record(const Counts& counts) {
  testing::Test::RecordProperty("valid", counts.valid);
  testing::Test::RecordProperty("invalid", counts.invalid);
  testing::Test::RecordProperty("acceptable", counts.acceptable);
  testing::Test::RecordProperty("total", counts.total());
}

TEST(WycheproofTest, EcdsaP256Sha256) {
  Counts counts = RunFile("wycheproof-ecdsa-p256-sha256.json", SignatureAlgorithm::kP256);
  Record(counts);
  EXPECT_GT(counts.valid, 0);
  EXPECT_GT(counts.invalid, 0);
}

TEST(WycheproofTest, Ed25519) {
  Counts counts = RunFile("wycheproof-ed25519.json", SignatureAlgorithm::kEd25519);
  Record(counts);
  EXPECT_GT(counts.valid, 0);
  EXPECT_GT(counts.invalid, 0);
}

}  // namespace
}  // namespace evidence::crypto
