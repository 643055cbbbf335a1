// Copyright 2026 The Colony Authors.

#include "scheduler/internal/task.h"

#include <exception>
#include <new>
#include <string>

#include "coroutine/coroutine_state.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task_pool.h"
#include "scheduler/internal/worker.h"

namespace colony::scheduler_internal {

void* Task::operator new(size_t size) { return TaskPool::Allocate(size); }
void Task::operator delete(void* block, size_t size) noexcept {
  TaskPool::Free(block, size);
}

void Unref(Task* task) {
  // Acq_rel: pairs with the other owners' fetch_sub here, so the last
  // owner sees every other owner's writes before it destroys the task.
  const uint64_t before =
      task->word_.fetch_sub(Task::kRefOne, std::memory_order_acq_rel);
  if ((before >> Task::kRefShift) == 1) {
    coroutine_internal::Access::Delete(task);
  }
}

void RequestCancel(Task* task, std::string_view reason) {
  bool expected = false;
  // Only elects the one writer of cancel_request_; a loser reads nothing,
  // and the fetch_or of kCancel below publishes the reason.
  if (!task->cancel_claimed_.compare_exchange_strong(
          expected, true, std::memory_order_acq_rel)) {
    return;  // Someone else asked first; their reason stands.
  }
  task->cancel_request_ = std::make_unique<const std::string>(reason);
  // Release publishes cancel_request_ to the acquire loads of kCancel in
  // CheckCancel(), CancellationPending() and CancelRequestedElsewhere(); the
  // acquire pairs with the kFinished fetch_add in SchedulerShared::Finish().
  const uint64_t before =
      task->word_.fetch_or(Task::kCancel, std::memory_order_acq_rel);
  if ((before & Task::kFinished) != 0) return;
  task->shared_->Wake(task, /*lifo=*/false);
}

// CurrentTask() is in worker.cc, next to the worker's thread-local.

bool MarkWokenScheduled(Task* task) {
  // Queued or running already: leave kNotified for the worker, but only
  // while kScheduled is still set, in one CAS. If the slice parked in the
  // meantime (kScheduled clear), schedule it ourselves instead. The load
  // and a failed CAS only feed the next try; the successful acq_rel CAS is
  // the wake's RMW (task.h), ordered with the worker's RMWs in RunTask() and
  // AfterSlice().
  uint64_t s = task->word_.load(std::memory_order_relaxed);
  for (;;) {
    if ((s & Task::kFinished) != 0) return false;
    const bool scheduled = (s & Task::kScheduled) != 0;
    const uint64_t next =
        scheduled ? s | Task::kNotified : s | Task::kScheduled;
    if (task->word_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
      return !scheduled;
    }
  }
}

void ParkTask(Task* self, int64_t wake_ns) {
  coroutine_internal::Access::Suspend(self, &kParkTag, wake_ns);
}

void YieldTask(Task* self) {
  coroutine_internal::Access::Suspend(self, &kYieldTag, 0);
}

void WakeTask(Task* task) { task->shared_->Wake(task); }

void RefTask(Task* task) { task->Ref(); }

bool CancellationPending(const Task* self) {
  // Pairs with the fetch_or of kCancel in RequestCancel().
  return (self->word_.load(std::memory_order_acquire) & Task::kCancel) != 0 &&
         !self->cancel_delivered_ && std::uncaught_exceptions() == 0;
}

WaitScope::WaitScope(Task* task, const char* reason) : task_(task) {
  if (task_ == nullptr) return;
  outer_reason_ = task_->wait_reason_.load(std::memory_order_relaxed);
  outer_since_ = task_->wait_since_ns_.load(std::memory_order_relaxed);
  task_->wait_since_ns_.store(CoarseNowNanos(), std::memory_order_relaxed);
  task_->wait_reason_.store(reason, std::memory_order_relaxed);
}

WaitScope::~WaitScope() {
  if (task_ == nullptr) return;
  task_->wait_reason_.store(outer_reason_, std::memory_order_relaxed);
  task_->wait_since_ns_.store(outer_since_, std::memory_order_relaxed);
}

void CheckCancel(Task* self) {
  if (self->cancel_delivered_) return;
  // Pairs with the fetch_or of kCancel in RequestCancel(): cancel_request_
  // is visible.
  if ((self->word_.load(std::memory_order_acquire) & Task::kCancel) == 0) {
    return;
  }
  if (std::uncaught_exceptions() > 0) return;
  self->cancel_delivered_ = true;
  throw CoroutineCancelled(self->cancel_request());
}

void WakeWaiter(const Waiter& waiter) {
  if (waiter.task != nullptr) {
    waiter.task->shared_->Wake(waiter.task);
  } else if (waiter.thread != nullptr) {
    waiter.thread->Unpark();
  }
}

void AwaitCompletion(Task* task) {
  if (IsFinished(task)) return;
  Task* self = CurrentTask();
  Waiter waiter;
  if (self != nullptr) {
    CheckCancel(self);
    // The child wakes us after we may have been cancelled and ended: it
    // holds a reference on us until then.
    self->Ref();
    waiter.task = self;
  } else {
    // waiter stays empty: a thread waits on the task's word.
  }
  task->joiner_ = waiter;
  // Acquire, here and in the CAS's failure order: pairs with the kFinished
  // fetch_add in SchedulerShared::Finish(); if completion won the race, its
  // result must be visible.
  uint64_t s = task->word_.load(std::memory_order_acquire);
  for (;;) {
    if ((s & Task::kFinished) != 0) {
      if (self != nullptr) Unref(self);
      return;
    }
    // Release publishes joiner_ to the acq_rel fetch_add in Finish().
    if (task->word_.compare_exchange_weak(s, s | Task::kJoinWaiter,
                                          std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      break;
    }
  }
  if (self == nullptr) {
    // A thread sleeps on the task's own word: Finish() wakes it with a
    // futex wake on memory the task owns, so nothing of the thread is
    // touched after it may have returned and exited.
    for (;;) {
      // Pairs with the kFinished fetch_add in Finish().
      s = task->word_.load(std::memory_order_acquire);
      if ((s & Task::kFinished) != 0) return;
      FutexWaitWord(&task->word_, s);
    }
  }
  try {
    WaitScope wait(self, "join");
    while (!IsFinished(task)) {
      ParkTask(self);
      CheckCancel(self);
    }
  } catch (...) {
    // Cancelled while joining: withdraw unless completion won the race
    // (then Finish() wakes us and drops the reference itself). Relaxed
    // load and failure: the loop re-reads; a success means Finish() has
    // not run and will not read joiner_.
    s = task->word_.load(std::memory_order_relaxed);
    while ((s & Task::kFinished) == 0) {
      if (task->word_.compare_exchange_weak(s, s & ~Task::kJoinWaiter,
                                            std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
        Unref(self);
        break;
      }
    }
    throw;
  }
}

}  // namespace colony::scheduler_internal
