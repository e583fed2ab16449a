// Test fixture shared by ledger, node and api tests: a genesis with 4 validators
// (power 1 each) and 2 agencies, real keys, signed records, and blocks with valid
// commits, chained in memory so each step can be handed to a Store or a validator.
//
//   ledger::testing::TestChain chain;               // sha256 + Ed25519 by default
//   auto record = chain.MakeRecord(0, "(2026)鲁0831行复12号", 1);
//   auto step = chain.Next({record});                // block 1 and its commit
//   ASSERT_TRUE(store.Append(step.block, step.commit).ok());
//
// Keys are generated per TestChain (non-deterministic signatures for P-256/SM2;
// Ed25519 signatures are deterministic per key). Not thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/governance.h"
#include "ledger/governance_history.h"
#include "ledger/record.h"
#include "ledger/validation.h"

namespace evidence::ledger::testing {

inline constexpr int64_t kGenesisTimeMs = 1767225600000;  // 2026-01-01T00:00:00Z

struct TestChainOptions {
  std::string chain_id = "test-chain";
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
  crypto::SignatureAlgorithm validator_keys = crypto::SignatureAlgorithm::kEd25519;
  crypto::SignatureAlgorithm agency_keys = crypto::SignatureAlgorithm::kEd25519;
  int64_t genesis_time_ms = kGenesisTimeMs;
  // When set, the keys are the fixed test keys below (of the algorithms chosen
  // above; node keys of the validators' algorithm) instead of fresh ones, so
  // genesis, records, blocks and receipts are byte-for-byte reproducible
  // (P-256 and SM2 signatures also need a fixed random source, see
  // tests/receipts/receipt_vectors.cc).
  bool fixed_keys = false;
  // The validators' voting power, one entry per validator.
  std::vector<uint64_t> powers = {1, 1, 1, 1};
  // A version-2 genesis: one admin key per validator institution, threshold 3 of 4,
  // and these params (their governance_threshold is set to 3).
  bool governed = false;
  ChainParams params;
  // Outside witnesses and TSA CAs in the genesis (governed chains only).
  std::vector<GenesisWitness> witnesses;
  std::vector<GenesisTsa> tsas;
};

// PKCS#8 PEM of fixed test keys of `algorithm` (never use outside tests). For
// each algorithm: 4 validator vote keys (0-3), 4 node keys (4-7), 2 agency keys
// (8, 9); Ed25519 also has 4 admin keys (kAdminKeysFirst...) and 4 spares
// (kSpareKeysFirst...) for keys that governance adds.
std::string FixedTestKeyPem(size_t index,
                            crypto::SignatureAlgorithm algorithm = crypto::SignatureAlgorithm::kEd25519);
inline constexpr size_t kAdminKeysFirst = 10;
inline constexpr size_t kSpareKeysFirst = 14;
inline constexpr size_t kSpareKeys = 4;

// Who signs a commit and when.
struct CommitPlan {
  std::vector<uint32_t> signers = {0, 1, 2, 3};  // increasing validator indexes
  // Per signer, the precommit time minus the block time; empty: 1000 * (index + 1).
  std::vector<int64_t> offsets_ms;
};

class TestChain {
 public:
  static constexpr size_t kValidators = 4;
  static constexpr size_t kAgencies = 2;

  explicit TestChain(TestChainOptions options = {});

  const Genesis& genesis() const { return genesis_; }
  crypto::HashAlgorithm hash() const { return genesis_.hash(); }
  const crypto::PrivateKey& validator_key(size_t index) const { return validator_keys_.at(index); }
  const crypto::PrivateKey& agency_key(size_t agency) const { return agency_keys_.at(agency); }
  // The admin key of validator `index`'s institution (governed chains only).
  const crypto::PrivateKey& admin_key(size_t index) const { return admin_keys_.at(index); }
  // "sishui-market-supervision" (0) and "sishui-justice-bureau" (1).
  const std::string& agency_id(size_t agency) const;

  // An unsigned record of `agency`: digest sha256 of "document <seed>", time =
  // the time of the next block unless given.
  Record UnsignedRecord(size_t agency, std::string case_id, uint64_t seed,
                        std::optional<int64_t> time_ms = std::nullopt) const;
  // The same, signed by the agency's key.
  Record MakeRecord(size_t agency, std::string case_id, uint64_t seed,
                    std::optional<int64_t> time_ms = std::nullopt) const;
  // `count` records of one agency signed as one batch.
  std::vector<Record> MakeBatch(size_t agency, std::string case_id, uint64_t first_seed,
                                size_t count) const;

  // A commit for (height, round 0, block_hash) signed as `plan` says, with
  // precommit timestamps base_time_ms + the plan's offsets.
  Commit MakeCommit(uint64_t height, const crypto::Digest& block_hash, int64_t base_time_ms,
                    const std::vector<uint32_t>& signers = {0, 1, 2, 3}) const;
  Commit MakeCommit(uint64_t height, const crypto::Digest& block_hash, int64_t base_time_ms,
                    const CommitPlan& plan) const;

  // The next block on the current state, with these records (and governance
  // action leaves), proposer height % 4.
  Block MakeNextBlock(const std::vector<Record>& records,
                      const std::vector<std::string>& actions = {}) const;
  // Duplicate-vote evidence: two prevotes of `validator` at (height, round)
  // for two different block hashes, both signed with its vote key.
  DuplicateVoteEvidence MakeEquivocation(uint32_t validator, uint64_t height,
                                         uint32_t round) const;

  struct Step {
    Block block;
    Commit commit;  // the commit of this block
  };
  // Builds the next block, commits it (with all validators unless `plan` says
  // otherwise) and advances the state.
  Step Next(const std::vector<Record>& records, const CommitPlan& plan = {});
  // The same with the leaves of governance actions in the block (ActionLeaf).
  Step NextWithActions(const std::vector<Record>& records, const std::vector<std::string>& actions,
                       const CommitPlan& plan = {});
  // Advances the state with a block built elsewhere (must be valid).
  void Advance(const Block& block, const Commit& commit);

  const ChainState& state() const { return state_; }
  // The leaf of a governance action signed by the admins of validators
  // `signers` (governed chains), at `seq` (by default the register's next after
  // the blocks so far).
  std::string ActionLeafOf(ActionBody body, std::optional<uint64_t> seq = std::nullopt,
                           const std::vector<size_t>& signers = {0, 1, 2}) const;
  // The registers of the blocks so far.
  const GovernanceHistory& history() const { return *history_; }
  const Commit& last_commit() const { return last_commit_; }
  // Time of the next block (genesis time, or the median of the last commit).
  int64_t next_block_time_ms() const;

 private:
  TestChainOptions options_;
  std::vector<crypto::PrivateKey> validator_keys_;
  std::vector<crypto::PrivateKey> agency_keys_;
  std::vector<crypto::PrivateKey> admin_keys_;
  std::vector<std::string> agency_ids_;
  Genesis genesis_;
  ChainState state_;
  std::optional<GovernanceHistory> history_;
  Commit last_commit_;
  std::shared_ptr<std::set<crypto::Digest>> record_ids_;
};

}  // namespace evidence::ledger::testing
