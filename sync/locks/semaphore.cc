// Copyright 2026 The Colony Authors.

#include "sync/locks/semaphore.h"

#include <vector>

#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

void Semaphore::Acquire(int64_t n) {
  if (!AcquireImpl(n, Deadline::Infinite(), /*cancellable=*/true)) {
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  }
}

bool Semaphore::TryAcquire(int64_t n) {
  base_internal::ThreadMutexLock lock(mu_);
  if (!waiters_.empty() || permits_ < n) return false;
  permits_ -= n;
  return true;
}

bool Semaphore::TryAcquireFor(absl::Duration timeout, int64_t n) {
  return AcquireImpl(n, Deadline::After(timeout), /*cancellable=*/false);
}

bool Semaphore::TryAcquireUntil(Deadline deadline, int64_t n) {
  return AcquireImpl(n, deadline, /*cancellable=*/false);
}

bool Semaphore::AcquireImpl(int64_t n, Deadline deadline, bool cancellable) {
  WaitNode node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (waiters_.empty() && permits_ >= n) {
      permits_ -= n;
      return true;
    }
    node.Prepare("semaphore");
    node.arg = n;
    waiters_.Push(&node);
  }
  // Notified means Release() already took our permits for us.
  if (sync_internal::WaitQueue::Block(&waiters_, &node, mu_, deadline,
                                      cancellable) == WaitResult::kNotified) {
    return true;
  }
  // We left the queue. If we were at its front, we held back waiters that
  // the free permits may satisfy (FIFO: Release() stops at the first one
  // it cannot serve), and no Release() may come to serve them.
  std::vector<WaitNode*> served;
  {
    base_internal::ThreadMutexLock lock(mu_);
    ServeLocked(&served);
  }
  for (WaitNode* waiter : served) WaitQueue::Wake(waiter);
  return false;
}

void Semaphore::Release(int64_t n) {
  std::vector<WaitNode*> served;
  {
    base_internal::ThreadMutexLock lock(mu_);
    permits_ += n;
    ServeLocked(&served);
  }
  for (WaitNode* node : served) WaitQueue::Wake(node);
}

void Semaphore::ServeLocked(std::vector<WaitNode*>* served) {
  while (WaitNode* front = waiters_.front()) {
    if (front->arg > permits_) break;  // FIFO: nobody overtakes it
    permits_ -= front->arg;
    served->push_back(waiters_.PopFront());
  }
}

int64_t Semaphore::available() const {
  base_internal::ThreadMutexLock lock(mu_);
  return permits_;
}

}  // namespace colony
