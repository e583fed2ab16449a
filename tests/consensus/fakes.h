// Test doubles for the consensus core: a keyed-hash signer and verifier (each
// validator's key only signs for it), SHA-256 block hashing with a validity
// flag, and validator sets over real (cached) Ed25519 public keys, each key
// with its fake secret, so that a validator keeps its signatures whatever its
// index in a set.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <vector>

#include "common/check.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/vote.h"
#include "node/consensus/interfaces.h"

namespace evidence::consensus::testing {

inline Bytes KeyedHash(uint64_t key, ByteView message) {
  crypto::Hasher hasher(crypto::HashAlgorithm::kSha256);
  uint8_t key_bytes[8];
  for (int i = 0; i < 8; ++i) key_bytes[i] = static_cast<uint8_t>(key >> (8 * i));
  hasher.Update(ByteView(key_bytes, 8)).Update(message);
  crypto::Digest digest = hasher.Finish();
  return Bytes(digest.begin(), digest.begin() + 16);
}

// The Ed25519 public keys test validators are named by (real keys, made once
// per process): key i is the vote key of the validator whose fake signing
// secret is 1000 + i, whatever its index in a set.
struct TestKeys {
  std::vector<crypto::PublicKey> keys;
  std::map<std::string, size_t, std::less<>> numbers;  // key id -> i
};
inline TestKeys& TestKeyRegistry() {
  static TestKeys registry;
  return registry;
}

inline const crypto::PublicKey& TestKey(size_t i) {
  TestKeys& registry = TestKeyRegistry();
  while (registry.keys.size() <= i) {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
    EVIDENCE_CHECK(key.ok());
    registry.numbers.emplace(key->public_key().key_id(), registry.keys.size());
    registry.keys.push_back(key->public_key());
  }
  return registry.keys[i];
}

inline constexpr uint64_t kTestSecretBase = 1000;

// The secret of a test key (kTestSecretBase + its number), or 0 for another key.
inline uint64_t TestSecret(const crypto::PublicKey& key) {
  const TestKeys& registry = TestKeyRegistry();
  auto it = registry.numbers.find(key.key_id());
  return it == registry.numbers.end() ? 0 : kTestSecretBase + it->second;
}

// Signs with the secrets of the test keys it was given (kTestSecretBase + i:
// test key i); Sign(message) signs with the first.
class FakeSigner : public Signer {
 public:
  explicit FakeSigner(uint64_t secret) : secrets_{secret} {}
  explicit FakeSigner(std::vector<uint64_t> secrets) : secrets_(std::move(secrets)) {}
  bool Holds(const crypto::PublicKey& vote_key) const override {
    uint64_t secret = TestSecret(vote_key);
    return std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end();
  }
  Bytes Sign(const crypto::PublicKey& vote_key, ByteView message) override {
    EVIDENCE_CHECK(Holds(vote_key));
    ++signatures;
    return KeyedHash(TestSecret(vote_key), message);
  }
  Bytes Sign(ByteView message) {
    ++signatures;
    return KeyedHash(secrets_.front(), message);
  }
  int signatures = 0;

 private:
  std::vector<uint64_t> secrets_;
};

// Checks a signature against the secret of the test key the set names at `index`.
class FakeVerifier : public SignatureVerifier {
 public:
  bool Verify(const ledger::ValidatorSet& validators, uint32_t index, ByteView message,
              ByteView signature) const override {
    if (index >= validators.size()) return false;
    uint64_t secret = TestSecret(validators.at(index).vote_key);
    if (secret == 0) return false;
    Bytes expected = KeyedHash(secret, message);
    return signature.size() == expected.size() &&
           std::equal(expected.begin(), expected.end(), signature.begin());
  }
};

// A block is valid at height h when it is non-empty and its first byte is not 0xff.
class FakeBlocks : public BlockValidator {
 public:
  crypto::Digest Hash(ByteView block) const override {
    return crypto::Hash(crypto::HashAlgorithm::kSha256, block);
  }
  bool IsValid(uint64_t, ByteView block) override {
    return !block.empty() && block[0] != 0xff;
  }
};

// Validator i holds test key `key_numbers[i]` (by default i) and `powers[i]`.
inline ledger::ValidatorSet MakeValidatorSet(const std::vector<uint64_t>& powers,
                                             std::vector<size_t> key_numbers = {}) {
  if (key_numbers.empty()) {
    for (size_t i = 0; i < powers.size(); ++i) key_numbers.push_back(i);
  }
  EVIDENCE_CHECK(key_numbers.size() == powers.size());
  std::vector<ledger::Validator> validators;
  for (size_t i = 0; i < powers.size(); ++i) {
    validators.push_back({"v" + std::to_string(key_numbers[i]), "test", TestKey(key_numbers[i]),
                          powers[i]});
  }
  auto set = ledger::ValidatorSet::Create(std::move(validators));
  EVIDENCE_CHECK(set.ok());
  return std::move(set).value();
}

}  // namespace evidence::consensus::testing
