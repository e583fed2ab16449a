// The shared golden vectors of records and batches (tests/vectors/records/):
// the C++ ledger checks every byte of them here; the Java and Python SDKs check
// the same files; docs/api.md quotes them as its worked examples.
//
// With EVIDENCE_WRITE_RECORD_VECTORS=<dir> the test writes the files afresh
// from the fixed test keys below (P-256 and SM2 signatures are randomised, so a
// rewrite changes those; Ed25519 ones are deterministic). Then indent them for
// people: python3 -m json.tool --no-ensure-ascii --indent 1.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "ledger/batch.h"
#include "ledger/json.h"
#include "ledger/record.h"

namespace evidence::ledger {
namespace {

namespace json = boost::json;

// Fixed test keys (never use outside tests). The Ed25519 one is record_test's.
struct TestKey {
  const char* name;
  const char* private_pem;
};
constexpr TestKey kKeys[] = {
    {"ed25519",
     "-----BEGIN PRIVATE KEY-----\n"
     "MC4CAQAwBQYDK2VwBCIEIPzfNuBnXZamWgEbAUmUn1P9827TNtJeFcBAsPWkpG3X\n"
     "-----END PRIVATE KEY-----\n"},
    {"p256",
     "-----BEGIN PRIVATE KEY-----\n"
     "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8G2Vd6ZF0qajmExg\n"
     "Q5QQvX6xJwJNmmjHdKexZTHV2gahRANCAAR3esv6UbT95Ka0tWVP61v1vvJOPFEW\n"
     "VwQ+FLol0XkHd7DzzN3skS7Y19Y4T9+US4Uzdzo+9EvBM8Kwt4/nO1V5\n"
     "-----END PRIVATE KEY-----\n"},
    {"sm2",
     "-----BEGIN PRIVATE KEY-----\n"
     "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg97FHNO2JQ0iZhRmI\n"
     "scBi9BjOLIBEFV3JeN9YI3Up3PahRANCAAS1a15H7W1i8RZE4x3qsLIfq+OxSOW0\n"
     "lz+lugW+lE+tdXadUkbkhbhaNhIfdMtBjvmsE8b4KMAoO/c0EMMwCE9r\n"
     "-----END PRIVATE KEY-----\n"},
};

constexpr int64_t kTimeMs = 1767225600000;  // 2026-01-01T00:00:00Z

std::string VectorsPath(std::string_view name) {
  return std::string(EVIDENCE_VECTORS_DIR) + "/records/" + std::string(name);
}

json::value Load(std::string_view name) {
  std::ifstream in(VectorsPath(name), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::string Text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::string Str(const json::value& value) { return std::string(value.as_string()); }

crypto::PrivateKey KeyNamed(std::string_view name) {
  for (const TestKey& key : kKeys) {
    if (key.name == name) return crypto::PrivateKey::FromPem(key.private_pem).value();
  }
  ADD_FAILURE() << "no test key " << name;
  return crypto::PrivateKey::FromPem(kKeys[0].private_pem).value();
}

// Records whose canonical form exercises JCS: non-ASCII, quotes, backslash,
// '/', a character outside the BMP, links, an empty title.
Record UnsignedRecord(uint64_t seed, std::string title) {
  Record r;
  r.chain_id = "sishui-evidence";
  r.kind = seed % 2 ? "enforcement_record" : "reconsideration_document";
  r.case_id = "(2026)鲁0831行复12号";
  r.stage = seed % 2 ? "investigation" : "decision";  // in each kind's stage vocabulary
  r.agency = "sishui-justice-bureau";
  r.digest = FormatDocumentDigest(
      crypto::HashAlgorithm::kSha256,
      crypto::Hash(crypto::HashAlgorithm::kSha256, "document " + std::to_string(seed)));
  r.size = 183204 + seed;
  r.media_type = "application/pdf";
  r.title = std::move(title);
  r.time_ms = kTimeMs + static_cast<int64_t>(seed);
  return r;
}

json::object Describe(crypto::HashAlgorithm hash, const Record& record) {
  json::object out;
  out["record"] = RecordToJson(record);
  out["unsigned"] = RecordToJson(record, false);
  out["signing_bytes"] = Text(RecordSigningBytes(record));
  out["signing_bytes_sha256"] =
      crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, RecordSigningBytes(record)));
  out["record_id"] = crypto::DigestHex(RecordId(hash, record));
  out["leaf"] = RecordLeaf(record);
  out["leaf_hash"] = crypto::DigestHex(RecordLeafHash(hash, record));
  return out;
}

json::object RecordVectors() {
  json::object keys;
  for (const TestKey& key : kKeys) {
    crypto::PrivateKey private_key = crypto::PrivateKey::FromPem(key.private_pem).value();
    keys[key.name] = json::object{{"private_pem", key.private_pem},
                                  {"public_pem", private_key.public_key().ToPem()},
                                  {"key_id", private_key.key_id()}};
  }
  json::array vectors;
  uint64_t seed = 0;
  for (const char* hash_name : {"sha256", "sm3"}) {
    const crypto::HashAlgorithm hash = crypto::ParseHashAlgorithm(hash_name).value();
    for (const TestKey& key : kKeys) {
      Record record = UnsignedRecord(seed, seed == 0 ? "行政复议决定书 \"甲\\乙\" a/b 😀" : "");
      if (seed > 0) {
        record.links = {crypto::DigestHex(crypto::Hash(hash, std::string_view("earlier")))};
      }
      EXPECT_TRUE(SignRecord(KeyNamed(key.name), record).ok());
      json::object vector = Describe(hash, record);
      vector["name"] = std::string(key.name) + "-" + hash_name;
      vector["hash"] = hash_name;
      vector["key"] = key.name;
      vectors.push_back(std::move(vector));
      ++seed;
    }
  }
  return json::object{
      {"description",
       "Evidence records (docs/api.md 'A record, byte by byte'): for each vector the record as "
       "sent, the record without sig, the signing bytes (\"EVIDENCE-RECORD/v1\\n\" + JCS), their "
       "SHA-256, the record id (H = the vector's hash), the log leaf (JCS with sig) and its leaf "
       "hash H(0x00 || leaf). Ed25519 signatures are deterministic; P-256 and SM2 ones are not, "
       "so a signer reproduces the bytes and checks that the given signature verifies."},
      {"keys", std::move(keys)},
      {"vectors", std::move(vectors)}};
}

json::object BatchVector(crypto::HashAlgorithm hash, std::string_view key_name) {
  std::vector<Record> records = {UnsignedRecord(10, "立案审批表"), UnsignedRecord(11, "现场检查笔录"),
                                 UnsignedRecord(12, "行政处罚决定书")};
  const char* stages[] = {"filing", "investigation", "decision"};
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].case_id = "(2026)鲁0831行罚7号";
    records[i].kind = "enforcement_record";
    records[i].stage = stages[i];
    records[i].agency = "sishui-market-supervision";
  }
  records[2].links = {crypto::DigestHex(RecordId(hash, records[0]))};
  EXPECT_TRUE(SignBatch(hash, KeyNamed(key_name), records).ok());
  json::array described;
  json::array body_records;
  for (const Record& record : records) {
    described.push_back(Describe(hash, record));
    body_records.push_back(RecordToJson(record));
  }
  const BatchHeader header = BatchHeaderOf(records[0]);
  return json::object{
      {"hash", crypto::HashAlgorithmName(hash)},
      {"key", key_name},
      {"records", std::move(described)},
      {"root", crypto::DigestHex(header.root)},
      {"header", json::object{{"agency", header.agency},
                              {"chain_id", header.chain_id},
                              {"root", crypto::DigestHex(header.root)},
                              {"size", header.size},
                              {"v", 1}}},
      {"header_signing_bytes", Text(BatchSigningBytes(header))},
      {"body", CanonicalJson(json::object{{"records", std::move(body_records)}}).value()}};
}

json::object BatchVectors() {
  json::array vectors;
  vectors.push_back(BatchVector(crypto::HashAlgorithm::kSha256, "ed25519"));
  vectors.push_back(BatchVector(crypto::HashAlgorithm::kSm3, "sm2"));
  return json::object{
      {"description",
       "Batches (docs/api.md 'A batch, byte by byte'): three records of one case signed as one "
       "batch. Batch tree leaves are H(0x00 || record id) in batch order, nodes H(0x01 || l || r) "
       "(RFC 6962); header = {agency, chain_id, root, size, v: 1}; the signature is over "
       "\"EVIDENCE-BATCH/v1\\n\" + JCS(header); each record carries sig.batch {root, size, index, "
       "path}. `body` is the exact POST /v1/batches body. Keys are those of records.json."},
      {"vectors", std::move(vectors)}};
}

void Write(std::string_view directory, std::string_view name, const json::object& document) {
  std::ofstream out(std::string(directory) + "/" + std::string(name), std::ios::binary);
  out << json::serialize(document) << "\n";
}

// Every byte of every record vector is what the ledger makes of it.
TEST(RecordVectors, RecordsMatchTheLedgerByteForByte) {
  if (const char* directory = std::getenv("EVIDENCE_WRITE_RECORD_VECTORS")) {
    Write(directory, "records.json", RecordVectors());
    Write(directory, "batches.json", BatchVectors());
  }
  const json::value file = Load("records.json");
  const json::object& keys = file.at("keys").as_object();
  ASSERT_EQ(file.at("vectors").as_array().size(), 6u);
  for (const json::value& vector : file.at("vectors").as_array()) {
    SCOPED_TRACE(Str(vector.at("name")));
    const crypto::HashAlgorithm hash = crypto::ParseHashAlgorithm(Str(vector.at("hash"))).value();
    auto record = RecordFromJson(vector.at("record"));
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    EXPECT_EQ(Text(RecordSigningBytes(*record)), Str(vector.at("signing_bytes")));
    EXPECT_EQ(Str(vector.at("signing_bytes")),
              std::string(kRecordSigningDomain) +
                  CanonicalJson(vector.at("unsigned")).value());
    EXPECT_EQ(crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256,
                                             RecordSigningBytes(*record))),
              Str(vector.at("signing_bytes_sha256")));
    EXPECT_EQ(crypto::DigestHex(RecordId(hash, *record)), Str(vector.at("record_id")));
    EXPECT_EQ(RecordLeaf(*record), Str(vector.at("leaf")));
    EXPECT_EQ(crypto::DigestHex(RecordLeafHash(hash, *record)), Str(vector.at("leaf_hash")));
    const json::object& key = keys.at(Str(vector.at("key"))).as_object();
    auto public_key = crypto::PublicKey::FromPem(Str(key.at("public_pem")));
    ASSERT_TRUE(public_key.ok());
    EXPECT_EQ(public_key->key_id(), Str(key.at("key_id")));
    EXPECT_TRUE(VerifyRecordSignature(hash, *public_key, *record).ok());
    if (Str(vector.at("key")) == "ed25519") {  // deterministic: signing again gives the same bytes
      Record again = *record;
      ASSERT_TRUE(SignRecord(KeyNamed("ed25519"), again).ok());
      EXPECT_EQ(again, *record);
    }
  }
}

TEST(RecordVectors, BatchesMatchTheLedgerByteForByte) {
  const json::value records_file = Load("records.json");
  const json::value file = Load("batches.json");
  ASSERT_EQ(file.at("vectors").as_array().size(), 2u);
  for (const json::value& vector : file.at("vectors").as_array()) {
    SCOPED_TRACE(Str(vector.at("hash")));
    const crypto::HashAlgorithm hash = crypto::ParseHashAlgorithm(Str(vector.at("hash"))).value();
    auto records = ParseBatch(Str(vector.at("body")));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    ASSERT_EQ(records->size(), 3u);
    const json::object& key =
        records_file.at("keys").at(Str(vector.at("key"))).as_object();
    auto public_key = crypto::PublicKey::FromPem(Str(key.at("public_pem"))).value();
    for (size_t i = 0; i < records->size(); ++i) {
      const json::value& described = vector.at("records").as_array()[i];
      EXPECT_EQ(crypto::DigestHex(RecordId(hash, (*records)[i])), Str(described.at("record_id")));
      EXPECT_EQ(RecordLeaf((*records)[i]), Str(described.at("leaf")));
      EXPECT_TRUE(VerifyRecordSignature(hash, public_key, (*records)[i]).ok());
    }
    const BatchHeader header = BatchHeaderOf((*records)[0]);
    EXPECT_EQ(crypto::DigestHex(header.root), Str(vector.at("root")));
    EXPECT_EQ(Text(BatchSigningBytes(header)), Str(vector.at("header_signing_bytes")));
    EXPECT_EQ(Str(vector.at("header_signing_bytes")),
              std::string(kBatchSigningDomain) + CanonicalJson(vector.at("header")).value());
  }
}

}  // namespace
}  // namespace evidence::ledger
