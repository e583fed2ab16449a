#include "node/checkpoints.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/check.h"
#include "common/limits.h"
#include "ledger/json.h"
#include "node/wal.h"

namespace evidence::node {
namespace {

// The state file holds one note per witness key; a list of witnesses that
// shrank since it was written may leave up to this many more.
constexpr size_t kStateFileExtraNotesMax = 64;
constexpr size_t kStateFileNotesMax = 1024;
constexpr size_t kStateFileBytesMax = kStateFileNotesMax * (crypto::kNoteBytesMax + 64);

}  // namespace

std::vector<crypto::NoteKey> WitnessKeys(const ledger::GovernanceState& state,
                                         const std::vector<crypto::NoteKey>& own) {
  std::vector<crypto::NoteKey> out;
  for (const ledger::GenesisWitness& witness : state.witnesses()) {
    // Genesis and ApplyAction checked the name and the Ed25519 key.
    out.push_back(crypto::NoteKey::ForWitness(witness.name, witness.key).value());
  }
  for (const crypto::NoteKey& key : own) {
    if (state.FindWitness(key.name()) != nullptr) continue;
    if (state.KeyEverUsed(key.public_key().key_id())) continue;
    out.push_back(key);
  }
  return out;
}

CheckpointService::CheckpointService(const ledger::Genesis& genesis, const ledger::Store& store,
                                     const crypto::PrivateKey* vote_key,
                                     std::string validator_name,
                                     std::vector<crypto::NoteKey> own_witnesses,
                                     std::function<uint64_t()> clock_seconds,
                                     std::string state_path)
    : genesis_(genesis),
      store_(store),
      // A validator whose key name cannot be a note key name (a space in its
      // name) does not sign; its checkpoint carries the cosignatures only.
      vote_key_(crypto::IsNoteKeyName(ValidatorKeyName(genesis, validator_name)) ? vote_key
                                                                                 : nullptr),
      validator_name_(std::move(validator_name)),
      own_witnesses_(std::move(own_witnesses)),
      clock_seconds_(std::move(clock_seconds)),
      state_path_(std::move(state_path)) {
  EVIDENCE_CHECK(clock_seconds_ != nullptr);
  if (!state_path_.empty()) Load();
}

std::vector<crypto::NoteKey> CheckpointService::Witnesses() const {
  const ledger::GovernanceStatePtr state = store_.NextState();
  EVIDENCE_CHECK(state != nullptr);
  return WitnessKeys(*state, own_witnesses_);
}

const crypto::NoteKey* CheckpointService::Verifier(const std::vector<crypto::NoteKey>& witnesses,
                                                   std::string_view text,
                                                   const crypto::NoteSignature& signature,
                                                   uint64_t* time_seconds) {
  for (const crypto::NoteKey& witness : witnesses) {
    if (witness.Matches(signature) && witness.type() == crypto::NoteKeyType::kCosignatureV1 &&
        witness.Verify(text, signature, time_seconds)) {
      return &witness;
    }
  }
  return nullptr;
}

void CheckpointService::Load() {
  std::error_code error;
  if (!std::filesystem::exists(state_path_, error)) return;
  std::ifstream in(state_path_, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    load_status_ = Status::IoError("cannot read " + state_path_);
    return;
  }
  auto parsed = ledger::StrictJsonParse(content.str(), kStateFileBytesMax, limits::kJsonDepthMax);
  const boost::json::object* root = parsed.ok() ? parsed->if_object() : nullptr;
  const boost::json::array* notes = nullptr;
  if (root != nullptr && root->size() == 2 && root->contains("v") && root->at("v").is_int64() &&
      root->at("v").as_int64() == 1 &&
      root->contains("cosignatures")) {
    notes = root->at("cosignatures").if_array();
  }
  const std::vector<crypto::NoteKey> witnesses = Witnesses();
  if (notes == nullptr || notes->size() > witnesses.size() + kStateFileExtraNotesMax ||
      notes->size() > kStateFileNotesMax) {
    load_status_ = Status::Corruption(state_path_ + " is not a cosignature state file");
    return;
  }
  size_t dropped = 0;
  MutexLock lock(&mutex_);
  for (const boost::json::value& value : *notes) {
    Result<crypto::Note> note = Status::Corruption("not a string");
    if (value.is_string()) {
      note = crypto::DecodeNote(std::string_view(value.as_string().data(), value.as_string().size()));
    }
    uint64_t time_seconds = 0;
    const crypto::NoteKey* key =
        note.ok() && note->signatures.size() == 1
            ? Verifier(witnesses, note->text, note->signatures[0], &time_seconds)
            : nullptr;
    if (key == nullptr || !crypto::DecodeCheckpointText(note->text).ok()) {
      ++dropped;  // a removed witness, or damage: that witness cosigns again
      continue;
    }
    cosignatures_[key->name()] = {note->text, note->signatures[0]};
  }
  if (dropped > 0) {
    spdlog::warn("event=cosignatures_dropped count={} file=\"{}\"", dropped, state_path_);
  }
}

Status CheckpointService::Save() {
  boost::json::array notes;
  for (const auto& [name, cosigned] : cosignatures_) {
    notes.emplace_back(crypto::EncodeNote(crypto::Note{cosigned.first, {cosigned.second}}));
  }
  const std::string text =
      boost::json::serialize(boost::json::object{{"v", 1}, {"cosignatures", std::move(notes)}});
  if (cosignatures_.size() > kStateFileNotesMax || text.size() > kStateFileBytesMax) {
    return Status::ResourceExhausted("more cosignatures than the state file holds");
  }
  return WriteFileAtomically(state_path_, AsBytes(text));
}

size_t CheckpointService::CosignatureCount() {
  MutexLock lock(&mutex_);
  return cosignatures_.size();
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
  // Only the cosignatures of witnesses still in force (governance may have
  // removed one since it cosigned).
  const std::vector<crypto::NoteKey> witnesses = Witnesses();
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
    if (cosigned.first != text) continue;
    const crypto::NoteSignature& signature = cosigned.second;
    const bool in_force = std::any_of(witnesses.begin(), witnesses.end(),
                                      [&](const crypto::NoteKey& w) { return w.Matches(signature); });
    if (in_force) note.signatures.push_back(signature);
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
  const std::vector<crypto::NoteKey> witnesses = Witnesses();
  const bool known = std::any_of(witnesses.begin(), witnesses.end(),
                                 [&](const crypto::NoteKey& w) { return w.Matches(signature); });
  if (!known) {
    return Status::PermissionDenied("no witness key \"" + signature.name + "\" with this key ID is known here");
  }
  uint64_t time_seconds = 0;
  if (Verifier(witnesses, note.text, signature, &time_seconds) == nullptr) {
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
  auto previous = cosignatures_.find(signature.name);
  std::optional<std::pair<std::string, crypto::NoteSignature>> kept;
  if (previous != cosignatures_.end()) kept = previous->second;
  cosignatures_[signature.name] = {note.text, signature};
  if (!state_path_.empty()) {
    // Written before it is acknowledged; a failed write takes it back.
    Status saved = Save();
    if (!saved.ok()) {
      if (kept) {
        cosignatures_[signature.name] = *kept;
      } else {
        cosignatures_.erase(signature.name);
      }
      return saved;
    }
  }
  return Status::Ok();
}

}  // namespace evidence::node
