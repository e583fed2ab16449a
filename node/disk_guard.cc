#include "node/disk_guard.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/check.h"

namespace evidence::node {

namespace {

constexpr uint64_t kResumeMarginMinBytes = 1 << 20;

uint64_t ResumeBytes(uint64_t reserve_bytes) {
  if (reserve_bytes == 0) return 0;
  return reserve_bytes + std::max(reserve_bytes / 8, kResumeMarginMinBytes);
}

}  // namespace

DiskGuard::FreeBytesFunction DiskGuard::StatvfsFreeBytes(std::string directory) {
  return [directory = std::move(directory)]() -> Result<uint64_t> {
    struct statvfs disk {};
    if (::statvfs(directory.c_str(), &disk) != 0) {
      return Status::IoError("cannot measure the free space of " + directory + ": " +
                             std::strerror(errno));
    }
    return static_cast<uint64_t>(disk.f_bavail) * static_cast<uint64_t>(disk.f_frsize);
  };
}

DiskGuard::DiskGuard(uint64_t reserve_bytes, FreeBytesFunction free_bytes)
    : reserve_bytes_(reserve_bytes),
      resume_bytes_(ResumeBytes(reserve_bytes)),
      free_bytes_function_(std::move(free_bytes)) {
  EVIDENCE_CHECK(free_bytes_function_ != nullptr);
  EVIDENCE_CHECK(reserve_bytes_ == 0 || reserve_bytes_ < resume_bytes_);
}

DiskGuard::Change DiskGuard::Check(Status* error) {
  Result<uint64_t> measured = free_bytes_function_();
  if (!measured.ok()) {
    if (error != nullptr) *error = measured.status();
    return Change::kNone;
  }
  free_bytes_.store(*measured, std::memory_order_relaxed);
  if (reserve_bytes_ == 0) return Change::kNone;
  const bool was_full = full();
  if (!was_full && *measured < reserve_bytes_) {
    full_.store(true, std::memory_order_release);
    return Change::kBecameFull;
  }
  if (was_full && *measured >= resume_bytes_) {
    full_.store(false, std::memory_order_release);
    return Change::kSpaceReturned;
  }
  return Change::kNone;
}

}  // namespace evidence::node
