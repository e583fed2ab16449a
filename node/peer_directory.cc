#include "node/peer_directory.h"

#include "common/check.h"

namespace evidence::node {

PeerDirectory::PeerDirectory(size_t capacity) : capacity_(capacity) {
  EVIDENCE_CHECK(capacity >= 1);
  MutexLock lock(&mutex_);
  entries_.resize(capacity);
}

void PeerDirectory::Set(uint32_t index, Entry entry) {
  EVIDENCE_CHECK(index < capacity_);
  MutexLock lock(&mutex_);
  Entry& slot = entries_[index];
  EVIDENCE_CHECK_MSG(slot.node_key_id.empty() || slot.node_key_id == entry.node_key_id,
                     "a peer slot changed its node key");
  slot = std::move(entry);
}

std::optional<uint32_t> PeerDirectory::IndexOfKey(const std::string& node_key_id) const {
  MutexLock lock(&mutex_);
  for (uint32_t index = 0; index < entries_.size(); ++index) {
    if (!node_key_id.empty() && entries_[index].node_key_id == node_key_id) return index;
  }
  return std::nullopt;
}

std::string PeerDirectory::Name(uint32_t index) const {
  MutexLock lock(&mutex_);
  if (index >= entries_.size() || entries_[index].name.empty()) {
    return "#" + std::to_string(index);
  }
  return entries_[index].name;
}

std::vector<uint64_t> PeerDirectory::Powers() const {
  MutexLock lock(&mutex_);
  std::vector<uint64_t> powers;
  powers.reserve(entries_.size());
  for (const Entry& entry : entries_) powers.push_back(entry.active ? entry.power : 0);
  return powers;
}

PeerDirectory::Entry PeerDirectory::Get(uint32_t index) const {
  EVIDENCE_CHECK(index < capacity_);
  MutexLock lock(&mutex_);
  return entries_[index];
}

}  // namespace evidence::node
