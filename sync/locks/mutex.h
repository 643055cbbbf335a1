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
//   int shared_counter ABSL_GUARDED_BY(mu) = 0;
//   {
//     colony::MutexLock lock(mu);  // or std::scoped_lock
//     ++shared_counter;
//   }
//
// Mutex is a capability for Clang's thread-safety analysis
// (-Wthread-safety): fields guarded by it can say so with ABSL_GUARDED_BY,
// and MutexLock (not std::scoped_lock, which libstdc++ does not annotate)
// is the guard the analysis understands.
//
// lock() is not a cancellation point (std-style locking cannot throw);
// LockCancellable() is, for tasks.
//
// Thread-safety: all members may be called from any task or thread. A
// mutex locked in a task may be unlocked after the task migrated (it is
// owned by the task, not the thread). Memory ordering: unlock()
// happens-before the lock() that acquires the mutex next.

#ifndef COLONY_SYNC_LOCKS_MUTEX_H_
#define COLONY_SYNC_LOCKS_MUTEX_H_

#include <chrono>
#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // lock() acquires the mutex, suspending or blocking while it is held.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // LockCancellable() is lock() that, in a task, throws CoroutineCancelled
  // if the task is cancelled while waiting (the mutex is then not held).
  void LockCancellable() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // try_lock() acquires the mutex only if it is free.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  // TryLockFor() and TryLockUntil() give up when the timeout or deadline
  // passes (false); one already passed makes them try_lock().
  bool TryLockFor(absl::Duration timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TryLockUntil(Deadline::After(timeout));
  }
  bool TryLockUntil(Deadline deadline) ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  // try_lock_for() and try_lock_until() are the std::chrono spellings, so
  // that std::unique_lock and std::timed_mutex-style code work.
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TryLockUntil(Deadline::After(timeout));
  }
  template <typename Clock, typename Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& t)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TryLockUntil(Deadline::At(t));
  }
  // unlock() releases the mutex, handing it to the first waiter if any.
  void unlock() ABSL_UNLOCK_FUNCTION();

 private:
  bool LockSlow(Deadline deadline, bool cancellable);

  base_internal::ThreadMutex mu_;
  bool locked_ ABSL_GUARDED_BY(mu_) = false;
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

// MutexLock holds a Mutex for its scope, like std::scoped_lock, and tells
// Clang's thread-safety analysis so (fields declared
// ABSL_GUARDED_BY(mu) are then checked; std::scoped_lock is invisible to
// it). Not a cancellation point.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_.lock();
  }
  // Adopts `mu`, which the caller already locked (LockCancellable(), a
  // successful try_lock()).
  MutexLock(Mutex& mu, std::adopt_lock_t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu)
      : mu_(mu) {}
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_MUTEX_H_
