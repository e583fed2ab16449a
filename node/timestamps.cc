#include "node/timestamps.h"

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "ledger/vote.h"

namespace evidence::node {

TimestampService::TimestampService(const ledger::Genesis& genesis, const ledger::Store& store,
                                   std::optional<uint32_t> own_index,
                                   std::optional<crypto::TimestampAuthority> authority,
                                   std::map<std::string, std::string> peer_urls)
    : genesis_(genesis),
      store_(store),
      own_index_(own_index),
      authority_(std::move(authority)),
      peer_urls_(std::move(peer_urls)) {
  EVIDENCE_CHECK(!own_index_ || *own_index_ < genesis_.validators().size());
}

Bytes TimestampService::Serial(std::string_view record_id_hex, std::string_view validator_name) {
  crypto::Hasher hasher(crypto::HashAlgorithm::kSha256);
  hasher.Update(std::string_view("EVIDENCE-TSA-SERIAL/v1\n"))
      .Update(record_id_hex)
      .Update(std::string_view("\n"))
      .Update(validator_name);
  const crypto::Digest digest = hasher.Finish();
  return Bytes(digest.begin(), digest.begin() + kSerialBytes);
}

Result<size_t> TimestampService::ValidatorOf(std::string_view institution) const {
  if (institution.empty()) {
    if (!own_index_) {
      return Status::InvalidArgument(
          "this node is not a genesis validator and issues no tokens; name an institution");
    }
    return static_cast<size_t>(*own_index_);
  }
  const auto& validators = genesis_.validators();
  for (size_t i = 0; i < validators.size(); ++i) {
    if (validators[i].name == institution || validators[i].institution == institution) return i;
  }
  return Status::InvalidArgument("no validator or institution \"" + std::string(institution) +
                                 "\" in genesis");
}

Result<api::TimestampAnswer> TimestampService::Get(std::string_view id_hex,
                                                   std::string_view institution) const {
  EVIDENCE_ASSIGN_OR_RETURN(size_t index, ValidatorOf(institution));
  Result<crypto::Digest> id = crypto::DigestFromHex(id_hex);
  if (!id.ok()) return Status::InvalidArgument("record id must be 64 hex digits");
  Result<ledger::StoredRecord> stored = store_.GetRecord(*id);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    return Status::NotFound("no committed record " + std::string(id_hex) +
                            " (a token is issued only once the record is committed)");
  }
  const std::string& name = genesis_.validators()[index].name;
  if (index != own_index_) {
    auto url = peer_urls_.find(name);
    if (url == peer_urls_.end()) {
      return Status::NotFound("this node does not know where " + name +
                              "'s node serves its tokens; ask that node");
    }
    return api::TimestampAnswer{"", url->second + "/v1/records/" + std::string(id_hex) +
                                        "/timestamp?institution=" + PercentEncode(name)};
  }
  if (!authority_) {
    return Status::Unavailable("this node has no time-stamping authority ([timestamp] in node.toml)");
  }
  EVIDENCE_ASSIGN_OR_RETURN(ledger::Commit commit, store_.GetCommit(stored->height));
  const std::string& digest = stored->record.digest;
  const size_t colon = digest.find(':');
  EVIDENCE_CHECK(colon != std::string::npos);  // records are validated before they commit
  EVIDENCE_ASSIGN_OR_RETURN(crypto::HashAlgorithm algorithm,
                            crypto::ParseHashAlgorithm(digest.substr(0, colon)));
  EVIDENCE_ASSIGN_OR_RETURN(crypto::Digest imprint, crypto::DigestFromHex(digest.substr(colon + 1)));
  crypto::TimestampRequest request;
  request.imprint_algorithm = algorithm;
  request.imprint = imprint;
  request.serial = Serial(id_hex, name);
  request.gen_time_ms = ledger::CommitMedianTimeMs(genesis_.validator_set(), commit);
  request.record_id = *id;
  EVIDENCE_ASSIGN_OR_RETURN(Bytes token, authority_->Issue(request));
  return api::TimestampAnswer{std::string(token.begin(), token.end()), ""};
}

}  // namespace evidence::node
