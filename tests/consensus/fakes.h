// Test doubles for the consensus core: a keyed-hash signer and verifier (each
// validator's key only signs for it), SHA-256 block hashing with a validity
// flag, and validator sets over real (cached) Ed25519 public keys.
#pragma once

#include <algorithm>
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

class FakeSigner : public Signer {
 public:
  explicit FakeSigner(uint64_t key) : key_(key) {}
  Bytes Sign(ByteView message) override {
    ++signatures;
    return KeyedHash(key_, message);
  }
  int signatures = 0;

 private:
  uint64_t key_;
};

class FakeVerifier : public SignatureVerifier {
 public:
  bool Verify(uint32_t index, ByteView message, ByteView signature) const override {
    Bytes expected = KeyedHash(1000 + index, message);
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

inline ledger::ValidatorSet MakeValidatorSet(const std::vector<uint64_t>& powers) {
  static std::vector<crypto::PublicKey> keys;
  while (keys.size() < powers.size()) {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
    EVIDENCE_CHECK(key.ok());
    keys.push_back(key->public_key());
  }
  std::vector<ledger::Validator> validators;
  for (size_t i = 0; i < powers.size(); ++i) {
    validators.push_back({"v" + std::to_string(i), "test", keys[i], powers[i]});
  }
  auto set = ledger::ValidatorSet::Create(std::move(validators));
  EVIDENCE_CHECK(set.ok());
  return std::move(set).value();
}

}  // namespace evidence::consensus::testing
