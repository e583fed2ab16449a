#include "node/checkpoints.h"

#include "common/check.h"

namespace evidence::node {

CheckpointService::CheckpointService(const ledger::Genesis& genesis, const ledger::Store& store,
                                     const crypto::PrivateKey* vote_key,
                                     std::string validator_name,
                                     std::vector<crypto::NoteKey> witnesses,
                                     std::function<uint64_t()> clock_seconds)
    : genesis_(genesis),
      store_(store),
      // A validator whose key name cannot be a note key name (a space in its
      // name) does not sign; its checkpoint carries the cosignatures only.
      vote_key_(crypto::IsNoteKeyName(ValidatorKeyName(genesis, validator_name)) ? vote_key
                                                                                 : nullptr),
      validator_name_(std::move(validator_name)),
      witnesses_(std::move(witnesses)),
      clock_seconds_(std::move(clock_seconds)) {
  EVIDENCE_CHECK(clock_seconds_ != nullptr);
}

std::string CheckpointService::ValidatorKeyName(const ledger::Genesis& genesis,
                                                std::string_view name) {
  return genesis.chain_id() + "/" + std::string(name);
}

std::string CheckpointService::CurrentText() const {
  const ledger::TreeHead head = store_.head();
  crypto::Checkpoint checkpoint;
  checkpoint.origin = genesis_.chain_id();
  checkpoint.size = head.size;
  checkpoint.root.assign(head.root.begin(), head.root.end());
  return crypto::EncodeCheckpointText(checkpoint);
}

Result<std::string> CheckpointService::GetCheckpoint() {
  if (store_.height() == 0) return Status::NotFound("nothing is committed yet");
  const std::string text = CurrentText();
  crypto::Note note;
  note.text = text;
  MutexLock lock(&mutex_);
  if (vote_key_ != nullptr && signed_text_ != text) {
    auto signature =
        crypto::SignNote(*vote_key_, ValidatorKeyName(genesis_, validator_name_),
                         crypto::NoteKey::ForValidator(ValidatorKeyName(genesis_, validator_name_),
                                                       vote_key_->public_key())
                             .type(),
                         text);
    if (!signature.ok()) return signature.status();
    signed_text_ = text;
    log_signature_ = std::move(*signature);
  }
  if (vote_key_ != nullptr) note.signatures.push_back(*log_signature_);
  for (const auto& [name, cosigned] : cosignatures_) {
    if (cosigned.first == text) note.signatures.push_back(cosigned.second);
  }
  if (note.signatures.empty()) {
    return Status::NotFound("this node does not sign checkpoints and holds no cosignature yet");
  }
  return crypto::EncodeNote(note);
}

Status CheckpointService::AddCosignature(std::string_view body) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Note note, crypto::DecodeNote(body));
  if (note.signatures.size() != 1) {
    return Status::InvalidArgument("send the checkpoint with exactly one signature, your cosignature");
  }
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Checkpoint checkpoint, crypto::DecodeCheckpointText(note.text));
  if (checkpoint.origin != genesis_.chain_id()) {
    return Status::InvalidArgument("the checkpoint's origin is \"" + checkpoint.origin +
                                   "\", not this chain's \"" + genesis_.chain_id() + "\"");
  }
  const crypto::NoteSignature& signature = note.signatures[0];
  const crypto::NoteKey* key = nullptr;
  for (const crypto::NoteKey& witness : witnesses_) {
    if (witness.Matches(signature)) key = &witness;
  }
  if (key == nullptr) {
    return Status::PermissionDenied("no witness key \"" + signature.name + "\" with this key ID is known here");
  }
  uint64_t time_seconds = 0;
  if (!key->Verify(note.text, signature, &time_seconds)) {
    return Status::InvalidArgument("the cosignature of " + signature.name + " does not verify");
  }
  if (time_seconds > clock_seconds_() + kCosignatureFutureSkewSeconds) {
    return Status::InvalidArgument("the cosignature's time is in the future");
  }
  if (note.text != CurrentText()) {
    return Status::InvalidArgument("stale: the cosigned checkpoint (size " +
                                   std::to_string(checkpoint.size) +
                                   ") is not the one this node serves now; fetch /checkpoint again");
  }
  MutexLock lock(&mutex_);
  cosignatures_[signature.name] = {note.text, signature};
  return Status::Ok();
}

}  // namespace evidence::node
