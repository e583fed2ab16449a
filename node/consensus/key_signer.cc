#include "node/consensus/key_signer.h"

#include "common/check.h"

namespace evidence::consensus {

KeySigner::KeySigner(const crypto::PrivateKey& key)
    : key_(key), key_id_(key.public_key().key_id()) {}

bool KeySigner::Holds(const crypto::PublicKey& vote_key) const {
  return vote_key.key_id() == key_id_;
}

Bytes KeySigner::Sign(const crypto::PublicKey& vote_key, ByteView message) {
  EVIDENCE_CHECK(Holds(vote_key));
  return Sign(message);
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
