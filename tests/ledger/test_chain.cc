#include "tests/ledger/test_chain.h"

#include "common/check.h"

namespace evidence::ledger::testing {
namespace {

constexpr const char* kFixedEd25519Keys[] = {
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

// Made with `openssl genpkey` (SM2; EC P-256 with named curve), PKCS#8 DER in base64.
constexpr const char* kFixedP256Keys[] = {
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmCCY5zLi4eYosoJ222nMdTVSuUUJkwLC6JQWeUrt"
    "dsShRANCAAQPGDir99IAbTXRy7mWrw0gvkTxCmDZMwWg27JJUYO67qBBYnTm+MxhsY3EvqU4qsuVvFydWr6LDpFu"
    "M0F6bpzi",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+Havcquv04fxZqVFkyrWUubMuBvZlUCwMwr8ZzuO"
    "+6uhRANCAATQmygCfIUX93I2KSvU74a4gK2k+oPNH0cbe+OWCyCg8BGi1uqMjyXlFN5DaMRZ4NMLbpT69cabKqag"
    "BYV+gjNb",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfETRPiEw8Doz98rr8ZXS6xGSI39UoIP+p6PCIwRf"
    "TiKhRANCAAQEU2mmuE8ZLAHTC0BWaSrhSkM7Bz/SPMvsSoFUj82Q+Vrg3bWdCTqkuyhtn2+qJxJilqngcucF2hKu"
    "oWsnVO2K",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZh0UIpCWJ4tL7bY0P/Zc+sAKsinG0llp/MEofdaR"
    "HJGhRANCAATUB4bo7VbeEA7l2on0G1XTI6mZgqQs+RyTSsJj6fplMRBx35XiK1fhedk9PTX/vg4hKCRBsiQ9OLFR"
    "EtaKh7MW",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMb1NEKmowhUx2EE573D0/6ZfobX8tG/CaoO1aKEN"
    "Og6hRANCAASQ9ke7AJ/fNokJ3ygA2DLzuLB39XQSG/q1Adz1yrEh0LWem3rnMGrH3VThAC8Zok8NddMLgxqhNo0/"
    "JCjQX5t2",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1RO+n/pwXEo8Lml4n+dIWYQOogmL9nuSqDGGRmZK"
    "HJqhRANCAAT633QoY+I+t5SWDuzKKHn53tu8iNx4pZDx7vib9XDCZW3o2miG5FaNHG7bGMIxGiuXFV2i52ltBUsB"
    "8Zz51eW2",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggC9WWZgAU7jS0uFqv3e0+5nXrGOssgeSz24T8Jxg"
    "2VShRANCAATa3rwFAQmq3hqCiaPFCDhTlQAb/QKzlcrhzCt+6+nzvnjSPyaqUh3z8ltNpEsJupIydqWIZopyTnqc"
    "aWyKZ4tt",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaWtyTHuawqLN9hNmiB8P6eXPagDdnfxdp28BAU+G"
    "QdKhRANCAAREyz+oldJWpDRJn62Nbxuf7pvaAL3VpCxXIlj8Dw1qQIrbbmjDDI69SHNQM2NwX4cgELaM41uQP7vP"
    "fMTrM1uF",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9tMMyNgT8EUhk+h5Ntx7cqLwYzCYoCSSwMZYKlXO"
    "0I+hRANCAAT3loiEbg5fLGK1R3+Vw0/7TRRRPWjvw9sJjYLH2sx76PAglAf9WMF/uhR3Uk+Q/SXm4AHKS5vUSrRf"
    "JMo6rhID",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCBU0xd5PaEvnEZyWNLuIqFp0iBV6mTRgF0N0LFpV"
    "kEmhRANCAAQPWSZ84j9nJB5JxRLfb6WGVdwkJqGiBNrPngnCHkqFMhEGGh5KQn7gQE4Eul4iRYmgknNdS5yFKN7s"
    "RHq0K9io",
};

constexpr const char* kFixedSm2Keys[] = {
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgaVlYFa4Z2B/DncpycCcsf+vpoXyX3HC+NGg2DZa5"
    "+NuhRANCAAT22/bEWZizOWxvXvXWxhVgVcFeiwxQNx10uIX4Hd0Fh/n02KIclS8m4hNQp0gsSCrRS6tuIdm83PaY"
    "2jqB157c",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgk0KOBjKawnJwRhSutpDyN1P98jiFfGMQEKRliU4D"
    "smehRANCAATGlYF1Jf5MFS/lcwR/cjBvO7Lj/B+yDSylS6m4OpYV+Dto6DFUEe5k8EgMlXdDGqpubNDjNqW3SZ6j"
    "42juMiGO",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgqLL+DN1R1CRlLth6B9fn+fbhW3YseOVYLcSdIlYf"
    "2b+hRANCAARPYlyLOIujIyC545/TuvftPKeBcYK1xAqElEkr3ptDCSMCddkgUTQxDiHikpzkdO93gQ4oE22l+7dU"
    "3VqcY2gy",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgPJHzxr0GkK89d35S3h4Qd5a0dSZtza1rIIxJk4Xn"
    "YZmhRANCAATik8FKYTI78LDsH2vef7mppXJS4a3dgxepV7B2Fa5Eb61TJNvkE9BLSAfR4XtsFYK3XZ9Wh7tEa1XJ"
    "9BzPbeky",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgMdz5AsM1I37AvFqyJ58JPUNbOWRAS3fMCeOwmrNc"
    "IYKhRANCAATEHlYlk2vpKlg3zc68qPAv4MOjRoCF3jHvF4WnMLk5sn4Wl82zrKys5EkoNxaD4w9VbGk6BgOQOCw5"
    "fdpki7tN",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgU0NKDXpqbTQSRVEWdX5D6pDd58OcxfUoGIoRud8W"
    "RHuhRANCAATUgpjW7dS5iA+y++BgAUqz/69BWwpQeE0IIj0uMe3Eh5EJwdtQoSoMiMLFUMhXQoLEkBIT3VpMhPTT"
    "DSCVrsly",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgJHvyZc6gqkzb6cujEvNcTDvVCx6LoTsmI+mAfC75"
    "L2yhRANCAATJR2lVlkfTyGr5k1BukOzrq2C6dwzVZrIuoEgkLGAh3NPxOA16Fak3ryXiYpyhlFDzy56+qC2e2Kto"
    "32bjSr2k",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg4BOmUbrUoojPCrfxl0aC80D6Z5Zh0AwZDuJqNuQV"
    "4t6hRANCAASxyfaUVZDTj1GkjZ3+c+AKjcGaiaWX7xgluYIyyCrtE9cVoNbAT+hPWeMMk7bOsXPvTfN6+OK2jXku"
    "BbKi/Zq7",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgqzGS4qCmxMf2XVrGj6BnTUOJlBY/sCx6i14tPKkQ"
    "eM6hRANCAARAD/Nwrsp9VQbOC6/xltj5q34JiyZtppKGhx6ikzyGvQJpkXyKzOX8iewrEPlcUhE9C8qYiS/6g+4O"
    "QpfhAUz9",
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgJFC9n/CglgE70PfDvn0Wt4pFdO/Hk26BRo873exg"
    "7wChRANCAAT11CFi6PhbON4OxLgSXLaXd0STZD7FdnFIYvujVXo63dDWrI9OUG3d1vAhlmqdq2vDH+MD2zWvdVQU"
    "icQYU1U+",
};

crypto::PrivateKey Fixed(size_t index, crypto::SignatureAlgorithm algorithm) {
  auto key = crypto::PrivateKey::FromPem(FixedTestKeyPem(index, algorithm));
  EVIDENCE_CHECK(key.ok());
  EVIDENCE_CHECK(key->algorithm() == algorithm);
  return std::move(key).value();
}

crypto::PrivateKey Generate(crypto::SignatureAlgorithm algorithm) {
  auto key = crypto::PrivateKey::Generate(algorithm);
  EVIDENCE_CHECK(key.ok());
  return std::move(key).value();
}

}  // namespace

std::string FixedTestKeyPem(size_t index, crypto::SignatureAlgorithm algorithm) {
  static_assert(std::size(kFixedEd25519Keys) == kSpareKeysFirst + kSpareKeys &&
                std::size(kFixedP256Keys) == 10 && std::size(kFixedSm2Keys) == 10);
  std::string_view body;
  switch (algorithm) {
    case crypto::SignatureAlgorithm::kEd25519:
      EVIDENCE_CHECK(index < std::size(kFixedEd25519Keys));
      body = kFixedEd25519Keys[index];
      break;
    case crypto::SignatureAlgorithm::kP256:
      EVIDENCE_CHECK(index < std::size(kFixedP256Keys));
      body = kFixedP256Keys[index];
      break;
    case crypto::SignatureAlgorithm::kSm2:
      EVIDENCE_CHECK(index < std::size(kFixedSm2Keys));
      body = kFixedSm2Keys[index];
      break;
  }
  std::string pem = "-----BEGIN PRIVATE KEY-----\n";
  for (size_t at = 0; at < body.size(); at += 64) pem.append(body.substr(at, 64)).push_back('\n');
  return pem + "-----END PRIVATE KEY-----\n";
}

TestChain::TestChain(TestChainOptions options)
    : options_(std::move(options)), record_ids_(std::make_shared<std::set<crypto::Digest>>()) {
  std::vector<GenesisValidator> validators;
  const char* names[kValidators] = {"justice-bureau", "procuratorate", "court", "notary-office"};
  const char* institutions[kValidators] = {"泗水县司法局", "泗水县人民检察院", "泗水县人民法院",
                                           "泗水县公证处"};
  EVIDENCE_CHECK(options_.powers.size() == kValidators);
  for (size_t i = 0; i < kValidators; ++i) {
    validator_keys_.push_back(options_.fixed_keys ? Fixed(i, options_.validator_keys)
                                                  : Generate(options_.validator_keys));
    crypto::PrivateKey node_key = options_.fixed_keys
                                      ? Fixed(kValidators + i, options_.validator_keys)
                                      : Generate(crypto::SignatureAlgorithm::kP256);
    validators.push_back({names[i], institutions[i], validator_keys_.back().public_key(),
                          node_key.public_key(), options_.powers[i],
                          "127.0.0.1:" + std::to_string(26650 + i)});
  }
  agency_ids_ = {"sishui-market-supervision", "sishui-justice-bureau"};
  const char* agency_names[kAgencies] = {"泗水县市场监督管理局", "泗水县司法局行政复议办公室"};
  std::vector<GenesisAgency> agencies;
  for (size_t i = 0; i < kAgencies; ++i) {
    agency_keys_.push_back(options_.fixed_keys ? Fixed(2 * kValidators + i, options_.agency_keys)
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
      admin_keys_.push_back(options_.fixed_keys
                                ? Fixed(kAdminKeysFirst + i, crypto::SignatureAlgorithm::kEd25519)
                                                : Generate(crypto::SignatureAlgorithm::kEd25519));
      contents.admins.push_back({institutions[i], {admin_keys_.back().public_key()}});
    }
    contents.params = options_.params;
    contents.params.governance_threshold = DefaultGovernanceThreshold(kValidators);
    contents.witnesses = options_.witnesses;
    contents.tsas = options_.tsas;
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
  history_.emplace(GovernanceState::FromGenesis(genesis_));
  state_.next = history_->genesis();
  state_.last = state_.next;
  state_.latest = state_.next;
}

const std::string& TestChain::agency_id(size_t agency) const { return agency_ids_.at(agency); }

int64_t TestChain::next_block_time_ms() const {
  if (state_.height == 0) return genesis_.genesis_time_ms();
  return CommitMedianTimeMs(state_.last->validator_set(), last_commit_);
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
  return MakeCommit(height, block_hash, base_time_ms, CommitPlan{signers, {}});
}

Commit TestChain::MakeCommit(uint64_t height, const crypto::Digest& block_hash,
                             int64_t base_time_ms, const CommitPlan& plan) const {
  EVIDENCE_CHECK(plan.offsets_ms.empty() || plan.offsets_ms.size() == plan.signers.size());
  Commit commit{height, 0, block_hash, {}};
  for (size_t k = 0; k < plan.signers.size(); ++k) {
    uint32_t index = plan.signers[k];
    int64_t offset_ms = plan.offsets_ms.empty() ? 1000 * (static_cast<int64_t>(index) + 1)
                                                : plan.offsets_ms[k];
    Vote vote{VoteType::kPrecommit, height, 0, block_hash, base_time_ms + offset_ms, index, {}};
    auto signature = validator_keys_.at(index).Sign(VoteSigningBytes(genesis_.chain_id(), vote));
    EVIDENCE_CHECK(signature.ok());
    commit.signatures.push_back({index, vote.timestamp_ms, std::move(signature).value()});
  }
  return commit;
}

Block TestChain::MakeNextBlock(const std::vector<Record>& records,
                               const std::vector<std::string>& actions) const {
  Block block;
  for (const Record& r : records) block.leaves.push_back(RecordLeaf(r));
  block.last_commit = state_.height == 0 ? Commit{} : last_commit_;
  block.actions = actions;
  block.header = MakeBlockHeader(state_, block.leaves, block.last_commit, block.evidence,
                                 static_cast<uint32_t>((state_.height + 1) % kValidators), actions);
  return block;
}

std::string TestChain::ActionLeafOf(ActionBody body, std::optional<uint64_t> seq,
                                    const std::vector<size_t>& signers) const {
  GovernanceAction action;
  action.chain_id = genesis_.chain_id();
  action.seq = seq.value_or(state_.latest->next_seq());
  action.body = std::move(body);
  for (size_t i : signers) EVIDENCE_CHECK(SignAction(admin_keys_.at(i), action).ok());
  return ActionLeaf(action);
}

TestChain::Step TestChain::NextWithActions(const std::vector<Record>& records,
                                           const std::vector<std::string>& actions,
                                           const CommitPlan& plan) {
  Step step;
  step.block = MakeNextBlock(records, actions);
  step.commit = MakeCommit(step.block.header.height, BlockHash(hash(), step.block.header),
                           step.block.header.time_ms, plan);
  Advance(step.block, step.commit);
  return step;
}

TestChain::Step TestChain::Next(const std::vector<Record>& records, const CommitPlan& plan) {
  Step step;
  step.block = MakeNextBlock(records);
  step.commit = MakeCommit(step.block.header.height, BlockHash(hash(), step.block.header),
                           step.block.header.time_ms, plan);
  Advance(step.block, step.commit);
  return step;
}

DuplicateVoteEvidence TestChain::MakeEquivocation(uint32_t validator, uint64_t height,
                                                  uint32_t round) const {
  DuplicateVoteEvidence evidence;
  uint8_t fill = 1;
  for (Vote* vote : {&evidence.a, &evidence.b}) {
    *vote = Vote{VoteType::kPrevote, height, round, {}, genesis_.genesis_time_ms(), validator, {}};
    vote->block_hash.fill(fill++);
    auto signature = validator_key(validator).Sign(VoteSigningBytes(genesis_.chain_id(), *vote));
    EVIDENCE_CHECK(signature.ok());
    vote->signature = std::move(signature).value();
  }
  return evidence;
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
  Status applied = history_->Apply(block.header.height, block.header.time_ms, block.actions);
  EVIDENCE_CHECK_MSG(applied.ok(), applied.ToString().c_str());
  state_.last = state_.next;
  state_.next = history_->InForce(state_.height + 1);
  state_.latest = history_->Latest();
  NoteRecordedEvidence(block, state_.recorded_evidence);
  last_commit_ = commit;
}

}  // namespace evidence::ledger::testing
