// Write-ahead log of the validator's own consensus messages (signed votes,
// proposals, the last signed height/round/step), so that after a crash it never
// signs anything conflicting with what it signed before.
//
// The log is one file of checksummed records; each record is an opaque payload
// from the consensus layer tagged with the block height it belongs to. The byte
// format is specified in docs/wal-format.md.
//
// Durability: Append() returns only after the record is written and
// fdatasync()ed.
//
// Size: each record is a whole state (the consensus layer writes its complete
// signer state every time; only the last record matters on replay), so an
// Append that would take the file past `bytes_max` rewrites the log to hold
// that record alone, atomically (issue 17, finding 9: a stalled height whose
// every vote wrote the locked block again grew the log without bound). Open() replays the file: a torn or corrupt tail (a crash in the
// middle of an append) is truncated with a warning; damage before the last
// record is a Corruption error, never silently skipped. CompactBelow() rewrites
// the file atomically (temporary file, fsync, rename, directory fsync).
//
// Thread-safety: all methods may be called from several threads (an internal
// mutex serialises them); in practice one strand owns the log.
//
// Invariants: the file on disk always consists of the header followed by whole
// valid records, except for a torn tail between an interrupted Append and the
// next Open; after a failed write the log refuses further appends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"

namespace evidence::node {

// Writes `contents` to `path` atomically: a temporary file beside it (0600),
// fsync, rename, fsync of the directory. Also for other small node state files.
Status WriteFileAtomically(const std::string& path, ByteView contents);

struct WalRecord {
  uint64_t height = 0;
  Bytes payload;

  bool operator==(const WalRecord&) const = default;
};

// Everything replay found when opening a log.
struct WalReplay {
  std::vector<WalRecord> records;  // every intact record, in append order
  uint64_t truncated_bytes = 0;    // size of the torn tail that was cut off (0: none)
};

class Wal {
 public:
  // 8-byte file header: "EVWAL" 0x00 0x00 0x01 (format version 1).
  static constexpr size_t kHeaderBytes = 8;
  // Per record: u32 CRC-32C, u32 payload length, u64 height (all big-endian).
  static constexpr size_t kRecordHeaderBytes = 16;

  // Opens the log at `path`, creating it (atomically) if it does not exist, and
  // replays it into `replay`. A torn tail is truncated on disk before returning.
  // `bytes_max` must hold at least one record of the largest size.
  static Result<std::unique_ptr<Wal>> Open(const std::string& path, WalReplay* replay,
                                           uint64_t bytes_max = limits::kWalBytesMax);

  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends one record and fdatasync()s it (or, past bytes_max, rewrites the
  // log to hold it alone, see above). A payload above
  // limits::kWalRecordBytesMax is refused (InvalidArgument). After an I/O
  // error the log is unusable: every later call fails (restart and replay).
  Status Append(uint64_t height, ByteView payload);

  // Keeps only the records with height >= `height`, rewriting the file
  // atomically. Records are kept in their order.
  Status CompactBelow(uint64_t height);

  // Bytes of the file (header + records).
  uint64_t size_bytes() const;
  // Times the file was rewritten (compactions and appends past bytes_max).
  uint64_t rewrites() const;
  const std::string& path() const { return path_; }

 private:
  Wal(std::string path, int fd, uint64_t size_bytes, uint64_t bytes_max);
  Status AppendLocked(uint64_t height, ByteView payload) EVIDENCE_REQUIRES(mutex_);
  // Atomically makes the file `contents` (header and whole records).
  Status ReplaceLocked(const Bytes& contents) EVIDENCE_REQUIRES(mutex_);

  const std::string path_;
  const uint64_t bytes_max_;
  mutable Mutex mutex_;
  int fd_ EVIDENCE_GUARDED_BY(mutex_);
  uint64_t size_bytes_ EVIDENCE_GUARDED_BY(mutex_);
  bool failed_ EVIDENCE_GUARDED_BY(mutex_) = false;
  uint64_t rewrites_ EVIDENCE_GUARDED_BY(mutex_) = 0;
};

// Encodes one record exactly as it is stored (header + payload); exposed for
// golden-byte tests and tools.
Bytes EncodeWalRecord(uint64_t height, ByteView payload);

// CRC-32C (Castagnoli) of `data`, as used by the log.
uint32_t WalCrc32c(ByteView data);

}  // namespace evidence::node
