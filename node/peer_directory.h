// PeerDirectory: who stands behind each p2p peer slot (node/p2p/transport.h
// indexes) — its name, its node key id, and the voting power the register in
// force gives it (0 for an observer, a node outside the set, or a removed one).
// The node fills it from the governance register in force (genesis's first,
// then after every commit, docs/design.md §5 "Membership"); the intake and the
// driver read names for their logs and powers for block sync (a height is
// trusted when peers with more than 1/3 of the power report it).
//
// Slots are never reused (the transport's rule): an entry once set names one
// node key for good; a removed peer keeps its name with `active` false.
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace evidence::node {

class PeerDirectory {
 public:
  struct Entry {
    std::string name;
    std::string node_key_id;
    uint64_t power = 0;   // in the set in force; 0: it does not vote
    bool active = false;  // admitted by the register in force (or this node itself)
  };

  explicit PeerDirectory(size_t capacity);
  PeerDirectory(const PeerDirectory&) = delete;
  PeerDirectory& operator=(const PeerDirectory&) = delete;

  size_t capacity() const { return capacity_; }
  // Sets slot `index` (< capacity). A slot keeps its node key: setting another
  // key on a slot that has one is a bug.
  void Set(uint32_t index, Entry entry) EVIDENCE_EXCLUDES(mutex_);
  // The slot of a node key, if any slot has it (active or not).
  std::optional<uint32_t> IndexOfKey(const std::string& node_key_id) const
      EVIDENCE_EXCLUDES(mutex_);
  // The name of slot `index`, or "#index" when it has none.
  std::string Name(uint32_t index) const EVIDENCE_EXCLUDES(mutex_);
  // Power per slot (capacity entries; 0 for inactive slots).
  std::vector<uint64_t> Powers() const EVIDENCE_EXCLUDES(mutex_);
  Entry Get(uint32_t index) const EVIDENCE_EXCLUDES(mutex_);

 private:
  const size_t capacity_;
  mutable Mutex mutex_;
  std::vector<Entry> entries_ EVIDENCE_GUARDED_BY(mutex_);
};

}  // namespace evidence::node
