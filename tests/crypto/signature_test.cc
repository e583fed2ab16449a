#include "crypto/signature.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "crypto/hash.h"

namespace evidence::crypto {
namespace {

constexpr SignatureAlgorithm kAllAlgorithms[] = {SignatureAlgorithm::kP256,
                                                 SignatureAlgorithm::kEd25519,
                                                 SignatureAlgorithm::kSm2};

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "evidence-sig-XXXXXX").string();
    EVIDENCE_CHECK(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

PrivateKey MustGenerate(SignatureAlgorithm algorithm) {
  auto key = PrivateKey::Generate(algorithm);
  EVIDENCE_CHECK_MSG(key.ok(), key.status().ToString().c_str());
  return std::move(key).value();
}

Bytes MustSign(const PrivateKey& key, std::string_view message) {
  auto signature = key.Sign(AsBytes(message));
  EVIDENCE_CHECK_MSG(signature.ok(), signature.status().ToString().c_str());
  return std::move(signature).value();
}

// Key id computed the way `openssl pkey -pubout -outform DER | sha256sum` does,
// straight from OpenSSL, independent of PublicKey.
std::string KeyIdByOpenSsl(const std::string& private_pem) {
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVIDENCE_CHECK(pkey != nullptr);
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(pkey, &der);
  EVP_PKEY_free(pkey);
  EVIDENCE_CHECK(length > 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVIDENCE_CHECK(EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length,
                            EVP_sha256(), nullptr) == 1);
  OPENSSL_free(der);
  return HexEncode(ByteView(digest, digest_length));
}

TEST(SignatureTest, AlgorithmNames) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    auto parsed = ParseSignatureAlgorithm(SignatureAlgorithmName(algorithm));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, algorithm);
  }
  auto bad = ParseSignatureAlgorithm("rsa");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rsa"), std::string::npos);
}

TEST(SignatureTest, SignVerifyEveryAlgorithm) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    PrivateKey key = MustGenerate(algorithm);
    EXPECT_EQ(key.algorithm(), algorithm);
    EXPECT_EQ(key.public_key().algorithm(), algorithm);
    EXPECT_EQ(key.key_id().size(), 64u);
    Bytes signature = MustSign(key, "EVIDENCE-RECORD/v1\n{}");
    if (algorithm == SignatureAlgorithm::kEd25519) {
      EXPECT_EQ(signature.size(), 64u);
    }
    EXPECT_TRUE(key.public_key().Verify(AsBytes("EVIDENCE-RECORD/v1\n{}"), signature));
    // Empty messages sign and verify too.
    Bytes empty_signature = MustSign(key, "");
    EXPECT_TRUE(key.public_key().Verify({}, empty_signature));
  }
}

// Verification reuses a per-thread context for each key: results must not
// depend on what was verified before with that key (valid, invalid, garbage,
// another key's signature), on any thread, nor outlive the key.
TEST(SignatureTest, RepeatedVerificationsWithOneKeyStayExact) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    PrivateKey key = MustGenerate(algorithm);
    PrivateKey other = MustGenerate(algorithm);
    std::vector<std::string> messages = {"a", "", std::string(5000, 'x'), "EVIDENCE-RECORD/v1\n{}"};
    std::vector<Bytes> signatures;
    for (const std::string& m : messages) signatures.push_back(MustSign(key, m));
    Bytes garbage(signatures[0].size(), 0x30);
    auto check_all = [&] {
      int wrong = 0;
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < messages.size(); ++i) {
          const PublicKey& pub = key.public_key();
          wrong += !pub.Verify(AsBytes(messages[i]), signatures[i]);
          wrong += pub.Verify(AsBytes(messages[(i + 1) % messages.size()]), signatures[i]);
          wrong += pub.Verify(AsBytes(messages[i]), garbage);
          wrong += pub.Verify(AsBytes(messages[i]), MustSign(other, messages[i]));
          wrong += !other.public_key().Verify(AsBytes(messages[i]), MustSign(other, messages[i]));
        }
      }
      return wrong;
    };
    EXPECT_EQ(check_all(), 0);
    std::atomic<int> wrong_in_threads{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) threads.emplace_back([&] { wrong_in_threads += check_all(); });
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(wrong_in_threads.load(), 0);
  }
  // Many keys on one thread (more than it keeps contexts for), each still exact.
  for (int i = 0; i < 40; ++i) {
    PrivateKey key = MustGenerate(i % 2 == 0 ? SignatureAlgorithm::kEd25519 : SignatureAlgorithm::kP256);
    Bytes signature = MustSign(key, "m");
    EXPECT_TRUE(key.public_key().Verify(AsBytes(std::string("m")), signature)) << i;
    EXPECT_FALSE(key.public_key().Verify(AsBytes(std::string("n")), signature)) << i;
  }
}

TEST(SignatureTest, RefusesWrongMessageSignatureOrKey) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    PrivateKey key = MustGenerate(algorithm);
    PrivateKey other = MustGenerate(algorithm);
    const std::string message = "case (2026)0831-12 decision";
    Bytes signature = MustSign(key, message);
    const PublicKey& public_key = key.public_key();
    EXPECT_TRUE(public_key.Verify(AsBytes(message), signature));
    EXPECT_FALSE(public_key.Verify(AsBytes(message + "."), signature));
    EXPECT_FALSE(other.public_key().Verify(AsBytes(message), signature));
    EXPECT_FALSE(public_key.Verify(AsBytes(message), {}));
    // Flip every byte in turn: no variant verifies.
    for (size_t i = 0; i < signature.size(); ++i) {
      Bytes tampered = signature;
      tampered[i] ^= 0x01;
      EXPECT_FALSE(public_key.Verify(AsBytes(message), tampered)) << "byte " << i;
    }
    Bytes longer = signature;
    longer.push_back(0);
    EXPECT_FALSE(public_key.Verify(AsBytes(message), longer));
    Bytes shorter(signature.begin(), signature.end() - 1);
    EXPECT_FALSE(public_key.Verify(AsBytes(message), shorter));
  }
}

TEST(SignatureTest, SignaturesOfOtherAlgorithmsAreRefused) {
  PrivateKey p256 = MustGenerate(SignatureAlgorithm::kP256);
  PrivateKey sm2 = MustGenerate(SignatureAlgorithm::kSm2);
  // Same DER shape, different algorithm: an SM2 signature is not a P-256 one.
  Bytes sm2_signature = MustSign(sm2, "m");
  EXPECT_FALSE(p256.public_key().Verify(AsBytes("m"), sm2_signature));
  Bytes p256_signature = MustSign(p256, "m");
  EXPECT_FALSE(sm2.public_key().Verify(AsBytes("m"), p256_signature));
}

TEST(SignatureTest, BerEncodedEcdsaSignatureIsRefused) {
  for (SignatureAlgorithm algorithm : {SignatureAlgorithm::kP256, SignatureAlgorithm::kSm2}) {
    PrivateKey key = MustGenerate(algorithm);
    Bytes der = MustSign(key, "m");
    ASSERT_EQ(der[0], 0x30);
    ASSERT_LT(der[1], 0x80);
    // Same SEQUENCE with a long-form length (0x81 NN): valid BER, not DER.
    Bytes ber = {0x30, 0x81, der[1]};
    ber.insert(ber.end(), der.begin() + 2, der.end());
    EXPECT_TRUE(key.public_key().Verify(AsBytes("m"), der));
    EXPECT_FALSE(key.public_key().Verify(AsBytes("m"), ber));
  }
}

TEST(SignatureTest, PemRoundTripsKeepKeyAndId) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    PrivateKey key = MustGenerate(algorithm);
    std::string private_pem = key.ToPem();
    EXPECT_EQ(private_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    auto reloaded = PrivateKey::FromPem(private_pem);
    ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
    EXPECT_EQ(reloaded->algorithm(), algorithm);
    EXPECT_EQ(reloaded->key_id(), key.key_id());
    EXPECT_EQ(reloaded->ToPem(), private_pem);

    std::string public_pem = key.public_key().ToPem();
    EXPECT_EQ(public_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    auto public_key = PublicKey::FromPem(public_pem);
    ASSERT_TRUE(public_key.ok()) << public_key.status().ToString();
    EXPECT_EQ(public_key->algorithm(), algorithm);
    EXPECT_EQ(public_key->key_id(), key.key_id());
    EXPECT_EQ(public_key->spki_der(), key.public_key().spki_der());
    EXPECT_EQ(public_key->ToPem(), public_pem);

    // A signature by the reloaded private key verifies under the reloaded public key.
    Bytes signature = MustSign(*reloaded, "round trip");
    EXPECT_TRUE(public_key->Verify(AsBytes("round trip"), signature));

    auto from_der = PublicKey::FromSpkiDer(key.public_key().spki_der());
    ASSERT_TRUE(from_der.ok());
    EXPECT_EQ(from_der->key_id(), key.key_id());
  }
}

TEST(SignatureTest, KeyIdIsSha256OfSpkiDer) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    PrivateKey key = MustGenerate(algorithm);
    EXPECT_EQ(key.key_id(), KeyIdByOpenSsl(key.ToPem()));
    EXPECT_EQ(key.key_id(), DigestHex(Hash(HashAlgorithm::kSha256, key.public_key().spki_der())));
  }
}

TEST(SignatureTest, Ed25519Rfc8032TestVector1) {
  // RFC 8032 §7.1 TEST 1: deterministic signature of the empty message.
  auto secret = HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(secret.ok());
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, secret->data(),
                                               secret->size());
  ASSERT_NE(raw, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(raw);

  auto key = PrivateKey::FromPem(pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_EQ(key->algorithm(), SignatureAlgorithm::kEd25519);
  const Bytes& spki = key->public_key().spki_der();
  ASSERT_GE(spki.size(), 32u);
  EXPECT_EQ(HexEncode(ByteView(spki).last(32)),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes signature = MustSign(*key, "");
  EXPECT_EQ(HexEncode(signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
            "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(key->public_key().Verify({}, signature));
}

TEST(SignatureTest, GarbagePemIsRefusedWithAMessage) {
  const std::string inputs[] = {
      "",
      "not a key",
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
  };
  for (const std::string& input : inputs) {
    auto public_key = PublicKey::FromPem(input);
    ASSERT_FALSE(public_key.ok()) << input;
    EXPECT_FALSE(public_key.status().message().empty());
    auto private_key = PrivateKey::FromPem(input);
    ASSERT_FALSE(private_key.ok()) << input;
    EXPECT_FALSE(private_key.status().message().empty());
  }
  // A private key where a public one is expected, and the other way round.
  PrivateKey key = MustGenerate(SignatureAlgorithm::kP256);
  auto wrong_label = PublicKey::FromPem(key.ToPem());
  ASSERT_FALSE(wrong_label.ok());
  EXPECT_NE(wrong_label.status().message().find("PUBLIC KEY"), std::string::npos);
  EXPECT_FALSE(PrivateKey::FromPem(key.public_key().ToPem()).ok());
  EXPECT_FALSE(PublicKey::FromSpkiDer({}).ok());
  Bytes truncated = key.public_key().spki_der();
  truncated.pop_back();
  EXPECT_FALSE(PublicKey::FromSpkiDer(truncated).ok());
  Bytes trailing = key.public_key().spki_der();
  trailing.push_back(0);
  EXPECT_FALSE(PublicKey::FromSpkiDer(trailing).ok());
}

TEST(SignatureTest, OtherCurvesAndKeyTypesAreRefused) {
  for (const char* curve : {"P-384", "secp256k1"}) {
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
    ASSERT_NE(raw, nullptr) << curve;
    unsigned char* der = nullptr;
    int length = i2d_PUBKEY(raw, &der);
    ASSERT_GT(length, 0);
    auto public_key = PublicKey::FromSpkiDer(ByteView(der, static_cast<size_t>(length)));
    OPENSSL_free(der);
    ASSERT_FALSE(public_key.ok()) << curve;
    EXPECT_NE(public_key.status().message().find("curve"), std::string::npos);

    BIO* bio = BIO_new(BIO_s_mem());
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr), 1);
    char* data = nullptr;
    long pem_length = BIO_get_mem_data(bio, &data);
    auto private_key = PrivateKey::FromPem(std::string(data, static_cast<size_t>(pem_length)));
    BIO_free(bio);
    EVP_PKEY_free(raw);
    EXPECT_FALSE(private_key.ok()) << curve;
  }
  EVP_PKEY* x25519 = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  ASSERT_NE(x25519, nullptr);
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(x25519, &der);
  auto public_key = PublicKey::FromSpkiDer(ByteView(der, static_cast<size_t>(length)));
  OPENSSL_free(der);
  EVP_PKEY_free(x25519);
  EXPECT_FALSE(public_key.ok());
}

// Regression: a compressed point decoded to the same key and re-encoded
// compressed, so FromSpkiDer accepted it under a second key id (found by the
// receipt corpus, tests/vectors/receipts/, case genesis-p256-key-compressed).
TEST(SignatureTest, CompressedPointIsRefused) {
  for (SignatureAlgorithm algorithm : {SignatureAlgorithm::kP256, SignatureAlgorithm::kSm2}) {
    PrivateKey key = MustGenerate(algorithm);
    const Bytes& canonical = key.public_key().spki_der();
    const unsigned char* cursor = canonical.data();
    EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(canonical.size()));
    ASSERT_NE(pkey, nullptr);
    ASSERT_EQ(EVP_PKEY_set_utf8_string_param(pkey, "point-format", "compressed"), 1);
    unsigned char* der = nullptr;
    int length = i2d_PUBKEY(pkey, &der);
    EVP_PKEY_free(pkey);
    ASSERT_GT(length, 0);
    Bytes compressed(der, der + length);
    OPENSSL_free(der);
    ASSERT_LT(compressed.size(), canonical.size());
    auto parsed = PublicKey::FromSpkiDer(compressed);
    ASSERT_FALSE(parsed.ok()) << SignatureAlgorithmName(algorithm);
    EXPECT_NE(parsed.status().message().find("canonical"), std::string::npos);
    EXPECT_TRUE(PublicKey::FromSpkiDer(canonical).ok());
  }
}

TEST(SignatureTest, SavePemIsPrivateAndNeverOverwrites) {
  TempDir dir;
  PrivateKey key = MustGenerate(SignatureAlgorithm::kEd25519);
  const std::string path = dir.File("agency.pem");
  ASSERT_TRUE(key.SavePem(path).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto loaded = PrivateKey::LoadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->key_id(), key.key_id());

  PrivateKey other = MustGenerate(SignatureAlgorithm::kEd25519);
  Status again = other.SavePem(path);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find(path), std::string::npos);
  // The first key is still there, untouched.
  auto still = PrivateKey::LoadPem(path);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->key_id(), key.key_id());

  auto missing = PrivateKey::LoadPem(dir.File("missing.pem"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.pem"), std::string::npos);
  EXPECT_FALSE(key.SavePem(dir.File("no-such-dir/key.pem")).ok());
}

TEST(SignatureTest, PublicKeyLoadPemAndCopies) {
  TempDir dir;
  PrivateKey key = MustGenerate(SignatureAlgorithm::kP256);
  const std::string path = dir.File("pub.pem");
  ASSERT_TRUE(key.public_key().SavePem(path).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  Status again = MustGenerate(SignatureAlgorithm::kP256).public_key().SavePem(path);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  auto loaded = PublicKey::LoadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  PublicKey copy = *loaded;
  PublicKey assigned = MustGenerate(SignatureAlgorithm::kSm2).public_key();
  assigned = copy;
  Bytes signature = MustSign(key, "copy");
  EXPECT_TRUE(copy.Verify(AsBytes("copy"), signature));
  EXPECT_TRUE(assigned.Verify(AsBytes("copy"), signature));
  EXPECT_EQ(assigned.algorithm(), SignatureAlgorithm::kP256);
  EXPECT_EQ(assigned.key_id(), key.key_id());
  EXPECT_NE(assigned.native_handle(), nullptr);
}

// SM2 with the default id through a context built by hand with OpenSSL's
// documented 3.0 API, independent of signature.cc.
bool OpenSslSm2Verify(EVP_PKEY* pkey, std::string_view id, ByteView message, ByteView signature) {
  EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  bool ok = EVP_DigestVerifyInit_ex(md_ctx, &pkey_ctx, "SM3", nullptr, nullptr, pkey, nullptr) ==
                1 &&
            EVP_PKEY_CTX_set1_id(pkey_ctx, id.data(), id.size()) == 1 &&
            EVP_DigestVerify(md_ctx, signature.data(), signature.size(), message.data(),
                             message.size()) == 1;
  EVP_MD_CTX_free(md_ctx);  // owns pkey_ctx
  return ok;
}

Bytes OpenSslSm2Sign(EVP_PKEY* pkey, std::string_view id, ByteView message) {
  EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  Bytes signature(EVP_PKEY_get_size(pkey));
  size_t length = signature.size();
  EVIDENCE_CHECK(EVP_DigestSignInit_ex(md_ctx, &pkey_ctx, "SM3", nullptr, nullptr, pkey,
                                       nullptr) == 1);
  EVIDENCE_CHECK(EVP_PKEY_CTX_set1_id(pkey_ctx, id.data(), id.size()) == 1);
  EVIDENCE_CHECK(EVP_DigestSign(md_ctx, signature.data(), &length, message.data(),
                                message.size()) == 1);
  EVP_MD_CTX_free(md_ctx);
  signature.resize(length);
  return signature;
}

TEST(SignatureTest, Sm2InteroperatesWithPlainOpenSslDefaultId) {
  PrivateKey key = MustGenerate(SignatureAlgorithm::kSm2);
  auto* pkey = static_cast<EVP_PKEY*>(key.native_handle());
  auto* public_pkey = static_cast<EVP_PKEY*>(key.public_key().native_handle());
  const ByteView message = AsBytes("GB/T 32918 interop");

  Bytes ours = MustSign(key, "GB/T 32918 interop");
  EXPECT_TRUE(OpenSslSm2Verify(public_pkey, "1234567812345678", message, ours));
  EXPECT_FALSE(OpenSslSm2Verify(public_pkey, "ALICE123@YAHOO.COM", message, ours));

  Bytes theirs = OpenSslSm2Sign(pkey, "1234567812345678", message);
  EXPECT_TRUE(key.public_key().Verify(message, theirs));
  // Another distinguishing id gives another Z value: the signature must not verify.
  Bytes other_id = OpenSslSm2Sign(pkey, "ALICE123@YAHOO.COM", message);
  EXPECT_FALSE(key.public_key().Verify(message, other_id));
}

TEST(SignatureTest, EcKeyOnCurveSm2LoadsAsSm2) {
  // OpenSSL 3.0 generates "EC" keys on curve SM2; their PKCS#8 decodes as SM2.
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "SM2");
  ASSERT_NE(raw, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  auto key = PrivateKey::FromPem(std::string(data, static_cast<size_t>(length)));
  BIO_free(bio);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->algorithm(), SignatureAlgorithm::kSm2);
  const ByteView message = AsBytes("ec on sm2");
  Bytes signature = MustSign(*key, "ec on sm2");
  EXPECT_TRUE(key->public_key().Verify(message, signature));
  // The original EC-typed key verifies it with OpenSSL's SM2 signature and the same id.
  unsigned char* der = nullptr;
  int der_length = i2d_PUBKEY(raw, &der);
  const unsigned char* cursor = der;
  EVP_PKEY* decoded = d2i_PUBKEY(nullptr, &cursor, der_length);
  OPENSSL_free(der);
  ASSERT_NE(decoded, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(decoded, "SM2"));
  EXPECT_TRUE(OpenSslSm2Verify(decoded, kSm2DefaultUserId, message, signature));
  EVP_PKEY_free(decoded);
  EVP_PKEY_free(raw);
}

TEST(SignatureTest, ConcurrentSignAndVerifyOnSharedKeys) {
  for (SignatureAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(SignatureAlgorithmName(algorithm)));
    const PrivateKey key = MustGenerate(algorithm);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&key, &failures, t] {
        for (int i = 0; i < 50; ++i) {
          std::string message = "thread " + std::to_string(t) + " message " + std::to_string(i);
          auto signature = key.Sign(AsBytes(message));
          if (!signature.ok() || !key.public_key().Verify(AsBytes(message), *signature) ||
              key.public_key().Verify(AsBytes(message + "!"), *signature)) {
            ++failures;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
  }
}

// The node tells a client that sent a raw r || s signature (WebCrypto, .NET,
// PKCS#11) which encoding it needs; these two functions are how it knows.
TEST(SignatureTest, RawRSAndDerEncodings) {
  for (SignatureAlgorithm algorithm : {SignatureAlgorithm::kP256, SignatureAlgorithm::kSm2}) {
    auto key = PrivateKey::Generate(algorithm).value();
    const std::string message = "message";
    Bytes der = key.Sign(AsBytes(message)).value();
    EXPECT_TRUE(IsDerEcdsaSignature(der));
    // r || s from the DER form, each left-padded to 32 bytes.
    const unsigned char* cursor = der.data();
    ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
    ASSERT_NE(parsed, nullptr);
    Bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(parsed), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(parsed), raw.data() + 32, 32);
    ECDSA_SIG_free(parsed);
    ASSERT_EQ(raw.size(), 64u);
    EXPECT_FALSE(IsDerEcdsaSignature(raw));
    EXPECT_FALSE(key.public_key().Verify(AsBytes(message), raw));
    auto converted = EcdsaRawToDer(raw);
    ASSERT_TRUE(converted.ok());
    EXPECT_EQ(*converted, der);
    EXPECT_TRUE(key.public_key().Verify(AsBytes(message), *converted));
  }
  EXPECT_FALSE(EcdsaRawToDer(Bytes(63, 1)).ok());
  EXPECT_FALSE(IsDerEcdsaSignature(Bytes()));
}

}  // namespace
}  // namespace evidence::crypto
