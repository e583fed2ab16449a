// Keys and signatures: ECDSA P-256 (with SHA-256), Ed25519 and SM2 (GB/T 32918,
// with SM3 and the default user id "1234567812345678"), all through OpenSSL 3.
//
// Keys are stored as PEM: PKCS#8 for private keys, SubjectPublicKeyInfo for public
// keys. A key id is the lower-case hex SHA-256 of the SPKI DER encoding, whatever
// the chain's hash algorithm (it names a key, it is not a chain digest).
//
// Signature encodings: P-256 and SM2 signatures are DER (ASN.1 SEQUENCE of r, s)
// as OpenSSL produces them; Ed25519 signatures are the 64 raw bytes of RFC 8032.
// Verification is strict: non-DER (BER) encodings are refused, and so is every
// signature Wycheproof calls "acceptable" (legal to accept or refuse).
//
// Thread-safety: a key object is immutable after construction; Sign and Verify
// may be called from several threads at once on the same key.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace evidence::crypto {

enum class SignatureAlgorithm { kP256, kEd25519, kSm2 };

// "p256" / "ed25519" / "sm2": names used in records, genesis and the CLI.
std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm);
Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name);

// The default SM2 distinguishing id (GB/T 35276). OpenSSL 3.0 verifies SM2
// signatures only when the id is set explicitly, so it always is.
inline constexpr std::string_view kSm2DefaultUserId = "1234567812345678";

// P-256 and SM2 signature encodings. The ledger takes DER (SEQUENCE { INTEGER r,
// INTEGER s }); WebCrypto, .NET, PKCS#11 tokens and many USB keys give the raw
// 64 bytes r || s (each 32 bytes, big-endian). These two functions let the node
// tell a client which one it sent.
// True when `signature` is exactly the DER encoding of some (r, s).
bool IsDerEcdsaSignature(ByteView signature);
// The DER encoding of a raw r || s signature of a 256-bit curve (64 bytes).
Result<Bytes> EcdsaRawToDer(ByteView raw);

class PublicKey {
 public:
  // From DER SubjectPublicKeyInfo / PEM "PUBLIC KEY". Refuses keys of other
  // algorithms or curves, invalid points, and any encoding other than the
  // canonical DER one (uncompressed point, named curve), so one key has one id.
  static Result<PublicKey> FromSpkiDer(ByteView der);
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> LoadPem(const std::string& path);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  ~PublicKey();

  SignatureAlgorithm algorithm() const { return algorithm_; }
  const Bytes& spki_der() const { return spki_der_; }
  std::string ToPem() const;
  // Writes ToPem() with mode 0644, refusing to overwrite an existing file.
  Status SavePem(const std::string& path) const;
  // Hex SHA-256 of spki_der(); computed once.
  const std::string& key_id() const { return key_id_; }

  // True only when `signature` is a valid signature of `message` under this key.
  bool Verify(ByteView message, ByteView signature) const;

  // Raw OpenSSL handle (EVP_PKEY*), for TLS pinning. Owned by this object.
  void* native_handle() const;

 private:
  struct Impl;
  PublicKey(std::unique_ptr<Impl> impl, SignatureAlgorithm algorithm, Bytes spki_der);
  std::unique_ptr<Impl> impl_;
  SignatureAlgorithm algorithm_;
  Bytes spki_der_;
  std::string key_id_;
};

class PrivateKey {
 public:
  static Result<PrivateKey> Generate(SignatureAlgorithm algorithm);
  // PEM "PRIVATE KEY" (unencrypted PKCS#8).
  static Result<PrivateKey> FromPem(std::string_view pem);
  static Result<PrivateKey> LoadPem(const std::string& path);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  SignatureAlgorithm algorithm() const { return public_key_.algorithm(); }
  const PublicKey& public_key() const { return public_key_; }
  const std::string& key_id() const { return public_key_.key_id(); }

  // PKCS#8 PEM; the intermediate buffers are wiped.
  std::string ToPem() const;
  // Writes the PEM with mode 0600, refusing to overwrite an existing file.
  Status SavePem(const std::string& path) const;

  Result<Bytes> Sign(ByteView message) const;

  void* native_handle() const;  // EVP_PKEY*, owned by this object

 private:
  struct Impl;
  PrivateKey(std::unique_ptr<Impl> impl, PublicKey public_key);
  std::unique_ptr<Impl> impl_;
  PublicKey public_key_;
};

}  // namespace evidence::crypto
