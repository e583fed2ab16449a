// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// clang thread-safety annotations (libstdc++'s own types carry none), as
// LevelDB's port::Mutex does. ThreadRole: a capability for "runs on thread X",
// so that state owned by one thread or strand is checked like state guarded by
// a lock.
//
// Thread-safety: Mutex and CondVar are thread-safe; a ThreadRole is bound to one
// thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/check.h"
#include "common/thread_annotations.h"

namespace evidence {

class EVIDENCE_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() EVIDENCE_ACQUIRE() { mutex_.lock(); }
  void Unlock() EVIDENCE_RELEASE() { mutex_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mutex_;
};

// Holds a Mutex for its scope.
class EVIDENCE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mutex) EVIDENCE_ACQUIRE(mutex) : mutex_(mutex) { mutex_->Lock(); }
  ~MutexLock() EVIDENCE_RELEASE() { mutex_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mutex_;
};

// A condition variable. Each Wait names the Mutex the caller holds (as
// absl::CondVar does), so the analysis sees which lock it releases and takes
// back; all waiters of one CondVar use the same Mutex.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `mutex` while it waits; holds it again on return. May wake up
  // spuriously: callers wait in a loop on their condition.
  void Wait(Mutex* mutex) EVIDENCE_REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex->mutex_, std::adopt_lock);
    condition_.wait(lock);
    lock.release();
  }
  // Like Wait, but returns by `deadline` at the latest.
  template <class Clock, class Duration>
  void WaitUntil(Mutex* mutex, const std::chrono::time_point<Clock, Duration>& deadline)
      EVIDENCE_REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex->mutex_, std::adopt_lock);
    condition_.wait_until(lock, deadline);
    lock.release();
  }
  void Signal() { condition_.notify_one(); }
  void SignalAll() { condition_.notify_all(); }

 private:
  std::condition_variable condition_;
};

// The role of one thread (e.g. "the consensus thread"). The thread binds itself
// once (Bind), then code that runs there calls AssertHeld() at its entry points
// (posted handlers, timer callbacks): that checks the thread at run time and
// tells the analysis the role is held, so members EVIDENCE_GUARDED_BY the role
// may be used. Touching them from another thread is then a compile error under
// clang, and an abort at the next AssertHeld in any build.
class EVIDENCE_CAPABILITY("thread role") ThreadRole {
 public:
  explicit ThreadRole(const char* name) : name_(name) {}
  ThreadRole(const ThreadRole&) = delete;
  ThreadRole& operator=(const ThreadRole&) = delete;

  // Called by the thread that takes the role (once it runs).
  void Bind() { owner_.store(std::this_thread::get_id(), std::memory_order_release); }
  // Called when that thread has stopped for good: the controlling thread may
  // then use the role's state (e.g. to stop and destroy it).
  void Release() { owner_.store(std::thread::id(), std::memory_order_release); }

  void AssertHeld() const EVIDENCE_ASSERT_CAPABILITY(this) {
    EVIDENCE_CHECK_MSG(owner_.load(std::memory_order_acquire) == std::this_thread::get_id(),
                       name_);
  }
  // For code that runs while no thread holds the role (setup before the thread
  // starts, teardown after it stopped): checked the same way.
  void AssertUnbound() const EVIDENCE_ASSERT_CAPABILITY(this) {
    EVIDENCE_CHECK_MSG(owner_.load(std::memory_order_acquire) == std::thread::id(), name_);
  }

 private:
  const char* const name_;
  std::atomic<std::thread::id> owner_{};
};

}  // namespace evidence
