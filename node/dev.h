// --dev mode: a single-validator chain for trying the ledger in one command.
//
// PrepareDevChain(dir) makes, on first use, everything a one-node chain needs
// under `dir` and reuses it afterwards (so a dev chain survives restarts):
//   dir/genesis.json        chain "dev-<8 hex>", SHA-256 (or SM3: a 国密 chain), one
//                           validator, one agency
//                           ("dev-agency"), readers "dev-reader" (role "court") and
//                           "dev-supervisor" (role "supervisor")
//   dir/validator-vote.pem  the validator's vote key (Ed25519, 0600)
//   dir/validator-node.pem  its p2p node key (Ed25519, 0600)
//   dir/agency.pem          the agency's signing key (Ed25519, 0600)
//   dir/agency-p256.pem     two more keys of the same agency, P-256 and SM2, so
//   dir/agency-sm2.pem      clients can try every algorithm (0600)
//   dir/reader-token        the reader's bearer token (0600)
//   dir/supervisor-token    dev-supervisor's bearer token (0600)
//   dir/data/               the store and the write-ahead log
//
// Thread-safety: call from one thread before the node starts.
#pragma once

#include "ledger/chain_params.h"

#include <string>

#include "common/status.h"
#include "crypto/hash.h"

namespace evidence::node {

struct DevChain {
  std::string genesis_path;
  std::string vote_key_path;
  std::string node_key_path;
  std::string agency_id;
  std::string agency_key_path;       // Ed25519
  std::string agency_p256_key_path;  // P-256
  std::string agency_sm2_key_path;   // SM2
  std::string reader_token;
  std::string supervisor_token;  // reader "dev-supervisor" (role supervisor); "" in older dev chains
  std::string data_dir;
  bool created = false;  // false: an existing dev chain was reused
};

// `hash` is the chain's hash when the chain is created (an existing one keeps its own).
// `past_window_ms` (how old a record's time may be) is a chain param: a chain
// created with the default has a version-1 genesis; with another value, a
// version-2 genesis whose one admin (the validator's institution, key
// dir/admin.pem) could change it later. An existing chain with another window
// is refused (its genesis is fixed: remove the directory for a new chain).
Result<DevChain> PrepareDevChain(const std::string& dir,
                                 crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256,
                                 int64_t past_window_ms = ledger::kLegacyChainParams.record_past_window_ms);

}  // namespace evidence::node
