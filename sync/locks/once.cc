// Copyright 2026 The Colony Authors.

#include "sync/locks/once.h"

#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

bool Once::Begin() {
  base_internal::ThreadMutexLock lock(mu_);
  bool cancellable = true;
  for (;;) {
    switch (state_.load(std::memory_order_relaxed)) {
      case kDone:
        return false;
      case kIdle:
        state_.store(kRunning, std::memory_order_relaxed);
        return true;
      default:
        break;
    }
    if (WaitTurn(cancellable)) continue;
    // Cancelled: we are out of the queue, and the running call goes on.
    lock.Unlock();
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
    // Not thrown (an exception is already unwinding): wait on without
    // cancellation.
    lock.Lock();
    cancellable = false;
  }
}

void Once::Finish(bool ok) {
  sync_internal::WakeList wake;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (ok) {
      // Release pairs with the acquire in done(): the run is visible to
      // whoever sees kDone, with or without mu_.
      state_.store(kDone, std::memory_order_release);
      while (WaitNode* node = waiters_.PopFront()) wake.Add(node);
    } else {
      // One waiter takes over; the others go on waiting for its outcome.
      // A waiter popped here is woken even if its wait is cancelled in
      // the race (Block() reports the notification), so the turn is
      // never lost.
      state_.store(kIdle, std::memory_order_relaxed);
      if (WaitNode* node = waiters_.PopFront()) wake.Add(node);
    }
  }
  wake.WakeAll();
}

size_t Once::waiters() const {
  base_internal::ThreadMutexLock lock(mu_);
  return waiters_.size();
}

bool Once::WaitTurn(bool cancellable) {
  WaitNode node;
  node.Prepare("once");
  waiters_.Push(&node);
  mu_.Unlock();
  const WaitResult r = sync_internal::WaitQueue::Block(
      &waiters_, &node, mu_, Deadline::Infinite(), cancellable);
  mu_.Lock();
  return r == WaitResult::kNotified;
}

}  // namespace colony
