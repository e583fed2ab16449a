// Batches (DESIGN.md §3): an agency signs one batch header over the RFC 6962 root
// of up to limits::kBatchRecordsMax record ids; each record then carries, inside
// its "sig", a reference to the batch:
//
//   "sig": { "alg": ..., "key": "<key id>", "value": "<base64 batch signature>",
//            "batch": { "root": "<hex batch root>", "size": N, "index": I,
//                       "path": ["<hex>", ...] } }
//
// Batch tree leaves are the 32 raw bytes of the record ids, in batch order:
//   batch leaf hash = H(0x00 || record id), interior = H(0x01 || l || r)
// "path" is the RFC 9162 inclusion proof of leaf I in the tree of size N.
// The batch header and its signing bytes:
//   header        = {"agency": <agency>, "chain_id": <chain id>, "root": "<hex>",
//                    "size": N, "v": 1}
//   signing bytes = "EVIDENCE-BATCH/v1\n" || JCS(header)
// agency and chain_id are those of the record, so a record is provable alone:
// recompute its id, walk the path to the root, check the signature over the header.
// Validators verify each distinct batch signature once (see BatchSignatureCache).
//
// Thread-safety: pure functions; BatchSignatureCache is not thread-safe;
// SharedBatchSignatures is (one mutex).
#pragma once

#include <deque>
#include <set>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/mutex.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/record.h"

namespace evidence::ledger {

inline constexpr std::string_view kBatchSigningDomain = "EVIDENCE-BATCH/v1\n";

struct BatchHeader {
  std::string chain_id;
  std::string agency;
  crypto::Digest root{};
  uint64_t size = 0;
  bool operator==(const BatchHeader&) const = default;
};

Bytes BatchSigningBytes(const BatchHeader& header);
// The batch header a batched record refers to. Requires record.sig.batch.
BatchHeader BatchHeaderOf(const Record& record);

// Signs `records` (same chain_id and agency, 1..kBatchRecordsMax, sig unset) as one
// batch: fills every record's sig with the batch signature and its reference.
Status SignBatch(crypto::HashAlgorithm algorithm, const crypto::PrivateKey& key,
                 std::vector<Record>& records);

// The record id is leaf sig.batch.index of the tree of size sig.batch.size whose
// root is sig.batch.root (batch.bad_proof otherwise).
Status VerifyBatchMembership(crypto::HashAlgorithm algorithm, const Record& record);

// A submitted batch on the wire: {"records": [<record>, ...]} and nothing else
// (the header is not sent: it is rebuilt from the records). The whole batch, in
// index order: records[i] has sig.batch.index i and there are sig.batch.size of
// them (1..kBatchRecordsMax); all carry the same batch reference (alg, key,
// signature, root, size), agency and chain_id. These are rules of the submission
// format, not of blocks (a block holds records one by one).
Result<std::vector<Record>> ParseBatch(std::string_view json_text);

// Remembers batch signatures already verified, so a block of many records of one
// batch costs one signature check.
// A bounded set of batch signatures verified (each entry binds the key id, the
// exact batch header signing bytes and the exact signature), shared by the
// caches of several threads or calls, so a batch checked in pieces (gossip,
// verification threads) costs one check. The oldest entries go first when full.
class SharedBatchSignatures {
 public:
  explicit SharedBatchSignatures(size_t entries_max = 4096) : entries_max_(entries_max) {}
  bool Contains(const crypto::Digest& entry) const;
  void Insert(const crypto::Digest& entry);

 private:
  const size_t entries_max_;
  mutable Mutex mutex_;
  std::set<crypto::Digest> entries_;
  std::deque<crypto::Digest> order_;  // insertion order, for eviction
};

class BatchSignatureCache {
 public:
  BatchSignatureCache() = default;
  // Also trusts and records the signatures in `shared` (not owned, may be null).
  explicit BatchSignatureCache(SharedBatchSignatures* shared) : shared_(shared) {}
  // Verifies the batched record's signature unless this exact (key, header,
  // signature) was verified before. Membership is always checked.
  Status Verify(crypto::HashAlgorithm algorithm, const crypto::PublicKey& key,
                const Record& record);
  size_t signature_checks() const { return signature_checks_; }

 private:
  std::set<crypto::Digest> verified_;
  size_t signature_checks_ = 0;
  SharedBatchSignatures* shared_ = nullptr;
};

}  // namespace evidence::ledger
