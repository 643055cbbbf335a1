// Copyright 2026 The Colony Authors.
//
// Once: runs a function exactly once, for tasks and threads alike
// (std::call_once's model).
//
//   colony::Once once;
//   Table* table = nullptr;
//   once.Call([&] { table = BuildTable(); });  // from any task or thread
//   Use(*table);
//
// The first caller runs the function; callers that come while it runs
// wait for it (tasks suspend, their workers run other tasks; threads
// block). If it returns, the Once is done: every waiter returns, and later
// calls return at once after a single acquire load. If it throws, the
// exception propagates to the caller that ran it, the Once stays not done,
// and the function runs again in the next caller: one of the waiters, or
// whoever calls first afterwards.
//
// Waiting in a task is a cancellation point: a task cancelled while
// another caller runs the function throws CoroutineCancelled and the Once
// is unaffected (the running call goes on). The function itself runs in
// its caller as ordinary code: a cancellation thrown from inside it is an
// exception like any other (the Once stays not done).
//
// Calling Call() on a Once from inside its own function deadlocks.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: the successful run of the function happens-before every
// Call() that returns without running it, and every done() that returns
// true.

#ifndef COLONY_SYNC_LOCKS_ONCE_H_
#define COLONY_SYNC_LOCKS_ONCE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"

namespace colony {

class Once {
 public:
  Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // Call() runs `std::invoke(fn, args...)` if no call has completed it
  // yet and no other caller is running it; waits for a running call
  // otherwise (and runs it itself if that call throws). Rethrows what `fn`
  // throws when it ran here. In a task, waiting is a cancellation point.
  template <typename F, typename... Args>
  void Call(F&& fn, Args&&... args) {
    if (done()) return;
    if (!Begin()) return;
    try {
      std::invoke(std::forward<F>(fn), std::forward<Args>(args)...);
    } catch (...) {
      Finish(/*ok=*/false);
      throw;
    }
    Finish(/*ok=*/true);
  }

  // done() is true once a call has returned normally (acquire: what the
  // call wrote is visible).
  bool done() const { return state_.load(std::memory_order_acquire) == kDone; }

  // waiters() is a snapshot of the number of callers waiting for a running
  // call, for diagnostics and tests.
  size_t waiters() const;

 private:
  static constexpr uint32_t kIdle = 0;
  static constexpr uint32_t kRunning = 1;
  static constexpr uint32_t kDone = 2;

  // Begin() returns true if the caller must run the function (the state is
  // then kRunning), false once the Once is done; waits while another
  // caller runs it.
  bool Begin();
  // Finish() ends the caller's run: done, or back to idle with one waiter
  // woken to run it again.
  void Finish(bool ok);
  // WaitTurn() waits for a wake-up from Finish(); false if cancelled (the
  // node left the queue). It releases mu_ while it waits and holds it
  // again on return.
  bool WaitTurn(bool cancellable) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Written under mu_; every access under mu_ is relaxed (the lock orders
  // them). Only done() reads it without the lock: its acquire pairs with
  // the release store of kDone in Finish().
  std::atomic<uint32_t> state_{kIdle};
  mutable base_internal::ThreadMutex mu_;
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

// CallOnce() is once.Call(fn, args...).
template <typename F, typename... Args>
void CallOnce(Once& once, F&& fn, Args&&... args) {
  once.Call(std::forward<F>(fn), std::forward<Args>(args)...);
}

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_ONCE_H_
