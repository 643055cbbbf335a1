// Copyright 2026 The Colony Authors.

#include "sync/locks/event.h"

#include <vector>

#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

void Event::Set() {
  std::vector<WaitNode*> nodes;
  {
    base_internal::ThreadMutexLock lock(mu_);
    set_.store(true, std::memory_order_release);
    while (WaitNode* n = waiters_.PopFront()) nodes.push_back(n);
  }
  for (WaitNode* n : nodes) WaitQueue::Wake(n);
}

void Event::Reset() {
  base_internal::ThreadMutexLock lock(mu_);
  set_.store(false, std::memory_order_relaxed);
}

void Event::Wait() {
  if (!WaitImpl(Deadline::Infinite(), /*cancellable=*/true)) {
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  }
}

bool Event::WaitFor(absl::Duration timeout) {
  return WaitImpl(Deadline::After(timeout), /*cancellable=*/false);
}

bool Event::WaitUntil(Deadline deadline) {
  return WaitImpl(deadline, /*cancellable=*/false);
}

bool Event::WaitImpl(Deadline deadline, bool cancellable) {
  if (IsSet()) return true;
  WaitNode node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (set_.load(std::memory_order_relaxed)) return true;
    node.Prepare("event");
    waiters_.Push(&node);
  }
  return sync_internal::WaitQueue::Block(&waiters_, &node, mu_, deadline,
                                         cancellable) == WaitResult::kNotified;
}

}  // namespace colony
