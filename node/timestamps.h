// TimestampService: the RFC 3161 tokens a node issues for committed records
// (GET /v1/records/{id}/timestamp, docs/timestamps.md).
//
// Each validator institution runs its own TSA ([timestamp] in node.toml: the
// TSA key and its certificate, issued by the institution's CA). A token's
// TSTInfo is fixed by the ledger, not by the moment it is asked for:
//   - messageImprint: the record's `digest` (SHA-256, or SM3 by its OID);
//   - genTime: the record's commit time, the power-weighted median of the
//     precommit times of the commit that signs its block
//     (ledger::CommitMedianTimeMs: "existed no later than", receipt-format.md);
//   - serialNumber: the first kSerialBytes bytes of
//     SHA-256("EVIDENCE-TSA-SERIAL/v1\n" || record id hex || "\n" || validator name);
//   - the record id in the extension crypto::kTimestampRecordIdOid.
// So a node issues the same TSTInfo for a record today or in ten years. (Each
// node's commit of a block holds > 2/3 of the precommits, not always the same
// ones, so two institutions' genTimes of one record may differ slightly: each
// matches the receipts of its own node.)
//
// A token of another institution is that institution's node's to give: with its
// API URL in [timestamp.peers] the answer is a redirect there, otherwise
// not-found.
//
// Thread-safety: immutable after construction; Get may run on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/http/node_service.h"
#include "common/status.h"
#include "crypto/timestamp.h"
#include "ledger/genesis.h"
#include "ledger/store.h"

namespace evidence::node {

class TimestampService {
 public:
  static constexpr size_t kSerialBytes = 16;

  // `own_index`: this node's validator in genesis (none: a node governance
  // admitted later, which issues no tokens of its own). `peer_urls`: API base URLs
  // (http://host:port) of the other institutions' nodes, by validator name.
  // The references must outlive the service.
  TimestampService(const ledger::Genesis& genesis, const ledger::Store& store,
                   std::optional<uint32_t> own_index,
                   std::optional<crypto::TimestampAuthority> authority,
                   std::map<std::string, std::string> peer_urls);

  // As api::NodeService::GetTimestamp.
  Result<api::TimestampAnswer> Get(std::string_view id_hex, std::string_view institution) const;

  // The serial number of the token for `record_id_hex` from `validator_name`.
  static Bytes Serial(std::string_view record_id_hex, std::string_view validator_name);

 private:
  Result<size_t> ValidatorOf(std::string_view institution) const;

  const ledger::Genesis& genesis_;
  const ledger::Store& store_;
  const std::optional<uint32_t> own_index_;
  const std::optional<crypto::TimestampAuthority> authority_;
  const std::map<std::string, std::string> peer_urls_;
};

}  // namespace evidence::node
