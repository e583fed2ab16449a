// RAND_METHOD is deprecated in OpenSSL 3.0 but is the one way to give the
// default provider's P-256 and SM2 nonces a fixed source (see the header).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "tests/receipts/vector_chains.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rand.h>

#include <cstring>

#include "common/check.h"
#include "crypto/merkle.h"
#include "crypto/timestamp.h"
#include "ledger/batch.h"
#include "ledger/governance.h"

namespace evidence::vectors {

using ledger::Receipt;
using ledger::Record;
using ledger::testing::CommitPlan;
using ledger::testing::TestChain;
using ledger::testing::TestChainOptions;

namespace {

// --- The fixed random source. ---

struct FixedStream {
  std::string seed;
  uint64_t counter = 0;
  crypto::Digest block{};
  size_t used = sizeof block;
};
FixedStream fixed_stream;

int FixedBytes(unsigned char* out, int count) {
  for (int i = 0; i < count; ++i) {
    if (fixed_stream.used == fixed_stream.block.size()) {
      std::string input = fixed_stream.seed + "/" + std::to_string(fixed_stream.counter++);
      fixed_stream.block = crypto::Hash(crypto::HashAlgorithm::kSha256, input);
      fixed_stream.used = 0;
    }
    out[i] = fixed_stream.block[fixed_stream.used++];
  }
  return 1;
}
int FixedStatus() { return 1; }
const RAND_METHOD kFixedMethod = {nullptr, FixedBytes, nullptr, nullptr, FixedBytes, FixedStatus};

// --- Helpers for records. ---

crypto::Digest Id(const VectorChain& chain, const Record& record) {
  return ledger::RecordId(chain.hash(), record);
}

void Sign(const VectorChain& chain, size_t agency, Record& record) {
  EVIDENCE_CHECK(ledger::SignRecord(chain.chain().agency_key(agency), record).ok());
}

void SignBatch(const VectorChain& chain, size_t agency, std::vector<Record>& records) {
  EVIDENCE_CHECK(ledger::SignBatch(chain.hash(), chain.chain().agency_key(agency), records).ok());
}

// --- The documents. ---

const std::map<std::string, std::string>& Documents() {
  static const std::map<std::string, std::string> documents = {
      {"reconsideration-decision.txt",
       "行政复议决定书 — (2026)鲁0831行复12号 — the document's bytes"},
      {"inspection-record-3.txt", "现场检查笔录 — (2026)鲁0831行罚3号 — 2026-01-01 泗水县泗河街道"},
      {"penalty-decision-3.txt", "行政处罚决定书 — (2026)鲁0831行罚3号 — 罚款人民币贰仟元"},
      {"case-filing-4.txt", "立案审批表 — (2026)鲁0831行罚4号"},
      {"inspection-record-4.txt", "现场检查笔录 — (2026)鲁0831行罚4号 — 检查人员二名，出示执法证件"},
      {"penalty-decision-4.txt", "行政处罚决定书 — (2026)鲁0831行罚4号 — 警告"},
      {"limits.txt", "a record with every string at its v1 limit"},
      {"hearing-notice-5.txt", "听证告知书 — (2026)鲁0831行罚5号"},
      {"gm-case-filing-9.txt", "立案审批表 — (2026)鲁0831行罚9号 — 国密链"},
      {"gm-penalty-decision-9.txt", "行政处罚决定书 — (2026)鲁0831行罚9号 — 国密链 SM3/SM2"},
      {"gm-review-opinion-15.txt", "行政复议意见书 — (2026)鲁0831行复15号"},
      {"gm-reconsideration-decision-15.txt", "行政复议决定书 — (2026)鲁0831行复15号"},
      {"county-record-1.txt", "county record 1 — P-256 chain with weighted validators"},
      {"county-record-2.txt", "county record 2 — a P-256 signature with a high S"},
      {"county-record-3.txt", "county record 3 — committed by three validators"},
      {"other-document.txt", "another document: no receipt proves it"},
      {"gov-before-changes.txt", "现场检查笔录 — (2026)鲁0831行罚20号 — before any governance change"},
      {"gov-rotated-key.txt", "行政复议决定书 — (2026)鲁0831行复21号 — signed with a key later rotated"},
      {"gov-compromised-before.txt", "现场检查笔录 — (2026)鲁0831行罚22号 — before the key was stolen"},
      {"gov-compromised-after.txt", "行政处罚决定书 — (2026)鲁0831行罚22号 — when the key may have been stolen"},
      {"gov-new-agency.txt", "税务行政处罚决定书 — (2026)鲁0831税罚1号 — by an agency added by governance"},
      {"gov-second-key.txt", "行政复议决定书 — (2026)鲁0831行复23号 — with the agency's added key"},
      {"gov-old-set.txt", "听证告知书 — (2026)鲁0831行罚24号 — the last block of the old validators"},
      {"gov-new-set.txt", "行政处罚决定书 — (2026)鲁0831行罚24号 — committed by the rotated validator set"},
      {"tt-witness-added.txt", "现场检查笔录 — (2026)鲁0831行罚31号 — in the block that adds a witness"},
      {"tt-witness-in-force.txt", "行政处罚决定书 — (2026)鲁0831行罚31号 — the added witness in force"},
      {"tt-witness-removed.txt", "听证告知书 — (2026)鲁0831行罚32号 — in the block that removes a witness"},
      {"tt-after-removal.txt", "行政处罚决定书 — (2026)鲁0831行罚32号 — the removal in force"},
  };
  return documents;
}

const std::string& Document(const std::string& name) { return Documents().at(name); }

// A record of agency 1 with every string, list and number of the v1 format at
// its limit (docs/receipt-format.md §6), and the characters JCS escapes or
// leaves alone: quote, backslash, slash, a non-BMP character, U+2028.
Record LimitsRecord(const VectorChain& s, const std::vector<Record>& earlier) {
  Record r = s.DocumentRecord(1, "", "other", "", "", Document("limits.txt"),
                              crypto::HashAlgorithm::kSha256);
  r.case_id = "（２０２６）鲁０８３１行复";  // full-width forms (3 bytes each)
  r.case_id.append(256 - r.case_id.size(), '9');
  r.stage = std::string(64, 's');
  r.media_type = "application/vnd.evidence-ledger.limits+json; x=";
  r.media_type.append(128 - r.media_type.size(), 'm');
  r.title = "quote \" backslash \\ slash / emoji 😀 line separator \u2028 行政";
  r.title.append(1024 - r.title.size(), 't');
  for (const Record& e : earlier) r.links.push_back(crypto::DigestHex(Id(s, e)));
  for (int k = 0; r.links.size() < 16; ++k) {
    r.links.push_back(crypto::DigestHex(
        crypto::Hash(crypto::HashAlgorithm::kSha256, "link " + std::to_string(k))));
  }
  r.time_ms = 0;
  r.size = uint64_t{1} << 53;
  --r.size;
  return r;
}

Golden MakeGolden(std::string name, std::string description, const VectorChain& chain,
                  std::string document, const Record& record, int64_t offset_ms) {
  Receipt receipt = chain.ReceiptOf(record);
  int64_t existed_by_ms = receipt.header.time_ms + offset_ms;
  EVIDENCE_CHECK(ledger::CommitMedianTimeMs(chain.chain().genesis().validator_set(),
                                            receipt.commit) == existed_by_ms);
  return Golden{std::move(name), std::move(description), &chain, std::move(document),
                std::move(receipt), existed_by_ms};
}

// A golden v2 receipt, also checked to verify (with the original genesis only)
// giving these notes and warnings.
Golden MakeGoldenV2(std::string name, std::string description, const VectorChain& chain,
                    std::string document, const Record& record, size_t notes, size_t warnings) {
  Golden g = MakeGolden(std::move(name), std::move(description), chain, std::move(document),
                        record, 3000);
  auto facts = ledger::VerifyReceiptForDigest(record.digest, g.receipt, chain.chain().genesis());
  EVIDENCE_CHECK_MSG(facts.ok(), facts.status().ToString().c_str());
  EVIDENCE_CHECK_MSG(facts->notes.size() == notes && facts->warnings.size() == warnings,
                     g.name.c_str());
  g.notes = notes;
  g.warnings = warnings;
  return g;
}

// --- The chains. ---

void BuildSha256Ed25519(Corpus& corpus) {
  UseFixedRandomSource("chain sha256-ed25519");
  TestChainOptions options;
  options.chain_id = "sishui-evidence";
  options.fixed_keys = true;
  auto owned = std::make_unique<VectorChain>("sha256-ed25519", options);
  VectorChain& s = *owned;
  const auto sha256 = crypto::HashAlgorithm::kSha256;
  Record a = s.DocumentRecord(0, "(2026)鲁0831行罚3号", "enforcement_record", "investigation",
                              "现场检查笔录", Document("inspection-record-3.txt"), sha256);
  Record b = s.DocumentRecord(0, "(2026)鲁0831行罚3号", "enforcement_record", "decision",
                              "行政处罚决定书", Document("penalty-decision-3.txt"), sha256);
  Sign(s, 0, a);
  Sign(s, 0, b);
  s.Commit({a, b});
  Record example = s.DocumentRecord(1, "(2026)鲁0831行复12号", "reconsideration_document",
                                    "decision", "行政复议决定书",
                                    Document("reconsideration-decision.txt"), sha256);
  example.links = {crypto::DigestHex(Id(s, a))};
  Sign(s, 1, example);
  std::vector<Record> batch = {
      s.DocumentRecord(0, "(2026)鲁0831行罚4号", "enforcement_record", "filing", "立案审批表",
                       Document("case-filing-4.txt"), sha256),
      s.DocumentRecord(0, "(2026)鲁0831行罚4号", "enforcement_record", "investigation",
                       "现场检查笔录", Document("inspection-record-4.txt"), sha256),
      s.DocumentRecord(0, "(2026)鲁0831行罚4号", "enforcement_record", "decision",
                       "行政处罚决定书", Document("penalty-decision-4.txt"), sha256)};
  SignBatch(s, 0, batch);
  s.Commit({example, batch[0], batch[1], batch[2]});
  Record limits = LimitsRecord(s, {a, b, example});
  Sign(s, 1, limits);
  s.Commit({limits});
  std::vector<Record> one = {s.DocumentRecord(0, "(2026)鲁0831行罚5号", "enforcement_record",
                                              "hearing", "听证告知书",
                                              Document("hearing-notice-5.txt"), sha256)};
  SignBatch(s, 0, one);
  s.Commit(one);
  corpus.goldens.push_back(MakeGolden(
      "sha256-ed25519-single", "Worked example 1: a record signed alone (SHA-256 chain, Ed25519)",
      s, "reconsideration-decision.txt", example, 3000));
  corpus.goldens.push_back(MakeGolden(
      "sha256-ed25519-batched", "Worked example 2: the middle record of a batch of three", s,
      "inspection-record-4.txt", batch[1], 3000));
  corpus.goldens.push_back(MakeGolden(
      "sha256-ed25519-limits",
      "A record at every v1 limit: case_id 256, stage 64, media_type 128, title 1024 bytes, "
      "16 links, time 0, size 2^53-1; quote, backslash, slash, U+1F600, U+2028 in the title",
      s, "limits.txt", limits, 3000));
  corpus.goldens.push_back(MakeGolden("sha256-ed25519-batch-of-one",
                                      "A batch of one record: size 1, index 0, empty path", s,
                                      "hearing-notice-5.txt", one[0], 3000));
  corpus.chains.emplace(s.name(), std::move(owned));
}

void BuildSm3Sm2(Corpus& corpus) {
  UseFixedRandomSource("chain sm3-sm2");
  TestChainOptions options;
  options.chain_id = "sishui-evidence-gm";
  options.hash = crypto::HashAlgorithm::kSm3;
  options.validator_keys = crypto::SignatureAlgorithm::kSm2;
  options.agency_keys = crypto::SignatureAlgorithm::kSm2;
  options.fixed_keys = true;
  auto owned = std::make_unique<VectorChain>("sm3-sm2", options);
  VectorChain& m = *owned;
  const auto sm3 = crypto::HashAlgorithm::kSm3;
  Record filing = m.DocumentRecord(0, "(2026)鲁0831行罚9号", "enforcement_record", "filing",
                                   "立案审批表", Document("gm-case-filing-9.txt"), sm3);
  Sign(m, 0, filing);
  m.Commit({filing});
  Record example = m.DocumentRecord(0, "(2026)鲁0831行罚9号", "enforcement_record", "decision",
                                    "行政处罚决定书", Document("gm-penalty-decision-9.txt"), sm3);
  example.links = {crypto::DigestHex(Id(m, filing))};
  Sign(m, 0, example);
  std::vector<Record> batch = {
      m.DocumentRecord(1, "(2026)鲁0831行复15号", "review_opinion", "opinion", "行政复议意见书",
                       Document("gm-review-opinion-15.txt"), sm3),
      m.DocumentRecord(1, "(2026)鲁0831行复15号", "reconsideration_document", "decision",
                       "行政复议决定书", Document("gm-reconsideration-decision-15.txt"), sm3)};
  SignBatch(m, 1, batch);
  m.Commit({example, batch[0], batch[1]});
  corpus.goldens.push_back(MakeGolden(
      "sm3-sm2-single", "Worked example 3: an SM3 chain with SM2 keys, the document digested with SM3",
      m, "gm-penalty-decision-9.txt", example, 3000));
  corpus.goldens.push_back(MakeGolden("sm3-sm2-batched",
                                      "The second record of a batch of two on the SM3/SM2 chain", m,
                                      "gm-reconsideration-decision-15.txt", batch[1], 3000));
  corpus.chains.emplace(m.name(), std::move(owned));
}

void BuildP256Weighted(Corpus& corpus) {
  UseFixedRandomSource("chain p256-weighted");
  TestChainOptions options;
  options.chain_id = "county-p256-test";
  options.validator_keys = crypto::SignatureAlgorithm::kP256;
  options.agency_keys = crypto::SignatureAlgorithm::kP256;
  options.fixed_keys = true;
  options.powers = {2, 1, 1, 2};
  auto owned = std::make_unique<VectorChain>("p256-weighted", options);
  VectorChain& p = *owned;
  const auto sha256 = crypto::HashAlgorithm::kSha256;
  Record first = p.DocumentRecord(0, "C-1", "other", "filing", "county record 1",
                                  Document("county-record-1.txt"), sha256);
  Sign(p, 0, first);
  // Precommit times out of validator order: sorted, the powers run 1, 2, 1, 2 (of 6);
  // 3 is exactly half, so the median is the time that passes it: +3000, not +2000.
  p.Commit({first}, {{0, 1, 2, 3}, {4000, 1000, 3000, 2000}});
  Record high_s = p.DocumentRecord(1, "C-2", "other", "filing", "county record 2",
                                   Document("county-record-2.txt"), sha256);
  Sign(p, 1, high_s);
  high_s.sig.value = HighS(high_s.sig.value);
  EVIDENCE_CHECK(p.chain().agency_key(1).public_key().Verify(ledger::RecordSigningBytes(high_s),
                                                             high_s.sig.value));
  Record third = p.DocumentRecord(0, "C-3", "other", "filing", "county record 3",
                                  Document("county-record-3.txt"), sha256);
  Sign(p, 0, third);
  // Validators 0, 1 and 3 (power 5 of 6); validators 0 and 1 sign at the same time.
  p.Commit({high_s, third}, {{0, 1, 3}, {2000, 2000, 1000}});
  corpus.goldens.push_back(MakeGolden(
      "p256-weighted-first-block",
      "P-256 keys, powers 2,1,1,2: block 1 (tree of one leaf, empty proof, zero previous hash); "
      "precommit times out of validator order, the weighted median at exactly half the power",
      p, "county-record-1.txt", first, 3000));
  corpus.goldens.push_back(MakeGolden(
      "p256-high-s-record", "A P-256 record signature with S > n/2 (ECDSA does not fix the sign)",
      p, "county-record-2.txt", high_s, 2000));
  corpus.goldens.push_back(MakeGolden(
      "p256-three-signers", "Committed by validators 0, 1 and 3 (power 5 of 6) with tied times", p,
      "county-record-3.txt", third, 2000));
  corpus.chains.emplace(p.name(), std::move(owned));
}

crypto::PrivateKey SpareKey(size_t i) {
  return crypto::PrivateKey::FromPem(
             ledger::testing::FixedTestKeyPem(ledger::testing::kSpareKeysFirst + i))
      .value();
}

// A record of `agency` signed with `key` (one the register gained by governance).
Record SignedWith(const VectorChain& chain, size_t agency, const crypto::PrivateKey& key,
                  const std::string& agency_id, const std::string& case_id,
                  const std::string& title, const std::string& document) {
  Record r = chain.DocumentRecord(agency, case_id, "enforcement_record", "decision", title,
                                  Document(document), crypto::HashAlgorithm::kSha256);
  r.agency = agency_id;
  r.sig.algorithm = key.algorithm();
  r.sig.key_id = key.key_id();
  EVIDENCE_CHECK(ledger::SignRecord(key, r).ok());
  return r;
}

// Receipts v2 (docs/receipt-format.md §11) on a version-2 genesis, across the
// changes a receipt must survive (an action of block h is in force from h + 2):
//   block 1  a record of agency 0 (a version-1 block: its receipt is v1)
//   block 2  add-agency "sishui-tax-bureau" (spare key 0) and add-agency-key for
//            agency 1 (spare key 1); records of agency 1 and agency 0 (first keys)
//   block 3  a record of agency 0 (first key)
//   block 4  agency 1's first key revoked (rotated), agency 0's first key revoked
//            (compromised, effective from block 3's record's claimed time); the
//            tax bureau's first record
//   block 5  a record of agency 1 with its added key
//   block 6  rotate-validator-keys: validator 3 votes with spare key 2 from block 8
//   block 7  a record committed by the old validator set
//   block 8  a record committed by the new one
void BuildGoverned(Corpus& corpus) {
  UseFixedRandomSource("chain governed");
  TestChainOptions options;
  options.chain_id = "sishui-evidence-governed";
  options.fixed_keys = true;
  options.governed = true;
  auto owned = std::make_unique<VectorChain>("governed", options);
  VectorChain& g = *owned;
  TestChain& chain = g.chain();
  const auto sha256 = crypto::HashAlgorithm::kSha256;
  const std::string market = chain.agency_id(0);
  const std::string justice = chain.agency_id(1);
  const std::string tax = "sishui-tax-bureau";
  const crypto::PrivateKey tax_key = SpareKey(0);
  const crypto::PrivateKey justice_second_key = SpareKey(1);
  const crypto::PrivateKey court_new_vote_key = SpareKey(2);

  Record before = g.DocumentRecord(0, "(2026)鲁0831行罚20号", "enforcement_record", "investigation",
                                   "现场检查笔录", Document("gov-before-changes.txt"), sha256);
  Sign(g, 0, before);
  g.Commit({before});

  Record rotated = g.DocumentRecord(1, "(2026)鲁0831行复21号", "reconsideration_document",
                                    "decision", "行政复议决定书", Document("gov-rotated-key.txt"),
                                    sha256);
  Sign(g, 1, rotated);
  Record early = g.DocumentRecord(0, "(2026)鲁0831行罚22号", "enforcement_record",
                                  "investigation", "现场检查笔录",
                                  Document("gov-compromised-before.txt"), sha256);
  Sign(g, 0, early);
  g.Commit({rotated, early}, {},
           {chain.ActionLeafOf(ledger::AddAgency{{tax, "泗水县税务局", "泗水县人民政府",
                                                  {tax_key.public_key()}}}),
            chain.ActionLeafOf(ledger::AddAgencyKey{justice, justice_second_key.public_key()}, 2)});

  Record late = g.DocumentRecord(0, "(2026)鲁0831行罚22号", "enforcement_record", "decision",
                                 "行政处罚决定书", Document("gov-compromised-after.txt"), sha256);
  Sign(g, 0, late);
  g.Commit({late});

  Record by_tax = SignedWith(g, 0, tax_key, tax, "(2026)鲁0831税罚1号", "税务行政处罚决定书",
                             "gov-new-agency.txt");
  g.Commit({by_tax}, {},
           {chain.ActionLeafOf(ledger::RevokeAgencyKey{justice, chain.agency_key(1).key_id(),
                                                       "rotated", late.time_ms}),
            chain.ActionLeafOf(ledger::RevokeAgencyKey{market, chain.agency_key(0).key_id(),
                                                       "compromised", late.time_ms},
                               4)});

  Record second = SignedWith(g, 1, justice_second_key, justice, "(2026)鲁0831行复23号",
                             "行政复议决定书", "gov-second-key.txt");
  g.Commit({second});

  const std::string court = chain.genesis().validators().at(3).name;
  g.Commit({}, {},
           {chain.ActionLeafOf(ledger::RotateValidatorKeys{
               court, court_new_vote_key.public_key(), std::nullopt, std::nullopt})});
  g.UseVoteKey(3, SpareKey(2), 6 + ledger::kGovernanceActivationDelay);

  Record old_set = SignedWith(g, 1, justice_second_key, justice, "(2026)鲁0831行罚24号",
                              "听证告知书", "gov-old-set.txt");
  g.Commit({old_set});
  Record new_set = SignedWith(g, 1, justice_second_key, justice, "(2026)鲁0831行罚24号",
                              "行政处罚决定书", "gov-new-set.txt");
  g.Commit({new_set});

  struct Made {
    const char* name;
    const char* description;
    const char* document;
    const Record* record;
    size_t notes = 0;
    size_t warnings = 0;
  };
  const Made made[] = {
      {"governed-v1-before-changes",
       "A version-2 genesis, a record in block 1 before any change: a v1 receipt", "gov-before-changes.txt",
       &before},
      {"governed-rotated-key-note",
       "v2: agency 1's record of block 2, its key revoked (rotated) in block 4: valid, with a note",
       "gov-rotated-key.txt", &rotated, 1, 0},
      {"governed-compromised-key-before",
       "v2: agency 0's record of block 2, claimed before the effective time of its key's "
       "compromised revocation (block 4): valid, with a note",
       "gov-compromised-before.txt", &early, 1, 0},
      {"governed-compromised-key-warning",
       "v2: agency 0's record of block 3, claimed at the effective time of its key's compromised "
       "revocation (block 4): valid, with a warning",
       "gov-compromised-after.txt", &late, 0, 1},
      {"governed-new-agency",
       "v2: a record of the agency added in block 2 (in force from block 4), in block 4",
       "gov-new-agency.txt", &by_tax},
      {"governed-added-key", "v2: a record signed with the key added to agency 1 in block 2",
       "gov-second-key.txt", &second},
      {"governed-old-validator-set",
       "v2: block 7, after the rotation of validator 3's vote key (block 6) but before it is in "
       "force: committed by the old set",
       "gov-old-set.txt", &old_set},
      {"governed-new-validator-set",
       "v2: block 8, committed by the set with validator 3's rotated vote key", "gov-new-set.txt",
       &new_set},
  };
  for (const Made& m : made) {
    corpus.goldens.push_back(
        MakeGoldenV2(m.name, m.description, g, m.document, *m.record, m.notes, m.warnings));
  }
  corpus.chains.emplace(g.name(), std::move(owned));
}

// Receipts v2 on a version-2 genesis with a TSA CA (the court's) and a witness
// (spare key 0), across the trusted-time actions:
//   block 1  a record of agency 0 (a version-1 block)
//   block 2  add-witness "witness.example.org/w2" (spare key 1) and set-tsa-ca
//            for the procuratorate; a record of agency 0
//   block 3  a record of agency 0 (the block-2 actions not yet in force)
//   block 4  remove-witness "witness.example.org/w1" and set-tsa-ca replacing the
//            court's CA; a record of agency 0
//   block 5  (no records)
//   block 6  a record of agency 0 (the removal in force)
void BuildTrustedTime(Corpus& corpus) {
  UseFixedRandomSource("chain governed-trusted-time");
  TestChainOptions options;
  options.chain_id = "sishui-evidence-trusted-time";
  options.fixed_keys = true;
  options.governed = true;
  options.witnesses = {{"witness.example.org/w1", SpareKey(0).public_key()}};
  const std::string court = "泗水县人民法院";
  options.tsas = {{court, crypto::ParseCaCertificate(kCourtCaPem).value()}};
  auto owned = std::make_unique<VectorChain>("governed-trusted-time", options);
  VectorChain& g = *owned;
  TestChain& chain = g.chain();
  EVIDENCE_CHECK(chain.genesis().validators().at(2).institution == court);
  const std::string procuratorate = chain.genesis().validators().at(1).institution;
  const auto sha256 = crypto::HashAlgorithm::kSha256;
  auto record = [&](const char* case_id, const char* title, const char* document) {
    Record r = g.DocumentRecord(0, case_id, "enforcement_record", "decision", title,
                                Document(document), sha256);
    Sign(g, 0, r);
    return r;
  };

  Record first = record("(2026)鲁0831行罚30号", "现场检查笔录", "gov-before-changes.txt");
  g.Commit({first});
  Record added = record("(2026)鲁0831行罚31号", "现场检查笔录", "tt-witness-added.txt");
  g.Commit({added}, {},
           {chain.ActionLeafOf(ledger::AddWitness{{"witness.example.org/w2", SpareKey(1).public_key()}}),
            chain.ActionLeafOf(ledger::SetTsaCa{procuratorate,
                                                crypto::ParseCaCertificate(kCourtCaPem).value()},
                               2)});
  Record in_force = record("(2026)鲁0831行罚31号", "行政处罚决定书", "tt-witness-in-force.txt");
  g.Commit({in_force});
  Record removed = record("(2026)鲁0831行罚32号", "听证告知书", "tt-witness-removed.txt");
  g.Commit({removed}, {},
           {chain.ActionLeafOf(ledger::RemoveWitness{"witness.example.org/w1"}, 3),
            chain.ActionLeafOf(ledger::SetTsaCa{court, crypto::ParseCaCertificate(kCourtCa2Pem).value()},
                               4)});
  g.Commit({});
  Record after = record("(2026)鲁0831行罚32号", "行政处罚决定书", "tt-after-removal.txt");
  g.Commit({after});

  corpus.goldens.push_back(MakeGoldenV2(
      "trusted-time-witness-added",
      "v2: block 2, which adds a witness and the procuratorate's TSA CA to a genesis with a TSA CA "
      "and a witness",
      g, "tt-witness-added.txt", added, 0, 0));
  corpus.goldens.push_back(MakeGoldenV2("trusted-time-witness-in-force",
                                        "v2: block 3, after add-witness and set-tsa-ca",
                                        g, "tt-witness-in-force.txt", in_force, 0, 0));
  corpus.goldens.push_back(MakeGoldenV2("trusted-time-witness-removed",
                                        "v2: block 4, which removes the genesis witness and replaces the court's TSA CA", g,
                                        "tt-witness-removed.txt", removed, 0, 0));
  corpus.goldens.push_back(MakeGoldenV2("trusted-time-after-removal",
                                        "v2: block 6, the removal of the genesis witness in force",
                                        g, "tt-after-removal.txt", after, 0, 0));
  corpus.chains.emplace(g.name(), std::move(owned));
}

}  // namespace

Bytes HighS(const Bytes& der) {
  const unsigned char* cursor = der.data();
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
  EVIDENCE_CHECK(signature != nullptr);
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  const BIGNUM* order = EC_GROUP_get0_order(group);
  BIGNUM* half = BN_dup(order);
  BN_rshift1(half, half);
  BIGNUM* r = BN_dup(ECDSA_SIG_get0_r(signature));
  BIGNUM* s = BN_dup(ECDSA_SIG_get0_s(signature));
  if (BN_cmp(s, half) <= 0) EVIDENCE_CHECK(BN_sub(s, order, s) == 1);
  EVIDENCE_CHECK(ECDSA_SIG_set0(signature, r, s) == 1);
  unsigned char* encoded = nullptr;
  int length = i2d_ECDSA_SIG(signature, &encoded);
  EVIDENCE_CHECK(length > 0);
  Bytes out(encoded, encoded + length);
  OPENSSL_free(encoded);
  BN_free(half);
  EC_GROUP_free(group);
  ECDSA_SIG_free(signature);
  return out;
}

void UseFixedRandomSource(std::string_view seed) {
  fixed_stream = FixedStream{std::string(seed)};
  EVIDENCE_CHECK(RAND_set_rand_method(&kFixedMethod) == 1);
}

VectorChain::VectorChain(std::string name, TestChainOptions options)
    : name_(std::move(name)), chain_(std::move(options)) {}

void VectorChain::Commit(const std::vector<Record>& records, const CommitPlan& plan,
                         const std::vector<std::string>& actions) {
  ledger::Block block = chain_.MakeNextBlock(records, actions);
  ledger::Commit commit = SignCommit(block.header, plan);
  chain_.Advance(block, commit);
  crypto::MerkleHasher hasher(hash());
  for (size_t i = 0; i < records.size(); ++i) {
    placed_[Id(*this, records[i])] = Placed{block.header.height, leaf_hashes_.size()};
    leaf_hashes_.push_back(hasher.HashLeaf(AsBytes(block.leaves[i])));
  }
  headers_.push_back(block.header);
  commits_.push_back(commit);
  if (!actions.empty()) governance_.push_back({block.header, commit, actions});
}

void VectorChain::UseVoteKey(uint32_t index, crypto::PrivateKey key, uint64_t from_height) {
  vote_keys_.push_back({index, from_height, std::move(key)});
}

const crypto::PrivateKey& VectorChain::VoteKey(uint32_t index, uint64_t height) const {
  const crypto::PrivateKey* key = &chain_.validator_key(index);
  for (const VoteKeyChange& change : vote_keys_) {
    if (change.index == index && height >= change.from_height) key = &change.key;
  }
  return *key;
}

// TestChain::MakeCommit's plan (precommit times the block time + 1000 * (index
// + 1) unless given), signed by the vote keys of the header's height.
ledger::Commit VectorChain::SignCommit(const ledger::BlockHeader& header,
                                       const CommitPlan& plan) const {
  EVIDENCE_CHECK(plan.offsets_ms.empty() || plan.offsets_ms.size() == plan.signers.size());
  ledger::Commit commit{header.height, 0, ledger::BlockHash(hash(), header), {}};
  for (size_t k = 0; k < plan.signers.size(); ++k) {
    const uint32_t index = plan.signers[k];
    const int64_t offset_ms =
        plan.offsets_ms.empty() ? 1000 * (static_cast<int64_t>(index) + 1) : plan.offsets_ms[k];
    commit.signatures.push_back({index, header.time_ms + offset_ms, {}});
  }
  Recommit(header, commit);
  return commit;
}

Receipt VectorChain::ReceiptOf(const Record& record) const {
  const Placed& placed = placed_.at(Id(*this, record));
  Receipt r;
  r.record = record;
  r.leaf_index = placed.leaf_index;
  r.header = headers_.at(placed.height - 1);
  r.commit = commits_.at(placed.height - 1);
  r.tree_size = r.header.log_size;
  r.inclusion_proof = crypto::MakeInclusionProof(
      crypto::MerkleHasher(hash()),
      std::span<const crypto::Digest>(leaf_hashes_.data(), r.tree_size), r.leaf_index);
  r.validator_set_hash = r.header.validators_hash;
  if (r.header.version == ledger::kBlockVersionGoverned) {
    r.version = 2;
    r.governance = governance_;
  }
  return r;
}

void VectorChain::Recommit(Receipt& receipt) const { Recommit(receipt.header, receipt.commit); }

void VectorChain::Recommit(const ledger::BlockHeader& header, ledger::Commit& commit) const {
  commit.block_hash = ledger::BlockHash(hash(), header);
  for (ledger::CommitSignature& s : commit.signatures) {
    ledger::Vote vote{ledger::VoteType::kPrecommit, commit.height, commit.round,
                      commit.block_hash, s.timestamp_ms, s.validator_index, {}};
    // Heights beyond the chain (a changed header) sign with the latest keys.
    auto signature = VoteKey(s.validator_index, header.height)
                         .Sign(ledger::VoteSigningBytes(chain_.genesis().chain_id(), vote));
    EVIDENCE_CHECK(signature.ok());
    s.signature = std::move(signature).value();
  }
}

Record VectorChain::DocumentRecord(size_t agency, const std::string& case_id,
                                   const std::string& kind, const std::string& stage,
                                   const std::string& title, const std::string& document,
                                   crypto::HashAlgorithm digest_algorithm) const {
  Record r = chain_.UnsignedRecord(agency, case_id, 0);
  r.kind = kind;
  r.stage = stage;
  r.title = title;
  r.digest = ledger::FormatDocumentDigest(digest_algorithm,
                                          crypto::Hash(digest_algorithm, document));
  r.size = document.size();
  r.media_type = "text/plain; charset=utf-8";
  return r;
}

const Golden& Corpus::golden(const std::string& name) const {
  for (const Golden& g : goldens) {
    if (g.name == name) return g;
  }
  EVIDENCE_CHECK_MSG(false, name.c_str());
  return goldens.front();
}

Corpus BuildCorpus() {
  Corpus corpus;
  corpus.documents = Documents();
  BuildSha256Ed25519(corpus);
  BuildSm3Sm2(corpus);
  BuildP256Weighted(corpus);
  BuildGoverned(corpus);
  BuildTrustedTime(corpus);
  return corpus;
}

}  // namespace evidence::vectors
