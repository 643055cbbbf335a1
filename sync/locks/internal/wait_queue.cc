// Copyright 2026 The Colony Authors.

#include "sync/locks/internal/wait_queue.h"

#include <climits>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "scheduler/internal/park.h"
#include "scheduler/internal/thread_parker.h"

namespace colony::sync_internal {
namespace {

using scheduler_internal::FutexWait;
using scheduler_internal::FutexWake;
using scheduler_internal::Task;

// WaitForImpl() is WaitFor(), inline in Block() (the park path of every
// primitive).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline WaitResult WaitForImpl(WaitNode* node,
                                                           Deadline deadline,
                                                           bool cancellable) {
  Task* const task = node->task;
  for (;;) {
    // Acquire pairs with the release in Wake(): what the notifier wrote
    // (ownership, a value) is visible.
    const uint32_t state = node->state.load(std::memory_order_acquire);
    if (state == WaitNode::kNotified) return WaitResult::kNotified;
    // A cancellation is delivered only if CheckCancel() can throw it:
    // while another exception unwinds (a wait in a destructor), the wait
    // goes on uncancelled and the cancellation comes at a later
    // cancellation point.
    if (task != nullptr && cancellable &&
        scheduler_internal::CancellationPending(task)) {
      return WaitResult::kCancelled;
    }
    if (deadline.IsReached()) {
      return WaitResult::kTimeout;
    }
    if (task == nullptr) {
      // Relaxed: only the futex's expected value; a kNotified is read
      // again by the acquire load above.
      const uint32_t seen = node->state.load(std::memory_order_relaxed);
      if (seen != WaitNode::kNotified) {
        FutexWait(&node->state, seen, deadline);
      }
    } else if (ABSL_PREDICT_TRUE(state == WaitNode::kWaiting)) {
      // Any Wake() of this node comes after its pop, which leaves the
      // node kPopped before the wake's RMW on the task word: a wake that
      // runs us again makes the next load see at least kPopped, and one
      // that arrives during this slice is kept for AfterSlice() (it
      // re-queues us). Either way the park below cannot lose it.
      if (!deadline.IsInfinite()) {
        scheduler_internal::ParkTaskUntil(task, deadline);
      } else {
        scheduler_internal::ParkTask(task);
      }
    } else {
      // Popped: a notifier is inside Wake(), between waking us (which this
      // very run may have consumed) and marking the node. Parking could
      // lose that wake; stay runnable and look again (see Wake()).
      scheduler_internal::YieldTask(task);
    }
  }
}

}  // namespace

WaitNode* WaitQueue::ClaimOrSkip(WaitNode* node) {
  for (; node != nullptr; node = PopFront()) {
    if (node->select == nullptr || node->select->TryClaim(node)) return node;
  }
  return nullptr;
}

bool WaitQueue::Remove(WaitNode* node) {
  // Relaxed, here and below: under the lock, as every store but kNotified.
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
  if (ABSL_PREDICT_FALSE(node->select != nullptr)) {
    // A select's notification goes to its signal node, which is never
    // queued (so never kPopped): mark it first, then wake, with a
    // reference that keeps the task alive in between (the selector may see
    // kNotified, return and end before the wake).
    WaitNode* signal = &node->select->signal;
    Task* task = signal->task;
    // The release stores pair with the acquire load in WaitFor().
    if (task != nullptr) {
      scheduler_internal::RefTask(task);
      signal->state.store(WaitNode::kNotified, std::memory_order_release);
      scheduler_internal::WakeTask(task);
      scheduler_internal::Unref(task);
    } else {
      signal->state.store(WaitNode::kNotified, std::memory_order_release);
      FutexWake(&signal->state, 1);
    }
    return;
  }
  Task* task = node->task;
  if (task != nullptr) {
    // Wake first, mark last (see wait_queue.h). The waiter cannot return
    // before the mark, so the task is alive through Wake() without a
    // reference of ours. kPopped (PopFront() already left it, unless the
    // caller wakes a node it never queued) is what a waiter run by this
    // wake sees until the mark: the wake's acq_rel RMW on the task word
    // publishes it to the worker that runs the task. The release store of
    // kNotified pairs with the acquire load in WaitFor().
    node->state.store(WaitNode::kPopped, std::memory_order_relaxed);
    scheduler_internal::WakeTask(task);
    node->state.store(WaitNode::kNotified, std::memory_order_release);
  } else {
    node->state.store(WaitNode::kNotified, std::memory_order_release);
    FutexWake(&node->state, 1);
  }
}

WaitResult WaitFor(WaitNode* node, Deadline deadline, bool cancellable) {
  scheduler_internal::WaitScope wait(node->task, node->reason);
  return WaitForImpl(node, deadline, cancellable);
}

namespace {

template <typename Mutex, typename MutexHolder>
WaitResult BlockImpl(WaitQueue* queue, WaitNode* node, Mutex& mu,
                     Deadline deadline, bool cancellable)
    ABSL_LOCKS_EXCLUDED(mu) {
  scheduler_internal::WaitScope wait(node->task, node->reason);
  const WaitResult result = WaitForImpl(node, deadline, cancellable);
  if (result == WaitResult::kNotified) return result;
  {
    MutexHolder lock(mu);
    if (queue->Remove(node)) return result;
  }
  // A notification raced the timeout or the cancellation and won: the
  // notifier popped the node under the lock and is about to Wake() it, and
  // the caller owns whatever it handed over.
  WaitForImpl(node, Deadline::Infinite(), /*cancellable=*/false);
  return WaitResult::kNotified;
}

}  // namespace

WaitResult WaitQueue::Block(WaitQueue* queue, WaitNode* node,
                            base_internal::ThreadMutex& mu, Deadline deadline,
                            bool cancellable) {
  return BlockImpl<base_internal::ThreadMutex, base_internal::ThreadMutexLock>(
      queue, node, mu, deadline, cancellable);
}

WaitResult WaitQueue::Block(WaitQueue* queue, WaitNode* node, ChannelMutex& mu,
                            Deadline deadline, bool cancellable) {
  return BlockImpl<ChannelMutex, base_internal::SpinLockHolder>(
      queue, node, mu, deadline, cancellable);
}

WaitResult WaitQueue::BlockSelect(SelectState* state, Deadline deadline,
                                  bool cancellable) {
  const WaitResult result = WaitFor(&state->signal, deadline, cancellable);
  if (result == WaitResult::kNotified) return result;
  int expected = SelectState::kOpen;
  // Pairs with the notifiers' TryClaim() CAS (see there).
  if (state->winner.compare_exchange_strong(expected, SelectState::kWithdrawn,
                                            std::memory_order_acq_rel)) {
    return result;
  }
  // A notifier claimed a case first; its Wake() is on the way.
  WaitFor(&state->signal, Deadline::Infinite(), /*cancellable=*/false);
  return WaitResult::kNotified;
}

}  // namespace colony::sync_internal
