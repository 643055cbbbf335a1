// Copyright 2026 The Colony Authors.
//
// ThreadMutex: std::mutex as a capability for Clang's thread-safety
// analysis, for the runtime's internal locks that may block a thread
// (std::mutex is not annotated in libstdc++, and the system Abseil's
// absl::Mutex is not built with ThreadSanitizer, which would then miss its
// synchronisation). Fields it guards are declared ABSL_GUARDED_BY(mu_);
// ThreadMutexLock is its scoped guard and also what a
// std::condition_variable waits with (native()).
//
// These block the thread, not the task: code in a task holds one only for
// short critical sections that never suspend. Tasks wait on colony::Mutex
// (sync/mutex.h) instead.
//
// A contended Lock() first spins for a moment (64 looks with a pause
// between them, a few microseconds at most) before it sleeps in the
// kernel, as glibc's adaptive mutexes do: the sections are a few dozen
// instructions, so the holder is usually about to let go, and a futex wait
// and wake cost a system call each. (A million tasks waiting on one Event from
// 2 workers made those calls 4% of the time.)
//
// Thread-safety: as std::mutex.
#ifndef COLONY_BASE_INTERNAL_THREAD_MUTEX_H_
#define COLONY_BASE_INTERNAL_THREAD_MUTEX_H_

#include <mutex>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"

namespace colony::base_internal {

// SpinThenLock() takes `lockable` (a std::mutex or a std::unique_lock of
// one), trying it `spins` times with a pause between tries before it blocks.
template <typename Lockable>
ABSL_ATTRIBUTE_NOINLINE void SpinThenLockSlow(Lockable& lockable, int spins) {
  for (int i = 0; i < spins; ++i) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
    if (lockable.try_lock()) return;
  }
  lockable.lock();
}

// The tries of a ThreadMutex made with the default constructor.
inline constexpr int kDefaultSpins = 64;

template <typename Lockable>
inline void SpinThenLock(Lockable& lockable, int spins = kDefaultSpins) {
  if (ABSL_PREDICT_TRUE(lockable.try_lock())) return;
  SpinThenLockSlow(lockable, spins);
}

class ABSL_LOCKABLE ThreadMutex {
 public:
  ThreadMutex() = default;
  // A mutex whose contended Lock() tries `spins` times before it sleeps:
  // more for a lock whose sections are long enough (microseconds) that the
  // default gives up just before the holder lets go.
  explicit ThreadMutex(int spins) : spins_(spins) {}
  ThreadMutex(const ThreadMutex&) = delete;
  ThreadMutex& operator=(const ThreadMutex&) = delete;

  // Lock() blocks the calling thread until it holds the mutex.
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { SpinThenLock(mu_, spins_); }
  // TryLock() takes the mutex if it is free.
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  // Unlock() releases it; the caller must hold it.
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  // AssertHeld() tells the analysis the caller holds it (no run-time check).
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

  // The standard Lockable names, for std::scoped_lock.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { SpinThenLock(mu_, spins_); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  friend class ThreadMutexLock;
  std::mutex mu_;
  int spins_ = kDefaultSpins;
};

// ThreadMutexLock holds a ThreadMutex for its scope; Unlock() and Lock()
// release and retake it inside the scope.
class ABSL_SCOPED_LOCKABLE ThreadMutexLock {
 public:
  explicit ThreadMutexLock(ThreadMutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : lock_(mu.mu_, std::defer_lock), spins_(mu.spins_) {
    SpinThenLock(lock_, spins_);
  }
  ~ThreadMutexLock() ABSL_UNLOCK_FUNCTION() {}
  ThreadMutexLock(const ThreadMutexLock&) = delete;
  ThreadMutexLock& operator=(const ThreadMutexLock&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { SpinThenLock(lock_, spins_); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { lock_.unlock(); }

  // native() is the underlying lock, for std::condition_variable::wait():
  // the wait releases and retakes it, so to the analysis it stays held.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
  int spins_;
};

}  // namespace colony::base_internal

#endif  // COLONY_BASE_INTERNAL_THREAD_MUTEX_H_
