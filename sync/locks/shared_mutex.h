// Copyright 2026 The Colony Authors.
//
// SharedMutex: a reader/writer lock for tasks and threads alike.
//
// Any number of readers may hold the lock together (lock_shared()), or one
// writer alone (lock()). A task that must wait suspends (its worker runs
// other tasks); a plain thread blocks. The std-style names make it work
// with std::unique_lock, std::shared_lock and std::scoped_lock, and the
// timed forms take either std::chrono or absl time.
//
//   colony::SharedMutex mu;
//   {
//     std::shared_lock lock(mu);  // many readers at once
//     Read(table);
//   }
//   {
//     std::scoped_lock lock(mu);  // one writer, no readers
//     Write(table);
//   }
//
// Fairness: waiters form one FIFO queue. Once anybody waits, newcomers
// (readers included) queue behind it, so a writer is never starved by a
// stream of readers. A release hands the lock straight to the head of the
// queue: to one writer, or to the whole run of consecutive readers at the
// head, which then hold it together. A waiter that times out or is
// cancelled leaves the queue, and whoever it was holding back is admitted
// if the lock now allows it (readers queued behind a withdrawn writer
// join the readers holding the lock).
//
// lock(), lock_shared() and the timed forms are not cancellation points
// (std-style locking cannot throw); LockCancellable() and
// LockSharedCancellable() are, for tasks.
//
// Thread-safety: all members may be called from any task or thread. A lock
// taken in a task belongs to the task, not to its thread: it may be
// released after the task migrated to another worker. Releasing a lock the
// caller does not hold in that mode is a fatal error when it can be told
// (unlock() with no writer, unlock_shared() with no reader).
// Memory ordering: unlock() happens-before every later acquisition (shared
// or exclusive); unlock_shared() happens-before the next exclusive
// acquisition. Shared holders are not ordered with one another.

#ifndef COLONY_SYNC_LOCKS_SHARED_MUTEX_H_
#define COLONY_SYNC_LOCKS_SHARED_MUTEX_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  // Exclusive (writer) side.

  // lock() acquires the lock exclusively, suspending or blocking while it
  // is held in any mode or anybody waits ahead.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // LockCancellable() is lock() that, in a task, throws CoroutineCancelled
  // if the task is cancelled while waiting (the lock is then not held).
  void LockCancellable() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // try_lock() acquires the lock exclusively only if it is free and nobody
  // waits.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  // TryLockFor() and TryLockUntil() give up when the timeout or deadline
  // passes (false); one already passed makes them try_lock().
  bool TryLockFor(absl::Duration timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TryLockUntil(Deadline::After(timeout));
  }
  bool TryLockUntil(Deadline deadline) ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  // try_lock_for() and try_lock_until() are the std::chrono spellings, so
  // that std::unique_lock works.
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
  // unlock() releases the exclusive lock, handing it to the waiters at the
  // head of the queue if any.
  void unlock() ABSL_UNLOCK_FUNCTION();

  // Shared (reader) side.

  // lock_shared() acquires the lock shared, suspending or blocking while a
  // writer holds it or anybody waits ahead.
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION();
  // LockSharedCancellable() is lock_shared() that, in a task, throws
  // CoroutineCancelled if the task is cancelled while waiting (the lock is
  // then not held).
  void LockSharedCancellable() ABSL_SHARED_LOCK_FUNCTION();
  // try_lock_shared() acquires the lock shared only if no writer holds it
  // and nobody waits.
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true);
  // TryLockSharedFor() and TryLockSharedUntil() give up when the timeout
  // or deadline passes (false).
  bool TryLockSharedFor(absl::Duration timeout)
      ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return TryLockSharedUntil(Deadline::After(timeout));
  }
  bool TryLockSharedUntil(Deadline deadline) ABSL_SHARED_TRYLOCK_FUNCTION(true);
  // try_lock_shared_for() and try_lock_shared_until() are the std::chrono
  // spellings, so that std::shared_lock works.
  template <typename Rep, typename Period>
  bool try_lock_shared_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return TryLockSharedUntil(Deadline::After(timeout));
  }
  template <typename Clock, typename Duration>
  bool try_lock_shared_until(const std::chrono::time_point<Clock, Duration>& t)
      ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return TryLockSharedUntil(Deadline::At(t));
  }
  // unlock_shared() releases one shared hold; the last reader out hands
  // the lock to a waiting writer.
  void unlock_shared() ABSL_UNLOCK_FUNCTION();

  // waiters() is a snapshot of the number of queued waiters, for
  // diagnostics and tests.
  size_t waiters() const;

 private:
  // WaitNode::arg of a queued waiter.
  static constexpr int64_t kReader = 0;
  static constexpr int64_t kWriter = 1;

  // LockSlow() acquires in mode `kind`; false on timeout or cancellation.
  bool LockSlow(int64_t kind, Deadline deadline, bool cancellable);
  // AdmitLocked() grants the lock to the waiters at the head of the queue
  // that it now allows (one writer, or the run of readers at the head) and
  // returns them, to be woken once mu_ is released.
  sync_internal::WakeList AdmitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable base_internal::ThreadMutex mu_;
  int64_t readers_ ABSL_GUARDED_BY(mu_) = 0;               // shared holders
  bool writer_ ABSL_GUARDED_BY(mu_) = false;               // held exclusively
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);  // arg: kind
};

// WriterLock and ReaderLock hold a SharedMutex exclusively or shared for
// their scope, visibly to Clang's thread-safety analysis.
class ABSL_SCOPED_LOCKABLE WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_.lock();
  }
  ~WriterLock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class ABSL_SCOPED_LOCKABLE ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_.lock_shared();
  }
  ~ReaderLock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_SHARED_MUTEX_H_
