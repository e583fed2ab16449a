// CheckpointService: the log's tree head as a C2SP checkpoint (GET /checkpoint)
// and the witnesses' cosignatures on it (POST /v1/cosignatures); docs/witness.md.
//
// The checkpoint's origin is the chain id; its text is origin, tree size and
// base64 root of the latest committed block (no extension lines). A validator
// node signs it with its vote key as key name "<chain id>/<validator name>"
// (crypto/note.h: Ed25519 type 0x01, P-256 and SM2 as 0xff types), once per
// tree head (the signature is kept, so one head has one note). A node without a
// vote key serves the checkpoint with the cosignatures only.
//
// Cosignatures (tlog-cosignature v1, Ed25519) are accepted only from the
// witness keys in force (WitnessKeys), only on the checkpoint the node serves
// now (anything else is stale), with a time at most kCosignatureFutureSkewSeconds
// ahead of the node's clock; the last one per witness is kept (at most one per
// witness key, so the store is bounded by the number of keys). A refused
// cosignature changes nothing.
//
// Witness keys in force (WitnessKeys): the witnesses of the register in force
// for the next block (the store's NextState(): genesis's "witnesses" changed by
// the committed add-witness / remove-witness actions), then the node's own
// keys (node.toml [witness] vkeys, the only way on a version-1 chain) whose
// name the register does not hold and whose key it never held (a removed
// witness's key is retired for good). The set is read again on every call, so a
// witness added or removed by governance is accepted or refused from the block
// it takes effect for, with no restart; a removed witness's cosignature is no
// longer served.
//
// Persistence: with a state path, every accepted cosignature is written before
// AddCosignature returns (the whole set, atomically: node/wal.h
// WriteFileAtomically) as JSON {"v": 1, "cosignatures": ["<signed note>", ...]},
// each a checkpoint text with one witness's cosignature, and read back by the
// constructor: a note that no longer verifies under a known witness key (a
// removed witness) is dropped; an unreadable file is reported by LoadStatus and
// the service starts empty (witnesses cosign again on their next poll; no
// committed record depends on it).
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "crypto/note.h"
#include "crypto/signature.h"
#include "ledger/genesis.h"
#include "ledger/governance_state.h"
#include "ledger/store.h"

namespace evidence::node {

class CheckpointService {
 public:
  static constexpr uint64_t kCosignatureFutureSkewSeconds = 600;

  // `vote_key` (may be null: no log signature) and `clock_seconds` must outlive
  // the service; `validator_name` names the vote key's validator;
  // `own_witnesses` are the node's own cosignature keys (type 0x04).
  // `state_path` empty: nothing is persisted.
  CheckpointService(const ledger::Genesis& genesis, const ledger::Store& store,
                    const crypto::PrivateKey* vote_key, std::string validator_name,
                    std::vector<crypto::NoteKey> own_witnesses,
                    std::function<uint64_t()> clock_seconds, std::string state_path = "");

  // What reading the state file at construction gave (Ok when there was none).
  const Status& LoadStatus() const { return load_status_; }
  // Cosignatures held (on any checkpoint text).
  size_t CosignatureCount();

  // The signed note of the latest tree head. NotFound before the first block.
  Result<std::string> GetCheckpoint();

  // A signed note: the current checkpoint's text and exactly one signature, a
  // cosignature of a known witness. PermissionDenied for an unknown key,
  // InvalidArgument for a malformed, forged, stale or future one.
  Status AddCosignature(std::string_view note);

  // "<chain id>/<validator name>": the key name of a validator's note signatures.
  static std::string ValidatorKeyName(const ledger::Genesis& genesis, std::string_view name);

  // The file name of the state in a node's data directory.
  static constexpr std::string_view kStateFileName = "cosignatures.json";

 private:
  std::string CurrentText() const;
  // The witness keys in force now (see above).
  std::vector<crypto::NoteKey> Witnesses() const;
  // The key of `witnesses` that made `signature` over `text` (nullptr when
  // none did); `time_seconds` receives its time.
  static const crypto::NoteKey* Verifier(const std::vector<crypto::NoteKey>& witnesses,
                                         std::string_view text,
                                         const crypto::NoteSignature& signature,
                                         uint64_t* time_seconds);
  void Load();
  Status Save() EVIDENCE_REQUIRES(mutex_);

  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  const crypto::PrivateKey* const vote_key_;
  const std::string validator_name_;
  const std::vector<crypto::NoteKey> own_witnesses_;
  const std::function<uint64_t()> clock_seconds_;
  const std::string state_path_;
  Status load_status_;

  Mutex mutex_;
  std::string signed_text_ EVIDENCE_GUARDED_BY(mutex_);
  std::optional<crypto::NoteSignature> log_signature_ EVIDENCE_GUARDED_BY(mutex_);
  // By witness key name: the checkpoint text cosigned and the cosignature.
  std::map<std::string, std::pair<std::string, crypto::NoteSignature>> cosignatures_
      EVIDENCE_GUARDED_BY(mutex_);
};

// The witness keys a node accepts under `state`: the register's witnesses,
// then those of `own` whose name the register does not hold and whose key it
// never held.
std::vector<crypto::NoteKey> WitnessKeys(const ledger::GovernanceState& state,
                                         const std::vector<crypto::NoteKey>& own);

}  // namespace evidence::node
