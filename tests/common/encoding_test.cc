#include "common/encoding.h"

#include <gtest/gtest.h>

namespace evidence {
namespace {

TEST(HexTest, RoundTripLowerCase) {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "0001abff");
  auto back = HexDecode("0001ABff");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, RefusesBadInput) {
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_FALSE(HexDecode("0x00").ok());
  EXPECT_FALSE(HexDecodeExact("00", 2).ok());
  EXPECT_TRUE(HexDecodeExact("0000", 2).ok());
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(AsStringView(*decoded), plain);
  }
}

TEST(Base64Test, RefusesNonCanonical) {
  EXPECT_FALSE(Base64Decode("Zg").ok());        // no padding
  EXPECT_FALSE(Base64Decode("Zh==").ok());      // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9v\n").ok());    // whitespace
  EXPECT_FALSE(Base64Decode("Zm9v====").ok());  // excess padding
  EXPECT_FALSE(Base64Decode("Zm-v").ok());      // URL alphabet
}

}  // namespace
}  // namespace evidence

namespace evidence {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesEveryOtherByte) {
  EXPECT_EQ(PercentEncode("court-1.a_b~Z9"), "court-1.a_b~Z9");
  EXPECT_EQ(PercentEncode("a b&c=d/?#%+"), "a%20b%26c%3Dd%2F%3F%23%25%2B");
  EXPECT_EQ(PercentEncode("法院"), "%E6%B3%95%E9%99%A2");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace evidence
