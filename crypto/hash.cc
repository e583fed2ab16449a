#include "crypto/hash.h"

#include <openssl/evp.h>

#include "common/check.h"
#include "common/encoding.h"

namespace evidence::crypto {
namespace {

// Fetched once per process and never freed: OpenSSL's fetch is costly and the
// EVP_MD objects are immutable, so every thread may share them.
const EVP_MD* FetchMd(HashAlgorithm algorithm) {
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kSm3 = EVP_MD_fetch(nullptr, "SM3", nullptr);
  const EVP_MD* md = algorithm == HashAlgorithm::kSha256 ? kSha256 : kSm3;
  // Missing SHA-256 or SM3 means a broken OpenSSL install, not bad input.
  EVIDENCE_CHECK_MSG(md != nullptr, "OpenSSL lacks SHA-256 or SM3 (default provider not loaded?)");
  EVIDENCE_CHECK(EVP_MD_get_size(md) == static_cast<int>(kDigestBytes));
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

}  // namespace

std::string_view HashAlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kSm3:
      return "sm3";
  }
  EVIDENCE_CHECK_MSG(false, "unknown HashAlgorithm");
  return {};
}

Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name) {
  if (name == "sha256") return HashAlgorithm::kSha256;
  if (name == "sm3") return HashAlgorithm::kSm3;
  return Status::InvalidArgument("unknown hash algorithm \"" + std::string(name) +
                                 "\" (expected sha256 or sm3)");
}

Digest Hash(HashAlgorithm algorithm, ByteView data) {
  Digest digest;
  unsigned int size = 0;
  // EVP_Digest creates and frees its own context: safe from any thread.
  int ok = EVP_Digest(data.data(), data.size(), digest.data(), &size, FetchMd(algorithm), nullptr);
  EVIDENCE_CHECK(ok == 1 && size == kDigestBytes);
  return digest;
}

struct Hasher::Impl {
  MdCtxPtr ctx;
};

Hasher::Hasher(HashAlgorithm algorithm)
    : algorithm_(algorithm), impl_(std::make_unique<Impl>(Impl{MdCtxPtr(EVP_MD_CTX_new())})) {
  EVIDENCE_CHECK_MSG(impl_->ctx != nullptr, "EVP_MD_CTX_new failed (out of memory)");
  EVIDENCE_CHECK(EVP_DigestInit_ex2(impl_->ctx.get(), FetchMd(algorithm_), nullptr) == 1);
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

Hasher& Hasher::Update(ByteView data) {
  EVIDENCE_CHECK_MSG(impl_ != nullptr, "Hasher used after move");
  EVIDENCE_CHECK(EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) == 1);
  return *this;
}

Digest Hasher::Finish() {
  EVIDENCE_CHECK_MSG(impl_ != nullptr, "Hasher used after move");
  Digest digest;
  unsigned int size = 0;
  EVIDENCE_CHECK(EVP_DigestFinal_ex(impl_->ctx.get(), digest.data(), &size) == 1);
  EVIDENCE_CHECK(size == kDigestBytes);
  EVIDENCE_CHECK(EVP_DigestInit_ex2(impl_->ctx.get(), FetchMd(algorithm_), nullptr) == 1);
  return digest;
}

std::string DigestHex(const Digest& digest) { return HexEncode(digest); }

Result<Digest> DigestFromHex(std::string_view hex) {
  EVIDENCE_ASSIGN_OR_RETURN(Bytes bytes, HexDecodeExact(hex, kDigestBytes));
  return DigestFromBytes(bytes);
}

Digest DigestFromBytes(ByteView bytes) {
  EVIDENCE_CHECK_MSG(bytes.size() == kDigestBytes, "digest must be 32 bytes");
  Digest digest;
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

}  // namespace evidence::crypto
