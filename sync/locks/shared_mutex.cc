// Copyright 2026 The Colony Authors.

#include "sync/locks/shared_mutex.h"

#include "coroutine/internal/thread_state.h"
#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

void SharedMutex::lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  LockSlow(kWriter, Deadline::Infinite(), /*cancellable=*/false);
}

void SharedMutex::LockCancellable() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (LockSlow(kWriter, Deadline::Infinite(), /*cancellable=*/true)) return;
  scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  // Not thrown: an exception is already unwinding, so the cancellation is
  // delivered at a later point, and the caller still expects the lock.
  LockSlow(kWriter, Deadline::Infinite(), /*cancellable=*/false);
}

bool SharedMutex::try_lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  base_internal::ThreadMutexLock lock(mu_);
  if (writer_ || readers_ > 0 || !waiters_.empty()) return false;
  writer_ = true;
  return true;
}

bool SharedMutex::TryLockUntil(Deadline deadline)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return LockSlow(kWriter, deadline, /*cancellable=*/false);
}

void SharedMutex::unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  sync_internal::WakeList admitted;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (!writer_) {
      coroutine_internal::Fatal("SharedMutex::unlock() without a writer");
    }
    writer_ = false;
    admitted = AdmitLocked();
  }
  admitted.WakeAll();
}

void SharedMutex::lock_shared() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  LockSlow(kReader, Deadline::Infinite(), /*cancellable=*/false);
}

void SharedMutex::LockSharedCancellable() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (LockSlow(kReader, Deadline::Infinite(), /*cancellable=*/true)) return;
  scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  LockSlow(kReader, Deadline::Infinite(), /*cancellable=*/false);
}

bool SharedMutex::try_lock_shared() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  base_internal::ThreadMutexLock lock(mu_);
  if (writer_ || !waiters_.empty()) return false;
  ++readers_;
  return true;
}

bool SharedMutex::TryLockSharedUntil(Deadline deadline)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return LockSlow(kReader, deadline, /*cancellable=*/false);
}

void SharedMutex::unlock_shared() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  sync_internal::WakeList admitted;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (readers_ <= 0) {
      coroutine_internal::Fatal(
          "SharedMutex::unlock_shared() without a reader");
    }
    if (--readers_ > 0) return;
    admitted = AdmitLocked();
  }
  admitted.WakeAll();
}

bool SharedMutex::LockSlow(int64_t kind, Deadline deadline, bool cancellable) {
  WaitNode node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    // Nobody barges past a waiter: with a queue, everybody joins it.
    if (waiters_.empty() && !writer_) {
      if (kind == kReader) {
        ++readers_;
        return true;
      }
      if (readers_ == 0) {
        writer_ = true;
        return true;
      }
    }
    if (deadline.IsReached()) return false;
    node.Prepare("shared mutex");
    node.arg = kind;
    waiters_.Push(&node);
  }
  // Notified means AdmitLocked() granted us the lock in our mode.
  if (sync_internal::WaitQueue::Block(&waiters_, &node, mu_, deadline,
                                      cancellable) == WaitResult::kNotified) {
    return true;
  }
  // We left the queue (timeout or cancellation). If we were at its head,
  // those behind us may be admissible now: readers behind a withdrawn
  // writer join the readers that hold the lock, a writer behind a withdrawn
  // reader takes a free lock.
  sync_internal::WakeList admitted;
  {
    base_internal::ThreadMutexLock lock(mu_);
    admitted = AdmitLocked();
  }
  admitted.WakeAll();
  return false;
}

size_t SharedMutex::waiters() const {
  base_internal::ThreadMutexLock lock(mu_);
  return waiters_.size();
}

sync_internal::WakeList SharedMutex::AdmitLocked() {
  sync_internal::WakeList admitted;
  while (WaitNode* front = waiters_.front()) {
    if (writer_) break;
    if (front->arg == kWriter) {
      if (readers_ > 0) break;
      writer_ = true;
    } else {
      ++readers_;
    }
    admitted.Add(waiters_.PopFront());
  }
  return admitted;
}

}  // namespace colony
