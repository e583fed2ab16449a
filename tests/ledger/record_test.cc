#include "ledger/record.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "ledger/errors.h"
#include "ledger/json.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

// A fixed Ed25519 test key (RFC 8032 signatures are deterministic) and its key id.
constexpr std::string_view kTestKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIPzfNuBnXZamWgEbAUmUn1P9827TNtJeFcBAsPWkpG3X\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kTestKeyId =
    "078ab52b66451d4d4e87badae1dae4b9167c88cbf2f81b073121e1a66d035748";

Record GoldenRecord() {
  Record r;
  r.chain_id = "sishui-evidence";
  r.kind = "reconsideration_document";
  r.case_id = "(2026)鲁0831行复12号";
  r.stage = "decision";
  r.agency = "sishui-justice-bureau";
  r.digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  r.size = 183204;
  r.media_type = "application/pdf";
  r.title = "行政复议决定书 \"甲\\乙\"";
  r.time_ms = 1767225600000;
  return r;
}

// Independently computed (Python json.dumps(sort_keys, compact, ensure_ascii=False),
// hashlib.sha256 and `openssl pkeyutl -sign -rawin`).
constexpr std::string_view kGoldenSigningJcs =
    R"({"agency":"sishui-justice-bureau","case_id":"(2026)鲁0831行复12号","chain_id":"sishui-evidence",)"
    R"("digest":"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",)"
    R"("kind":"reconsideration_document","links":[],"media_type":"application/pdf","size":183204,)"
    R"("stage":"decision","time":1767225600000,"title":"行政复议决定书 \"甲\\乙\"","v":1})";
constexpr std::string_view kGoldenId =
    "6ad5cb0be02ca03562463d86d0a104e3662c317ba5d29eec77ff3fd76bcf4cba";
constexpr std::string_view kGoldenLeaf =
    R"({"agency":"sishui-justice-bureau","case_id":"(2026)鲁0831行复12号","chain_id":"sishui-evidence",)"
    R"("digest":"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",)"
    R"("kind":"reconsideration_document","links":[],"media_type":"application/pdf",)"
    R"("sig":{"alg":"ed25519","key":"078ab52b66451d4d4e87badae1dae4b9167c88cbf2f81b073121e1a66d035748",)"
    R"("value":"dqZt7wSR2jVE0BPlZQJm7gw3NA5p0UYJW88yzV+xFAVHJzyeApFYAn2uhHfCnSw+dtzlztKhA4pOBM+n0R4LAQ=="},)"
    R"("size":183204,"stage":"decision","time":1767225600000,"title":"行政复议决定书 \"甲\\乙\"","v":1})";
constexpr std::string_view kGoldenLeafHash =
    "ce7677ec45084417048cba48fda81434cb7b590b70a869bf530f2c6af51014c6";

TEST(Record, GoldenSigningBytesIdLeafAndLeafHash) {
  auto key = crypto::PrivateKey::FromPem(kTestKeyPem).value();
  ASSERT_EQ(key.key_id(), kTestKeyId);
  Record r = GoldenRecord();
  ASSERT_TRUE(SignRecord(key, r).ok());
  EXPECT_EQ(AsStringView(RecordSigningBytes(r)),
            std::string("EVIDENCE-RECORD/v1\n") + std::string(kGoldenSigningJcs));
  EXPECT_EQ(crypto::DigestHex(RecordId(crypto::HashAlgorithm::kSha256, r)), kGoldenId);
  EXPECT_EQ(RecordLeaf(r), kGoldenLeaf);
  EXPECT_EQ(crypto::DigestHex(RecordLeafHash(crypto::HashAlgorithm::kSha256, r)), kGoldenLeafHash);
  EXPECT_TRUE(CheckRecordShape(r).ok());
  EXPECT_TRUE(VerifyRecordSignature(crypto::HashAlgorithm::kSha256, key.public_key(), r).ok());
  // The parse of the leaf gives back the same record and the same bytes.
  auto parsed = ParseRecord(kGoldenLeaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, r);
  EXPECT_EQ(RecordLeaf(*parsed), kGoldenLeaf);
}

TEST(Record, DeterministicAndFieldOrderIndependent) {
  auto key = crypto::PrivateKey::FromPem(kTestKeyPem).value();
  Record r = GoldenRecord();
  ASSERT_TRUE(SignRecord(key, r).ok());
  // Same record written with keys in another order and whitespace.
  std::string shuffled =
      R"({ "v":1, "title":"行政复议决定书 \"甲\\乙\"", "time":1767225600000, "stage":"decision",)"
      R"( "size":183204, "sig":{"value":"dqZt7wSR2jVE0BPlZQJm7gw3NA5p0UYJW88yzV+xFAVHJzyeApFYAn2uhHfCnSw+dtzlztKhA4pOBM+n0R4LAQ==",)"
      R"( "key":"078ab52b66451d4d4e87badae1dae4b9167c88cbf2f81b073121e1a66d035748","alg":"ed25519"},)"
      R"( "media_type":"application/pdf","links":[],"kind":"reconsideration_document",)"
      R"( "digest":"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",)"
      R"( "chain_id":"sishui-evidence", "case_id":"(2026)\u9c810831行复12号", "agency":"sishui-justice-bureau" })";
  auto parsed = ParseRecord(shuffled);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(RecordLeaf(*parsed), kGoldenLeaf);
  EXPECT_EQ(RecordId(crypto::HashAlgorithm::kSha256, *parsed),
            RecordId(crypto::HashAlgorithm::kSha256, r));
  // SM3 chains hash the same bytes with SM3.
  EXPECT_EQ(RecordId(crypto::HashAlgorithm::kSm3, r),
            crypto::Hash(crypto::HashAlgorithm::kSm3, RecordSigningBytes(r)));
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  auto at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

void ExpectCode(std::string_view text, ErrorCode code) {
  auto parsed = ParseRecord(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(ErrorCodeOf(parsed.status()), code) << parsed.status().message();
}

TEST(Record, StrictParseRefusals) {
  std::string leaf(kGoldenLeaf);
  ExpectCode(Replace(leaf, R"("v":1)", R"("v":1,"extra":1)"), ErrorCode::kRecordUnknownField);
  ExpectCode(Replace(leaf, R"("stage":"decision",)", ""), ErrorCode::kRecordMissingField);
  ExpectCode(Replace(leaf, R"("size":183204)", R"("size":"183204")"), ErrorCode::kRecordWrongType);
  ExpectCode(Replace(leaf, R"("size":183204)", R"("size":183204.0)"), ErrorCode::kRecordMalformedJson);
  ExpectCode(Replace(leaf, R"("size":183204)", R"("size":1e5)"), ErrorCode::kRecordMalformedJson);
  ExpectCode(Replace(leaf, R"("size":183204)", R"("size":-1)"), ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("v":1)", R"("v":1,"v":1)"), ErrorCode::kRecordMalformedJson);
  ExpectCode(Replace(leaf, R"("stage":"decision")", R"("stage":"decision","stage":"filing")"),
             ErrorCode::kRecordMalformedJson);
  ExpectCode(Replace(leaf, R"("v":1)", R"("v":2)"), ErrorCode::kRecordBadVersion);
  ExpectCode(Replace(leaf, "sha256:2cf2", "sha256:2CF2"), ErrorCode::kRecordBadDigest);
  ExpectCode(Replace(leaf, "sha256:2cf2", "md5:2cf2"), ErrorCode::kRecordBadDigest);
  ExpectCode(Replace(leaf, "sha256:2cf24dba", "sha256:2cf24db"), ErrorCode::kRecordBadDigest);
  ExpectCode(Replace(leaf, R"("kind":"reconsideration_document")", R"("kind":"memo")"),
             ErrorCode::kRecordUnknownKind);
  ExpectCode(Replace(leaf, R"("links":[])", R"("links":["abc"])"), ErrorCode::kRecordBadLink);
  ExpectCode(Replace(leaf, R"("links":[])", R"("links":{})"), ErrorCode::kRecordWrongType);
  ExpectCode(Replace(leaf, R"("alg":"ed25519")", R"("alg":"rsa")"), ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("value":"dqZt)", R"("value":"*qZt)"), ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("sig":{)", R"("sig":{"x":1,)"), ErrorCode::kRecordUnknownField);
  ExpectCode(Replace(leaf, R"("agency":"sishui-justice-bureau")", R"("agency":"sishui bureau")"),
             ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("stage":"decision")", R"("stage":"")"), ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("stage":"decision")", R"("stage":"a\nb")"), ErrorCode::kRecordBadValue);
  ExpectCode(Replace(leaf, R"("time":1767225600000)", R"("time":9007199254740992)"),
             ErrorCode::kRecordMalformedJson);
  ExpectCode("[]", ErrorCode::kRecordWrongType);
  ExpectCode("{", ErrorCode::kRecordMalformedJson);
  ExpectCode(Replace(leaf, R"("links":[])", R"("links":[[[[[[[[[]]]]]]]]])"),
             ErrorCode::kRecordMalformedJson);
}

TEST(Record, SizeLimits) {
  std::string leaf(kGoldenLeaf);
  ExpectCode(Replace(leaf, "(2026)", std::string(300, 'x')), ErrorCode::kRecordTooLarge);
  ExpectCode(Replace(leaf, R"("title":")", R"("title":")" + std::string(1100, 'x')),
             ErrorCode::kRecordTooLarge);
  std::string links = R"("links":[)";
  for (int i = 0; i < 17; ++i) links += std::string(i ? "," : "") + "\"" + std::string(64, 'a' + i % 6) + "\"";
  ExpectCode(Replace(leaf, R"("links":[])", links + "]"), ErrorCode::kRecordTooLarge);
  // Every field within its bound, the whole record over 4 KiB.
  Record r = GoldenRecord();
  r.title = std::string(1024, 't');
  r.case_id = std::string(256, 'c');
  for (int i = 0; i < 16; ++i) r.links.push_back(std::string(63, 'a') + "0123456789abcdef"[i]);
  r.media_type = std::string(128, 'm');
  r.stage = std::string(64, 's');
  r.agency = std::string(128, 'a');
  r.sig.key_id = std::string(kTestKeyId);
  r.sig.value.assign(256, 1);
  r.sig.batch = BatchReference{{}, 10000, 1, std::vector<crypto::Digest>(14)};
  Status status = CheckRecordShape(r);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kRecordTooLarge) << status.message();
  EXPECT_GT(RecordLeaf(r).size(), limits::kRecordJcsBytesMax);
  ExpectCode(std::string(9000, ' '), ErrorCode::kRecordTooLarge);
}

TEST(Record, SignatureCoversEveryFieldButSig) {
  testing::TestChain chain;
  Record r = chain.MakeRecord(0, "case-1", 1);
  const crypto::PublicKey& key = chain.agency_key(0).public_key();
  EXPECT_TRUE(VerifyRecordSignature(chain.hash(), key, r).ok());
  std::vector<std::function<void(Record&)>> changes = {
      [](Record& x) { x.chain_id += "x"; },   [](Record& x) { x.kind = "other"; },
      [](Record& x) { x.case_id += "x"; },    [](Record& x) { x.stage += "x"; },
      [](Record& x) { x.agency += "x"; },     [](Record& x) { x.digest[10] ^= 1; },
      [](Record& x) { x.size += 1; },         [](Record& x) { x.media_type += "x"; },
      [](Record& x) { x.title += "x"; },      [](Record& x) { x.time_ms += 1; },
      [](Record& x) { x.links.push_back(std::string(64, 'a')); },
      [](Record& x) { x.sig.value[3] ^= 1; }};
  for (size_t i = 0; i < changes.size(); ++i) {
    Record changed = r;
    changes[i](changed);
    Status status = VerifyRecordSignature(chain.hash(), key, changed);
    EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kRecordBadSignature) << i;
  }
  // Checked against another key than the one it names.
  EXPECT_FALSE(VerifyRecordSignature(chain.hash(), chain.agency_key(1).public_key(), r).ok());
}

TEST(Record, JsonRoundTripAllKindsAndAlgorithms) {
  for (auto alg : {crypto::SignatureAlgorithm::kP256, crypto::SignatureAlgorithm::kSm2}) {
    testing::TestChainOptions options;
    options.agency_keys = alg;
    options.hash = crypto::HashAlgorithm::kSm3;
    testing::TestChain chain(options);
    Record r = chain.MakeRecord(1, "(2026)鲁0831行复12号", 7);
    r.links = {std::string(64, 'b')};
    ASSERT_TRUE(SignRecord(chain.agency_key(1), r).ok());
    auto parsed = ParseRecord(RecordLeaf(r));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, r);
    EXPECT_TRUE(VerifyRecordSignature(chain.hash(), chain.agency_key(1).public_key(), *parsed).ok());
  }
}

// RecordLeaf and RecordSigningBytes write JCS directly (no json::value), and
// RecordLeafBytes computes the leaf's size without writing it; they must match
// the generic canonicaliser byte for byte on every kind of field content:
// escapes, control characters, non-ASCII and astral characters, links, batch
// references, every algorithm, integer extremes.
TEST(Record, DirectJcsWriterAndSizeMatchGenericCanonicalJson) {
  const std::vector<std::string> texts = {
      "", "plain", "行政复议决定书", "quote \" back \\ slash", std::string("nul\0byte", 8),
      "\b\f\n\r\t\x01\x1f\x7f", "emoji 😀 𝄞", "</script>", std::string(300, 'x')};
  const std::vector<crypto::SignatureAlgorithm> algorithms = {
      crypto::SignatureAlgorithm::kEd25519, crypto::SignatureAlgorithm::kP256,
      crypto::SignatureAlgorithm::kSm2};
  size_t compared = 0;
  for (size_t i = 0; i < texts.size() * 6; ++i) {
    Record r = GoldenRecord();
    r.title = texts[i % texts.size()];
    r.stage = texts[(i + 3) % texts.size()];
    r.case_id = texts[(i + 5) % texts.size()];
    r.media_type = texts[(i + 7) % texts.size()];
    r.size = i % 3 == 0 ? 0 : (i % 3 == 1 ? uint64_t{kJsonIntegerMax} : 183204 + i);
    r.time_ms = i % 4 == 0 ? 0 : (i % 4 == 1 ? kJsonIntegerMax : 1767225600000 + int64_t(i));
    for (size_t k = 0; k < i % 4; ++k) r.links.push_back(std::string(64, "0af9"[k]));
    r.sig.algorithm = algorithms[i % algorithms.size()];
    r.sig.key_id = std::string(kTestKeyId);
    r.sig.value = Bytes(i % 7 == 0 ? 0 : 64 + i % 9, static_cast<uint8_t>(i));
    if (i % 2 == 1) {
      BatchReference batch;
      batch.root.fill(static_cast<uint8_t>(i));
      batch.size = i % 5 == 0 ? 1 : 10'000;
      batch.index = i % 5 == 0 ? 0 : i;
      for (size_t k = 0; k < i % 5; ++k) {
        crypto::Digest d{};
        d.fill(static_cast<uint8_t>(k * 31 + i));
        batch.path.push_back(d);
      }
      r.sig.batch = batch;
    }
    for (bool include_sig : {true, false}) {
      auto generic = CanonicalJson(RecordToJson(r, include_sig));
      ASSERT_TRUE(generic.ok()) << generic.status().ToString();
      if (include_sig) {
        EXPECT_EQ(RecordLeaf(r), *generic) << "record " << i;
        EXPECT_EQ(RecordLeafBytes(r), generic->size()) << "record " << i;
      } else {
        Bytes signing = RecordSigningBytes(r);
        EXPECT_EQ(std::string(signing.begin(), signing.end()),
                  std::string(kRecordSigningDomain) + *generic)
            << "record " << i;
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, texts.size() * 12);
}

TEST(DocumentDigest, ParseAndFormat) {
  auto d = ParseDocumentDigest("sm3:" + std::string(64, 'a'));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm, crypto::HashAlgorithm::kSm3);
  EXPECT_EQ(FormatDocumentDigest(d->algorithm, d->value), "sm3:" + std::string(64, 'a'));
  EXPECT_FALSE(ParseDocumentDigest("sha256:").ok());
  EXPECT_FALSE(ParseDocumentDigest(std::string(64, 'a')).ok());
  EXPECT_FALSE(ParseDocumentDigest("SHA256:" + std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace evidence::ledger
