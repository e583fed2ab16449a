#include "api/cli/record_files.h"

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "api/cli/commands.h"
#include "common/time_text.h"
#include "ledger/case_id.h"
#include "supervision/rules.h"

namespace evidence::cli {
namespace {

// The largest DER signature of the supported algorithms (ECDSA P-256 and SM2
// reach 72 bytes; Ed25519 is 64).
constexpr size_t kSignatureBytesMax = 72;

ledger::Record WithStandInSignature(ledger::Record record, const crypto::PrivateKey& key) {
  record.sig.algorithm = key.algorithm();
  record.sig.key_id = key.key_id();
  record.sig.value.assign(kSignatureBytesMax, 0);
  record.sig.batch.reset();
  return record;
}

ledger::Record BaseRecord(const RecordFields& fields) {
  ledger::Record record;
  record.chain_id = fields.chain_id;
  record.agency = fields.agency;
  record.kind = fields.kind;
  record.case_id = fields.case_id;
  record.stage = fields.stage;
  record.links = fields.links;
  return record;
}

std::string ShortLedgerMessage(const Status& status) {
  // "record.bad_value: title ..." -> "title ..." (the code means nothing to a person here).
  const std::string& message = status.message();
  const size_t colon = message.find(": ");
  if (colon != std::string::npos && message.compare(0, 7, "record.") == 0) {
    return message.substr(colon + 2);
  }
  return message;
}

}  // namespace

Result<FileDigest> HashFile(crypto::HashAlgorithm algorithm, const std::string& path) {
  // O_NONBLOCK: a FIFO or device named by mistake is refused instead of blocking.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::IoError("cannot read " + path + ": not a regular file");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto digest = HashDescriptor(algorithm, fd, path);
  ::close(fd);
  return digest;
}

Result<FileDigest> HashDescriptor(crypto::HashAlgorithm algorithm, int fd, const std::string& name) {
  crypto::Hasher hasher(algorithm);
  std::array<uint8_t, 64 * 1024> chunk;
  FileDigest out;
  for (;;) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    hasher.Update(ByteView(chunk.data(), static_cast<size_t>(n)));
    out.size += static_cast<uint64_t>(n);
  }
  out.digest = hasher.Finish();
  return out;
}

std::string GuessMediaType(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".pdf", "application/pdf"},
      {".ofd", "application/ofd"},
      {".doc", "application/msword"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xls", "application/vnd.ms-excel"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".wps", "application/vnd.ms-works"},
      {".txt", "text/plain"},
      {".csv", "text/csv"},
      {".html", "text/html"},
      {".htm", "text/html"},
      {".xml", "application/xml"},
      {".json", "application/json"},
      {".zip", "application/zip"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".tif", "image/tiff"},
      {".tiff", "image/tiff"},
      {".gif", "image/gif"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
      {".amr", "audio/amr"},
      {".mp4", "video/mp4"},
      {".mov", "video/quicktime"},
      {".avi", "video/x-msvideo"},
  };
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto found = kTypes.find(extension);
  return found == kTypes.end() ? std::string(kDefaultMediaType) : found->second;
}

Result<crypto::PrivateKey> LoadSigningKey(const std::string& path) {
  auto key = crypto::PrivateKey::LoadPem(path);
  if (!key.ok()) return key.status().WithContext("key " + path);
  return key;
}

void CanonicaliseCaseId(std::string_view command, RecordFields& fields) {
  std::string canonical = ledger::CanonicalCaseId(fields.case_id);
  if (canonical == fields.case_id) return;
  PrintError(command, "signing case id \"" + fields.case_id + "\" in its canonical form \"" +
                          canonical + "\" (full-width characters as ASCII, no white space)");
  fields.case_id = std::move(canonical);
}

Status CheckRecordFields(const RecordFields& fields, const crypto::PrivateKey& key) {
  ledger::Record record = BaseRecord(fields);
  record.digest = ledger::FormatDocumentDigest(fields.hash, crypto::Digest{});
  record.media_type =
      fields.media_type.empty() ? std::string(kDefaultMediaType) : fields.media_type;
  record.title = fields.title;
  record.time_ms = WallClockMs();
  Status status = ledger::CheckRecordShape(WithStandInSignature(std::move(record), key));
  if (!status.ok()) return Status::InvalidArgument(ShortLedgerMessage(status));
  return Status::Ok();
}

Result<ledger::Record> RecordForFile(const RecordFields& fields, const crypto::PrivateKey& key,
                                     const std::string& path, int64_t time_ms) {
  EVIDENCE_ASSIGN_OR_RETURN(FileDigest file, HashFile(fields.hash, path));
  ledger::Record record = BaseRecord(fields);
  record.digest = ledger::FormatDocumentDigest(fields.hash, file.digest);
  record.size = file.size;
  record.media_type = fields.media_type.empty() ? GuessMediaType(path) : fields.media_type;
  record.title =
      fields.title.empty() ? std::filesystem::path(path).filename().string() : fields.title;
  record.time_ms = time_ms;
  record = WithStandInSignature(std::move(record), key);
  Status status = ledger::CheckRecordShape(record);
  if (!status.ok()) {
    return Status::InvalidArgument(path +
                                   ": the record would be refused: " + ShortLedgerMessage(status));
  }
  record.sig.value.clear();
  return record;
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::IoError("cannot write " + temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return Status::IoError("cannot write " + path + ": " + error.message());
  return Status::Ok();
}

size_t SignedRecordBytesMax(const ledger::Record& unsigned_record) {
  ledger::Record record = unsigned_record;
  record.sig.value.assign(kSignatureBytesMax, 0);
  record.sig.batch.reset();
  return ledger::RecordLeaf(record).size();
}

Result<int64_t> RecordTimeMs(const RecordFields& fields) {
  if (fields.time.empty()) return WallClockMs();
  auto time = ParseRfc3339Ms(fields.time);
  if (!time.ok()) return time.status().WithContext("--time");
  return time;
}

namespace {

// "Step of the case. enforcement_record: filing (立案), ...; ...": the built-in
// vocabulary (a chain's node may use its own rules file and refuses others).
std::string StageHelp() {
  std::string help =
      "Step of the case (default unspecified). Stages by kind (configs/supervision-rules.toml; "
      "the node refuses others):";
  for (const supervision::KindInfo& kind : supervision::RuleSet::Default().kinds()) {
    help += "\n  " + kind.kind + ": " + supervision::RuleSet::Default().StageList(kind.kind);
  }
  return help;
}

}  // namespace

void AddRecordFieldOptions(CLI::App& command, std::string& key_path, RecordFields& fields) {
  command.add_option("--key", key_path, "The agency's private key (PEM)")->required();
  command.add_option("--agency", fields.agency, "Agency id registered in genesis")->required();
  command
      .add_option("--kind", fields.kind,
                  "enforcement_record, review_opinion, reconsideration_document, "
                  "litigation_document or other")
      ->required();
  command.add_option("--case", fields.case_id, "Case id, e.g. (2026)鲁0831行复12号")->required();
  command.add_option("--stage", fields.stage, StageHelp());
  command.add_option("--time", fields.time,
                     "Time of the act, RFC 3339 (e.g. 2026-03-01T09:30:00+08:00); default: now. "
                     "The chain accepts times within its params' window (record_past_window_ms, "
                     "default 7 days)");
}

}  // namespace evidence::cli
