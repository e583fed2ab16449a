#include "node/consensus/key_signer.h"

#include "common/check.h"

namespace evidence::consensus {

KeySigner::KeySigner(const crypto::PrivateKey& key) : KeySigner(key, nullptr) {}

KeySigner::KeySigner(const crypto::PrivateKey& key, const crypto::PrivateKey* next)
    : key_(key),
      key_id_(key.public_key().key_id()),
      next_(next),
      next_key_id_(next != nullptr ? next->public_key().key_id() : "") {
  EVIDENCE_CHECK(next_key_id_ != key_id_);
}

bool KeySigner::Holds(const crypto::PublicKey& vote_key) const {
  const std::string key_id = vote_key.key_id();
  return key_id == key_id_ || (next_ != nullptr && key_id == next_key_id_);
}

Bytes KeySigner::Sign(const crypto::PublicKey& vote_key, ByteView message) {
  EVIDENCE_CHECK(Holds(vote_key));
  if (vote_key.key_id() == key_id_) return Sign(message);
  Result<Bytes> signature = next_->Sign(message);
  EVIDENCE_CHECK_MSG(signature.ok(), signature.status().ToString().c_str());
  return std::move(signature).value();
}

Bytes KeySigner::Sign(ByteView message) {
  Result<Bytes> signature = key_.Sign(message);
  // Signing with a loaded key only fails when OpenSSL itself is broken.
  EVIDENCE_CHECK_MSG(signature.ok(), signature.status().ToString().c_str());
  return std::move(signature).value();
}

bool ValidatorSetVerifier::Verify(const ledger::ValidatorSet& validators,
                                  uint32_t validator_index, ByteView message,
                                  ByteView signature) const {
  if (validator_index >= validators.size()) return false;
  return validators.at(validator_index).vote_key.Verify(message, signature);
}

}  // namespace evidence::consensus
