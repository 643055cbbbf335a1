// Copyright 2026 The Colony Authors.

#include "sync/locks/wait_group.h"

#include <vector>

#include "coroutine/internal/thread_state.h"
#include "scheduler/internal/park.h"

namespace colony {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

void WaitGroup::Add(int64_t n) {
  std::vector<WaitNode*> nodes;
  {
    base_internal::ThreadMutexLock lock(mu_);
    count_ += n;
    if (count_ < 0) {
      coroutine_internal::Fatal("WaitGroup counter went negative (%lld)",
                                static_cast<long long>(count_));
    }
    if (count_ == 0) {
      while (WaitNode* w = waiters_.PopFront()) nodes.push_back(w);
    }
  }
  for (WaitNode* w : nodes) WaitQueue::Wake(w);
}

void WaitGroup::Wait() {
  WaitNode node;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (count_ == 0) return;
    node.Prepare("wait group");
    waiters_.Push(&node);
  }
  if (sync_internal::WaitQueue::Block(
          &waiters_, &node, mu_, Deadline::Infinite(), /*cancellable=*/true) !=
      WaitResult::kNotified) {
    sync_internal::ThrowIfCancelled(node);
  }
}

int64_t WaitGroup::count() const {
  base_internal::ThreadMutexLock lock(mu_);
  return count_;
}

}  // namespace colony
