#include "tests/ledger/test_chain.h"

#include "common/check.h"

namespace evidence::ledger::testing {
namespace {

constexpr const char* kFixedKeys[] = {
    "MC4CAQAwBQYDK2VwBCIEIEAOEiL9UZa23W3AVz816IZ4EVhK5OUZqQux98N9nEZd",
    "MC4CAQAwBQYDK2VwBCIEIA/tQXM23K/W4cN1V8xsAdZQRUlxwYdVv0Yaf0tw3iTX",
    "MC4CAQAwBQYDK2VwBCIEIKZVW/6phRTwgtp/cN+8V9omHRCONsA5V9Ns4nMhhqX1",
    "MC4CAQAwBQYDK2VwBCIEIM7XhlcmKH2QWK4IsFv2S5CW+KTjr+pW0lfzuG6GewE6",
    "MC4CAQAwBQYDK2VwBCIEIN7fGYEpr+VFsf2tO3qXWCQdfhsNa6DANUXSn6cLP6wy",
    "MC4CAQAwBQYDK2VwBCIEIJdTLd59sGqJsCx6mLYC2LihSnqChH8ji0TUX2kow7Ry",
    "MC4CAQAwBQYDK2VwBCIEIPT2raGUMFlT1Gs7Kf+Y+BbtWUjq1iGRwuOUWdexV5L7",
    "MC4CAQAwBQYDK2VwBCIEIGgI2m3n4iopq3tuHTZmsXjDOdhvPmqMLj6gCLJPJB6C",
    "MC4CAQAwBQYDK2VwBCIEIOevHi45s0zruF+dkIx5ttQ9mvt1dSu+SGuD4mrSMYNs",
    "MC4CAQAwBQYDK2VwBCIEIDLoypQrUev6i4l1UzpQNB4y/lyZxuxANpIbW7FxNVrP",
    // Admin keys of the four institutions (governed chains), then spares.
    "MC4CAQAwBQYDK2VwBCIEIJtL/hipi8v8fbyEHV1Ws8gE/m1Tf26zSfrHME49Z2oK",
    "MC4CAQAwBQYDK2VwBCIEIHSiT5I7EOutAuGMRiENOVOTU99d3R4yIOrCEZ40VImU",
    "MC4CAQAwBQYDK2VwBCIEIEduonV2UnpXV8WaDw96dZg5JQiF75OyMxHF+fF9miSp",
    "MC4CAQAwBQYDK2VwBCIEIGFfZ/JiU/V4W1nJEM7xYVBFIVU6OB1PzcTsx7rJU809",
    "MC4CAQAwBQYDK2VwBCIEIPc4FaEgoF47ESgfq8vdlE+i2MiHIERJQ24pjBLUZAn/",
    "MC4CAQAwBQYDK2VwBCIEIA7iUgfczhiKhJhw6H/yll5XLqoyLAfQHDlrfOs/CetV",
    "MC4CAQAwBQYDK2VwBCIEIMfwz4VzLVyDVqEq3rpUujeewKn6PyI6pbmh1UJedizv",
    "MC4CAQAwBQYDK2VwBCIEIJ1Q2GDWYZtIAh9Bm9k+sPA/FCL6nGlnKFKbuXuygctg",
};

crypto::PrivateKey Fixed(size_t index) {
  auto key = crypto::PrivateKey::FromPem(FixedTestKeyPem(index));
  EVIDENCE_CHECK(key.ok());
  return std::move(key).value();
}

crypto::PrivateKey Generate(crypto::SignatureAlgorithm algorithm) {
  auto key = crypto::PrivateKey::Generate(algorithm);
  EVIDENCE_CHECK(key.ok());
  return std::move(key).value();
}

}  // namespace

std::string FixedTestKeyPem(size_t index) {
  EVIDENCE_CHECK(index < std::size(kFixedKeys));
  return std::string("-----BEGIN PRIVATE KEY-----\n") + kFixedKeys[index] +
         "\n-----END PRIVATE KEY-----\n";
}

TestChain::TestChain(TestChainOptions options)
    : options_(std::move(options)), record_ids_(std::make_shared<std::set<crypto::Digest>>()) {
  std::vector<GenesisValidator> validators;
  const char* names[kValidators] = {"justice-bureau", "procuratorate", "court", "notary-office"};
  const char* institutions[kValidators] = {"泗水县司法局", "泗水县人民检察院", "泗水县人民法院",
                                           "泗水县公证处"};
  for (size_t i = 0; i < kValidators; ++i) {
    validator_keys_.push_back(options_.fixed_keys ? Fixed(i) : Generate(options_.validator_keys));
    crypto::PrivateKey node_key = options_.fixed_keys ? Fixed(kValidators + i)
                                                      : Generate(crypto::SignatureAlgorithm::kP256);
    validators.push_back({names[i], institutions[i], validator_keys_.back().public_key(),
                          node_key.public_key(), 1, "127.0.0.1:" + std::to_string(26650 + i)});
  }
  agency_ids_ = {"sishui-market-supervision", "sishui-justice-bureau"};
  const char* agency_names[kAgencies] = {"泗水县市场监督管理局", "泗水县司法局行政复议办公室"};
  std::vector<GenesisAgency> agencies;
  for (size_t i = 0; i < kAgencies; ++i) {
    agency_keys_.push_back(options_.fixed_keys ? Fixed(2 * kValidators + i)
                                               : Generate(options_.agency_keys));
    agencies.push_back({agency_ids_[i], agency_names[i], "泗水县人民政府",
                        {agency_keys_.back().public_key()}});
  }
  std::vector<GenesisReader> readers;
  readers.push_back({"court-reader", "court", crypto::Hash(crypto::HashAlgorithm::kSha256,
                                                            std::string_view("court-token")),
                     std::nullopt});
  GenesisContents contents;
  contents.version = options_.governed ? 2 : 1;
  contents.chain_id = options_.chain_id;
  contents.genesis_time_ms = options_.genesis_time_ms;
  contents.hash = options_.hash;
  if (options_.governed) {
    for (size_t i = 0; i < kValidators; ++i) {
      admin_keys_.push_back(options_.fixed_keys ? Fixed(kAdminKeysFirst + i)
                                                : Generate(crypto::SignatureAlgorithm::kEd25519));
      contents.admins.push_back({institutions[i], {admin_keys_.back().public_key()}});
    }
    contents.params = options_.params;
    contents.params.governance_threshold = DefaultGovernanceThreshold(kValidators);
  }
  contents.validators = std::move(validators);
  contents.agencies = std::move(agencies);
  contents.readers = std::move(readers);
  auto genesis = Genesis::Create(std::move(contents));
  EVIDENCE_CHECK_MSG(genesis.ok(), genesis.status().ToString().c_str());
  genesis_ = std::move(genesis).value();
  state_.last_block_time_ms = genesis_.genesis_time_ms();
  state_.log = crypto::CompactRange(crypto::MerkleHasher(genesis_.hash()));
  auto ids = record_ids_;
  state_.contains_record = [ids](const crypto::Digest& id) -> Result<bool> {
    return ids->count(id) > 0;
  };
  state_.next = GovernanceState::FromGenesis(genesis_);
  state_.last = state_.next;
}

const std::string& TestChain::agency_id(size_t agency) const { return agency_ids_.at(agency); }

int64_t TestChain::next_block_time_ms() const {
  if (state_.height == 0) return genesis_.genesis_time_ms();
  return CommitMedianTimeMs(genesis_.validator_set(), last_commit_);
}

Record TestChain::UnsignedRecord(size_t agency, std::string case_id, uint64_t seed,
                                 std::optional<int64_t> time_ms) const {
  Record r;
  r.chain_id = genesis_.chain_id();
  r.kind = "enforcement_record";
  r.case_id = std::move(case_id);
  r.stage = "decision";
  r.agency = agency_ids_.at(agency);
  std::string document = "document " + std::to_string(seed);
  r.digest = FormatDocumentDigest(crypto::HashAlgorithm::kSha256,
                                  crypto::Hash(crypto::HashAlgorithm::kSha256, document));
  r.size = document.size();
  r.media_type = "application/pdf";
  r.title = "行政处罚决定书 " + std::to_string(seed);
  r.time_ms = time_ms.value_or(next_block_time_ms());
  r.sig.algorithm = agency_keys_.at(agency).algorithm();
  r.sig.key_id = agency_keys_.at(agency).key_id();
  return r;
}

Record TestChain::MakeRecord(size_t agency, std::string case_id, uint64_t seed,
                             std::optional<int64_t> time_ms) const {
  Record r = UnsignedRecord(agency, std::move(case_id), seed, time_ms);
  EVIDENCE_CHECK(SignRecord(agency_keys_.at(agency), r).ok());
  return r;
}

std::vector<Record> TestChain::MakeBatch(size_t agency, std::string case_id, uint64_t first_seed,
                                         size_t count) const {
  std::vector<Record> records;
  for (size_t i = 0; i < count; ++i) {
    records.push_back(UnsignedRecord(agency, case_id, first_seed + i));
  }
  EVIDENCE_CHECK(SignBatch(genesis_.hash(), agency_keys_.at(agency), records).ok());
  return records;
}

Commit TestChain::MakeCommit(uint64_t height, const crypto::Digest& block_hash,
                             int64_t base_time_ms, const std::vector<uint32_t>& signers) const {
  Commit commit{height, 0, block_hash, {}};
  for (uint32_t index : signers) {
    Vote vote{VoteType::kPrecommit, height, 0, block_hash,
              base_time_ms + 1000 * (static_cast<int64_t>(index) + 1), index, {}};
    auto signature = validator_keys_.at(index).Sign(VoteSigningBytes(genesis_.chain_id(), vote));
    EVIDENCE_CHECK(signature.ok());
    commit.signatures.push_back({index, vote.timestamp_ms, std::move(signature).value()});
  }
  return commit;
}

Block TestChain::MakeNextBlock(const std::vector<Record>& records) const {
  Block block;
  for (const Record& r : records) block.leaves.push_back(RecordLeaf(r));
  block.last_commit = state_.height == 0 ? Commit{} : last_commit_;
  block.header = MakeBlockHeader(state_, block.leaves, block.last_commit, block.evidence,
                                 static_cast<uint32_t>((state_.height + 1) % kValidators));
  return block;
}

TestChain::Step TestChain::Next(const std::vector<Record>& records) {
  Step step;
  step.block = MakeNextBlock(records);
  step.commit = MakeCommit(step.block.header.height, BlockHash(hash(), step.block.header),
                           step.block.header.time_ms);
  Advance(step.block, step.commit);
  return step;
}

void TestChain::Advance(const Block& block, const Commit& commit) {
  crypto::MerkleHasher hasher(hash());
  for (const std::string& leaf : block.leaves) {
    state_.log.Append(hasher.HashLeaf(AsBytes(leaf)));
    auto record = ParseRecord(leaf);
    EVIDENCE_CHECK(record.ok());
    record_ids_->insert(RecordId(hash(), *record));
  }
  EVIDENCE_CHECK(state_.log.size() == block.header.log_size);
  state_.height = block.header.height;
  state_.last_block_hash = BlockHash(hash(), block.header);
  state_.last_block_time_ms = block.header.time_ms;
  last_commit_ = commit;
}

}  // namespace evidence::ledger::testing
