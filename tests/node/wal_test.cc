#include "node/wal.h"

#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>

#include "common/encoding.h"
#include "common/limits.h"
#include "node/consensus/core.h"
#include "node/consensus/validator_sets.h"
#include "tests/consensus/fakes.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "wal_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (fs::path(dir_) / "consensus.wal").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Wal> OpenOk(WalReplay* replay) {
    auto wal = Wal::Open(path_, replay);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }
  Bytes ReadFile() const {
    std::ifstream in(path_, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  void WriteFile(ByteView data) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  }
  // A log of three records; returns the file bytes and where each record ends.
  Bytes MakeThreeRecordLog(std::vector<size_t>* ends) {
    WalReplay replay;
    auto wal = OpenOk(&replay);
    ends->push_back(Wal::kHeaderBytes);
    for (int i = 0; i < 3; ++i) {
      const std::string payload = "vote-" + std::to_string(i) + std::string(i * 10, 'x');
      EXPECT_TRUE(wal->Append(10 + i, AsBytes(payload)).ok());
      ends->push_back(wal->size_bytes());
    }
    return ReadFile();
  }

  std::string dir_;
  std::string path_;
};

TEST(WalFormat, Crc32cCheckValue) {
  // The standard CRC-32C check value (RFC 3720 appendix B.4 parameters).
  EXPECT_EQ(WalCrc32c(AsBytes("123456789")), 0xE3069283u);
}

// Whichever implementation this CPU uses (SSE 4.2 or the table), the checksum is
// boost's CRC-32C, at every length and alignment.
TEST(WalFormat, Crc32cMatchesTheTableDrivenCrcAtEveryLengthAndOffset) {
  std::vector<uint8_t> data(4096 + 64);
  uint32_t state = 12345;
  for (uint8_t& byte : data) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<uint8_t>(state >> 16);
  }
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t length : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 63u, 64u, 65u, 1000u, 4096u}) {
      ByteView view(data.data() + offset, length);
      boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> expected;
      expected.process_bytes(view.data(), view.size());
      EXPECT_EQ(WalCrc32c(view), expected.checksum()) << "offset " << offset << " length " << length;
    }
  }
}

TEST(WalFormat, GoldenRecordBytes) {
  // docs/wal-format.md: crc32c | length | height | payload, all big-endian.
  EXPECT_EQ(HexEncode(EncodeWalRecord(7, AsBytes("abc"))),
            "4fb38c47000000030000000000000007616263");
}

TEST_F(WalTest, NewLogIsHeaderOnly) {
  WalReplay replay;
  auto wal = OpenOk(&replay);
  ASSERT_NE(wal, nullptr);
  EXPECT_TRUE(replay.records.empty());
  EXPECT_EQ(HexEncode(ReadFile()), "455657414c000001");  // "EVWAL" 0 0 1
  EXPECT_EQ(wal->size_bytes(), Wal::kHeaderBytes);
}

// Regression (issue 18): a WAL of a newer format is refused by name, not as damage.
TEST_F(WalTest, ANewerFormatIsRefusedByName) {
  Bytes header = {'E', 'V', 'W', 'A', 'L', 0, 0, 2};
  WriteFile(ByteView(header.data(), header.size()));
  WalReplay replay;
  auto wal = Wal::Open(path_, &replay);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(wal.status().message().find("WAL format 2, written by a newer evidence-node"),
            std::string::npos)
      << wal.status().ToString();
  EXPECT_EQ(HexEncode(ReadFile()), "455657414c000002") << "left as it was";
}

TEST_F(WalTest, AppendThenReplayReturnsEveryRecordInOrder) {
  std::vector<WalRecord> written;
  {
    WalReplay replay;
    auto wal = OpenOk(&replay);
    for (uint64_t i = 0; i < 50; ++i) {
      WalRecord record{i / 3, Bytes(i, static_cast<uint8_t>(i))};
      ASSERT_TRUE(wal->Append(record.height, record.payload).ok());
      written.push_back(record);
    }
  }
  WalReplay replay;
  auto wal = OpenOk(&replay);
  EXPECT_EQ(replay.records, written);
  EXPECT_EQ(replay.truncated_bytes, 0u);
}

TEST_F(WalTest, TornTailAtEveryByteOffsetOfTheLastRecordIsTruncated) {
  std::vector<size_t> ends;
  const Bytes full = MakeThreeRecordLog(&ends);
  for (size_t cut = ends[2] + 1; cut < ends[3]; ++cut) {
    WriteFile(ByteView(full.data(), cut));
    WalReplay replay;
    auto wal = OpenOk(&replay);
    ASSERT_NE(wal, nullptr) << "cut at " << cut;
    ASSERT_EQ(replay.records.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(replay.truncated_bytes, cut - ends[2]);
    EXPECT_EQ(fs::file_size(path_), ends[2]);
    // The log is usable again after the truncation.
    ASSERT_TRUE(wal->Append(99, AsBytes("after")).ok());
    wal.reset();
    WalReplay again;
    OpenOk(&again);
    ASSERT_EQ(again.records.size(), 3u);
    EXPECT_EQ(again.records[2], (WalRecord{99, ToBytes("after")}));
  }
}

TEST_F(WalTest, DamagedLastRecordIsTreatedAsTornTail) {
  std::vector<size_t> ends;
  const Bytes full = MakeThreeRecordLog(&ends);
  for (size_t at = ends[2]; at < ends[3]; ++at) {
    Bytes damaged = full;
    damaged[at] ^= 0x40;
    WriteFile(damaged);
    WalReplay replay;
    auto wal = OpenOk(&replay);
    ASSERT_NE(wal, nullptr) << "byte " << at;
    EXPECT_EQ(replay.records.size(), 2u) << "byte " << at;
  }
}

TEST_F(WalTest, ZeroFilledTailIsTruncated) {
  std::vector<size_t> ends;
  Bytes file = MakeThreeRecordLog(&ends);
  file.resize(file.size() + 4096, 0);  // a file extended by a crash before its data landed
  WriteFile(file);
  WalReplay replay;
  auto wal = OpenOk(&replay);
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(replay.records.size(), 3u);
  EXPECT_EQ(replay.truncated_bytes, 4096u);
}

TEST_F(WalTest, DamageBeforeTheLastRecordIsCorruption) {
  std::vector<size_t> ends;
  const Bytes full = MakeThreeRecordLog(&ends);
  for (size_t at = ends[0]; at < ends[2]; ++at) {
    Bytes damaged = full;
    damaged[at] ^= 0x01;
    WriteFile(damaged);
    WalReplay replay;
    auto wal = Wal::Open(path_, &replay);
    ASSERT_FALSE(wal.ok()) << "byte " << at;
    EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
  }
}

TEST_F(WalTest, WrongHeaderIsRefused) {
  WriteFile(AsBytes("not a wal file at all"));
  WalReplay replay;
  auto wal = Wal::Open(path_, &replay);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
}

TEST_F(WalTest, OversizeRecordIsRefused) {
  WalReplay replay;
  auto wal = OpenOk(&replay);
  const Bytes big(limits::kWalRecordBytesMax + 1, 0);
  Status status = wal->Append(1, big);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wal->size_bytes(), Wal::kHeaderBytes);
}

TEST_F(WalTest, CompactBelowKeepsOnlyLaterHeightsAndStaysAppendable) {
  {
    WalReplay replay;
    auto wal = OpenOk(&replay);
    for (uint64_t height : {1, 1, 2, 3, 3}) {
      ASSERT_TRUE(wal->Append(height, AsBytes("h" + std::to_string(height))).ok());
    }
    ASSERT_TRUE(wal->CompactBelow(3).ok());
    ASSERT_TRUE(wal->Append(4, AsBytes("h4")).ok());
    EXPECT_EQ(wal->size_bytes(), fs::file_size(path_));
  }
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  WalReplay replay;
  OpenOk(&replay);
  ASSERT_EQ(replay.records.size(), 3u);
  EXPECT_EQ(replay.records[0], (WalRecord{3, ToBytes("h3")}));
  EXPECT_EQ(replay.records[1], (WalRecord{3, ToBytes("h3")}));
  EXPECT_EQ(replay.records[2], (WalRecord{4, ToBytes("h4")}));
}

// Finding 9: while a height stalls on a lock, every vote writes the locked block
// (up to 16 MiB) again, and the log grew without bound. Past bytes_max an append
// rewrites the log to hold only its record (each record is a whole state).
TEST_F(WalTest, AStalledHeightCannotGrowTheLogPastItsBound) {
  const uint64_t bytes_max = Wal::kHeaderBytes + Wal::kRecordHeaderBytes + limits::kWalRecordBytesMax;
  const Bytes locked_block(2 * 1024 * 1024, 0x5a);
  {
    WalReplay replay;
    auto opened = Wal::Open(path_, &replay, bytes_max);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<Wal> wal = std::move(opened).value();
    uint64_t largest = 0;
    for (int vote = 0; vote < 30; ++vote) {  // 60 MiB written in all
      Bytes state = locked_block;
      state[0] = static_cast<uint8_t>(vote);
      ASSERT_TRUE(wal->Append(7, state).ok());
      largest = std::max<uint64_t>(largest, fs::file_size(path_));
      EXPECT_EQ(wal->size_bytes(), fs::file_size(path_));
    }
    EXPECT_LE(largest, bytes_max);
    EXPECT_GE(wal->rewrites(), 3u);
  }
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  WalReplay replay;
  auto reopened = Wal::Open(path_, &replay, bytes_max);
  ASSERT_TRUE(reopened.ok());
  ASSERT_FALSE(replay.records.empty());
  EXPECT_EQ(replay.records.back().height, 7u);
  EXPECT_EQ(replay.records.back().payload.size(), locked_block.size());
  EXPECT_EQ(replay.records.back().payload[0], 29);  // the last state survives
}

// Finding 9, as the node meets it: the consensus core, stuck on a lock, persists
// its whole state — the locked block included — before every vote of every
// round. Fed into the log as the driver feeds it (one Append per Persist
// effect), the file stays within its bound, and a restart replays the last
// state with the lock. Without the bound the file grew by the block twice a
// round (here 2 MiB x 2 x 16 rounds = 64 MiB against a 17 MiB bound).
TEST_F(WalTest, RegressionAValidatorLockedForManyRoundsKeepsItsLogBounded) {
  using consensus::testing::KeyedHash;
  using consensus::testing::kTestSecretBase;
  const uint64_t bytes_max = Wal::kHeaderBytes + Wal::kRecordHeaderBytes + limits::kWalRecordBytesMax;
  consensus::FixedValidatorSets sets(consensus::testing::MakeValidatorSet({1, 1, 1, 1}));
  consensus::testing::FakeSigner signer(kTestSecretBase + 3);  // validator 3
  consensus::testing::FakeVerifier verifier;
  consensus::testing::FakeBlocks blocks;
  consensus::CoreConfig config;
  config.chain_id = "wal";
  consensus::ConsensusCore core(config, sets, &signer, verifier, blocks);
  WalReplay replay;
  auto opened = Wal::Open(path_, &replay, bytes_max);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Wal> wal = std::move(opened).value();
  uint64_t largest = 0, persisted_bytes = 0;
  auto run = [&] {
    for (const consensus::Effect& effect : core.TakeEffects()) {
      const auto* persist = std::get_if<consensus::PersistEffect>(&effect);
      if (persist == nullptr) continue;
      const Bytes state = consensus::EncodePersistedState(persist->state);
      ASSERT_TRUE(wal->Append(persist->state.height, state).ok());
      persisted_bytes += state.size();
      largest = std::max<uint64_t>(largest, fs::file_size(path_));
    }
  };
  int64_t now = 1000;
  auto vote = [&](uint32_t who, ledger::VoteType type, uint32_t round, const crypto::Digest& hash) {
    ledger::Vote v{type, 1, round, hash, now, who, {}};
    v.signature = KeyedHash(kTestSecretBase + who, ledger::VoteSigningBytes("wal", v));
    return consensus::Message(v);
  };
  core.Start(1, 0, now);
  run();
  // Round 0: validator 0 proposes a 2 MiB block, it gets a polka, validator 3
  // locks on it and precommits it; the others precommit nil.
  const Bytes block(2 * 1024 * 1024, 0x5a);
  const crypto::Digest hash = blocks.Hash(block);
  ASSERT_EQ(core.ProposerAt(1, 0), 0u);
  consensus::Proposal proposal{1, 0, -1, hash, block, now, 0, {}};
  proposal.signature = KeyedHash(kTestSecretBase, consensus::ProposalSigningBytes("wal", proposal));
  core.OnMessage(proposal, now);
  for (uint32_t who : {0u, 1u, 2u}) core.OnMessage(vote(who, ledger::VoteType::kPrevote, 0, hash), now);
  run();
  ASSERT_EQ(core.locked_round(), 0);
  // Then round after round without a decision: nil from everyone else.
  constexpr uint32_t kRounds = 16;
  for (uint32_t round = 0; round < kRounds; ++round) {
    ASSERT_EQ(core.round(), round);
    now += 10'000;
    if (round > 0) {  // (round 0's prevotes were for the block)
      core.OnTimeout(1, round, consensus::TimeoutKind::kPropose, now);
      for (uint32_t who : {0u, 1u, 2u}) core.OnMessage(vote(who, ledger::VoteType::kPrevote, round, {}), now);
    }
    for (uint32_t who : {0u, 1u, 2u}) core.OnMessage(vote(who, ledger::VoteType::kPrecommit, round, {}), now);
    core.OnTimeout(1, round, consensus::TimeoutKind::kPrecommit, now);
    run();
  }
  EXPECT_EQ(core.locked_round(), 0) << "still locked: every state carries the block";
  EXPECT_GT(persisted_bytes, 2 * kRounds * block.size());
  EXPECT_LE(largest, bytes_max);
  EXPECT_GE(wal->rewrites(), 3u);
  wal.reset();
  WalReplay again;
  ASSERT_TRUE(Wal::Open(path_, &again, bytes_max).ok());
  ASSERT_FALSE(again.records.empty());
  auto last = consensus::DecodePersistedState(again.records.back().payload);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->locked_round, 0);
  EXPECT_EQ(last->locked_hash, hash);
  EXPECT_EQ(last->round, kRounds - 1);
}

// A child process appends records and reports each one through a pipe once
// Append has returned; the parent SIGKILLs it mid-stream. Every reported record
// must survive in the replay, in order.
TEST_F(WalTest, EveryAcknowledgedRecordSurvivesSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    WalReplay replay;
    auto wal = Wal::Open(path_, &replay);
    if (!wal.ok()) ::_exit(2);
    for (uint32_t i = 0;; ++i) {
      const std::string payload = "record-" + std::to_string(i) + std::string(i % 97, 'p');
      if (!(*wal)->Append(i, AsBytes(payload)).ok()) ::_exit(3);
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(fds[1]);
  uint32_t acknowledged = 0;
  uint32_t count = 0;
  // Wait for a few hundred acknowledgements (blocking reads), then kill.
  while (count < 300 && ::read(fds[0], &acknowledged, sizeof acknowledged) == sizeof acknowledged) {
    ++count;
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited early with " << WEXITSTATUS(wait_status);
  // Acknowledgements still in the pipe were also reported before the kill.
  uint32_t index = 0;
  while (::read(fds[0], &index, sizeof index) == sizeof index) {
    acknowledged = index;
    ++count;
  }
  ::close(fds[0]);
  ASSERT_EQ(acknowledged + 1, count);

  WalReplay replay;
  auto wal = OpenOk(&replay);
  ASSERT_NE(wal, nullptr);
  ASSERT_GE(replay.records.size(), count);
  for (uint32_t i = 0; i < replay.records.size(); ++i) {
    const std::string payload = "record-" + std::to_string(i) + std::string(i % 97, 'p');
    ASSERT_EQ(replay.records[i], (WalRecord{i, ToBytes(payload)})) << "record " << i;
  }
}

}  // namespace
}  // namespace evidence::node
