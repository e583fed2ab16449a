// Evidence records made from document files, shared by `evidence sign` and
// `evidence submit` (and the receipt files they write): stream-hash the file, fill the record from
// the command line's fields, check it against the ledger's field rules before signing.
//
// Thread-safety: pure functions over their arguments (and the file system).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/record.h"

namespace CLI {
class App;
}

namespace evidence::cli {

inline constexpr std::string_view kDefaultStage = "unspecified";
inline constexpr std::string_view kDefaultMediaType = "application/octet-stream";

// What every record of one command shares.
struct RecordFields {
  std::string chain_id;
  std::string agency;
  std::string kind;
  std::string case_id;
  std::string stage{kDefaultStage};
  std::string title;       // "" = the file's name
  std::string media_type;  // "" = guessed from the file name's extension
  std::vector<std::string> links;
  std::string time;  // RFC 3339 time of the act (--time); "" = now
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
};

// The record time: --time as unix ms, or now when it is not given.
Result<int64_t> RecordTimeMs(const RecordFields& fields);

struct FileDigest {
  crypto::Digest digest{};
  uint64_t size = 0;
};

// Reads the regular file `path` in 64 KiB chunks (a FIFO or device is refused rather
// than waited on). Errors name the file and the reason.
// The options `sign` and `submit` share: --key, --agency, --kind, --case, --stage
// (its help lists the stage vocabulary of every kind), --time.
void AddRecordFieldOptions(CLI::App& command, std::string& key_path, RecordFields& fields);

Result<FileDigest> HashFile(crypto::HashAlgorithm algorithm, const std::string& path);

// Reads an open descriptor to its end (e.g. standard input); `name` is for errors.
Result<FileDigest> HashDescriptor(crypto::HashAlgorithm algorithm, int fd, const std::string& name);

// "application/pdf" for "x.PDF", ... ; kDefaultMediaType when unknown.
std::string GuessMediaType(const std::string& path);

// The signing key; errors name the file.
Result<crypto::PrivateKey> LoadSigningKey(const std::string& path);

// Puts fields.case_id in canonical form (ledger/case_id.h), the only form the
// node accepts, and says so on stderr ("evidence <command>: ...") when that
// changed it.
void CanonicaliseCaseId(std::string_view command, RecordFields& fields);

// Checks the shared fields (kind, identifiers, lengths, links) with a stand-in
// document, so bad options are refused before any file is read.
Status CheckRecordFields(const RecordFields& fields, const crypto::PrivateKey& key);

// The record for one file, unsigned (sig.alg and sig.key set, no value), its
// fields checked as they will be once signed. Errors name the file.
Result<ledger::Record> RecordForFile(const RecordFields& fields, const crypto::PrivateKey& key,
                                     const std::string& path, int64_t time_ms);

// Writes `text` to path + ".tmp" and renames it over `path`, so a reader never
// sees half a file.
Status WriteFileAtomically(const std::string& path, const std::string& text);

// Bytes a batched record can add to a POST /v1/batches body beyond its
// unsigned leaf: the signature, the batch reference and a full-depth path.
inline constexpr size_t kBatchedRecordOverheadBytesMax = 1400;

// Size of the record's JSON once signed alone (an upper bound: the signature is
// counted at its largest).
size_t SignedRecordBytesMax(const ledger::Record& unsigned_record);

}  // namespace evidence::cli
