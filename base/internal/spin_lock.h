// Copyright 2026 The Colony Authors.
//
// SpinLock: the runtime's one spin lock, for critical sections of a few
// dozen instructions that never block or suspend (a channel's state, a
// registry shard, the right to poll). Locking is one exchange, unlocking
// one release store. A waiter spins on a plain load (no cache-line
// ping-pong) and yields its thread after a while, since the holder may have
// been preempted.
//
// It is a capability for Clang's thread-safety analysis: fields guarded by
// one are declared ABSL_GUARDED_BY(lock), and SpinLockHolder is its scoped
// guard. It also meets the standard Lockable requirements (lock, unlock,
// try_lock) for std::scoped_lock over several locks.
//
// Thread-safety: any thread may lock and unlock it; the thread that locked
// it unlocks it. Acquire on lock pairs with release on unlock, which is
// also what ThreadSanitizer sees.
#ifndef COLONY_BASE_INTERNAL_SPIN_LOCK_H_
#define COLONY_BASE_INTERNAL_SPIN_LOCK_H_

#include <atomic>
#include <thread>

#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"

namespace colony::base_internal {

class ABSL_LOCKABLE SpinLock {
 public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  // Lock() takes the lock, spinning (then yielding) while another holds it.
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    // Acquire pairs with the release store in Unlock().
    if (ABSL_PREDICT_TRUE(!locked_.exchange(true, std::memory_order_acquire))) {
      return;
    }
    LockSlow();
  }
  // TryLock() takes the lock if it is free; false otherwise. Looks before
  // it writes, so failing attempts leave the cache line shared. The look is
  // relaxed (the exchange decides); the exchange's acquire pairs with the
  // release store in Unlock().
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  // Unlock() releases the lock; the caller must hold it.
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    // Release pairs with the acquire exchange of the next Lock()/TryLock().
    locked_.store(false, std::memory_order_release);
  }
  // IsLocked() is a relaxed snapshot, for assertions and heuristics only.
  bool IsLocked() const { return locked_.load(std::memory_order_relaxed); }

  // The standard Lockable names, for std::scoped_lock.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { Lock(); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) { return TryLock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { Unlock(); }

 private:
  ABSL_ATTRIBUTE_NOINLINE void LockSlow() {
    for (int spins = 0;;) {
      // Relaxed: only waits for a chance; the acquire exchange below pairs
      // with Unlock().
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < 100) {
          ++spins;
#if defined(__x86_64__)
          __builtin_ia32_pause();
#elif defined(__aarch64__)
          asm volatile("yield");
#endif
        } else {
          std::this_thread::yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }

  std::atomic<bool> locked_{false};
};

// SpinLockHolder holds a SpinLock for its scope.
class ABSL_SCOPED_LOCKABLE SpinLockHolder {
 public:
  explicit SpinLockHolder(SpinLock& lock) ABSL_EXCLUSIVE_LOCK_FUNCTION(lock)
      : lock_(lock) {
    lock_.Lock();
  }
  ~SpinLockHolder() ABSL_UNLOCK_FUNCTION() { lock_.Unlock(); }
  SpinLockHolder(const SpinLockHolder&) = delete;
  SpinLockHolder& operator=(const SpinLockHolder&) = delete;

 private:
  SpinLock& lock_;
};

}  // namespace colony::base_internal

#endif  // COLONY_BASE_INTERNAL_SPIN_LOCK_H_
