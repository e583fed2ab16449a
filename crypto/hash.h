// Hash functions of the chain: SHA-256 (default) or SM3 (GB/T 32905), both with
// 32-byte output, both through OpenSSL 3. The algorithm is a per-chain setting
// fixed in genesis.
//
// Thread-safety: free functions are thread-safe. A Hasher is not; use one per thread.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace evidence::crypto {

enum class HashAlgorithm { kSha256, kSm3 };

inline constexpr size_t kDigestBytes = 32;
using Digest = std::array<uint8_t, kDigestBytes>;

// "sha256" / "sm3": the names used in genesis, digests ("sm3:<hex>") and the CLI.
std::string_view HashAlgorithmName(HashAlgorithm algorithm);
Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name);

// One-shot hash.
Digest Hash(HashAlgorithm algorithm, ByteView data);
inline Digest Hash(HashAlgorithm algorithm, std::string_view data) {
  return Hash(algorithm, AsBytes(data));
}

// Incremental hash over an OpenSSL EVP_MD_CTX (owned; reusable after Finish()).
class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  HashAlgorithm algorithm() const { return algorithm_; }
  Hasher& Update(ByteView data);
  Hasher& Update(std::string_view data) { return Update(AsBytes(data)); }
  Hasher& Update(uint8_t byte) { return Update(ByteView(&byte, 1)); }
  // Returns the digest and resets the hasher for a new message.
  Digest Finish();

 private:
  struct Impl;
  HashAlgorithm algorithm_;
  std::unique_ptr<Impl> impl_;
};

std::string DigestHex(const Digest& digest);
Result<Digest> DigestFromHex(std::string_view hex);  // exactly 64 hex digits
Digest DigestFromBytes(ByteView bytes);               // CHECKs size == 32

}  // namespace evidence::crypto
