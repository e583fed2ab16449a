#include "node/driver/block_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

using Clock = ServeQueue::Clock;
using std::chrono::milliseconds;

constexpr size_t kPeers = 4;

BlockServeOptions SmallBudget() {
  return BlockServeOptions{/*bytes_per_second=*/1000, /*burst_bytes=*/3000};
}

// Finding 2: every request was served at once, on the consensus thread, with no
// limit per peer. Now a peer that floods requests gets its budget and no more,
// and the others are served meanwhile.
TEST(ServeQueueTest, AFloodingPeerIsServedWithinItsBudget) {
  const Clock::time_point start = Clock::now();
  ServeQueue queue(kPeers, SmallBudget(), start);
  size_t served_bytes = 0;
  size_t served_jobs = 0;
  Clock::time_point now = start;
  // Ten seconds of a request every millisecond, each response 1,000 bytes.
  for (int ms = 0; ms < 10'000; ++ms) {
    now = start + milliseconds(ms);
    queue.Request(3, 1, 64);
    while (std::optional<ServeJob> job = queue.Next(now)) {
      ASSERT_EQ(job->peer, 3u);
      EXPECT_LE(job->bytes_target, 3000u);
      queue.Charge(job->peer, 1000, now);
      served_bytes += 1000;
      ++served_jobs;
    }
  }
  // Burst plus ten seconds at 1,000 bytes a second (and one response of overdraft).
  EXPECT_LE(served_bytes, 3000u + 10 * 1000u + 1000u);
  EXPECT_GE(served_jobs, 10u);
  EXPECT_GT(queue.replaced(3), 9'000u);
  // Another peer's request is taken at once, however broke peer 3 is.
  queue.Request(3, 1, 64);
  queue.Request(1, 7, 64);
  std::optional<ServeJob> job = queue.Next(now);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->peer, 1u);
  EXPECT_EQ(job->from_height, 7u);
}

TEST(ServeQueueTest, PeersTakeTurnsAndRequestsAreCapped) {
  const Clock::time_point now = Clock::now();
  ServeQueue queue(kPeers, SmallBudget(), now);
  queue.Request(0, 1, 1'000'000);
  queue.Request(2, 5, 3);
  queue.Request(1, 0, 5);  // from height 0: ignored
  std::optional<ServeJob> first = queue.Next(now);
  std::optional<ServeJob> second = queue.Next(now);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->peer, 0u);
  EXPECT_EQ(first->count, kSyncBlocksMax);
  EXPECT_EQ(second->peer, 2u);
  EXPECT_FALSE(queue.Next(now));
  EXPECT_FALSE(queue.NextReady(now));
}

TEST(ServeQueueTest, NextReadyIsWhenTheBudgetRefills) {
  const Clock::time_point start = Clock::now();
  ServeQueue queue(kPeers, SmallBudget(), start);
  queue.Request(0, 1, 1);
  ASSERT_TRUE(queue.Next(start));
  queue.Charge(0, 4000, start);  // 1,000 bytes of overdraft
  queue.Request(0, 2, 1);
  EXPECT_FALSE(queue.Next(start));
  std::optional<Clock::time_point> ready = queue.NextReady(start);
  ASSERT_TRUE(ready);
  EXPECT_GE(*ready, start + milliseconds(1000));
  EXPECT_LE(*ready, start + milliseconds(1002));
  EXPECT_FALSE(queue.Next(start + milliseconds(999)));
  EXPECT_TRUE(queue.Next(*ready + milliseconds(1)));
}

class BlockServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = (std::filesystem::temp_directory_path() /
                  ("block-server-test-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                     .string();
    std::filesystem::remove_all(directory_);
    auto store = ledger::Store::Open(directory_, chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      auto step = chain_.Next({chain_.MakeRecord(0, "case-a", seed)});
      ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
  }

  ledger::testing::TestChain chain_;
  std::string directory_;
  std::unique_ptr<ledger::Store> store_;
};

TEST_F(BlockServerTest, AResponseStopsAtItsTargetButHoldsOneBlock) {
  size_t bytes = 0;
  SyncResponse all = ReadBlocks(*store_, ServeJob{0, 2, 64, kSyncResponseBytesTarget}, &bytes);
  ASSERT_EQ(all.blocks.size(), 4u);  // heights 2..5
  EXPECT_EQ(all.blocks.front().commit.height, 2u);
  EXPECT_GT(bytes, 0u);
  SyncResponse one = ReadBlocks(*store_, ServeJob{0, 2, 64, /*bytes_target=*/1}, &bytes);
  ASSERT_EQ(one.blocks.size(), 1u);
  EXPECT_EQ(one.blocks.front().commit.height, 2u);
  SyncResponse counted = ReadBlocks(*store_, ServeJob{0, 1, 2, kSyncResponseBytesTarget}, &bytes);
  EXPECT_EQ(counted.blocks.size(), 2u);
  SyncResponse beyond = ReadBlocks(*store_, ServeJob{0, 6, 64, kSyncResponseBytesTarget}, &bytes);
  EXPECT_TRUE(beyond.blocks.empty());
  EXPECT_EQ(bytes, 0u);
}

TEST_F(BlockServerTest, ServesOnItsOwnThreadToThePeerThatAsked) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::pair<uint32_t, Bytes>> sent;
  BlockServer server(*store_, kPeers, BlockServeOptions::Defaults(),
                     [&](uint32_t peer, Bytes frame) {
                       std::lock_guard<std::mutex> lock(mutex);
                       sent.emplace_back(peer, std::move(frame));
                       arrived.notify_all();
                     });
  server.Start();
  server.Request(2, 3, 64);
  server.Request(9, 1, 64);  // no such peer: ignored
  {
    std::unique_lock<std::mutex> lock(mutex);
    arrived.wait(lock, [&] { return !sent.empty(); });
  }
  server.Stop();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, 2u);
  Result<PeerMessage> decoded = DecodePeerMessage(sent[0].second);
  ASSERT_TRUE(decoded.ok());
  const auto& response = std::get<SyncResponse>(*decoded);
  ASSERT_EQ(response.blocks.size(), 3u);
  EXPECT_EQ(response.blocks[0].commit.height, 3u);
  EXPECT_GT(server.bytes_served(), 0u);
  server.Request(2, 1, 1);  // after Stop: dropped
}

}  // namespace
}  // namespace evidence::node
