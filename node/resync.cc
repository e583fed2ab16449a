#include "node/resync.h"

#include <time.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "ledger/store.h"

namespace evidence::node {

namespace fs = std::filesystem;

Result<std::string> SetStoreAsideForResync(const std::string& data_dir,
                                           const std::string& utc_stamp) {
  const fs::path store = fs::path(data_dir) / "store";
  std::error_code error;
  if (!fs::is_directory(store, error)) {
    return Status::NotFound("--resync: " + store.string() +
                            " does not exist; a node without a store syncs from its peers by "
                            "itself, start it without --resync");
  }
  if (ledger::StoreInUseByAnotherProcess(store.string())) {
    return Status::FailedPrecondition("--resync: a running evidence-node holds " + store.string() +
                                      "; stop it first");
  }
  const fs::path aside = fs::path(data_dir) / ("store.damaged-" + utc_stamp);
  if (fs::exists(aside, error)) {
    return Status::AlreadyExists("--resync: " + aside.string() +
                                 " already exists; move it away and try again");
  }
  fs::rename(store, aside, error);
  if (error) {
    return Status::IoError("--resync: cannot rename " + store.string() + " to " + aside.string() +
                           ": " + error.message());
  }
  return aside.string();
}

std::string UtcStampNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  const size_t length = std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &utc);
  return std::string(text.data(), length);
}

}  // namespace evidence::node
