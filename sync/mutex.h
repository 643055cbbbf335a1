// Copyright 2026 The Colony Authors.
//
// Mutex: mutual exclusion for tasks and threads alike.
//
// A task that finds the mutex held suspends (its worker runs other tasks);
// a plain thread blocks. std-style lock()/unlock()/try_lock() make it work
// with std::scoped_lock and std::unique_lock, and try_lock_for/until time
// out. Unlocking with waiters hands the mutex straight to the longest
// waiter (FIFO hand-off), so no waiter starves and no barging thread can
// overtake a woken one.
//
//   colony::Mutex mu;
//   {
//     std::scoped_lock lock(mu);
//     ++shared_counter;
//   }
//
// lock() is not a cancellation point (std-style locking cannot throw);
// LockCancellable() is, for tasks.
//
// Thread-safety: all members may be called from any task or thread. A
// mutex locked in a task may be unlocked after the task migrated (it is
// owned by the task, not the thread). Memory ordering: unlock()
// happens-before the lock() that acquires the mutex next.

#ifndef COLONY_SYNC_MUTEX_H_
#define COLONY_SYNC_MUTEX_H_

#include <chrono>
#include <cstdint>
#include <mutex>

#include "absl/time/time.h"
#include "sync/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // lock() acquires the mutex, suspending or blocking while it is held.
  void lock();
  // LockCancellable() is lock() that, in a task, throws CoroutineCancelled
  // if the task is cancelled while waiting (the mutex is then not held).
  void LockCancellable();
  // try_lock() acquires the mutex only if it is free.
  bool try_lock();
  // TryLockFor() and TryLockUntil() give up when the timeout or deadline
  // passes (false); one already passed makes them try_lock().
  bool TryLockFor(absl::Duration timeout) {
    return TryLockUntil(Deadline::After(timeout));
  }
  bool TryLockUntil(Deadline deadline);
  // try_lock_for() and try_lock_until() are the std::chrono spellings, so
  // that std::unique_lock and std::timed_mutex-style code work.
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return TryLockUntil(Deadline::After(timeout));
  }
  template <typename Clock, typename Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& t) {
    return TryLockUntil(Deadline::At(t));
  }
  // unlock() releases the mutex, handing it to the first waiter if any.
  void unlock();

 private:
  bool LockSlow(Deadline deadline, bool cancellable);

  std::mutex mu_;
  bool locked_ = false;               // guarded by mu_
  sync_internal::WaitQueue waiters_;  // guarded by mu_
};

}  // namespace colony

#endif  // COLONY_SYNC_MUTEX_H_
