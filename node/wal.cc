#include "node/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "common/check.h"
#include "common/limits.h"

namespace evidence::node {
namespace {

constexpr std::array<uint8_t, Wal::kHeaderBytes> kHeader = {'E', 'V', 'W', 'A', 'L', 0, 0, 1};

using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

Status Errno(std::string_view what, const std::string& path) {
  return Status::IoError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

void PutU32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
void PutU64(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
uint64_t GetBigEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

Status WriteAll(int fd, const uint8_t* data, size_t size, off_t offset, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", path);
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return Status::Ok();
}

Result<Bytes> ReadWholeFile(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("stat", path);
  Bytes data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync directory", dir);
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, ByteView contents) {
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", temp);
  Status status = WriteAll(fd, contents.data(), contents.size(), 0, temp);
  if (status.ok() && ::fsync(fd) != 0) status = Errno("fsync", temp);
  ::close(fd);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) status = Errno("rename", temp);
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return SyncDirectoryOf(path);
}

namespace {

struct ParseOutcome {
  std::vector<WalRecord> records;
  size_t valid_bytes = 0;  // header + whole valid records
};

// The size of the intact record at `offset`, or 0 when there is none (too short,
// bad length, bad checksum).
size_t IntactRecordBytesAt(ByteView file, size_t offset) {
  const size_t remaining = file.size() - offset;
  if (remaining < Wal::kRecordHeaderBytes) return 0;
  const uint8_t* p = file.data() + offset;
  const uint64_t length = GetBigEndian(p + 4, 4);
  if (length > limits::kWalRecordBytesMax || length > remaining - Wal::kRecordHeaderBytes) return 0;
  const size_t record_bytes = Wal::kRecordHeaderBytes + length;
  const uint32_t stored_crc = static_cast<uint32_t>(GetBigEndian(p, 4));
  return stored_crc == WalCrc32c(ByteView(p + 4, record_bytes - 4)) ? record_bytes : 0;
}

// Parses the records after the header. A damaged record is a torn tail (a crash
// in the middle of the last append) when no intact record starts anywhere after
// it; if one does, the damage is in the middle of the log: corruption.
Result<ParseOutcome> ParseRecords(ByteView file, const std::string& path) {
  ParseOutcome out;
  size_t offset = Wal::kHeaderBytes;
  while (offset < file.size()) {
    const size_t record_bytes = IntactRecordBytesAt(file, offset);
    if (record_bytes == 0) {
      for (size_t later = offset + 1; later < file.size(); ++later) {
        if (IntactRecordBytesAt(file, later) != 0) {
          return Status::Corruption("write-ahead log " + path + ": the record at byte " +
                                    std::to_string(offset) +
                                    " is damaged but an intact record follows at byte " +
                                    std::to_string(later) + "; the log is corrupt, not torn");
        }
      }
      break;
    }
    const uint8_t* p = file.data() + offset;
    WalRecord record;
    record.height = GetBigEndian(p + 8, 8);
    record.payload.assign(p + Wal::kRecordHeaderBytes, p + record_bytes);
    out.records.push_back(std::move(record));
    offset += record_bytes;
  }
  out.valid_bytes = offset;
  return out;
}

Status CreateEmptyLog(const std::string& path) {
  return WriteFileAtomically(path, ByteView(kHeader.data(), kHeader.size()));
}

}  // namespace

namespace {

uint32_t Crc32cTable(ByteView data) {
  Crc32c crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

#if defined(__x86_64__)
// The same CRC-32C with the SSE 4.2 crc32 instruction, eight bytes at a time:
// blocks of several MiB are checksummed at every height, and the table-driven
// loop was 5% of a single node's CPU under batched load.
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(ByteView data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint64_t crc = 0xFFFFFFFFu;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc = __builtin_ia32_crc32di(crc, word);
  }
  uint32_t crc32 = static_cast<uint32_t>(crc);
  for (; n > 0; ++p, --n) crc32 = __builtin_ia32_crc32qi(crc32, *p);
  return crc32 ^ 0xFFFFFFFFu;
}
#endif

}  // namespace

uint32_t WalCrc32c(ByteView data) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return Crc32cSse42(data);
#endif
  return Crc32cTable(data);
}

Bytes EncodeWalRecord(uint64_t height, ByteView payload) {
  EVIDENCE_CHECK(payload.size() <= limits::kWalRecordBytesMax);
  Bytes out;
  out.reserve(Wal::kRecordHeaderBytes + payload.size());
  PutU32(out, 0);  // checksum, filled in below
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU64(out, height);
  out.insert(out.end(), payload.begin(), payload.end());
  const uint32_t crc = WalCrc32c(ByteView(out.data() + 4, out.size() - 4));
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return out;
}

Result<std::unique_ptr<Wal>> Wal::Open(const std::string& path, WalReplay* replay,
                                       uint64_t bytes_max) {
  EVIDENCE_CHECK(replay != nullptr);
  EVIDENCE_CHECK(bytes_max >= kHeaderBytes + kRecordHeaderBytes + limits::kWalRecordBytesMax);
  *replay = WalReplay{};
  std::error_code exists_error;
  if (!std::filesystem::exists(path, exists_error)) {
    if (exists_error) return Status::IoError("cannot inspect " + path + ": " + exists_error.message());
    EVIDENCE_RETURN_IF_ERROR(CreateEmptyLog(path));
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  auto file = ReadWholeFile(fd, path);
  if (!file.ok()) {
    ::close(fd);
    return file.status();
  }
  const Bytes& bytes = file.value();
  // A later format keeps the magic and raises the version (the last 3 bytes):
  // refuse it by name rather than call it damaged.
  if (bytes.size() >= kHeaderBytes && std::equal(kHeader.begin(), kHeader.begin() + 5, bytes.begin())) {
    uint32_t version = (uint32_t{bytes[5]} << 16) | (uint32_t{bytes[6]} << 8) | bytes[7];
    if (version > kHeader[7]) {
      ::close(fd);
      return Status::FailedPrecondition(
          "write-ahead log " + path + " is in WAL format " + std::to_string(version) +
          ", written by a newer evidence-node; this one reads format 1: run the newer version "
          "(docs/operations.md, Upgrade)");
    }
  }
  if (bytes.size() < kHeaderBytes || !std::equal(kHeader.begin(), kHeader.end(), bytes.begin())) {
    ::close(fd);
    return Status::Corruption("write-ahead log " + path +
                              " does not start with the EVWAL v1 header; is it a WAL file?");
  }
  auto parsed = ParseRecords(bytes, path);
  if (!parsed.ok()) {
    ::close(fd);
    return parsed.status();
  }
  const size_t valid = parsed->valid_bytes;
  if (valid < bytes.size()) {
    replay->truncated_bytes = bytes.size() - valid;
    spdlog::warn("wal: truncating torn tail path={} offset={} bytes={}", path, valid,
                 replay->truncated_bytes);
    if (::ftruncate(fd, static_cast<off_t>(valid)) != 0 || ::fsync(fd) != 0) {
      Status status = Errno("truncate torn tail of", path);
      ::close(fd);
      return status;
    }
  }
  replay->records = std::move(parsed->records);
  return std::unique_ptr<Wal>(new Wal(path, fd, valid, bytes_max));
}

Wal::Wal(std::string path, int fd, uint64_t size_bytes, uint64_t bytes_max)
    : path_(std::move(path)), bytes_max_(bytes_max), fd_(fd), size_bytes_(size_bytes) {}

Wal::~Wal() {
  MutexLock lock(&mutex_);
  if (fd_ >= 0) ::close(fd_);
}

uint64_t Wal::size_bytes() const {
  MutexLock lock(&mutex_);
  return size_bytes_;
}

Status Wal::Append(uint64_t height, ByteView payload) {
  if (payload.size() > limits::kWalRecordBytesMax) {
    return Status::InvalidArgument("write-ahead log record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(limits::kWalRecordBytesMax));
  }
  MutexLock lock(&mutex_);
  return AppendLocked(height, payload);
}

Status Wal::AppendLocked(uint64_t height, ByteView payload) {
  if (failed_) {
    return Status::FailedPrecondition("write-ahead log " + path_ +
                                      " had a write error; restart to replay it");
  }
  const Bytes record = EncodeWalRecord(height, payload);
  if (size_bytes_ + record.size() > bytes_max_) {
    // Each record is a whole state: the log restarts from this one alone (a
    // stalled height re-writing its locked block with every vote cannot grow
    // the file without bound). Atomic: the old log or the new one survives.
    Bytes contents(kHeader.begin(), kHeader.end());
    contents.insert(contents.end(), record.begin(), record.end());
    return ReplaceLocked(contents);
  }
  Status status =
      WriteAll(fd_, record.data(), record.size(), static_cast<off_t>(size_bytes_), path_);
  if (status.ok() && ::fdatasync(fd_) != 0) status = Errno("fdatasync", path_);
  if (!status.ok()) {
    // The tail is now unknown: replay on restart decides what survived.
    failed_ = true;
    return status;
  }
  size_bytes_ += record.size();
  return Status::Ok();
}

Status Wal::CompactBelow(uint64_t height) {
  MutexLock lock(&mutex_);
  if (failed_) {
    return Status::FailedPrecondition("write-ahead log " + path_ +
                                      " had a write error; restart to replay it");
  }
  EVIDENCE_ASSIGN_OR_RETURN(Bytes file, ReadWholeFile(fd_, path_));
  EVIDENCE_CHECK(file.size() == size_bytes_);
  EVIDENCE_ASSIGN_OR_RETURN(ParseOutcome parsed, ParseRecords(file, path_));
  EVIDENCE_CHECK(parsed.valid_bytes == file.size());
  Bytes kept(kHeader.begin(), kHeader.end());
  for (const WalRecord& record : parsed.records) {
    if (record.height < height) continue;
    const Bytes encoded = EncodeWalRecord(record.height, record.payload);
    kept.insert(kept.end(), encoded.begin(), encoded.end());
  }
  return ReplaceLocked(kept);
}

Status Wal::ReplaceLocked(const Bytes& contents) {
  EVIDENCE_RETURN_IF_ERROR(WriteFileAtomically(path_, contents));
  int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    failed_ = true;
    return Errno("reopen after rewriting", path_);
  }
  ::close(fd_);
  fd_ = fd;
  size_bytes_ = contents.size();
  ++rewrites_;
  return Status::Ok();
}

uint64_t Wal::rewrites() const {
  MutexLock lock(&mutex_);
  return rewrites_;
}

}  // namespace evidence::node
