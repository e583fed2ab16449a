#include "crypto/timestamp.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "tests/testing/process.h"
#include "tests/testing/tsa_certificates.h"

namespace evidence::crypto {
namespace {

using Institution = testing::TsaInstitution;

Institution MakeInstitution(const char* name, const char* extended_key_usage = "critical,timeStamping") {
  return testing::MakeTsaInstitution(name, extended_key_usage);
}

TimestampRequest Request(HashAlgorithm algorithm, std::string_view document) {
  TimestampRequest request;
  request.imprint_algorithm = algorithm;
  request.imprint = Hash(algorithm, document);
  request.serial = {0x81, 0x02, 0x03};
  request.gen_time_ms = 1'796'000'000'123;  // 2026-11-30T00:53:20.123Z
  request.record_id = Hash(HashAlgorithm::kSha256, std::string_view("record"));
  return request;
}

TEST(TimestampTest, ATokenCarriesExactlyWhatTheRequestFixesAndVerifiesUnderItsCa) {
  Institution court = MakeInstitution("Court CA");
  auto tsa = TimestampAuthority::FromPem(court.tsa_key_pem, court.tsa_cert_pem);
  ASSERT_TRUE(tsa.ok()) << tsa.status().message();
  EXPECT_EQ(tsa->subject(), "CN=Court CA TSA");
  TimestampRequest request = Request(HashAlgorithm::kSha256, "the document");
  auto token = tsa->Issue(request);
  ASSERT_TRUE(token.ok()) << token.status().message();
  auto info = ReadTimestampResponse(*token);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->policy_oid, kTimestampPolicyOid);
  EXPECT_EQ(info->imprint_algorithm, HashAlgorithm::kSha256);
  EXPECT_EQ(info->imprint, request.imprint);
  EXPECT_EQ(info->serial_hex, "810203");
  // 1796000000.123 s: genTime to the millisecond, from the request, not the clock.
  EXPECT_EQ(info->gen_time, "20261130005320.123Z");
  EXPECT_EQ(info->record_id_hex, DigestHex(request.record_id));
  EXPECT_EQ(info->tsa_name, "CN=Court CA TSA");
  EXPECT_TRUE(
      VerifyTimestampResponse(*token, HashAlgorithm::kSha256, request.imprint, court.ca_pem).ok());
}

TEST(TimestampTest, TwoTokensForOneRequestHaveTheSameTstInfo) {
  Institution court = MakeInstitution("Court CA");
  auto tsa = TimestampAuthority::FromPem(court.tsa_key_pem, court.tsa_cert_pem);
  ASSERT_TRUE(tsa.ok());
  TimestampRequest request = Request(HashAlgorithm::kSha256, "the document");
  request.gen_time_ms = 1'796'000'000'000;  // a whole second: no fraction is written
  auto first = ReadTimestampResponse(*tsa->Issue(request));
  auto second = ReadTimestampResponse(*tsa->Issue(request));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->gen_time, "20261130005320Z");
  EXPECT_EQ(first->gen_time, second->gen_time);
  EXPECT_EQ(first->serial_hex, second->serial_hex);
  EXPECT_EQ(first->record_id_hex, second->record_id_hex);
}

TEST(TimestampTest, AnSm3ImprintIsIssuedAndVerified) {
  Institution notary = MakeInstitution("Notary CA");
  auto tsa = TimestampAuthority::FromPem(notary.tsa_key_pem, notary.tsa_cert_pem);
  ASSERT_TRUE(tsa.ok());
  TimestampRequest request = Request(HashAlgorithm::kSm3, "国密 document");
  auto token = tsa->Issue(request);
  ASSERT_TRUE(token.ok()) << token.status().message();
  auto info = ReadTimestampResponse(*token);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->imprint_algorithm, HashAlgorithm::kSm3);
  EXPECT_TRUE(
      VerifyTimestampResponse(*token, HashAlgorithm::kSm3, request.imprint, notary.ca_pem).ok());
  EXPECT_FALSE(
      VerifyTimestampResponse(*token, HashAlgorithm::kSha256, request.imprint, notary.ca_pem).ok());
}

TEST(TimestampTest, AnotherDocumentOrAnotherInstitutionsCaDoesNotVerify) {
  Institution court = MakeInstitution("Court CA");
  Institution notary = MakeInstitution("Notary CA");
  auto tsa = TimestampAuthority::FromPem(court.tsa_key_pem, court.tsa_cert_pem);
  ASSERT_TRUE(tsa.ok());
  TimestampRequest request = Request(HashAlgorithm::kSha256, "the document");
  auto token = tsa->Issue(request);
  ASSERT_TRUE(token.ok());
  const Digest other = Hash(HashAlgorithm::kSha256, std::string_view("the document."));
  EXPECT_FALSE(VerifyTimestampResponse(*token, HashAlgorithm::kSha256, other, court.ca_pem).ok());
  Status wrong_ca =
      VerifyTimestampResponse(*token, HashAlgorithm::kSha256, request.imprint, notary.ca_pem);
  EXPECT_FALSE(wrong_ca.ok());
  Bytes tampered = *token;
  tampered[tampered.size() - 40] ^= 0x01;
  EXPECT_FALSE(
      VerifyTimestampResponse(tampered, HashAlgorithm::kSha256, request.imprint, court.ca_pem).ok());
}

TEST(TimestampTest, ACertificateWithoutCriticalTimeStampingUsageIsRefused) {
  Institution plain = MakeInstitution("Plain CA", "timeStamping");  // not critical
  auto tsa = TimestampAuthority::FromPem(plain.tsa_key_pem, plain.tsa_cert_pem);
  ASSERT_FALSE(tsa.ok());
  EXPECT_NE(tsa.status().message().find("timeStamping"), std::string::npos);
  Institution server = MakeInstitution("Server CA", "critical,serverAuth");
  EXPECT_FALSE(TimestampAuthority::FromPem(server.tsa_key_pem, server.tsa_cert_pem).ok());
}

TEST(TimestampTest, AKeyThatIsNotTheCertificatesIsRefused) {
  Institution court = MakeInstitution("Court CA");
  Institution notary = MakeInstitution("Notary CA");
  auto tsa = TimestampAuthority::FromPem(notary.tsa_key_pem, court.tsa_cert_pem);
  ASSERT_FALSE(tsa.ok());
  EXPECT_NE(tsa.status().message().find("not the certificate's"), std::string::npos);
  EXPECT_FALSE(TimestampAuthority::FromPem("not a key", court.tsa_cert_pem).ok());
  EXPECT_FALSE(TimestampAuthority::FromPem(court.tsa_key_pem, "not a cert").ok());
}

TEST(TimestampTest, BadRequestsAndBadResponsesAreRefused) {
  Institution court = MakeInstitution("Court CA");
  auto tsa = TimestampAuthority::FromPem(court.tsa_key_pem, court.tsa_cert_pem);
  ASSERT_TRUE(tsa.ok());
  TimestampRequest request = Request(HashAlgorithm::kSha256, "x");
  request.serial.clear();
  EXPECT_FALSE(tsa->Issue(request).ok());
  request.serial = Bytes(kTimestampSerialBytesMax + 1, 1);
  EXPECT_FALSE(tsa->Issue(request).ok());
  request.serial = {1};
  request.gen_time_ms = -1;
  EXPECT_FALSE(tsa->Issue(request).ok());
  EXPECT_FALSE(ReadTimestampResponse(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}).ok());
  EXPECT_FALSE(ReadTimestampResponse(Bytes{}).ok());
  request.gen_time_ms = 0;
  auto token = tsa->Issue(request);
  ASSERT_TRUE(token.ok());
  Bytes trailing = *token;
  trailing.push_back(0);
  EXPECT_FALSE(ReadTimestampResponse(trailing).ok());
}

TEST(TimestampTest, AnInstitutionsCaCertificateIsReadInCanonicalFormOnly) {
  Institution court = MakeInstitution("Court CA");
  auto ca = ParseCaCertificate(court.ca_pem);
  ASSERT_TRUE(ca.ok()) << ca.status().message();
  EXPECT_EQ(ca->pem, court.ca_pem);
  EXPECT_EQ(ca->subject, "CN=Court CA");
  EXPECT_EQ(ca->sha256_hex.size(), 64u);
  // Another form of the same certificate, text around it, two of them: refused.
  std::string crlf = court.ca_pem;
  for (size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) {
    crlf.replace(at, 1, "\r\n");
  }
  for (const std::string& bad :
       {crlf, "x" + court.ca_pem, court.ca_pem + "\n", court.ca_pem + court.ca_pem,
        std::string("not a certificate"), std::string(kCaCertificatePemBytesMax + 1, 'A')}) {
    EXPECT_FALSE(ParseCaCertificate(bad).ok()) << bad.substr(0, 40);
  }
  // A TSA certificate is no CA.
  auto tsa_as_ca = ParseCaCertificate(court.tsa_cert_pem);
  ASSERT_FALSE(tsa_as_ca.ok());
  EXPECT_NE(tsa_as_ca.status().message().find("not a CA"), std::string::npos);
}

TEST(TimestampTest, ATsaCertificateIsIssuedByItsOwnInstitutionsCaOnly) {
  Institution court = MakeInstitution("Court CA");
  Institution notary = MakeInstitution("Notary CA");
  auto court_ca = ParseCaCertificate(court.ca_pem);
  auto notary_ca = ParseCaCertificate(notary.ca_pem);
  ASSERT_TRUE(court_ca.ok() && notary_ca.ok());
  EXPECT_TRUE(CheckIssuedBy(court.tsa_cert_pem, *court_ca).ok());
  EXPECT_FALSE(CheckIssuedBy(notary.tsa_cert_pem, *court_ca).ok());
  EXPECT_FALSE(CheckIssuedBy(court.tsa_cert_pem, *notary_ca).ok());
  EXPECT_FALSE(CheckIssuedBy("not a certificate", *court_ca).ok());
}

// What `evidence anchor` sends an outside TSA is what openssl sends: byte for byte
// `openssl ts -query -digest HEX -sha256 -cert -no_nonce`.
TEST(TimestampTest, AQueryForAnOutsideTsaIsWhatOpensslWrites) {
  const Digest imprint = Hash(HashAlgorithm::kSha256, std::string_view("test-chain\n2\nAAAA\n"));
  auto query = EncodeTimestampQuery(HashAlgorithm::kSha256, imprint);
  ASSERT_TRUE(query.ok()) << query.status().message();
  evidence::testing::TempDir dir;
  const evidence::testing::RunResult made = evidence::testing::Run(
      "/usr/bin/openssl", {"ts", "-query", "-digest", DigestHex(imprint), "-sha256", "-cert",
                           "-no_nonce", "-out", dir.File("query.tsq")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string expected = evidence::testing::ReadFile(dir.File("query.tsq"));
  EXPECT_EQ(std::string(query->begin(), query->end()), expected);
}

}  // namespace
}  // namespace evidence::crypto
