// evidence-load prepare: records signed beforehand, one HTTP body a line.
#include <openssl/rand.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <fstream>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/batch.h"
#include "ledger/genesis.h"
#include "ledger/record.h"
#include "load.h"

namespace evidence::load {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A realistic record: a penalty decision of an enforcement case, unique digest
// (with the chain's hash: sha256, or sm3 on a 国密 chain).
ledger::Record MakeRecord(const ledger::Genesis& genesis, const std::string& agency,
                          const std::string& nonce, size_t index, int64_t time_ms) {
  ledger::Record record;
  record.chain_id = genesis.chain_id();
  record.kind = "enforcement_record";
  record.case_id = "(2026)鲁0831行罚" + std::to_string(index / 8) + "号";
  record.stage = "decision";
  record.agency = agency;
  crypto::Digest document =
      crypto::Hash(genesis.hash(), "bench " + nonce + " " + std::to_string(index));
  record.digest = ledger::FormatDocumentDigest(genesis.hash(), document);
  record.size = 183204 + index % 4096;
  record.media_type = "application/pdf";
  record.title = "泗水县市场监督管理局行政处罚决定书 第" + std::to_string(index) + "号";
  record.time_ms = time_ms;
  return record;
}

Result<std::string> RandomNonce() {
  Bytes bytes(8);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("no randomness from OpenSSL");
  }
  return HexEncode(bytes);
}

}  // namespace

Result<PrepareSummary> Prepare(const PrepareOptions& options) {
  EVIDENCE_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::Load(options.genesis_path));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPem(options.key_path));
  EVIDENCE_ASSIGN_OR_RETURN(std::string nonce, RandomNonce());
  std::ofstream out(options.out_path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IoError("cannot write " + options.out_path);
  std::ofstream digests;
  if (!options.digests_path.empty()) {
    digests.open(options.digests_path, std::ios::binary | std::ios::trunc);
    if (!digests) return Status::IoError("cannot write " + options.digests_path);
  }
  PrepareSummary summary;
  const size_t per_body = options.batch == 0 ? 1 : options.batch;
  const int64_t time_ms = NowMs();
  for (size_t first = 0; first < options.records; first += per_body) {
    std::vector<ledger::Record> records;
    for (size_t i = first; i < std::min(options.records, first + per_body); ++i) {
      records.push_back(MakeRecord(genesis, options.agency, nonce, i, time_ms));
    }
    if (options.batch == 0) {
      EVIDENCE_RETURN_IF_ERROR(ledger::SignRecord(key, records[0]));
      out << boost::json::serialize(ledger::RecordToJson(records[0])) << '\n';
    } else {
      EVIDENCE_RETURN_IF_ERROR(ledger::SignBatch(genesis.hash(), key, records));
      boost::json::array array;
      for (const ledger::Record& record : records) array.push_back(ledger::RecordToJson(record));
      boost::json::object body;
      body["records"] = std::move(array);
      out << boost::json::serialize(body) << '\n';
    }
    for (const ledger::Record& record : records) {
      if (digests.is_open()) digests << record.digest << '\n';
      if (summary.record_jcs_bytes == 0) summary.record_jcs_bytes = ledger::RecordLeaf(record).size();
    }
    summary.records += records.size();
    summary.bodies += 1;
  }
  out.flush();
  if (!out) return Status::IoError("cannot write " + options.out_path);
  return summary;
}

}  // namespace evidence::load
