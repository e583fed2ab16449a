// BackupServer: answers `evidence backup` for a running node. LevelDB admits one
// process at a time, so another process cannot read the store of a running
// node; the node itself streams a consistent copy (ledger/backup.h: one LevelDB
// snapshot, taken while it keeps committing) over a Unix socket in its data
// directory, <data_dir>/backup.sock, mode 0600: only the node's user (and
// root) may connect.
//
// Protocol: the client sends "backup 1\n" (at most 64 bytes, within 10 s); the
// server answers with the backup file's bytes, or with "ERROR <reason>\n", and
// closes. One backup at a time (a second client gets ERROR busy); a client that
// stops reading for 60 s is cut off.
//
// Thread-safety: Start and Stop from the controlling thread; the server runs
// on its own thread and reads the store (thread-safe) only.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "ledger/store.h"

namespace evidence::node {

inline constexpr const char* kBackupSocketName = "backup.sock";
inline constexpr const char* kBackupRequest = "backup 1";

class BackupServer {
 public:
  static Result<std::unique_ptr<BackupServer>> Start(const std::string& socket_path,
                                                     const ledger::Store& store);
  ~BackupServer();  // Stop()
  BackupServer(const BackupServer&) = delete;
  BackupServer& operator=(const BackupServer&) = delete;

  // Ends a backup in progress (its client sees the stream cut short) and the
  // thread; removes the socket file. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit BackupServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace evidence::node
