#include "api/http/commit_waiter.h"

#include <gtest/gtest.h>

#include <future>

#include "fake_node_service.h"

namespace evidence::api {
namespace {

using testing::FakeNodeService;

std::string Submit(FakeNodeService& service, int n) {
  auto outcome = service.SubmitRecord({{"n", n}}, {}, nullptr);
  EXPECT_TRUE(outcome.ok());
  return outcome->id;
}

TEST(CommitWaiterTest, CompletesWithEveryReceiptWhenAllCommit) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  const std::string a = Submit(service, 1);
  const std::string b = Submit(service, 2);
  std::promise<CommitWaiter::Outcome> done;
  waiter.Wait({a, b}, std::chrono::hours(1),
              [&](CommitWaiter::Outcome o) { done.set_value(std::move(o)); });
  EXPECT_EQ(service.open_watches(), 2u);
  service.Commit(b);
  service.Commit(a);
  const CommitWaiter::Outcome outcome = done.get_future().get();
  EXPECT_TRUE(outcome.complete);
  ASSERT_EQ(outcome.receipts.size(), 2u);
  EXPECT_EQ(outcome.receipts[0].at("record_id").as_string(), a);
  EXPECT_EQ(outcome.receipts[1].at("record_id").as_string(), b);
  EXPECT_EQ(waiter.pending(), 0u);
}

TEST(CommitWaiterTest, AlreadyCommittedRecordsCompleteAtOnce) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  const std::string a = Submit(service, 1);
  service.Commit(a);
  std::promise<CommitWaiter::Outcome> done;
  waiter.Wait({a}, std::chrono::hours(1),
              [&](CommitWaiter::Outcome o) { done.set_value(std::move(o)); });
  EXPECT_TRUE(done.get_future().get().complete);
}

TEST(CommitWaiterTest, DeadlineGivesPartialReceiptsAndCancelsTheRest) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  const std::string a = Submit(service, 1);
  const std::string b = Submit(service, 2);
  service.Commit(a);
  std::promise<CommitWaiter::Outcome> done;
  waiter.Wait({a, b}, std::chrono::milliseconds(1),
              [&](CommitWaiter::Outcome o) { done.set_value(std::move(o)); });
  const CommitWaiter::Outcome outcome = done.get_future().get();
  EXPECT_FALSE(outcome.complete);
  EXPECT_FALSE(outcome.receipts[0].is_null());
  EXPECT_TRUE(outcome.receipts[1].is_null());
  EXPECT_EQ(service.open_watches(), 0u);
  service.Commit(b);  // a late commit reaches nobody
}

TEST(CommitWaiterTest, StopCompletesPendingWaitsAndLaterWaitsAtOnce) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  const std::string a = Submit(service, 1);
  int calls = 0;
  bool complete = true;
  waiter.Wait({a}, std::chrono::hours(1), [&](CommitWaiter::Outcome o) {
    ++calls;
    complete = o.complete;
  });
  EXPECT_EQ(waiter.pending(), 1u);
  waiter.Stop();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(complete);
  EXPECT_EQ(service.open_watches(), 0u);
  EXPECT_EQ(service.watches_cancelled(), 1u);
  service.Commit(a);
  EXPECT_EQ(calls, 1);
  waiter.Wait({a}, std::chrono::hours(1), [&](CommitWaiter::Outcome o) {
    ++calls;
    complete = o.complete;
  });
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(complete);
}

TEST(CommitWaiterTest, EmptyWaitCompletesAtOnce) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  bool complete = false;
  waiter.Wait({}, std::chrono::hours(1), [&](CommitWaiter::Outcome o) { complete = o.complete; });
  EXPECT_TRUE(complete);
  EXPECT_EQ(waiter.pending(), 0u);
}

}  // namespace
}  // namespace evidence::api
