#include "api/http/commit_waiter.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace evidence::api {

using Clock = std::chrono::steady_clock;

struct CommitWaiter::Group {
  std::mutex mutex;
  Outcome outcome;               // GUARDED_BY(mutex)
  size_t remaining = 0;          // GUARDED_BY(mutex)
  bool finished = false;         // GUARDED_BY(mutex)
  Done done;                     // GUARDED_BY(mutex); moved out by whoever finishes the group
  std::vector<uint64_t> tokens;  // GUARDED_BY(mutex)
  Clock::time_point deadline;
};

struct CommitWaiter::Core {
  NodeService* service = nullptr;
  mutable std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;  // GUARDED_BY(mutex)
  size_t notifying = 0;   // GUARDED_BY(mutex): OnCommit calls in flight
  std::multimap<Clock::time_point, std::shared_ptr<Group>> deadlines;  // GUARDED_BY(mutex)
  std::thread timer;

  void Forget(const std::shared_ptr<Group>& group) {
    std::lock_guard lock(mutex);
    auto [first, last] = deadlines.equal_range(group->deadline);
    for (auto it = first; it != last; ++it) {
      if (it->second == group) {
        deadlines.erase(it);
        break;
      }
    }
  }

  // Finishes `group` as incomplete (deadline or stop) unless it already finished.
  void Expire(const std::shared_ptr<Group>& group) {
    Done done;
    Outcome outcome;
    std::vector<uint64_t> tokens;
    {
      std::lock_guard lock(group->mutex);
      if (group->finished) return;
      group->finished = true;
      done = std::move(group->done);
      outcome = std::move(group->outcome);
      tokens = std::move(group->tokens);
    }
    for (uint64_t token : tokens) service->CancelCommitWatch(token);
    outcome.complete = false;
    done(std::move(outcome));
  }
};

CommitWaiter::CommitWaiter(NodeService& service)
    : service_(service), core_(std::make_shared<Core>()) {
  core_->service = &service_;
  core_->timer = std::thread([this] { TimerLoop(); });
}

CommitWaiter::~CommitWaiter() { Stop(); }

void CommitWaiter::TimerLoop() {
  std::unique_lock lock(core_->mutex);
  while (!core_->stopping) {
    if (core_->deadlines.empty()) {
      core_->changed.wait(lock);
      continue;
    }
    const Clock::time_point next = core_->deadlines.begin()->first;
    if (Clock::now() < next) {
      core_->changed.wait_until(lock, next);
      continue;
    }
    std::shared_ptr<Group> group = core_->deadlines.begin()->second;
    core_->deadlines.erase(core_->deadlines.begin());
    lock.unlock();
    core_->Expire(group);
    lock.lock();
  }
}

void CommitWaiter::OnCommit(const std::shared_ptr<Core>& core, const std::shared_ptr<Group>& group,
                            size_t index, boost::json::value receipt) {
  {
    std::lock_guard lock(core->mutex);
    if (core->stopping) return;
    ++core->notifying;
  }
  Done done;
  Outcome outcome;
  {
    std::lock_guard lock(group->mutex);
    if (!group->finished && group->outcome.receipts[index].is_null()) {
      group->outcome.receipts[index] = std::move(receipt);
      if (--group->remaining == 0) {
        group->finished = true;
        done = std::move(group->done);
        outcome = std::move(group->outcome);
        outcome.complete = true;
      }
    }
  }
  if (done) {
    core->Forget(group);
    done(std::move(outcome));
  }
  std::lock_guard lock(core->mutex);
  --core->notifying;
  core->changed.notify_all();
}

void CommitWaiter::Wait(std::vector<std::string> ids, std::chrono::milliseconds timeout,
                        Done done) {
  auto group = std::make_shared<Group>();
  group->outcome.receipts.resize(ids.size());
  group->remaining = ids.size();
  group->done = std::move(done);
  group->deadline = Clock::now() + timeout;
  {
    std::lock_guard lock(core_->mutex);
    if (!core_->stopping) {
      core_->deadlines.emplace(group->deadline, group);
      core_->changed.notify_all();
    } else {
      group->finished = true;
    }
  }
  if (group->finished || ids.empty()) {
    Outcome outcome;
    outcome.complete = !group->finished;  // nothing to wait for
    outcome.receipts.resize(ids.size());
    core_->Forget(group);
    group->done(std::move(outcome));
    return;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    std::shared_ptr<Core> core = core_;
    const uint64_t token =
        service_.WatchCommit(ids[i], [core, group, i](boost::json::value receipt) {
          OnCommit(core, group, i, std::move(receipt));
        });
    bool cancel_now = false;
    {
      std::lock_guard lock(group->mutex);
      if (group->finished) {
        cancel_now = true;
      } else {
        group->tokens.push_back(token);
      }
    }
    if (cancel_now) service_.CancelCommitWatch(token);
  }
}

void CommitWaiter::Stop() {
  std::vector<std::shared_ptr<Group>> pending;
  {
    std::unique_lock lock(core_->mutex);
    if (!core_->stopping) {
      core_->stopping = true;
      core_->changed.notify_all();
    }
    core_->changed.wait(lock, [&] { return core_->notifying == 0; });
    for (auto& [deadline, group] : core_->deadlines) pending.push_back(group);
    core_->deadlines.clear();
  }
  if (core_->timer.joinable()) core_->timer.join();
  for (const auto& group : pending) core_->Expire(group);
}

size_t CommitWaiter::pending() const {
  std::lock_guard lock(core_->mutex);
  return core_->deadlines.size();
}

}  // namespace evidence::api
