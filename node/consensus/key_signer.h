// The consensus Signer and SignatureVerifier over real keys (crypto/signature.h):
// what the node plugs into the core. The verifier checks signatures against the
// vote keys of the validator set.
//
// Thread-safety: KeySigner is not thread-safe (the core's strand owns it);
// ValidatorSetVerifier is immutable and may be shared.
#pragma once

#include "crypto/signature.h"
#include "ledger/vote.h"
#include "node/consensus/interfaces.h"

namespace evidence::consensus {

class KeySigner : public Signer {
 public:
  // The key must outlive the signer.
  explicit KeySigner(const crypto::PrivateKey& key) : key_(key) {}
  Bytes Sign(ByteView message) override;

 private:
  const crypto::PrivateKey& key_;
};

class ValidatorSetVerifier : public SignatureVerifier {
 public:
  // The set must outlive the verifier.
  explicit ValidatorSetVerifier(const ledger::ValidatorSet& validators) : validators_(validators) {}
  bool Verify(uint32_t validator_index, ByteView message, ByteView signature) const override;

 private:
  const ledger::ValidatorSet& validators_;
};

}  // namespace evidence::consensus
