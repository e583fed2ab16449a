// AnchorService: RFC 3161 tokens of outside time-stamping authorities over
// this ledger's checkpoints (POST and GET /v1/anchors; docs/timestamps.md
// §anchoring). An anchor proves to anyone who trusts that outside TSA that the
// tree head existed by the token's genTime, so even the four institutions
// together could not later present another history of that size.
//
// What is imprinted: the SHA-256 (whatever the chain's hash) of the checkpoint
// body of a committed tree head, i.e. the C2SP checkpoint text the node signs
// for GET /checkpoint without its signature lines:
//   "<chain id>\n<tree size>\n<base64 root>\n"
// The poster names the tree size; the body is rebuilt from the store (a block
// whose log_size is that size), so only a checkpoint this ledger signed can be
// anchored.
//
// A token is accepted only when it verifies, as `openssl ts -verify` does,
// under the TSA CA certificates the operator trusts for anchoring (node.toml
// [anchor] tsa_ca); a node without them takes no anchors. Per TSA (the token's
// tsa name) tree sizes strictly increase, so a token cannot be stored twice.
// Bounds: a request of at most kAnchorRequestBytesMax, a token of at most
// kAnchorTokenBytesMax, at most kAnchorsMax anchors (then the node refuses
// more, ResourceExhausted). A refused anchor changes nothing.
//
// Persistence: with a state path every accepted anchor is written (the whole
// list, atomically: node/wal.h WriteFileAtomically) before Add returns, as
//   {"v": 1, "anchors": [{"tree_size": N, "root": "<hex>", "token": "<base64>"}, ...]}
// and read back at construction, each token re-read and its imprint checked
// against the checkpoint of its tree size and root again. A file that cannot
// be read back is reported by LoadStatus and the service then refuses new
// anchors (Unavailable) rather than overwrite what the file holds.
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/store.h"

namespace evidence::node {

inline constexpr size_t kAnchorTokenBytesMax = 16 * 1024;
inline constexpr size_t kAnchorRequestBytesMax = 32 * 1024;
inline constexpr size_t kAnchorsMax = 4096;
inline constexpr size_t kAnchorsPageMax = 100;
static_assert(kAnchorRequestBytesMax > (kAnchorTokenBytesMax + 2) / 3 * 4,
              "a request carries the base64 of the largest token");

struct Anchor {
  uint64_t tree_size = 0;
  crypto::Digest root{};
  std::string checkpoint;  // the imprinted checkpoint body
  Bytes token;             // TimeStampResp DER, as the TSA answered it
  std::string tsa_name;    // the token's tsa field, one line (empty when absent)
  std::string gen_time;    // GeneralizedTime, e.g. "20261206233501Z"
};

// node.toml [anchor] tsa_ca: a PEM file of the CA certificates (one or more,
// at most 256 KiB) of the outside TSAs whose anchors the node takes.
Result<std::string> LoadAnchorCaFile(const std::string& path);

class AnchorService {
 public:
  // `trusted_ca_pem`: the PEM certificates (one or more) anchors must verify
  // under; empty: no anchors are taken. `state_path` empty: nothing persisted.
  AnchorService(const ledger::Genesis& genesis, const ledger::Store& store,
                std::string trusted_ca_pem, std::string state_path = "");

  const Status& LoadStatus() const { return load_status_; }

  // A POST /v1/anchors body: {"tree_size": N, "token": "<base64 TimeStampResp>"}.
  // PermissionDenied when the node trusts no TSA CA; InvalidArgument for a
  // malformed body, a tree size that is no committed tree head, a token that is
  // not over that checkpoint or does not verify, or one already held;
  // ResourceExhausted when full; Unavailable when the state file is damaged.
  Result<Anchor> Add(std::string_view body);

  // Anchors in the order they were accepted, from position `from`, at most
  // kAnchorsPageMax; `total` receives how many there are.
  std::vector<Anchor> List(size_t from, size_t* total);

  // The checkpoint body of the committed tree head of `tree_size` (NotFound
  // when no block ends the log there).
  Result<std::string> CheckpointBody(uint64_t tree_size, crypto::Digest* root) const;

  static constexpr std::string_view kStateFileName = "anchors.json";

 private:
  // The anchor of `token` over the checkpoint (tree_size, root): the token
  // read, its imprint checked (not its signature).
  Result<Anchor> Read(uint64_t tree_size, const crypto::Digest& root, Bytes token) const;
  void Load();
  Status Save() EVIDENCE_REQUIRES(mutex_);

  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  const std::string trusted_ca_pem_;
  const std::string state_path_;
  Status load_status_;

  Mutex mutex_;
  std::vector<Anchor> anchors_ EVIDENCE_GUARDED_BY(mutex_);
};

}  // namespace evidence::node
