// Fuzz target: a write-ahead log file as the node finds it at start (a crash
// may leave anything in its last bytes; a bad disk anything anywhere):
// node::Wal::Open replays it, truncating a torn tail, and the node decodes the
// last record's payload as its signer state (consensus::DecodePersistedState).
//
// Properties: after a successful open the file holds exactly the replayed
// records (a second open finds the same records and nothing to truncate), and
// an append after replay is found by the next replay.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node/consensus/types.h"
#include "node/wal.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence;
  const std::string path = fuzz::WriteScratchFile(
      "consensus.wal", std::string_view(reinterpret_cast<const char*>(data), size));
  node::WalReplay replay;
  auto wal = node::Wal::Open(path, &replay);
  if (!wal.ok()) return 0;
  FUZZ_EXPECT(replay.truncated_bytes <= size);
  if (!replay.records.empty()) (void)consensus::DecodePersistedState(replay.records.back().payload);

  const Bytes payload = ToBytes("fuzz");
  FUZZ_EXPECT((*wal)->Append(7, payload).ok());
  wal->reset();
  node::WalReplay again;
  auto reopened = node::Wal::Open(path, &again);
  FUZZ_EXPECT(reopened.ok());
  FUZZ_EXPECT(again.truncated_bytes == 0);
  FUZZ_EXPECT(again.records.size() == replay.records.size() + 1);
  for (size_t i = 0; i < replay.records.size(); ++i)
    FUZZ_EXPECT(again.records[i] == replay.records[i]);
  FUZZ_EXPECT(again.records.back() == (node::WalRecord{7, payload}));
  return 0;
}
