#include "ledger/receipt.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <random>

#include "ledger/governance.h"
#include "ledger/json.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

using testing::TestChain;
using testing::TestChainOptions;

std::string TempDir(std::string_view name) {
  auto path = std::filesystem::temp_directory_path() /
              ("receipt-test-" + std::to_string(::getpid()) + "-" + std::string(name));
  std::filesystem::remove_all(path);
  return path.string();
}

// A small chain in a store: block 1 (2 records), block 2 (the example record,
// case "(2026)鲁0831行复12号", plus a batch of 3), block 3 (1 record).
struct Fixture {
  explicit Fixture(TestChainOptions options, std::string name) : chain(options), directory(TempDir(name)) {
    store = Store::Open(directory, chain.genesis()).value();
    Append({chain.MakeRecord(0, "(2026)鲁0831行罚3号", 1), chain.MakeRecord(0, "(2026)鲁0831行罚3号", 2)});
    document = "行政复议决定书 — (2026)鲁0831行复12号 — the document's bytes";
    Record r = chain.UnsignedRecord(1, "(2026)鲁0831行复12号", 3);
    r.kind = "reconsideration_document";
    r.digest = FormatDocumentDigest(crypto::HashAlgorithm::kSha256,
                                    crypto::Hash(crypto::HashAlgorithm::kSha256, document));
    r.size = document.size();
    r.title = "行政复议决定书";
    r.links = {crypto::DigestHex(RecordId(chain.hash(), records[0]))};
    EVIDENCE_CHECK(SignRecord(chain.agency_key(1), r).ok());
    example = r;
    std::vector<Record> block2 = {r};
    for (const Record& b : chain.MakeBatch(0, "(2026)鲁0831行罚4号", 10, 3)) block2.push_back(b);
    Append(block2);
    Append({chain.MakeRecord(1, "(2026)鲁0831行复13号", 20)});
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(directory);
  }
  void Append(const std::vector<Record>& rs) {
    TestChain::Step step = chain.Next(rs);
    EVIDENCE_CHECK(store->Append(step.block, step.commit).ok());
    for (const Record& r : rs) records.push_back(r);
  }
  Receipt ReceiptOf(const Record& r) { return BuildReceipt(*store, RecordId(chain.hash(), r)).value(); }

  TestChain chain;
  std::string directory;
  std::unique_ptr<Store> store;
  std::vector<Record> records;
  Record example;
  std::string document;
};

TestChainOptions FixedOptions() {
  TestChainOptions options;
  options.chain_id = "sishui-evidence";
  options.fixed_keys = true;
  return options;
}

TEST(Receipt, VerifiesAndSaysWhatItProves) {
  Fixture f(FixedOptions(), "verify");
  Receipt receipt = f.ReceiptOf(f.example);
  EXPECT_EQ(receipt.leaf_index, 2u);
  EXPECT_EQ(receipt.tree_size, 6u);
  EXPECT_EQ(receipt.header.height, 2u);
  auto facts = VerifyReceipt(AsBytes(f.document), receipt, f.chain.genesis());
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(facts->record_id, crypto::DigestHex(RecordId(f.chain.hash(), f.example)));
  EXPECT_EQ(facts->agency, "sishui-justice-bureau");
  EXPECT_EQ(facts->case_id, "(2026)鲁0831行复12号");
  EXPECT_EQ(facts->height, 2u);
  EXPECT_EQ(facts->tree_size, 6u);
  EXPECT_EQ(facts->block_time_ms, receipt.header.time_ms);
  EXPECT_EQ(facts->signing_power, 4u);
  // Only the digest.
  EXPECT_TRUE(VerifyReceiptForDigest(f.example.digest, receipt, f.chain.genesis()).ok());
  // Another document.
  auto wrong = VerifyReceipt(AsBytes(std::string_view("another document")), receipt, f.chain.genesis());
  EXPECT_EQ(ErrorCodeOf(wrong.status()), ErrorCode::kReceiptDigestMismatch);
  // Every record in the store has a receipt that verifies, batched ones included.
  for (const Record& r : f.records) {
    EXPECT_TRUE(VerifyReceiptForDigest(r.digest, f.ReceiptOf(r), f.chain.genesis()).ok());
  }
  // Another chain's genesis refuses it.
  TestChain other;
  EXPECT_FALSE(VerifyReceiptForDigest(f.example.digest, receipt, other.genesis()).ok());
}

TEST(Receipt, JsonRoundTripIsDeterministic) {
  Fixture f(FixedOptions(), "json");
  Receipt receipt = f.ReceiptOf(f.example);
  std::string text = ReceiptToText(receipt);
  auto parsed = ParseReceipt(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, receipt);
  EXPECT_EQ(ReceiptToText(*parsed), text);
  // Fixed keys, Ed25519 and BFT time make the whole chain reproducible: a second
  // run gives the same bytes.
  Fixture again(FixedOptions(), "json-again");
  EXPECT_EQ(ReceiptToText(again.ReceiptOf(again.example)), text);
  EXPECT_EQ(again.chain.genesis().ToJson(), f.chain.genesis().ToJson());
  // A change of any format that feeds the receipt changes this hash (the page's
  // examples and the corpus are pinned by tests/receipts/ as well).
  EXPECT_EQ(crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, text)),
            "f78160f9752a3b127c60a037e50a635054957e859622fb877664b182e88b868a");
}

// Regression (issue 19, finding 8): with record.chain_id wrong and block.chain_id
// right, the message printed the genesis chain id on both sides.
TEST(Receipt, WrongChainMessageNamesTheChainIdThatDiffers) {
  Fixture f(FixedOptions(), "wrong-chain");
  Receipt receipt = f.ReceiptOf(f.example);
  receipt.record.chain_id = "other-chain";
  auto facts = VerifyReceiptForDigest(f.example.digest, receipt, f.chain.genesis());
  EXPECT_EQ(ErrorCodeOf(facts.status()), ErrorCode::kReceiptWrongChain);
  EXPECT_NE(facts.status().message().find("record.chain_id is \"other-chain\""), std::string::npos)
      << facts.status().message();
  EXPECT_FALSE(IsUnusableInput(facts.status()));
  receipt = f.ReceiptOf(f.example);
  receipt.header.chain_id = "another-chain";
  facts = VerifyReceiptForDigest(f.example.digest, receipt, f.chain.genesis());
  EXPECT_NE(facts.status().message().find("block.chain_id is \"another-chain\", but the genesis is "
                                          "for \"sishui-evidence\""),
            std::string::npos)
      << facts.status().message();
}

TEST(Receipt, OtherVersionsAreUnsupportedNotMalformed) {
  Fixture f(FixedOptions(), "version");
  boost::json::value json = ReceiptToJson(f.ReceiptOf(f.example));
  json.as_object()["v"] = 3;
  json.as_object().erase("record");  // a later version may have other members
  auto parsed = ParseReceipt(CanonicalJson(json).value());
  EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kReceiptUnsupportedVersion);
  EXPECT_TRUE(IsUnusableInput(parsed.status()));
  json.as_object()["v"] = "1";
  parsed = ParseReceipt(CanonicalJson(json).value());
  EXPECT_EQ(ErrorCodeOf(parsed.status()), ErrorCode::kReceiptMalformed);
  EXPECT_TRUE(IsUnusableInput(parsed.status()));
  EXPECT_TRUE(IsUnusableInput(Status::IoError("cannot open x")));
  EXPECT_FALSE(IsUnusableInput(LedgerError(ErrorCode::kReceiptBadCommit, "x")));
}

// The time a receipt proves is the commit's weighted median, not the header's
// time (which comes from the previous block's commit and can be earlier than
// the record).
TEST(Receipt, ProvesTheCommitsMedianTime) {
  Fixture f(FixedOptions(), "existed-by");
  Receipt receipt = f.ReceiptOf(f.example);
  auto facts = VerifyReceiptForDigest(f.example.digest, receipt, f.chain.genesis());
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  // Precommits at block time + 1, 2, 3, 4 s (power 1 each): more than half of 4
  // is reached at the third.
  EXPECT_EQ(facts->existed_by_ms, receipt.header.time_ms + 3000);
  EXPECT_EQ(facts->block_time_ms, receipt.header.time_ms);
  receipt.commit.signatures.pop_back();  // three signers: the second of three
  facts = VerifyReceiptForDigest(f.example.digest, receipt, f.chain.genesis());
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->existed_by_ms, receipt.header.time_ms + 2000);
}

// Changes one scalar (every string and integer of the JSON tree, one at a time).
void ForEachScalar(boost::json::value& value, const std::string& path,
                   const std::function<void(boost::json::value&, const std::string&)>& visit) {
  if (value.is_object()) {
    for (auto& member : value.as_object()) {
      ForEachScalar(member.value(), path + "." + std::string(member.key()), visit);
    }
  } else if (value.is_array()) {
    auto& array = value.as_array();
    for (size_t i = 0; i < array.size(); ++i) ForEachScalar(array[i], path + "[" + std::to_string(i) + "]", visit);
  } else {
    visit(value, path);
  }
}

TEST(Receipt, AnyOneChangedFieldMakesVerifyFail) {
  Fixture f(FixedOptions(), "tamper");
  for (const Record* target : {&f.example, &f.records[4]}) {  // a plain and a batched record
    boost::json::value original = ReceiptToJson(f.ReceiptOf(*target));
    std::vector<std::string> paths;
    ForEachScalar(original, "", [&](boost::json::value&, const std::string& p) { paths.push_back(p); });
    ASSERT_GT(paths.size(), 40u);
    for (size_t k = 0; k < paths.size(); ++k) {
      boost::json::value copy = original;
      size_t seen = 0;
      ForEachScalar(copy, "", [&](boost::json::value& v, const std::string&) {
        if (seen++ != k) return;
        if (v.is_string()) {
          std::string s(v.as_string());
          size_t at = s.size() / 2;
          char c = s.empty() ? 'x' : s[at];
          char replacement = std::isxdigit(static_cast<unsigned char>(c)) && std::islower(c | 0x20)
                                 ? (c == 'a' ? 'b' : 'a')
                                 : (c == '1' ? '2' : '1');
          if (std::isdigit(static_cast<unsigned char>(c))) replacement = c == '1' ? '2' : '1';
          if (s.empty()) s = "x"; else s[at] = replacement;
          v = boost::json::string(s);
        } else if (v.is_int64()) {
          v = v.as_int64() + 1;
        } else if (v.is_uint64()) {
          v = v.as_uint64() + 1;
        }
      });
      std::string text = CanonicalJson(copy).value();
      auto receipt = ParseReceipt(text);
      if (!receipt.ok()) continue;  // refused as malformed: also a failure to verify
      auto facts = VerifyReceiptForDigest(target->digest, *receipt, f.chain.genesis());
      EXPECT_FALSE(facts.ok()) << "changing " << paths[k] << " still verifies";
    }
  }
}

TEST(Receipt, EachCheckHasItsOwnCode) {
  Fixture f(FixedOptions(), "codes");
  const Genesis& g = f.chain.genesis();
  Receipt good = f.ReceiptOf(f.example);
  auto code = [&](const Receipt& r) { return ErrorCodeOf(VerifyReceiptForDigest(f.example.digest, r, g).status()); };
  Receipt r = good;
  r.record.title += "x";
  EXPECT_EQ(code(r), ErrorCode::kReceiptBadRecordSignature);
  r = good;
  r.inclusion_proof.pop_back();
  EXPECT_EQ(code(r), ErrorCode::kReceiptBadInclusion);
  r = good;
  r.tree_size += 1;
  EXPECT_EQ(code(r), ErrorCode::kReceiptBadInclusion);
  r = good;
  r.header.proposer += 1;
  EXPECT_EQ(code(r), ErrorCode::kReceiptHeaderMismatch);
  r = good;
  r.commit.signatures.resize(2);
  EXPECT_EQ(code(r), ErrorCode::kReceiptBadCommit);
  r = good;
  r.validator_set_hash[0] ^= 1;
  EXPECT_EQ(code(r), ErrorCode::kReceiptValidatorMismatch);
  // Three of four precommits are still a valid commit.
  r = good;
  r.commit.signatures.erase(r.commit.signatures.begin());
  EXPECT_TRUE(VerifyReceiptForDigest(f.example.digest, r, g).ok());
  EXPECT_FALSE(ParseReceipt("{}").ok());
  EXPECT_FALSE(ParseReceipt(ReceiptToText(good) + "x").ok());
}

TEST(Receipt, Sm3ChainWithSm2Keys) {
  TestChainOptions options;
  options.hash = crypto::HashAlgorithm::kSm3;
  options.agency_keys = crypto::SignatureAlgorithm::kSm2;
  options.validator_keys = crypto::SignatureAlgorithm::kSm2;
  Fixture f(options, "sm3");
  Receipt receipt = f.ReceiptOf(f.example);
  EXPECT_TRUE(VerifyReceipt(AsBytes(f.document), receipt, f.chain.genesis()).ok());
  auto reparsed = ParseReceipt(ReceiptToText(receipt));
  ASSERT_TRUE(reparsed.ok());
  EXPECT_TRUE(VerifyReceipt(AsBytes(f.document), *reparsed, f.chain.genesis()).ok());
}

}  // namespace
}  // namespace evidence::ledger

namespace evidence::ledger {
namespace {

// Random byte damage to a receipt and to a stored block never crashes a decoder
// (run under ASan/UBSan with -DEVIDENCE_SANITIZE=ON) and never verifies.
TEST(Receipt, RandomDamageNeverCrashesNorVerifies) {
  Fixture f(FixedOptions(), "random");
  std::string text = ReceiptToText(f.ReceiptOf(f.example));
  Bytes block = EncodeBlock(f.store->GetBlock(2).value());
  std::mt19937_64 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = text;
    for (int k = 1 + random() % 3; k > 0; --k) damaged[random() % damaged.size()] ^= 1 << (random() % 8);
    auto receipt = ParseReceipt(damaged);
    if (receipt.ok() && ReceiptToText(*receipt) != text) {
      EXPECT_FALSE(VerifyReceiptForDigest(f.example.digest, *receipt, f.chain.genesis()).ok());
    }
    Bytes damaged_block = block;
    for (int k = 1 + random() % 3; k > 0; --k) damaged_block[random() % damaged_block.size()] ^= 1 << (random() % 8);
    auto decoded = DecodeBlock(damaged_block);
    if (decoded.ok()) {
      for (const std::string& leaf : decoded->leaves) (void)ParseRecord(leaf);
    }
  }
}

// ---------------------------------------------------------------- receipts v2

// A governed chain across changes: block 1 (a record, version 1), block 2
// (agency "sishui-tax-bureau" added, a second key for agency 0; a record of
// agency 0), block 3 (a record of agency 0), block 4 (a tax record; agency 0's
// first key revoked as compromised from the time of block 3's record),
// block 5 (a record with agency 0's second key), block 6 (empty).
struct GovernedFixture {
  GovernedFixture() : chain(Options()), directory(TempDir("governed")) {
    store = Store::Open(directory, chain.genesis()).value();
    const std::string agency = chain.agency_id(0);
    records.push_back(chain.MakeRecord(0, "c", 1));
    Append({records.back()}, {});
    records.push_back(chain.MakeRecord(0, "c", 2));
    Append({records.back()},
           {chain.ActionLeafOf(AddAgency{{"sishui-tax-bureau", "泗水县税务局", "泗水县人民政府",
                                          {Spare(0).public_key()}}}),
            chain.ActionLeafOf(AddAgencyKey{agency, Spare(1).public_key()}, 2)});
    records.push_back(chain.MakeRecord(0, "c", 3));
    Append({records.back()}, {});
    Record tax = chain.UnsignedRecord(0, "c", 4);
    tax.agency = "sishui-tax-bureau";
    tax.sig.key_id = Spare(0).key_id();
    EVIDENCE_CHECK(SignRecord(Spare(0), tax).ok());
    records.push_back(tax);
    Append({tax}, {chain.ActionLeafOf(RevokeAgencyKey{agency, chain.agency_key(0).key_id(),
                                                      "compromised", records[2].time_ms})});
    Record rotated = chain.UnsignedRecord(0, "c", 5);
    rotated.sig.key_id = Spare(1).key_id();
    EVIDENCE_CHECK(SignRecord(Spare(1), rotated).ok());
    records.push_back(rotated);
    Append({rotated}, {});
    Append({}, {});
  }
  ~GovernedFixture() {
    store.reset();
    std::filesystem::remove_all(directory);
  }
  static TestChainOptions Options() {
    TestChainOptions options = FixedOptions();
    options.governed = true;
    return options;
  }
  static crypto::PrivateKey Spare(size_t i) {
    return crypto::PrivateKey::FromPem(testing::FixedTestKeyPem(testing::kSpareKeysFirst + i))
        .value();
  }
  void Append(const std::vector<Record>& rs, const std::vector<std::string>& actions) {
    TestChain::Step step = chain.NextWithActions(rs, actions);
    Status status = store->Append(step.block, step.commit);
    EVIDENCE_CHECK_MSG(status.ok(), status.ToString().c_str());
  }
  Receipt ReceiptOf(const Record& r) { return BuildReceipt(*store, RecordId(chain.hash(), r)).value(); }
  Result<ProvenFacts> Verify(const Receipt& receipt, const Record& r) {
    // Only the original genesis, and the receipt read back from its text.
    Receipt read = ParseReceipt(ReceiptToText(receipt)).value();
    EXPECT_EQ(read, receipt);
    return VerifyReceiptForDigest(r.digest, read, chain.genesis());
  }

  TestChain chain;
  std::string directory;
  std::unique_ptr<Store> store;
  std::vector<Record> records;
};

TEST(ReceiptV2, RecordsBeforeAndAfterEveryChangeVerifyWithTheOriginalGenesis) {
  GovernedFixture f;
  // Block 1 is version 1: its receipt is v1, exactly as before governance.
  Receipt first = f.ReceiptOf(f.records[0]);
  EXPECT_EQ(first.version, 1u);
  EXPECT_TRUE(first.governance.empty());
  auto facts = f.Verify(first, f.records[0]);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(facts->receipt_version, 1u);

  for (size_t i = 1; i < f.records.size(); ++i) {
    Receipt receipt = f.ReceiptOf(f.records[i]);
    EXPECT_EQ(receipt.version, 2u) << i;
    EXPECT_EQ(receipt.governance.size(), 2u) << i;  // blocks 2 and 4
    facts = f.Verify(receipt, f.records[i]);
    ASSERT_TRUE(facts.ok()) << i << ": " << facts.status().ToString();
    EXPECT_EQ(facts->receipt_version, 2u);
    EXPECT_EQ(facts->governance_blocks, 2u);
    EXPECT_EQ(facts->state_hash,
              crypto::DigestHex(f.chain.history().InForce(facts->height)->Hash()));
  }
  // The tax bureau's record (block 4): the change of block 2 is in force.
  facts = f.Verify(f.ReceiptOf(f.records[3]), f.records[3]);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->governance_changes_in_force, 1u);
  EXPECT_EQ(facts->agency, "sishui-tax-bureau");
  // The record with the added key (block 5).
  EXPECT_TRUE(f.Verify(f.ReceiptOf(f.records[4]), f.records[4]).ok());
}

// Key revocation: a record committed before the revocation stays valid with a
// note; one whose claimed time is at or after a compromised key's `effective`
// time gets a warning.
TEST(ReceiptV2, RevokedKeysGiveANoteOrAWarning) {
  GovernedFixture f;
  auto before = f.Verify(f.ReceiptOf(f.records[1]), f.records[1]);  // time < effective
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->notes.size(), 1u);
  EXPECT_NE(before->notes[0].find("after this record was committed"), std::string::npos);
  EXPECT_TRUE(before->warnings.empty());
  auto at = f.Verify(f.ReceiptOf(f.records[2]), f.records[2]);  // time == effective
  ASSERT_TRUE(at.ok());
  ASSERT_EQ(at->warnings.size(), 1u);
  EXPECT_NE(at->warnings[0].find("stolen key"), std::string::npos);
  auto other = f.Verify(f.ReceiptOf(f.records[4]), f.records[4]);  // the new key
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->notes.empty());
  EXPECT_TRUE(other->warnings.empty());
}

TEST(ReceiptV2, AMissingOrChangedGovernanceBlockIsRefused) {
  GovernedFixture f;
  const Record& tax = f.records[3];
  Receipt receipt = f.ReceiptOf(tax);
  auto code = [&](const Receipt& changed) {
    return ErrorCodeOf(VerifyReceiptForDigest(tax.digest, changed, f.chain.genesis()).status());
  };
  Receipt missing = receipt;
  missing.governance.erase(missing.governance.begin());
  EXPECT_EQ(code(missing), ErrorCode::kReceiptBadGovernance);
  Receipt none = receipt;
  none.governance.clear();
  EXPECT_EQ(code(none), ErrorCode::kReceiptBadGovernance);
  Receipt changed_action = receipt;
  changed_action.governance[0].actions.pop_back();
  EXPECT_EQ(code(changed_action), ErrorCode::kReceiptBadGovernance);
  Receipt unsigned_block = receipt;
  unsigned_block.governance[0].commit.signatures.resize(2);
  EXPECT_EQ(code(unsigned_block), ErrorCode::kReceiptBadGovernance);
  Receipt reordered = receipt;
  std::swap(reordered.governance[0], reordered.governance[1]);
  EXPECT_EQ(code(reordered), ErrorCode::kReceiptBadGovernance);
  // Against another genesis nothing verifies.
  TestChainOptions other_options = GovernedFixture::Options();
  other_options.chain_id = "another-chain";
  TestChain other(other_options);
  EXPECT_FALSE(VerifyReceiptForDigest(tax.digest, receipt, other.genesis()).ok());
  // A v1 receipt cannot hold a version-2 block.
  Receipt as_v1 = receipt;
  as_v1.version = 1;
  as_v1.governance.clear();
  EXPECT_EQ(ErrorCodeOf(ParseReceipt(ReceiptToText(as_v1)).status()), ErrorCode::kReceiptMalformed);
}

}  // namespace
}  // namespace evidence::ledger
