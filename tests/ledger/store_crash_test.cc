// Crash test of the store: a child process appends blocks and reports each height
// on a pipe after Append returns; the parent SIGKILLs it at a random moment, then
// reopens the store: it must open consistent and hold every reported block.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "ledger/audit.h"
#include "ledger/store.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

using testing::TestChain;

constexpr int kRounds = 20;
constexpr uint64_t kSeed = 20260101;

[[noreturn]] void RunChild(const std::string& directory, const Genesis& genesis,
                           const std::vector<TestChain::Step>& steps, int write_fd) {
  auto store = Store::Open(directory, genesis);
  if (!store.ok()) _exit(3);
  for (uint64_t height = (*store)->height() + 1; height <= steps.size(); ++height) {
    const TestChain::Step& step = steps[height - 1];
    if (!(*store)->Append(step.block, step.commit).ok()) _exit(4);
    if (::write(write_fd, &height, sizeof height) != sizeof height) _exit(5);
  }
  _exit(0);
}

TEST(StoreCrash, SigkillAtRandomMomentsLosesNothingCommitted) {
  std::string directory = (std::filesystem::temp_directory_path() /
                           ("store-crash-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::remove_all(directory);
  TestChain chain;
  std::vector<TestChain::Step> steps;
  for (uint64_t b = 0; b < 200; ++b) {
    std::vector<Record> records;
    for (uint64_t i = 0; i < 10; ++i) records.push_back(chain.MakeRecord(i % 2, "case-" + std::to_string(b % 7), b * 10 + i));
    steps.push_back(chain.Next(records));
  }
  std::mt19937_64 random(kSeed);
  uint64_t reported = 0;
  int kills_mid_run = 0;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(directory, chain.genesis(), steps, fds[1]);
    }
    ::close(fds[1]);
    uint64_t reports_to_read = 1 + random() % 8;
    for (uint64_t k = 0; k < reports_to_read; ++k) {
      uint64_t height = 0;
      if (::read(fds[0], &height, sizeof height) != sizeof height) break;  // child ended
      EXPECT_EQ(height, reported + 1);
      reported = height;
    }
    // Let the child run on for a random while (mid-Append, most likely), then kill it.
    volatile uint64_t spin = 0;
    for (uint64_t i = random() % 3'000'000; i > 0; --i) spin = spin + 1;
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) ++kills_mid_run;
    else EXPECT_EQ(WEXITSTATUS(status), 0) << "child failed in round " << round;
    // Heights written after our last read are also in the pipe: count them.
    uint64_t height = 0;
    while (::read(fds[0], &height, sizeof height) == sizeof height) reported = height;
    ::close(fds[0]);

    auto store = Store::Open(directory, chain.genesis());
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status().ToString();
    uint64_t stored = (*store)->height();
    EXPECT_GE(stored, reported) << "round " << round << " lost a committed block";
    EXPECT_LE(stored, reported + 1);
    for (uint64_t h = 1; h <= stored; h += 7) {
      auto block = (*store)->GetBlock(h);
      ASSERT_TRUE(block.ok());
      EXPECT_EQ(*block, steps[h - 1].block);
    }
    EXPECT_EQ((*store)->head().root, steps[stored - 1].block.header.log_root);
    reported = stored;
    std::cout << "round " << round << ": killed at height " << stored << "\n";
  }
  EXPECT_GT(kills_mid_run, kRounds / 2);
  AuditReport report = Audit(directory, chain.genesis());
  EXPECT_TRUE(report.ok) << report.reason;
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace evidence::ledger
