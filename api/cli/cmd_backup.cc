// evidence backup --node-data DIR --out FILE [--genesis G.json] [--force]
// evidence restore FILE --data DIR --genesis G.json
//
// backup: a consistent copy of a node's store (ledger/backup.h). When the node
// runs (it holds the store's lock), the copy comes from the node itself over
// <DIR>/backup.sock (node/backup_server.h; run the command as the node's user
// or root); when it is stopped, the store is read directly (then --genesis is
// needed to open it). The file is written beside FILE and renamed into place
// once complete and synced. Prints the manifest and the file's SHA-256.
//
// restore: writes the backup into <DIR>/store (which must not exist, and no
// node may be running on DIR), then audits it block by block (ledger/audit.h)
// and removes it again if the audit fails. The write-ahead log
// (<DIR>/consensus.wal) is never part of a backup: a restore keeps the one in
// DIR, if any (docs/operations.md, "Restore").
//
// Exit codes: 0 done; 1 the backup or the restored store is bad, or the disk
// failed; 2 unusable input (no such directory, another chain, a file exists).
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/cli/commands.h"
#include "ledger/audit.h"
#include "ledger/backup.h"

namespace evidence::cli {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using Local = asio::local::stream_protocol;

// The node's side of the socket (node/backup_server.h).
constexpr const char* kBackupSocketName = "backup.sock";
constexpr const char* kBackupRequest = "backup 1\n";

struct BackupOptions {
  std::string node_data;
  std::string out;
  std::string genesis;
  bool force = false;
};

struct RestoreOptions {
  std::string file;
  std::string data;
  std::string genesis;
};

// A file written under a temporary name, synced, then renamed.
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), temporary_(path_ + ".partial") {}
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!done_) std::remove(temporary_.c_str());
  }
  Status Open() {
    file_ = std::fopen(temporary_.c_str(), "wbx");
    if (file_ == nullptr) {
      std::remove(temporary_.c_str());  // left by a backup that was cut off
      file_ = std::fopen(temporary_.c_str(), "wbx");
    }
    return file_ != nullptr ? Status::Ok() : Status::IoError("cannot create " + temporary_);
  }
  Status Write(ByteView bytes) {
    hasher_.Update(bytes);
    bytes_ += bytes.size();
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return Status::IoError("cannot write " + temporary_ + " (disk full?)");
    }
    return Status::Ok();
  }
  Status Commit() {
    bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || std::rename(temporary_.c_str(), path_.c_str()) != 0) {
      return Status::IoError("cannot complete " + path_);
    }
    done_ = true;
    return Status::Ok();
  }
  uint64_t bytes() const { return bytes_; }
  crypto::Digest Sha256() { return hasher_.Finish(); }

 private:
  const std::string path_;
  const std::string temporary_;
  std::FILE* file_ = nullptr;
  bool done_ = false;
  uint64_t bytes_ = 0;
  crypto::Hasher hasher_{crypto::HashAlgorithm::kSha256};
};

// The backup from the running node, into `out`; its manifest read back from the file.
Status BackupFromNode(const std::string& socket_path, OutputFile& out) {
  asio::io_context io;
  Local::socket socket(io);
  boost::system::error_code error;
  socket.connect(Local::endpoint(socket_path), error);
  if (error) {
    return Status::Unavailable("cannot reach the node at " + socket_path + ": " + error.message() +
                               (error == asio::error::access_denied
                                    ? " (run this as the node's user, e.g. sudo -u evidence)"
                                    : ""));
  }
  asio::write(socket, asio::buffer(std::string_view(kBackupRequest)), error);
  if (error) return Status::Unavailable("the node closed the backup socket: " + error.message());
  std::vector<uint8_t> buffer(1 << 20);
  bool first = true;
  for (;;) {
    size_t n = socket.read_some(asio::buffer(buffer), error);
    if (first && n >= 6 && std::string_view(reinterpret_cast<char*>(buffer.data()), 6) == "ERROR ") {
      return Status::Unavailable("the node refused: " +
                                 std::string(reinterpret_cast<char*>(buffer.data()) + 6, n - 6));
    }
    first = false;
    if (n > 0) EVIDENCE_RETURN_IF_ERROR(out.Write(ByteView(buffer.data(), n)));
    if (error == asio::error::eof) return Status::Ok();
    if (error) return Status::IoError("reading the backup from the node: " + error.message());
  }
}

int RunBackup(const BackupOptions& options) {
  const std::string kCommand = "backup";
  std::error_code ec;
  if (!fs::is_directory(options.node_data, ec)) {
    PrintError(kCommand, "no data directory at " + options.node_data);
    return 2;
  }
  if (!options.force && fs::exists(options.out, ec)) {
    PrintError(kCommand, options.out + " exists; pass --force to replace it");
    return 2;
  }
  const std::string store_path = options.node_data + "/store";
  OutputFile out(options.out);
  if (Status opened = out.Open(); !opened.ok()) {
    PrintError(kCommand, opened.message());
    return 1;
  }
  Status written;
  if (ledger::StoreInUseByAnotherProcess(store_path)) {
    written = BackupFromNode(options.node_data + "/" + kBackupSocketName, out);
  } else {
    if (options.genesis.empty()) {
      PrintError(kCommand, "no node runs on " + options.node_data +
                               ": give --genesis to read its store directly");
      return 2;
    }
    auto genesis = ledger::Genesis::Load(options.genesis);
    if (!genesis.ok()) {
      PrintError(kCommand, "genesis: " + genesis.status().message());
      return 2;
    }
    ledger::StoreOptions store_options;
    store_options.create_if_missing = false;
    auto store = ledger::Store::Open(store_path, *genesis, store_options);
    if (!store.ok()) {
      PrintError(kCommand, store.status().message());
      return 1;
    }
    written = ledger::WriteBackup(**store, [&](ByteView bytes) { return out.Write(bytes); }).status();
  }
  if (written.ok()) written = out.Commit();
  if (!written.ok()) {
    PrintError(kCommand, written.message());
    return 1;
  }
  std::ifstream in(options.out, std::ios::binary);
  auto manifest = ledger::ReadBackupManifest(in);
  if (!manifest.ok()) {
    PrintError(kCommand, "the file written does not read back: " + manifest.status().message());
    return 1;
  }
  std::cout << "wrote " << options.out << ": chain " << manifest->chain_id << ", height "
            << manifest->head.height << ", tree size " << manifest->head.size << ", root "
            << crypto::DigestHex(manifest->head.root) << "\n"
            << "  " << out.bytes() << " bytes, sha256 " << crypto::DigestHex(out.Sha256()) << "\n";
  return 0;
}

int RunRestore(const RestoreOptions& options) {
  const std::string kCommand = "restore";
  auto genesis = ledger::Genesis::Load(options.genesis);
  if (!genesis.ok()) {
    PrintError(kCommand, "genesis: " + genesis.status().message());
    return 2;
  }
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    PrintError(kCommand, "cannot read " + options.file);
    return 2;
  }
  std::error_code ec;
  fs::create_directories(options.data, ec);
  const std::string store_path = options.data + "/store";
  if (ledger::StoreInUseByAnotherProcess(store_path) || fs::exists(store_path, ec)) {
    PrintError(kCommand, store_path + " exists" +
                             (ledger::StoreInUseByAnotherProcess(store_path)
                                  ? " and a running node uses it: stop the node first"
                                  : ": move it away first (a restore never overwrites a store)"));
    return 2;
  }
  auto manifest = ledger::RestoreBackup(in, store_path, *genesis);
  if (!manifest.ok()) {
    PrintError(kCommand, manifest.status().message());
    return manifest.status().code() == StatusCode::kFailedPrecondition ||
                   manifest.status().code() == StatusCode::kInvalidArgument
               ? 2
               : 1;
  }
  std::cout << "restored " << manifest->entries << " entries into " << store_path << ": chain "
            << manifest->chain_id << ", height " << manifest->head.height << ", tree size "
            << manifest->head.size << "\n";
  ledger::AuditReport report = ledger::Audit(store_path, *genesis);
  bool matches = report.ok && report.head_height == manifest->head.height;
  if (!matches) {
    fs::rename(store_path, store_path + ".failed-audit", ec);
    PrintError(kCommand, "the restored store fails the audit (moved to " + store_path +
                             ".failed-audit): " + (report.ok ? "its height differs from the manifest's" : report.reason));
    return 1;
  }
  std::cout << "audit OK: " << report.blocks_checked << " blocks, " << report.records_checked
            << " records, every signature and Merkle root checked\n";
  if (fs::exists(options.data + "/consensus.wal", ec)) {
    std::cout << "kept " << options.data << "/consensus.wal (this validator's own votes)\n";
  } else {
    std::cout << "no consensus.wal in " << options.data
              << ": the node will say so when it starts (event=wal_missing), catch up from its "
                 "peers and vote again at the first height they have not decided\n";
  }
  std::cout << "next: start the node; it syncs the blocks after height " << manifest->head.height
            << " from its peers (docs/operations.md, Restore)\n";
  return 0;
}

}  // namespace

void RegisterBackup(CLI::App& app) {
  static BackupOptions backup;
  CLI::App* command = app.add_subcommand(
      "backup", "Copy a node's store (running or stopped) into one file with a manifest");
  command->add_option("--node-data", backup.node_data, "The node's data_dir (holds store/)")
      ->required();
  command->add_option("--out", backup.out, "The backup file to write")->required();
  command->add_option("--genesis", backup.genesis,
                      "The chain's genesis JSON (needed only when the node is stopped)");
  command->add_flag("--force", backup.force, "Replace an existing output file");
  command->callback([] { SetExitCode(RunBackup(backup)); });

  static RestoreOptions restore;
  CLI::App* restore_command = app.add_subcommand(
      "restore", "Restore a backup into a new data directory's store/ and audit it");
  restore_command->add_option("FILE", restore.file, "The backup file")->required();
  restore_command->add_option("--data", restore.data, "The node's data_dir (store/ is created)")
      ->required();
  restore_command->add_option("--genesis", restore.genesis, "The chain's genesis JSON")->required();
  restore_command->callback([] { SetExitCode(RunRestore(restore)); });
}

}  // namespace evidence::cli
