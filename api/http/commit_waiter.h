// CommitWaiter: waits for a set of records to commit, with a deadline, for
// POST /v1/records?wait=commit and POST /v1/batches?wait=commit.
//
// It registers NodeService::WatchCommit for every id and runs one timer thread for
// the deadlines. `done` is called exactly once per Wait: with every receipt when
// all ids committed, or with the receipts gathered so far when the deadline passes
// or the waiter stops. `done` runs on the service's notifying thread, the timer
// thread or the thread calling Stop/Wait; it must be cheap (post elsewhere).
//
// Thread-safety: Wait and Stop may be called from any thread. After Stop returns,
// no `done` is running or will run, and every watch has been cancelled.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http/node_service.h"

namespace evidence::api {

class CommitWaiter {
 public:
  struct Outcome {
    bool complete = false;                     // every id committed in time
    std::vector<boost::json::value> receipts;  // aligned with the ids; null = not committed
  };
  using Done = std::function<void(Outcome)>;

  explicit CommitWaiter(NodeService& service);
  ~CommitWaiter();  // Stop()
  CommitWaiter(const CommitWaiter&) = delete;
  CommitWaiter& operator=(const CommitWaiter&) = delete;

  void Wait(std::vector<std::string> ids, std::chrono::milliseconds timeout, Done done);

  // Completes every pending wait as incomplete and cancels its watches.
  void Stop();

  // Waits not yet completed.
  size_t pending() const;

 private:
  struct Core;
  struct Group;
  static void OnCommit(const std::shared_ptr<Core>& core, const std::shared_ptr<Group>& group,
                       size_t index, boost::json::value receipt);
  void TimerLoop();

  NodeService& service_;
  std::shared_ptr<Core> core_;
};

}  // namespace evidence::api
