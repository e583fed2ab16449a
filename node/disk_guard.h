// DiskGuard: watches the free space of the file system that holds a node's
// data directory (its store and write-ahead log) and says when the node must
// stop writing, before a write fails for want of space.
//
// The node is "full" once the free space drops below `reserve_bytes`, and stays
// full until it is back above `resume_bytes()` (the reserve and an eighth of it
// more, at least 1 MiB more), so that a disk hovering at the reserve does not
// flip the node in and out every second. While full, the node answers every
// submission 503 (not-ready) and takes no part in consensus: it appends nothing
// to its WAL and no block to its store, so nothing it holds can be damaged by a
// write that runs out of space. When space returns it catches up from its peers
// (docs/reliability.md §3).
//
// Check() measures (statvfs, or the function given) and reports a change of
// state once, so its caller logs one line per change.
//
// Thread-safety: Check from one thread (the consensus thread); full(),
// free_bytes() and the accessors from any thread.
// Invariants: reserve_bytes() < resume_bytes() when the reserve is not 0;
// reserve 0 disables the guard (full() is then always false).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace evidence::node {

class DiskGuard {
 public:
  using FreeBytesFunction = std::function<Result<uint64_t>()>;
  // The bytes an unprivileged process may still write on the file system that
  // holds `directory` (statvfs: f_bavail * f_frsize).
  static FreeBytesFunction StatvfsFreeBytes(std::string directory);

  DiskGuard(uint64_t reserve_bytes, FreeBytesFunction free_bytes);
  DiskGuard(const DiskGuard&) = delete;
  DiskGuard& operator=(const DiskGuard&) = delete;

  enum class Change { kNone, kBecameFull, kSpaceReturned };
  // Measures the free space once. A measurement that fails leaves the state as
  // it was (and is returned in `error`, when given).
  Change Check(Status* error = nullptr);

  bool full() const { return full_.load(std::memory_order_acquire); }
  // The last measurement (0 before the first).
  uint64_t free_bytes() const { return free_bytes_.load(std::memory_order_relaxed); }
  uint64_t reserve_bytes() const { return reserve_bytes_; }
  uint64_t resume_bytes() const { return resume_bytes_; }

 private:
  const uint64_t reserve_bytes_;
  const uint64_t resume_bytes_;
  const FreeBytesFunction free_bytes_function_;
  std::atomic<bool> full_{false};
  std::atomic<uint64_t> free_bytes_{0};
};

}  // namespace evidence::node
