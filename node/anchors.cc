#include "node/anchors.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/check.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "crypto/note.h"
#include "crypto/timestamp.h"
#include "ledger/json.h"
#include "node/wal.h"

namespace evidence::node {
namespace {

// Each anchor's JSON in the state file: its token in base64 and a little more.
constexpr size_t kStateFileBytesMax = kAnchorsMax * (kAnchorRequestBytesMax + 256);

constexpr size_t kAnchorCaFileBytesMax = 256 * 1024;

}  // namespace

Result<std::string> LoadAnchorCaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::string text(kAnchorCaFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kAnchorCaFileBytesMax) {
    return Status::InvalidArgument(path + " is over " + std::to_string(kAnchorCaFileBytesMax) + " bytes");
  }
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Status::InvalidArgument(path + " holds no PEM certificate");
  }
  return text;
}

AnchorService::AnchorService(const ledger::Genesis& genesis, const ledger::Store& store,
                             std::string trusted_ca_pem, std::string state_path)
    : genesis_(genesis),
      store_(store),
      trusted_ca_pem_(std::move(trusted_ca_pem)),
      state_path_(std::move(state_path)) {
  if (!state_path_.empty()) Load();
}

Result<std::string> AnchorService::CheckpointBody(uint64_t tree_size, crypto::Digest* root) const {
  const ledger::TreeHead head = store_.head();
  if (tree_size == 0 || tree_size > head.size) {
    return Status::NotFound("the log holds " + std::to_string(head.size) +
                            " records: no tree head of size " + std::to_string(tree_size));
  }
  // The first block whose log reaches tree_size (log sizes never decrease).
  uint64_t low = 1, high = head.height;
  while (low < high) {
    const uint64_t middle = low + (high - low) / 2;
    EVIDENCE_ASSIGN_OR_RETURN(ledger::BlockHeader header, store_.GetHeader(middle));
    if (header.log_size < tree_size) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  EVIDENCE_ASSIGN_OR_RETURN(ledger::BlockHeader header, store_.GetHeader(low));
  if (header.log_size != tree_size) {
    return Status::NotFound("no block ends the log at size " + std::to_string(tree_size) +
                            " (block " + std::to_string(low) + " ends it at " +
                            std::to_string(header.log_size) + "): anchor a checkpoint of /checkpoint");
  }
  crypto::Checkpoint checkpoint;
  checkpoint.origin = genesis_.chain_id();
  checkpoint.size = tree_size;
  checkpoint.root.assign(header.log_root.begin(), header.log_root.end());
  *root = header.log_root;
  return crypto::EncodeCheckpointText(checkpoint);
}

Result<Anchor> AnchorService::Read(uint64_t tree_size, const crypto::Digest& root,
                                   Bytes token) const {
  if (token.empty() || token.size() > kAnchorTokenBytesMax) {
    return Status::InvalidArgument("a token is 1.." + std::to_string(kAnchorTokenBytesMax) +
                                   " bytes of DER");
  }
  crypto::Checkpoint checkpoint;
  checkpoint.origin = genesis_.chain_id();
  checkpoint.size = tree_size;
  checkpoint.root.assign(root.begin(), root.end());
  Anchor anchor;
  anchor.tree_size = tree_size;
  anchor.root = root;
  anchor.checkpoint = crypto::EncodeCheckpointText(checkpoint);
  auto info = crypto::ReadTimestampResponse(token);
  if (!info.ok()) {
    return Status::InvalidArgument("not an RFC 3161 time-stamp response: " + info.status().message());
  }
  if (info->imprint_algorithm != crypto::HashAlgorithm::kSha256 ||
      info->imprint != crypto::Hash(crypto::HashAlgorithm::kSha256, anchor.checkpoint)) {
    return Status::InvalidArgument(
        "the token's messageImprint is not the SHA-256 of this ledger's checkpoint of tree size " +
        std::to_string(tree_size) + " (\"<chain id>\\n<size>\\n<base64 root>\\n\")");
  }
  anchor.token = std::move(token);
  anchor.tsa_name = info->tsa_name;
  anchor.gen_time = info->gen_time;
  return anchor;
}

Result<Anchor> AnchorService::Add(std::string_view body) {
  if (trusted_ca_pem_.empty()) {
    return Status::PermissionDenied(
        "this node takes no anchors: its operator trusts no TSA for them (node.toml [anchor] tsa_ca)");
  }
  if (!load_status_.ok()) {
    return Status::Unavailable("the anchor file is damaged (" + load_status_.message() +
                               "); the operator must repair it first");
  }
  auto parsed = ledger::StrictJsonParse(body, kAnchorRequestBytesMax, limits::kJsonDepthMax);
  const boost::json::object* object = parsed.ok() ? parsed->if_object() : nullptr;
  if (object == nullptr || object->size() != 2 || !object->contains("tree_size") ||
      !object->at("tree_size").is_int64() || object->at("tree_size").as_int64() <= 0 ||
      !object->contains("token") || !object->at("token").is_string()) {
    return Status::InvalidArgument(
        "send {\"tree_size\": N, \"token\": \"<base64 of the TimeStampResp DER>\"}" +
        (parsed.ok() ? std::string() : ": " + parsed.status().message()));
  }
  const uint64_t tree_size = static_cast<uint64_t>(object->at("tree_size").as_int64());
  const boost::json::string& text = object->at("token").as_string();
  auto token = Base64Decode(std::string_view(text.data(), text.size()));
  if (!token.ok()) return Status::InvalidArgument("token: not base64: " + token.status().message());
  crypto::Digest root{};
  auto checkpoint = CheckpointBody(tree_size, &root);
  if (!checkpoint.ok()) return Status::InvalidArgument(checkpoint.status().message());
  EVIDENCE_ASSIGN_OR_RETURN(Anchor anchor, Read(tree_size, root, std::move(token).value()));
  Status verified = crypto::VerifyTimestampResponse(
      anchor.token, crypto::HashAlgorithm::kSha256,
      crypto::Hash(crypto::HashAlgorithm::kSha256, anchor.checkpoint), trusted_ca_pem_);
  if (!verified.ok()) {
    return Status::InvalidArgument("the token does not verify under the TSA CAs this node trusts: " +
                                   verified.message());
  }
  MutexLock lock(&mutex_);
  for (const Anchor& held : anchors_) {
    if (held.tsa_name == anchor.tsa_name && held.tree_size >= anchor.tree_size) {
      return Status::InvalidArgument("TSA \"" + anchor.tsa_name + "\" already anchors tree size " +
                                     std::to_string(held.tree_size) +
                                     ": anchor a later checkpoint");
    }
  }
  if (anchors_.size() >= kAnchorsMax) {
    return Status::ResourceExhausted("this node holds " + std::to_string(kAnchorsMax) +
                                     " anchors, as many as it keeps");
  }
  anchors_.push_back(anchor);
  if (!state_path_.empty()) {
    Status saved = Save();
    if (!saved.ok()) {
      anchors_.pop_back();  // written before it is acknowledged; a failed write takes it back
      return saved;
    }
  }
  return anchor;
}

std::vector<Anchor> AnchorService::List(size_t from, size_t* total) {
  MutexLock lock(&mutex_);
  *total = anchors_.size();
  std::vector<Anchor> out;
  for (size_t i = from; i < anchors_.size() && out.size() < kAnchorsPageMax; ++i) {
    out.push_back(anchors_[i]);
  }
  return out;
}

void AnchorService::Load() {
  std::error_code error;
  if (!std::filesystem::exists(state_path_, error)) return;
  std::ifstream in(state_path_, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    load_status_ = Status::IoError("cannot read " + state_path_);
    return;
  }
  auto parsed = ledger::StrictJsonParse(content.str(), kStateFileBytesMax, limits::kJsonDepthMax);
  const boost::json::object* root = parsed.ok() ? parsed->if_object() : nullptr;
  const boost::json::array* entries = nullptr;
  if (root != nullptr && root->size() == 2 && root->contains("v") && root->at("v").is_int64() &&
      root->at("v").as_int64() == 1 && root->contains("anchors")) {
    entries = root->at("anchors").if_array();
  }
  if (entries == nullptr || entries->size() > kAnchorsMax) {
    load_status_ = Status::Corruption(state_path_ + " is not an anchor file");
    return;
  }
  std::vector<Anchor> loaded;
  for (size_t i = 0; i < entries->size(); ++i) {
    const boost::json::object* entry = (*entries)[i].if_object();
    Result<Anchor> anchor = Status::Corruption("not an anchor");
    if (entry != nullptr && entry->size() == 3 && entry->contains("tree_size") &&
        entry->at("tree_size").is_int64() && entry->contains("root") &&
        entry->at("root").is_string() && entry->contains("token") && entry->at("token").is_string()) {
      const boost::json::string& root_hex = entry->at("root").as_string();
      const boost::json::string& token = entry->at("token").as_string();
      auto digest = crypto::DigestFromHex(std::string_view(root_hex.data(), root_hex.size()));
      auto der = Base64Decode(std::string_view(token.data(), token.size()));
      if (digest.ok() && der.ok() && entry->at("tree_size").as_int64() > 0) {
        anchor = Read(static_cast<uint64_t>(entry->at("tree_size").as_int64()), *digest,
                      std::move(der).value());
      }
    }
    if (!anchor.ok()) {
      load_status_ = Status::Corruption(state_path_ + ": anchor " + std::to_string(i) + ": " +
                                        anchor.status().message());
      return;
    }
    loaded.push_back(std::move(anchor).value());
  }
  MutexLock lock(&mutex_);
  anchors_ = std::move(loaded);
}

Status AnchorService::Save() {
  boost::json::array entries;
  for (const Anchor& anchor : anchors_) {
    entries.push_back(boost::json::object{{"tree_size", anchor.tree_size},
                                          {"root", crypto::DigestHex(anchor.root)},
                                          {"token", Base64Encode(anchor.token)}});
  }
  const std::string text =
      boost::json::serialize(boost::json::object{{"v", 1}, {"anchors", std::move(entries)}});
  EVIDENCE_CHECK(text.size() <= kStateFileBytesMax);
  return WriteFileAtomically(state_path_, AsBytes(text));
}

}  // namespace evidence::node
