#include "ledger/validation.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

using testing::TestChain;

class RecordRules : public ::testing::Test {
 protected:
  Status Check(const Record& r, int64_t now_ms = testing::kGenesisTimeMs) {
    return CheckRecord(*chain_.state().next, r, now_ms);
  }
  TestChain chain_;
  const ChainParams& params_ = kLegacyChainParams;
};

TEST_F(RecordRules, AcceptsAValidRecordAndBatch) {
  EXPECT_TRUE(Check(chain_.MakeRecord(0, "c", 1)).ok());
  for (const Record& r : chain_.MakeBatch(1, "c", 10, 3)) EXPECT_TRUE(Check(r).ok());
}

TEST_F(RecordRules, ChainMismatch) {
  Record r = chain_.UnsignedRecord(0, "c", 1);
  r.chain_id = "other-chain";
  ASSERT_TRUE(SignRecord(chain_.agency_key(0), r).ok());
  EXPECT_EQ(ErrorCodeOf(Check(r)), ErrorCode::kRecordChainMismatch);
}

TEST_F(RecordRules, TimeWindow) {
  int64_t now = testing::kGenesisTimeMs;
  EXPECT_TRUE(Check(chain_.MakeRecord(0, "c", 1, now + params_.record_future_skew_ms), now).ok());
  EXPECT_EQ(ErrorCodeOf(Check(chain_.MakeRecord(0, "c", 1, now + params_.record_future_skew_ms + 1), now)),
            ErrorCode::kRecordTimeInFuture);
  EXPECT_TRUE(Check(chain_.MakeRecord(0, "c", 1, now - params_.record_past_window_ms), now).ok());
  EXPECT_EQ(ErrorCodeOf(Check(chain_.MakeRecord(0, "c", 1, now - params_.record_past_window_ms - 1), now)),
            ErrorCode::kRecordTimeOutOfWindow);
}

TEST_F(RecordRules, UnknownAgencyKeyAndBadSignature) {
  Record r = chain_.UnsignedRecord(0, "c", 1);
  r.agency = "nobody";
  ASSERT_TRUE(SignRecord(chain_.agency_key(0), r).ok());
  EXPECT_EQ(ErrorCodeOf(Check(r)), ErrorCode::kRecordUnknownAgency);
  // Agency 1's record signed with agency 0's key: the key is not registered for it.
  r = chain_.UnsignedRecord(1, "c", 1);
  ASSERT_TRUE(SignRecord(chain_.agency_key(0), r).ok());
  EXPECT_EQ(ErrorCodeOf(Check(r)), ErrorCode::kRecordUnknownKey);
  r = chain_.MakeRecord(0, "c", 1);
  r.sig.value[0] ^= 1;
  EXPECT_EQ(ErrorCodeOf(Check(r)), ErrorCode::kRecordBadSignature);
  r = chain_.MakeRecord(0, "c", 1);
  r.digest = "sha256:00";
  EXPECT_EQ(ErrorCodeOf(Check(r)), ErrorCode::kRecordBadDigest);
}

TEST_F(RecordRules, DuplicateIsReported) {
  Record r = chain_.MakeRecord(0, "c", 1);
  crypto::Digest id = RecordId(chain_.hash(), r);
  EXPECT_TRUE(CheckRecordIsNew(id, chain_.state().contains_record).ok());
  chain_.Next({r});
  EXPECT_EQ(ErrorCodeOf(CheckRecordIsNew(id, chain_.state().contains_record)),
            ErrorCode::kRecordDuplicate);
}

class BlockRules : public ::testing::Test {
 protected:
  void SetUp() override {
    first_ = chain_.MakeRecord(0, "c", 1);
    chain_.Next({first_});
    chain_.Next({chain_.MakeRecord(1, "c", 2)});
  }
  Block Valid() { return chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 3), chain_.MakeRecord(1, "d", 4)}); }
  Status Validate(const Block& block) {
    return ValidateBlock(chain_.state(), block);
  }
  // Re-derives the header fields that follow from the contents, so a test can
  // change one rule at a time.
  void Reseal(Block& block) {
    uint32_t proposer = block.header.proposer;
    block.header = MakeBlockHeader(chain_.state(), block.leaves,
                                   block.last_commit, block.evidence, proposer);
  }
  TestChain chain_;
  const ChainParams& params_ = kLegacyChainParams;
  Record first_;
};

TEST_F(BlockRules, AcceptsValidBlocksIncludingFirstAndEmpty) {
  EXPECT_TRUE(Validate(Valid()).ok()) << Validate(Valid()).ToString();
  EXPECT_TRUE(Validate(chain_.MakeNextBlock({})).ok());
  TestChain fresh;
  Block first = fresh.MakeNextBlock({fresh.MakeRecord(0, "c", 1)});
  EXPECT_TRUE(ValidateBlock(fresh.state(), first).ok());
}

TEST_F(BlockRules, HeaderRules) {
  struct Case {
    ErrorCode code;
    std::function<void(Block&)> change;
  };
  std::vector<Case> cases = {
      {ErrorCode::kBlockWrongChain, [](Block& b) { b.header.chain_id = "x"; }},
      {ErrorCode::kBlockWrongHeight, [](Block& b) { b.header.height++; }},
      {ErrorCode::kBlockWrongPrevious, [](Block& b) { b.header.previous_hash[0] ^= 1; }},
      {ErrorCode::kBlockWrongValidators, [](Block& b) { b.header.validators_hash[0] ^= 1; }},
      {ErrorCode::kBlockWrongProposer, [](Block& b) { b.header.proposer = 4; }},
      {ErrorCode::kBlockWrongTime, [](Block& b) { b.header.time_ms++; }},
      {ErrorCode::kBlockBadLastCommit, [](Block& b) { b.header.last_commit_hash[0] ^= 1; }},
      {ErrorCode::kBlockWrongEvidence, [](Block& b) { b.header.evidence_hash[0] ^= 1; }},
      {ErrorCode::kBlockWrongLeavesRoot, [](Block& b) { b.header.leaves_root[0] ^= 1; }},
      {ErrorCode::kBlockWrongLogRoot, [](Block& b) { b.header.log_root[0] ^= 1; }},
      {ErrorCode::kBlockWrongLogRoot, [](Block& b) { b.header.log_size++; }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    Block block = Valid();
    cases[i].change(block);
    Status status = Validate(block);
    EXPECT_EQ(ErrorCodeOf(status), cases[i].code) << i << ": " << status.message();
  }
}

TEST_F(BlockRules, LastCommitRules) {
  Block block = Valid();
  block.last_commit.signatures.pop_back();
  block.last_commit.signatures.pop_back();  // 2 of 4: exactly half, not a quorum
  Reseal(block);
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockBadLastCommit);
  block = Valid();
  block.last_commit.block_hash[0] ^= 1;
  Reseal(block);
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockBadLastCommit);
  block = Valid();
  block.last_commit.signatures[1].signature[0] ^= 1;
  Reseal(block);
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockBadLastCommit);
  // Three signers are enough, and the time is their median.
  block = Valid();
  block.last_commit.signatures.erase(block.last_commit.signatures.begin());
  Reseal(block);
  EXPECT_TRUE(Validate(block).ok()) << Validate(block).ToString();
}

TEST_F(BlockRules, RecordRulesInsideBlocks) {
  Block block = chain_.MakeNextBlock({first_});  // already in block 1
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockDuplicateRecord);
  Record fresh = chain_.MakeRecord(0, "c", 77);
  block = chain_.MakeNextBlock({fresh, fresh});
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockDuplicateRecord);
  Record bad = chain_.MakeRecord(0, "c", 78);
  bad.sig.value[0] ^= 1;
  block = chain_.MakeNextBlock({bad});
  Status status = Validate(block);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockBadRecord);
  EXPECT_NE(status.message().find("record.bad_signature"), std::string::npos) << status.message();
  // A leaf that parses but is not canonical JCS.
  block = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 79)});
  block.leaves[0] = " " + block.leaves[0];
  Reseal(block);
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockBadRecord);
  // A record far from block time.
  block = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 80, chain_.next_block_time_ms() + params_.record_future_skew_ms + 1)});
  EXPECT_EQ(ErrorCodeOf(Validate(block)), ErrorCode::kBlockBadRecord);
}

TEST_F(BlockRules, BatchInBlockCostsOneSignatureCheck) {
  std::vector<Record> batch = chain_.MakeBatch(0, "c", 500, 50);
  Block block = chain_.MakeNextBlock(batch);
  BatchSignatureCache cache;
  EXPECT_TRUE(ValidateBlock(chain_.state(), block, &cache).ok());
  EXPECT_EQ(cache.signature_checks(), 1u);
}


// What a node's record pool offers block validation: exact leaf bytes it
// checked -> the record's id and time.
CheckedLeafFn CheckedLeaves(const std::map<std::string, CheckedLeaf>& checked) {
  return [&checked](std::string_view leaf) -> std::optional<CheckedLeaf> {
    auto it = checked.find(std::string(leaf));
    if (it == checked.end()) return std::nullopt;
    return it->second;
  };
}

CheckedLeaf CheckedOf(crypto::HashAlgorithm hash, const Record& record) {
  return CheckedLeaf{RecordId(hash, record), record.time_ms, record.agency, record.sig.key_id,
                     record.sig.batch ? record.sig.batch->size : 0};
}

TEST_F(BlockRules, LeavesCheckedBeforeAreNotCheckedAgain) {
  Record a = chain_.MakeRecord(0, "c", 3);
  Record b = chain_.MakeRecord(1, "d", 4);
  Block block = chain_.MakeNextBlock({a, b});
  uint64_t checks = 0;
  ASSERT_TRUE(ValidateBlock(chain_.state(), block, nullptr, nullptr,
                            &checks).ok());
  EXPECT_EQ(checks, 2u) << "without the pool's answer every leaf is verified";

  std::map<std::string, CheckedLeaf> checked = {{RecordLeaf(a), CheckedOf(chain_.hash(), a)},
                                                {RecordLeaf(b), CheckedOf(chain_.hash(), b)}};
  checks = 0;
  size_t lookups = 0;
  CheckedLeafFn counting = [&](std::string_view leaf) {
    ++lookups;
    return CheckedLeaves(checked)(leaf);
  };
  Status status =
      ValidateBlock(chain_.state(), block, nullptr, counting, &checks);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(checks, 0u);
  EXPECT_EQ(lookups, 2u);
}

TEST_F(BlockRules, LeavesNotCheckedBeforeAreCheckedInFull) {
  Record a = chain_.MakeRecord(0, "c", 3);
  Record bad = chain_.MakeRecord(1, "d", 4);
  bad.sig.value[0] ^= 1;
  std::map<std::string, CheckedLeaf> checked = {{RecordLeaf(a), CheckedOf(chain_.hash(), a)}};
  uint64_t checks = 0;
  Status status = ValidateBlock(chain_.state(), chain_.MakeNextBlock({a, bad}), nullptr, CheckedLeaves(checked), &checks);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockBadRecord);
  EXPECT_NE(status.message().find("record.bad_signature"), std::string::npos) << status.message();
  EXPECT_EQ(checks, 1u);

  // Same record id (the id leaves out "sig"), other signature bytes: other leaf bytes,
  // so not the leaf the pool checked.
  Record forged = a;
  forged.sig.value[0] ^= 1;
  ASSERT_EQ(RecordId(chain_.hash(), forged), RecordId(chain_.hash(), a));
  status = ValidateBlock(chain_.state(), chain_.MakeNextBlock({forged}),
                         nullptr, CheckedLeaves(checked), nullptr);
  EXPECT_NE(status.message().find("record.bad_signature"), std::string::npos) << status.message();

  // A foreign chain's record the pool never checked is refused as before.
  Record foreign = chain_.MakeRecord(0, "c", 5);
  foreign.chain_id = "other-chain";
  status = ValidateBlock(chain_.state(), chain_.MakeNextBlock({foreign}), nullptr, CheckedLeaves(checked), nullptr);
  EXPECT_NE(status.message().find("record.chain_mismatch"), std::string::npos) << status.message();
}

TEST_F(BlockRules, BlockDependentRulesStillApplyToCheckedLeaves) {
  // Checked on admission, but too far ahead of this block's time.
  Record late = chain_.MakeRecord(0, "c", 4, chain_.next_block_time_ms() + params_.record_future_skew_ms + 1);
  std::map<std::string, CheckedLeaf> checked = {
      {RecordLeaf(late), CheckedOf(chain_.hash(), late)},
      {RecordLeaf(first_), CheckedOf(chain_.hash(), first_)}};
  Status status = ValidateBlock(chain_.state(), chain_.MakeNextBlock({late}), nullptr, CheckedLeaves(checked), nullptr);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockBadRecord) << status.message();
  EXPECT_NE(status.message().find("record.time_in_future"), std::string::npos) << status.message();

  // Already in the log.
  status = ValidateBlock(chain_.state(), chain_.MakeNextBlock({first_}),
                         nullptr, CheckedLeaves(checked), nullptr);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockDuplicateRecord) << status.message();

  // Twice in one block.
  Record a = chain_.MakeRecord(1, "d", 6);
  checked.emplace(RecordLeaf(a), CheckedOf(chain_.hash(), a));
  Block twice = chain_.MakeNextBlock({a});
  twice.leaves.push_back(twice.leaves[0]);
  status = ValidateBlock(chain_.state(), twice, nullptr,
                         CheckedLeaves(checked), nullptr);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockDuplicateRecord) << status.message();

  // Roots: a checked leaf under a header made for other leaves.
  Block wrong_root = chain_.MakeNextBlock({a});
  wrong_root.leaves[0] = RecordLeaf(late);
  status = ValidateBlock(chain_.state(), wrong_root, nullptr,
                         CheckedLeaves(checked), nullptr);
  EXPECT_FALSE(status.ok());
}

// The limits come from the chain's params, not from constants or node settings.
TEST(ChainParamsRules, BlockAndBatchLimitsAndTheTimeWindowAreTheChains) {
  testing::TestChainOptions options;
  options.governed = true;
  options.params.block_records_max = 2;
  options.params.block_bytes_max = kBlockBytesMin;
  options.params.batch_records_max = 3;
  options.params.record_future_skew_ms = 10;
  options.params.record_past_window_ms = 20;
  TestChain chain(options);
  Block three = chain.MakeNextBlock(
      {chain.MakeRecord(0, "c", 1), chain.MakeRecord(0, "c", 2), chain.MakeRecord(1, "c", 3)});
  EXPECT_EQ(ErrorCodeOf(ValidateBlock(chain.state(), three)), ErrorCode::kBlockTooLarge);
  Block two = chain.MakeNextBlock({chain.MakeRecord(0, "c", 1), chain.MakeRecord(0, "c", 2)});
  EXPECT_TRUE(ValidateBlock(chain.state(), two).ok());
  std::vector<Record> batch = chain.MakeBatch(0, "c", 10, 4);
  EXPECT_EQ(ErrorCodeOf(CheckRecord(*chain.state().next, batch[0], testing::kGenesisTimeMs)),
            ErrorCode::kBatchTooLarge);
  batch = chain.MakeBatch(0, "c", 10, 3);
  EXPECT_TRUE(CheckRecord(*chain.state().next, batch[0], testing::kGenesisTimeMs).ok());
  EXPECT_EQ(ErrorCodeOf(CheckRecord(*chain.state().next, chain.MakeRecord(0, "c", 1, testing::kGenesisTimeMs + 11),
                                    testing::kGenesisTimeMs)),
            ErrorCode::kRecordTimeInFuture);
  EXPECT_EQ(ErrorCodeOf(CheckRecord(*chain.state().next, chain.MakeRecord(0, "c", 1, testing::kGenesisTimeMs - 21),
                                    testing::kGenesisTimeMs)),
            ErrorCode::kRecordTimeOutOfWindow);
}

// ---------------------------------------------------------------- governance in blocks

class GovernanceBlocks : public ::testing::Test {
 protected:
  static testing::TestChainOptions Governed() {
    testing::TestChainOptions options;
    options.governed = true;
    options.fixed_keys = true;
    return options;
  }
  static crypto::PrivateKey Spare(size_t i) {
    return crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst + i))
        .value();
  }
  Status Validate(const Block& block) { return ValidateBlock(chain_.state(), block); }
  // A record of the added agency "sishui-tax-bureau", signed by Spare(0).
  Record TaxRecord(uint64_t seed) {
    Record record = chain_.UnsignedRecord(0, "c", seed);
    record.agency = "sishui-tax-bureau";
    record.sig.key_id = Spare(0).key_id();
    EVIDENCE_CHECK(SignRecord(Spare(0), record).ok());
    return record;
  }
  std::string AddTax(std::optional<uint64_t> seq = std::nullopt,
                     const std::vector<size_t>& signers = {0, 1, 2}) {
    return chain_.ActionLeafOf(
        AddAgency{{"sishui-tax-bureau", "泗水县税务局", "泗水县人民政府", {Spare(0).public_key()}}},
        seq, signers);
  }
  TestChain chain_{Governed()};
};

// Until the first action, blocks keep version 1 (old stores and v1 receipts
// stay as they are); the block that carries one and every later block are
// version 2, committing to the register in force for the next block.
TEST_F(GovernanceBlocks, VersionTwoFromTheFirstActionOn) {
  chain_.Next({chain_.MakeRecord(0, "c", 1)});
  Block plain = chain_.MakeNextBlock({});
  EXPECT_EQ(plain.header.version, kBlockVersionLegacy);
  Block early = plain;
  early.header.version = kBlockVersionGoverned;
  early.header.state_hash = chain_.state().latest->Hash();
  early.header.next_validators_hash = chain_.state().latest->validator_set_hash();
  early.header.actions_root = LeavesRoot(chain_.hash(), {});
  EXPECT_EQ(ErrorCodeOf(Validate(early)), ErrorCode::kBlockWrongState);

  Block with_action = chain_.MakeNextBlock({}, {AddTax()});
  EXPECT_EQ(with_action.header.version, kBlockVersionGoverned);
  EXPECT_EQ(with_action.header.state_hash, chain_.history().genesis()->Hash());
  ASSERT_TRUE(Validate(with_action).ok()) << Validate(with_action).ToString();
  chain_.NextWithActions({}, {AddTax()});  // block 2
  Block after = chain_.MakeNextBlock({});
  EXPECT_EQ(after.header.version, kBlockVersionGoverned);
  EXPECT_EQ(after.header.state_hash, chain_.history().AfterBlock(2)->Hash());
  EXPECT_NE(after.header.state_hash, chain_.history().genesis()->Hash());
  EXPECT_TRUE(Validate(after).ok()) << Validate(after).ToString();
  Block downgraded = after;
  downgraded.header.version = kBlockVersionLegacy;
  downgraded.header.actions_root = {};
  downgraded.header.next_validators_hash = {};
  downgraded.header.state_hash = {};
  EXPECT_EQ(ErrorCodeOf(Validate(downgraded)), ErrorCode::kBlockWrongState);
}

// An action committed at h takes effect at h + 2: the added agency's records
// are refused at h + 1 and accepted from h + 2 on.
TEST_F(GovernanceBlocks, AnAddedAgencysRecordsAreAcceptedFromTheActivationHeight) {
  chain_.Next({});                          // 1
  chain_.NextWithActions({}, {AddTax()});  // 2
  Block too_early = chain_.MakeNextBlock({TaxRecord(1)});
  EXPECT_EQ(ErrorCodeOf(Validate(too_early)), ErrorCode::kBlockBadRecord);
  EXPECT_EQ(chain_.state().next->FindAgency("sishui-tax-bureau"), nullptr);
  chain_.Next({});  // 3
  ASSERT_NE(chain_.state().next->FindAgency("sishui-tax-bureau"), nullptr);
  Block in_time = chain_.MakeNextBlock({TaxRecord(1)});
  EXPECT_TRUE(Validate(in_time).ok()) << Validate(in_time).ToString();
}

// A revoked key's records are accepted up to the block before activation and
// refused from it on.
TEST_F(GovernanceBlocks, ARevokedKeysRecordsAreRefusedAfterActivation) {
  const std::string agency = chain_.agency_id(0);
  chain_.Next({});  // 1
  chain_.NextWithActions(
      {}, {chain_.ActionLeafOf(AddAgencyKey{agency, Spare(1).public_key()}),
           chain_.ActionLeafOf(RevokeAgencyKey{agency, chain_.agency_key(0).key_id(), "rotated",
                                               testing::kGenesisTimeMs},
                               2)});  // 2
  Block still = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 1)});
  EXPECT_TRUE(Validate(still).ok()) << Validate(still).ToString();
  chain_.Advance(still, chain_.MakeCommit(3, BlockHash(chain_.hash(), still.header),
                                          still.header.time_ms));
  Block revoked = chain_.MakeNextBlock({chain_.MakeRecord(0, "c", 2)});
  Status status = Validate(revoked);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kBlockBadRecord);
  EXPECT_NE(status.message().find("record.key_revoked"), std::string::npos) << status.message();
  Record with_new = chain_.UnsignedRecord(0, "c", 3);
  with_new.sig.key_id = Spare(1).key_id();
  ASSERT_TRUE(SignRecord(Spare(1), with_new).ok());
  EXPECT_TRUE(Validate(chain_.MakeNextBlock({with_new})).ok());
}

TEST_F(GovernanceBlocks, BadActionsRootsAndRegisterHashesAreRefused) {
  chain_.Next({});
  struct Case {
    ErrorCode code;
    std::function<void(Block&)> change;
  };
  std::vector<Case> cases = {
      {ErrorCode::kBlockBadGovernance, [&](Block& b) { b.actions = {AddTax(std::nullopt, {0, 1})}; }},
      {ErrorCode::kBlockBadGovernance, [&](Block& b) { b.actions = {AddTax(2)}; }},
      {ErrorCode::kBlockBadGovernance, [&](Block& b) { b.actions = {AddTax(), AddTax()}; }},
      {ErrorCode::kBlockBadGovernance, [&](Block& b) { b.actions = {"{\"v\":1}"}; }},
      {ErrorCode::kBlockBadGovernance, [](Block& b) { b.header.actions_root[0] ^= 1; }},
      {ErrorCode::kBlockWrongState, [](Block& b) { b.header.state_hash[0] ^= 1; }},
      {ErrorCode::kBlockWrongState, [](Block& b) { b.header.next_validators_hash[0] ^= 1; }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    Block block = chain_.MakeNextBlock({}, {AddTax()});
    ASSERT_TRUE(Validate(block).ok());
    cases[i].change(block);
    Status status = Validate(block);
    EXPECT_EQ(ErrorCodeOf(status), cases[i].code) << i << ": " << status.message();
  }
  // A chain without admins takes no action.
  TestChain ungoverned;
  Block block = ungoverned.MakeNextBlock({}, {AddTax()});
  EXPECT_EQ(ErrorCodeOf(ValidateBlock(ungoverned.state(), block)), ErrorCode::kBlockBadGovernance);
}

}  // namespace
}  // namespace evidence::ledger
