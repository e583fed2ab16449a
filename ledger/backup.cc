#include "ledger/backup.h"

#include <fcntl.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>

#include "common/check.h"

namespace evidence::ledger {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::string_view kMagic = "EVBACKUP";
constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kRestoreBatchBytes = 4 << 20;

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
void PutU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

std::string ManifestJson(const BackupManifest& m) {
  json::object out{{"format", "evidence-backup/1"},
                   {"chain_id", m.chain_id},
                   {"hash", m.hash},
                   {"genesis_hash", m.genesis_hash},
                   {"height", m.head.height},
                   {"tree_size", m.head.size},
                   {"root", crypto::DigestHex(m.head.root)},
                   {"block_hash", crypto::DigestHex(m.head.block_hash)}};
  return json::serialize(out);
}

Result<BackupManifest> ParseManifest(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return Status::Corruption("backup: the manifest is not JSON");
  const json::object& o = value.as_object();
  try {
    BackupManifest m;
    m.chain_id = std::string(o.at("chain_id").as_string());
    m.hash = std::string(o.at("hash").as_string());
    m.genesis_hash = std::string(o.at("genesis_hash").as_string());
    m.head.height = o.at("height").to_number<uint64_t>();
    m.head.size = o.at("tree_size").to_number<uint64_t>();
    EVIDENCE_ASSIGN_OR_RETURN(m.head.root,
                              crypto::DigestFromHex(std::string(o.at("root").as_string())));
    EVIDENCE_ASSIGN_OR_RETURN(m.head.block_hash,
                              crypto::DigestFromHex(std::string(o.at("block_hash").as_string())));
    return m;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("backup: the manifest lacks a field: ") + e.what());
  }
}

// Buffers, hashes and hands on the bytes of a backup.
class Sink {
 public:
  explicit Sink(const std::function<Status(ByteView)>& write)
      : write_(write), hasher_(crypto::HashAlgorithm::kSha256) {}
  Status Append(std::string_view bytes) {
    hasher_.Update(bytes);
    buffer_.append(bytes);
    return buffer_.size() >= kChunkBytes ? Flush() : Status::Ok();
  }
  Status Finish(uint64_t entries) {
    std::string end(1, '\0');
    PutU64(end, entries);
    EVIDENCE_RETURN_IF_ERROR(Append(end));
    crypto::Digest digest = hasher_.Finish();
    buffer_.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    return Flush();
  }

 private:
  Status Flush() {
    Status status = write_(AsBytes(buffer_));
    buffer_.clear();
    return status;
  }
  const std::function<Status(ByteView)>& write_;
  crypto::Hasher hasher_;
  std::string buffer_;
};

// Reads the exact bytes of a backup and hashes them.
class Source {
 public:
  explicit Source(std::istream& in) : in_(in), hasher_(crypto::HashAlgorithm::kSha256) {}
  Status Read(size_t count, std::string& out, std::string_view what, bool hash = true) {
    out.resize(count);
    in_.read(out.data(), static_cast<std::streamsize>(count));
    if (static_cast<size_t>(in_.gcount()) != count) {
      return Status::Corruption("backup: the file ends inside " + std::string(what) +
                                " (truncated copy?)");
    }
    if (hash) hasher_.Update(out);
    return Status::Ok();
  }
  Result<uint32_t> U32(std::string_view what) {
    std::string bytes;
    EVIDENCE_RETURN_IF_ERROR(Read(4, bytes, what));
    uint32_t value = 0;
    for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
    return value;
  }
  Result<uint64_t> U64(std::string_view what) {
    std::string bytes;
    EVIDENCE_RETURN_IF_ERROR(Read(8, bytes, what));
    uint64_t value = 0;
    for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
    return value;
  }
  crypto::Digest Digest() { return hasher_.Finish(); }

 private:
  std::istream& in_;
  crypto::Hasher hasher_;
};

Result<BackupManifest> ReadHeader(Source& source) {
  std::string magic;
  EVIDENCE_RETURN_IF_ERROR(source.Read(kMagic.size(), magic, "the header"));
  if (magic != kMagic) return Status::InvalidArgument("backup: not an evidence backup file");
  EVIDENCE_ASSIGN_OR_RETURN(uint32_t version, source.U32("the header"));
  if (version > kBackupVersion) {
    return Status::FailedPrecondition(
        "backup: written in backup format " + std::to_string(version) +
        " by a newer evidence; this one reads format " + std::to_string(kBackupVersion) +
        ": restore it with the newer version");
  }
  if (version == 0) return Status::Corruption("backup: format version 0");
  EVIDENCE_ASSIGN_OR_RETURN(uint32_t length, source.U32("the header"));
  if (length > kBackupManifestBytesMax) return Status::Corruption("backup: the manifest is too long");
  std::string text;
  EVIDENCE_RETURN_IF_ERROR(source.Read(length, text, "the manifest"));
  return ParseManifest(text);
}

Status SyncDirectory(const fs::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + directory.string());
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Status::IoError("cannot sync " + directory.string());
}

// Copies the entries into the LevelDB database `db` and checks the end.
Status CopyEntries(Source& source, leveldb::DB& db, BackupManifest& manifest) {
  leveldb::WriteBatch batch;
  uint64_t entries = 0;
  std::string tag, key, value;
  for (;;) {
    EVIDENCE_RETURN_IF_ERROR(source.Read(1, tag, "an entry"));
    if (tag[0] == '\0') break;
    if (tag[0] != '\1') return Status::Corruption("backup: a bad entry tag");
    EVIDENCE_ASSIGN_OR_RETURN(uint32_t key_length, source.U32("an entry"));
    if (key_length == 0 || key_length > kBackupKeyBytesMax) {
      return Status::Corruption("backup: a key of " + std::to_string(key_length) + " bytes");
    }
    EVIDENCE_RETURN_IF_ERROR(source.Read(key_length, key, "an entry"));
    EVIDENCE_ASSIGN_OR_RETURN(uint32_t value_length, source.U32("an entry"));
    if (value_length > kBackupValueBytesMax) {
      return Status::Corruption("backup: a value of " + std::to_string(value_length) + " bytes");
    }
    EVIDENCE_RETURN_IF_ERROR(source.Read(value_length, value, "an entry"));
    batch.Put(key, value);
    ++entries;
    if (batch.ApproximateSize() >= kRestoreBatchBytes) {
      leveldb::Status written = db.Write(leveldb::WriteOptions(), &batch);
      if (!written.ok()) return Status::IoError("restore: " + written.ToString());
      batch.Clear();
    }
  }
  EVIDENCE_ASSIGN_OR_RETURN(uint64_t count, source.U64("the end"));
  crypto::Digest computed = source.Digest();
  std::string digest;
  EVIDENCE_RETURN_IF_ERROR(source.Read(crypto::kDigestBytes, digest, "the end", false));
  if (count != entries) return Status::Corruption("backup: the end counts another number of entries");
  if (std::string_view(reinterpret_cast<const char*>(computed.data()), computed.size()) != digest) {
    return Status::Corruption("backup: the SHA-256 of the file differs from the one at its end "
                              "(the copy was damaged)");
  }
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status written = db.Write(sync, &batch);
  if (!written.ok()) return Status::IoError("restore: " + written.ToString());
  manifest.entries = entries;
  return Status::Ok();
}

}  // namespace

Result<BackupManifest> WriteBackup(const Store& store, const std::function<Status(ByteView)>& write,
                                   const std::atomic<bool>* stop) {
  Sink sink(write);
  BackupManifest manifest;
  manifest.chain_id = store.genesis().chain_id();
  manifest.hash = std::string(crypto::HashAlgorithmName(store.genesis().hash()));
  manifest.genesis_hash = crypto::DigestHex(store.genesis().Hash());
  std::string entry;
  EVIDENCE_RETURN_IF_ERROR(store.ExportSnapshot(
      [&](const TreeHead& head) {
        manifest.head = head;
        std::string header(kMagic);
        PutU32(header, kBackupVersion);
        std::string text = ManifestJson(manifest);
        EVIDENCE_CHECK(text.size() <= kBackupManifestBytesMax);
        PutU32(header, static_cast<uint32_t>(text.size()));
        header += text;
        return sink.Append(header);
      },
      [&](std::string_view key, std::string_view value) {
        if (key.empty() || key.size() > kBackupKeyBytesMax || value.size() > kBackupValueBytesMax) {
          return Status::Corruption("the store holds a key or value beyond the backup's bounds");
        }
        entry.assign(1, '\1');
        PutU32(entry, static_cast<uint32_t>(key.size()));
        entry.append(key);
        PutU32(entry, static_cast<uint32_t>(value.size()));
        EVIDENCE_RETURN_IF_ERROR(sink.Append(entry));
        ++manifest.entries;
        return sink.Append(value);
      },
      stop));
  EVIDENCE_RETURN_IF_ERROR(sink.Finish(manifest.entries));
  return manifest;
}

Result<BackupManifest> ReadBackupManifest(std::istream& in) {
  Source source(in);
  return ReadHeader(source);
}

Result<BackupManifest> RestoreBackup(std::istream& in, const std::string& directory,
                                     const Genesis& genesis) {
  std::error_code error;
  if (fs::exists(directory, error)) {
    return Status::AlreadyExists("restore: " + directory +
                                 " exists; restore into a new directory (move the old one away)");
  }
  Source source(in);
  EVIDENCE_ASSIGN_OR_RETURN(BackupManifest manifest, ReadHeader(source));
  if (manifest.chain_id != genesis.chain_id() ||
      manifest.genesis_hash != crypto::DigestHex(genesis.Hash())) {
    return Status::FailedPrecondition("restore: the backup is of chain " + manifest.chain_id +
                                      " (genesis " + manifest.genesis_hash +
                                      "), not of this genesis (" + genesis.chain_id() + ")");
  }
  const fs::path restoring = directory + ".restoring";
  fs::remove_all(restoring, error);  // what a restore that was cut off left
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  std::unique_ptr<const leveldb::FilterPolicy> filter(leveldb::NewBloomFilterPolicy(10));
  options.filter_policy = filter.get();
  leveldb::DB* raw = nullptr;
  leveldb::Status opened = leveldb::DB::Open(options, restoring.string(), &raw);
  if (!opened.ok()) return Status::IoError("restore: cannot create " + restoring.string() + ": " + opened.ToString());
  std::unique_ptr<leveldb::DB> db(raw);
  Status copied = CopyEntries(source, *db, manifest);
  db.reset();
  if (copied.ok()) {
    fs::rename(restoring, directory, error);
    if (error) copied = Status::IoError("restore: cannot rename into " + directory + ": " + error.message());
  }
  if (!copied.ok()) {
    fs::remove_all(restoring, error);
    return copied;
  }
  EVIDENCE_RETURN_IF_ERROR(SyncDirectory(fs::absolute(directory).parent_path()));
  return manifest;
}

}  // namespace evidence::ledger
