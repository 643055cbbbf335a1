// Copyright 2026 The Colony Authors.
//
// CondVar: a condition variable over colony::Mutex for tasks and threads.
//
//   colony::Mutex mu;
//   colony::CondVar cv;
//   bool ready = false;
//   // waiter
//   std::unique_lock lock(mu);
//   cv.Wait(mu, [&] { return ready; });
//   // notifier
//   { std::scoped_lock lock(mu); ready = true; }
//   cv.NotifyOne();
//
// Waits may wake spuriously only through a timeout; use the predicate
// forms. In a task, Wait() is a cancellation point: if the task is
// cancelled while waiting, the mutex is re-acquired and CoroutineCancelled
// is thrown, so the caller's lock guard releases it while unwinding.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: as for the mutex the waits re-acquire.

#ifndef COLONY_SYNC_LOCKS_COND_VAR_H_
#define COLONY_SYNC_LOCKS_COND_VAR_H_

#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "sync/locks/mutex.h"
#include "time/deadline.h"

namespace colony {

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Wait() releases `mu` (held by the caller), waits for a notification
  // and re-acquires `mu`.
  void Wait(Mutex& mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    WaitUntil(mu, Deadline::Infinite());
  }
  // Wait() with a predicate loops until `pred()` holds.
  template <typename Pred>
  void Wait(Mutex& mu, Pred pred) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (!pred()) Wait(mu);
  }
  // WaitFor() waits at most `timeout`; returns false on timeout.
  bool WaitFor(Mutex& mu, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return WaitUntil(mu, Deadline::After(timeout));
  }
  // WaitFor() with a predicate returns pred() at the end.
  template <typename Pred>
  bool WaitFor(Mutex& mu, absl::Duration timeout, Pred pred)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return WaitUntil(mu, Deadline::After(timeout), std::move(pred));
  }
  // WaitUntil() waits until `deadline` at most (an absl::Time converts);
  // returns false on timeout.
  bool WaitUntil(Mutex& mu, Deadline deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // WaitUntil() with a predicate returns pred() at the end.
  template <typename Pred>
  bool WaitUntil(Mutex& mu, Deadline deadline, Pred pred)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (!pred()) {
      if (!WaitUntil(mu, deadline)) return pred();
    }
    return true;
  }

  // NotifyOne() wakes the longest waiter; NotifyAll() wakes every waiter.
  void NotifyOne();
  void NotifyAll();

 private:
  base_internal::ThreadMutex mu_;
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_COND_VAR_H_
