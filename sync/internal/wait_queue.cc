// Copyright 2026 The Colony Authors.

#include "sync/internal/wait_queue.h"

#include <climits>

#include "coroutine/basic_coroutine.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/thread_parker.h"

namespace colony::sync_internal {
namespace {

using scheduler_internal::FutexWait;
using scheduler_internal::FutexWake;
using scheduler_internal::Task;

bool CancelPending(Task* task) {
  return (task->word_.load(std::memory_order_acquire) & Task::kCancel) != 0 &&
         !task->cancel_delivered_;
}

}  // namespace

void WaitNode::Prepare() { task = scheduler_internal::CurrentTask(); }

int64_t DeadlineAfterNanos(int64_t timeout_ns) {
  if (timeout_ns < 0) timeout_ns = 0;
  const int64_t now = NowNanos();
  const int64_t deadline = now + timeout_ns;
  return deadline < now ? INT64_MAX : (deadline < 1 ? 1 : deadline);
}

void WaitQueue::Push(WaitNode* node) {
  node->state.store(WaitNode::kWaiting, std::memory_order_relaxed);
  node->next = nullptr;
  node->prev = tail_;
  if (tail_ != nullptr) {
    tail_->next = node;
  } else {
    head_ = node;
  }
  tail_ = node;
  ++size_;
}

WaitNode* WaitQueue::PopFront() {
  WaitNode* node = head_;
  if (node == nullptr) return nullptr;
  head_ = node->next;
  if (head_ != nullptr) {
    head_->prev = nullptr;
  } else {
    tail_ = nullptr;
  }
  node->next = node->prev = nullptr;
  node->state.store(WaitNode::kPopped, std::memory_order_relaxed);
  --size_;
  return node;
}

WaitNode* WaitQueue::PopFrontClaimed() {
  while (WaitNode* node = PopFront()) {
    if (node->select == nullptr || node->select->TryClaim(node)) return node;
  }
  return nullptr;
}

bool WaitQueue::Remove(WaitNode* node) {
  if (node->state.load(std::memory_order_relaxed) != WaitNode::kWaiting) {
    return false;
  }
  if (node->prev != nullptr) {
    node->prev->next = node->next;
  } else {
    head_ = node->next;
  }
  if (node->next != nullptr) {
    node->next->prev = node->prev;
  } else {
    tail_ = node->prev;
  }
  node->next = node->prev = nullptr;
  node->state.store(WaitNode::kRemoved, std::memory_order_relaxed);
  --size_;
  return true;
}

void WaitQueue::Wake(WaitNode* node) {
  if (node->select != nullptr) node = &node->select->signal;
  Task* task = node->task;
  if (task != nullptr) {
    // The waiter may see kNotified, return and end before Wake() below;
    // the reference keeps the task alive through it.
    task->Ref();
    node->state.store(WaitNode::kNotified, std::memory_order_release);
    scheduler_internal::WakeWaiter(scheduler_internal::Waiter{task, nullptr});
    scheduler_internal::Unref(task);
  } else {
    node->state.store(WaitNode::kNotified, std::memory_order_release);
    FutexWake(&node->state, 1);
  }
}

WaitResult WaitFor(WaitNode* node, int64_t deadline_ns, bool cancellable) {
  for (;;) {
    // Acquire pairs with the release in Wake(): what the notifier wrote
    // (ownership, a value) is visible.
    if (node->state.load(std::memory_order_acquire) == WaitNode::kNotified) {
      return WaitResult::kNotified;
    }
    if (node->task != nullptr && cancellable && CancelPending(node->task)) {
      return WaitResult::kCancelled;
    }
    if (deadline_ns > 0 && NowNanos() >= deadline_ns) {
      return WaitResult::kTimeout;
    }
    const uint32_t seen = node->state.load(std::memory_order_relaxed);
    if (node->task != nullptr) {
      scheduler_internal::ParkTaskUntil(node->task, deadline_ns);
    } else if (seen != WaitNode::kNotified) {
      FutexWait(&node->state, seen, deadline_ns);
    }
  }
}

WaitResult WaitQueue::Block(WaitNode* node, std::mutex& mu, int64_t deadline_ns,
                            bool cancellable) {
  const WaitResult result = WaitFor(node, deadline_ns, cancellable);
  if (result == WaitResult::kNotified) return result;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (Remove(node)) return result;
  }
  // A notification raced the timeout or the cancellation and won: the
  // notifier popped the node under the lock and is about to Wake() it, and
  // the caller owns whatever it handed over.
  WaitFor(node, 0, /*cancellable=*/false);
  return WaitResult::kNotified;
}

WaitResult WaitQueue::BlockSelect(SelectState* state, int64_t deadline_ns,
                                  bool cancellable) {
  const WaitResult result = WaitFor(&state->signal, deadline_ns, cancellable);
  if (result == WaitResult::kNotified) return result;
  int expected = SelectState::kOpen;
  if (state->winner.compare_exchange_strong(expected, SelectState::kWithdrawn,
                                            std::memory_order_acq_rel)) {
    return result;
  }
  // A notifier claimed a case first; its Wake() is on the way.
  WaitFor(&state->signal, 0, /*cancellable=*/false);
  return WaitResult::kNotified;
}

}  // namespace colony::sync_internal
