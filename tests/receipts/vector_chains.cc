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
#include "ledger/batch.h"

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

void VectorChain::Commit(const std::vector<Record>& records, const CommitPlan& plan) {
  TestChain::Step step = chain_.Next(records, plan);
  crypto::MerkleHasher hasher(hash());
  for (size_t i = 0; i < records.size(); ++i) {
    placed_[Id(*this, records[i])] = Placed{step.block.header.height, leaf_hashes_.size()};
    leaf_hashes_.push_back(hasher.HashLeaf(AsBytes(step.block.leaves[i])));
  }
  headers_.push_back(step.block.header);
  commits_.push_back(step.commit);
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
  return r;
}

void VectorChain::Recommit(Receipt& receipt) const {
  receipt.commit.block_hash = ledger::BlockHash(hash(), receipt.header);
  for (ledger::CommitSignature& s : receipt.commit.signatures) {
    ledger::Vote vote{ledger::VoteType::kPrecommit, receipt.commit.height, receipt.commit.round,
                      receipt.commit.block_hash, s.timestamp_ms, s.validator_index, {}};
    auto signature = chain_.validator_key(s.validator_index)
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
  return corpus;
}

}  // namespace evidence::vectors
