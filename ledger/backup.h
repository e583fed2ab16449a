// Backups of a node's store (`evidence backup` / `evidence restore`,
// docs/operations.md "Back up", format in docs/storage-format.md "Backup file").
//
// A backup is every key of the store as one LevelDB snapshot saw it (so a
// running node keeps committing meanwhile and the copy is still consistent),
// behind a manifest (chain id, genesis hash, head: height, tree size, root,
// block hash) and followed by the number of entries and a SHA-256 of every
// byte before it:
//
//   "EVBACKUP" u32 version(1) u32 manifest_length manifest(JSON)
//   ( 0x01 u32 key_length key u32 value_length value )*
//   0x00 u64 entries sha256(every byte before these 32)
//
// Integers big-endian; keys 1..kBackupKeyBytesMax, values at most
// kBackupValueBytesMax, the manifest at most kBackupManifestBytesMax bytes.
// Restore refuses a file of another chain, a newer format, a bad length, a
// missing end or a digest that differs, and then leaves nothing behind; the
// caller audits the restored store (ledger/audit.h) before it is used.
//
// Thread-safety: free functions and a writer used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/store.h"

namespace evidence::ledger {

inline constexpr uint32_t kBackupVersion = 1;
inline constexpr size_t kBackupManifestBytesMax = 64 * 1024;
inline constexpr size_t kBackupKeyBytesMax = 4096;
inline constexpr size_t kBackupValueBytesMax = 64 * 1024 * 1024;

struct BackupManifest {
  std::string chain_id;
  std::string hash;          // "sha256" or "sm3"
  std::string genesis_hash;  // hex of Genesis::Hash() (the store's genesis)
  TreeHead head;
  uint64_t entries = 0;  // known after the end (WriteBackup, RestoreBackup)
};

// Writes a backup of `store` through `write` (called with consecutive chunks
// of at most 1 MiB). `stop`, when set, ends it early with an error.
Result<BackupManifest> WriteBackup(const Store& store, const std::function<Status(ByteView)>& write,
                                   const std::atomic<bool>* stop = nullptr);

// Reads only the manifest at the start of a backup.
Result<BackupManifest> ReadBackupManifest(std::istream& in);

// Restores the backup read from `in` into a new store at `directory` (which
// must not exist) for `genesis`. The store is written beside it first
// (<directory>.restoring) and renamed into place only once every byte checked.
Result<BackupManifest> RestoreBackup(std::istream& in, const std::string& directory,
                                     const Genesis& genesis);

}  // namespace evidence::ledger
