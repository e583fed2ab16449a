// The consensus Signer and SignatureVerifier over real keys (crypto/signature.h):
// what the node plugs into the core. The signer holds the node's vote key; the
// verifier checks signatures against the vote keys of the set it is given (the
// set of the message's height).
//
// Thread-safety: KeySigner is not thread-safe (the core's strand owns it);
// ValidatorSetVerifier is stateless and may be shared.
#pragma once

#include "crypto/signature.h"
#include "ledger/vote.h"
#include "node/consensus/interfaces.h"

namespace evidence::consensus {

class KeySigner : public Signer {
 public:
  // The key must outlive the signer.
  explicit KeySigner(const crypto::PrivateKey& key);
  // Also `next`: the vote key a governance rotation (rotate-validator-keys)
  // gives this validator; the core signs with whichever key the set of its
  // height holds (never both: a set holds each key once). Both must outlive it.
  KeySigner(const crypto::PrivateKey& key, const crypto::PrivateKey* next);
  bool Holds(const crypto::PublicKey& vote_key) const override;
  Bytes Sign(const crypto::PublicKey& vote_key, ByteView message) override;
  // Signs with the one key this signer holds (tools and tests).
  Bytes Sign(ByteView message);

 private:
  const crypto::PrivateKey& key_;
  const std::string key_id_;
  const crypto::PrivateKey* const next_;  // null: one key
  const std::string next_key_id_;
};

class ValidatorSetVerifier : public SignatureVerifier {
 public:
  bool Verify(const ledger::ValidatorSet& validators, uint32_t validator_index, ByteView message,
              ByteView signature) const override;
};

}  // namespace evidence::consensus
