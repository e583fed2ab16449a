#include "api/http/commit_waiter.h"

#include <map>
#include <thread>

#include "common/mutex.h"


namespace evidence::api {

using Clock = std::chrono::steady_clock;

struct CommitWaiter::Group {
  Mutex mutex;
  Outcome outcome EVIDENCE_GUARDED_BY(mutex);
  size_t remaining EVIDENCE_GUARDED_BY(mutex) = 0;
  bool finished EVIDENCE_GUARDED_BY(mutex) = false;
  Done done EVIDENCE_GUARDED_BY(mutex);  // moved out by whoever finishes the group
  std::vector<uint64_t> tokens EVIDENCE_GUARDED_BY(mutex);
  Clock::time_point deadline;
};

struct CommitWaiter::Core {
  NodeService* service = nullptr;
  mutable Mutex mutex;
  CondVar changed;  // waits hold `mutex`
  bool stopping EVIDENCE_GUARDED_BY(mutex) = false;
  size_t notifying EVIDENCE_GUARDED_BY(mutex) = 0;  // OnCommit calls in flight
  std::multimap<Clock::time_point, std::shared_ptr<Group>> deadlines EVIDENCE_GUARDED_BY(mutex);
  std::thread timer;

  void Forget(const std::shared_ptr<Group>& group) {
    MutexLock lock(&mutex);
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
      MutexLock lock(&group->mutex);
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
  for (;;) {
    std::shared_ptr<Group> group;
    {
      MutexLock lock(&core_->mutex);
      while (!core_->stopping && !group) {
        if (core_->deadlines.empty()) {
          core_->changed.Wait(&core_->mutex);
          continue;
        }
        const Clock::time_point next = core_->deadlines.begin()->first;
        if (Clock::now() < next) {
          core_->changed.WaitUntil(&core_->mutex, next);
          continue;
        }
        group = core_->deadlines.begin()->second;
        core_->deadlines.erase(core_->deadlines.begin());
      }
      if (!group) return;  // stopping
    }
    core_->Expire(group);
  }
}

void CommitWaiter::OnCommit(const std::shared_ptr<Core>& core, const std::shared_ptr<Group>& group,
                            size_t index, boost::json::value receipt) {
  {
    MutexLock lock(&core->mutex);
    if (core->stopping) return;
    ++core->notifying;
  }
  Done done;
  Outcome outcome;
  {
    MutexLock lock(&group->mutex);
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
  MutexLock lock(&core->mutex);
  --core->notifying;
  core->changed.SignalAll();
}

void CommitWaiter::Wait(std::vector<std::string> ids, std::chrono::milliseconds timeout,
                        Done done) {
  auto group = std::make_shared<Group>();
  group->deadline = Clock::now() + timeout;
  {
    MutexLock lock(&group->mutex);
    group->outcome.receipts.resize(ids.size());
    group->remaining = ids.size();
    group->done = std::move(done);
  }
  bool stopping = false;
  {
    MutexLock lock(&core_->mutex);
    stopping = core_->stopping;
    if (!stopping && !ids.empty()) {
      core_->deadlines.emplace(group->deadline, group);
      core_->changed.SignalAll();
    }
  }
  if (stopping || ids.empty()) {
    Done finish;
    {
      MutexLock lock(&group->mutex);
      group->finished = true;
      finish = std::move(group->done);
    }
    Outcome outcome;
    outcome.complete = !stopping;  // nothing to wait for
    outcome.receipts.resize(ids.size());
    finish(std::move(outcome));
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
      MutexLock lock(&group->mutex);
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
    MutexLock lock(&core_->mutex);
    if (!core_->stopping) {
      core_->stopping = true;
      core_->changed.SignalAll();
    }
    while (core_->notifying != 0) core_->changed.Wait(&core_->mutex);
    for (auto& [deadline, group] : core_->deadlines) pending.push_back(group);
    core_->deadlines.clear();
  }
  if (core_->timer.joinable()) core_->timer.join();
  for (const auto& group : pending) core_->Expire(group);
}

size_t CommitWaiter::pending() const {
  MutexLock lock(&core_->mutex);
  return core_->deadlines.size();
}

}  // namespace evidence::api
