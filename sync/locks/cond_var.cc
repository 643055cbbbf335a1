// Copyright 2026 The Colony Authors.

#include "sync/locks/cond_var.h"

#include <vector>

#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

bool CondVar::WaitUntil(Mutex& mu, Deadline deadline) {
  WaitNode node;
  node.Prepare("condition variable");
  {
    base_internal::ThreadMutexLock lock(mu_);
    waiters_.Push(&node);
  }
  // Queued before the mutex is released: a notifier that takes the mutex
  // after us finds us in the queue.
  mu.unlock();
  const WaitResult r =
      sync_internal::WaitQueue::Block(&waiters_, &node, mu_, deadline,
                                      /*cancellable=*/true);
  mu.lock();
  if (r == WaitResult::kCancelled) {
    sync_internal::ThrowIfCancelled(node);
  }
  return r == WaitResult::kNotified;
}

void CondVar::NotifyOne() {
  WaitNode* node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    node = waiters_.PopFront();
  }
  if (node != nullptr) WaitQueue::Wake(node);
}

void CondVar::NotifyAll() {
  std::vector<WaitNode*> nodes;
  {
    base_internal::ThreadMutexLock lock(mu_);
    while (WaitNode* n = waiters_.PopFront()) nodes.push_back(n);
  }
  for (WaitNode* n : nodes) WaitQueue::Wake(n);
}

}  // namespace colony
