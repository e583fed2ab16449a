#include "node/consensus/key_signer.h"

#include "common/check.h"

namespace evidence::consensus {

Bytes KeySigner::Sign(ByteView message) {
  Result<Bytes> signature = key_.Sign(message);
  // Signing with a loaded key only fails when OpenSSL itself is broken.
  EVIDENCE_CHECK_MSG(signature.ok(), signature.status().ToString().c_str());
  return std::move(signature).value();
}

bool ValidatorSetVerifier::Verify(uint32_t validator_index, ByteView message,
                                  ByteView signature) const {
  if (validator_index >= validators_.size()) return false;
  return validators_.at(validator_index).vote_key.Verify(message, signature);
}

}  // namespace evidence::consensus
