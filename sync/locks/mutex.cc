// Copyright 2026 The Colony Authors.

#include "sync/locks/mutex.h"

#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitResult;

void Mutex::lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  LockSlow(Deadline::Infinite(), /*cancellable=*/false);
}

void Mutex::LockCancellable() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (!LockSlow(Deadline::Infinite(), /*cancellable=*/true)) {
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  }
}

bool Mutex::try_lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  base_internal::ThreadMutexLock lock(mu_);
  if (locked_) return false;
  locked_ = true;
  return true;
}

bool Mutex::TryLockUntil(Deadline deadline) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return LockSlow(deadline, /*cancellable=*/false);
}

bool Mutex::LockSlow(Deadline deadline, bool cancellable) {
  WaitNode node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (!locked_) {
      locked_ = true;
      return true;
    }
    if (deadline.IsReached()) return false;
    node.Prepare("mutex");
    waiters_.Push(&node);
  }
  // Notified means unlock() handed us the mutex (locked_ stayed true).
  return sync_internal::WaitQueue::Block(&waiters_, &node, mu_, deadline,
                                         cancellable) == WaitResult::kNotified;
}

void Mutex::unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  WaitNode* next;
  {
    base_internal::ThreadMutexLock lock(mu_);
    next = waiters_.PopFront();
    if (next == nullptr) {
      locked_ = false;
      return;
    }
  }
  // Hand-off: the mutex stays locked and now belongs to `next`.
  sync_internal::WaitQueue::Wake(next);
}

}  // namespace colony
