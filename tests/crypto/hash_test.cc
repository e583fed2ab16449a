#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "common/encoding.h"

namespace evidence::crypto {
namespace {

std::string ReadVectorFile(const std::string& name) {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open vector file " << name;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(HashTest, Sha256KnownAnswers) {
  EXPECT_EQ(DigestHex(Hash(HashAlgorithm::kSha256, std::string_view())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestHex(Hash(HashAlgorithm::kSha256, std::string_view("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // FIPS 180-2 example 2 (448-bit message, two blocks after padding).
  EXPECT_EQ(DigestHex(Hash(HashAlgorithm::kSha256,
                           "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, Sm3VectorsFromFile) {
  boost::json::value root = boost::json::parse(ReadVectorFile("sm3.json"));
  const boost::json::array& tests = root.at("tests").as_array();
  ASSERT_EQ(tests.size(), 3u);
  size_t checked = 0;
  for (const boost::json::value& test : tests) {
    const std::string name(test.at("name").as_string());
    auto message = HexDecode(test.at("msg_hex").as_string());
    ASSERT_TRUE(message.ok()) << name;
    const std::string expected(test.at("digest").as_string());
    EXPECT_EQ(DigestHex(Hash(HashAlgorithm::kSm3, *message)), expected) << name;
    // The same message fed byte by byte through a Hasher gives the same digest.
    Hasher hasher(HashAlgorithm::kSm3);
    for (uint8_t byte : *message) hasher.Update(byte);
    EXPECT_EQ(DigestHex(hasher.Finish()), expected) << name;
    ++checked;
  }
  EXPECT_EQ(checked, tests.size());
}

TEST(HashTest, HasherIncrementalEqualsOneShotAndIsReusable) {
  std::string message;
  for (int i = 0; i < 1000; ++i) message += static_cast<char>(i * 7 + 3);
  for (HashAlgorithm algorithm : {HashAlgorithm::kSha256, HashAlgorithm::kSm3}) {
    Digest one_shot = Hash(algorithm, message);
    Hasher hasher(algorithm);
    EXPECT_EQ(hasher.algorithm(), algorithm);
    // Uneven pieces, crossing 64-byte block boundaries.
    size_t offset = 0;
    for (size_t piece = 1; offset < message.size(); piece = piece * 3 + 1) {
      size_t length = std::min(piece, message.size() - offset);
      hasher.Update(std::string_view(message).substr(offset, length));
      offset += length;
    }
    EXPECT_EQ(hasher.Finish(), one_shot) << HashAlgorithmName(algorithm);
    // After Finish the hasher starts a fresh message.
    EXPECT_EQ(hasher.Finish(), Hash(algorithm, std::string_view())) << HashAlgorithmName(algorithm);
    hasher.Update("abc");
    EXPECT_EQ(hasher.Finish(), Hash(algorithm, std::string_view("abc")));
    // A moved-to hasher keeps working.
    Hasher moved = std::move(hasher);
    moved.Update(message);
    EXPECT_EQ(moved.Finish(), one_shot);
  }
}

TEST(HashTest, AlgorithmNamesRoundTrip) {
  for (HashAlgorithm algorithm : {HashAlgorithm::kSha256, HashAlgorithm::kSm3}) {
    auto parsed = ParseHashAlgorithm(HashAlgorithmName(algorithm));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, algorithm);
  }
  EXPECT_EQ(HashAlgorithmName(HashAlgorithm::kSha256), "sha256");
  EXPECT_EQ(HashAlgorithmName(HashAlgorithm::kSm3), "sm3");
  auto bad = ParseHashAlgorithm("SHA-256");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SHA-256"), std::string::npos);
  EXPECT_FALSE(ParseHashAlgorithm("").ok());
}

TEST(HashTest, DigestHexRoundTrip) {
  Digest digest = Hash(HashAlgorithm::kSm3, std::string_view("abc"));
  std::string hex = DigestHex(digest);
  EXPECT_EQ(hex.size(), 64u);
  auto back = DigestFromHex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, digest);
  // Upper case is accepted; anything but exactly 64 hex digits is refused.
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto from_upper = DigestFromHex(upper);
  ASSERT_TRUE(from_upper.ok());
  EXPECT_EQ(*from_upper, digest);
  EXPECT_FALSE(DigestFromHex(hex.substr(0, 62)).ok());
  EXPECT_FALSE(DigestFromHex(hex + "00").ok());
  EXPECT_FALSE(DigestFromHex(std::string(64, 'g')).ok());
  EXPECT_FALSE(DigestFromHex("").ok());
  EXPECT_EQ(DigestFromBytes(ByteView(digest.data(), digest.size())), digest);
}

}  // namespace
}  // namespace evidence::crypto
