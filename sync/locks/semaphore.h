// Copyright 2026 The Colony Authors.
//
// Semaphore: a counting semaphore for tasks and threads. Release() hands
// permits to waiters in FIFO order, so a large Acquire(n) is not starved
// by a stream of small ones behind it.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: a Release() happens-before the Acquire() its permits
// satisfy.

#ifndef COLONY_SYNC_LOCKS_SEMAPHORE_H_
#define COLONY_SYNC_LOCKS_SEMAPHORE_H_

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class Semaphore {
 public:
  // `permits` available at start (>= 0).
  explicit Semaphore(int64_t permits = 0) : permits_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Acquire() takes `n` permits, waiting until they are available. In a
  // task it is a cancellation point (nothing is taken if it throws).
  void Acquire(int64_t n = 1);
  // TryAcquire() takes `n` permits only if available now and nobody waits.
  bool TryAcquire(int64_t n = 1);
  // TryAcquireFor() waits at most `timeout`.
  bool TryAcquireFor(absl::Duration timeout, int64_t n = 1);
  // TryAcquireUntil() waits until `deadline` at most.
  bool TryAcquireUntil(Deadline deadline, int64_t n = 1);
  // Release() adds `n` permits, serving waiters first.
  void Release(int64_t n = 1);
  // available() is a snapshot of the free permits.
  int64_t available() const;

 private:
  bool AcquireImpl(int64_t n, Deadline deadline, bool cancellable);
  // ServeLocked() hands the free permits to the waiters at the front, in
  // order, moving those served to `served` (to be woken without mu_).
  void ServeLocked(std::vector<sync_internal::WaitNode*>* served)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable base_internal::ThreadMutex mu_;
  int64_t permits_ ABSL_GUARDED_BY(mu_);
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);  // node.arg = n
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_SEMAPHORE_H_
