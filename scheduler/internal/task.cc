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
  if (task->word_.Unref()) coroutine_internal::Access::Delete(task);
}

void RequestCancel(Task* task, std::string_view reason) {
  bool expected = false;
  // Only elects the one writer of cancel_request_; a loser reads nothing,
  // and the word's RequestCancel() below publishes the reason.
  if (!task->cancel_claimed_.compare_exchange_strong(
          expected, true, std::memory_order_acq_rel)) {
    return;  // Someone else asked first; their reason stands.
  }
  task->cancel_request_ = std::make_unique<const std::string>(reason);
  // Publishes cancel_request_ to cancel_requested() in CheckCancel(),
  // CancellationPending() and CancelRequestedElsewhere() (task_state.h).
  if (task->word_.RequestCancel().is_finished()) return;
  task->shared_->Wake(task, /*lifo=*/false);
}

// CurrentTask() is in worker.cc, next to the worker's thread-local.

void ParkTask(Task* self, int64_t wake_ns) {
  coroutine_internal::Access::Suspend(self, &kParkTag, wake_ns);
}

void YieldTask(Task* self) {
  coroutine_internal::Access::Suspend(self, &kYieldTag, 0);
}

void WakeTask(Task* task) { task->shared_->Wake(task); }

void RefTask(Task* task) { task->Ref(); }

bool CancellationPending(const Task* self) {
  return self->word_.cancel_requested() && !self->cancel_delivered_ &&
         std::uncaught_exceptions() == 0;
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
  // cancel_request_ is visible once the word says so (task_state.h).
  if (!self->word_.cancel_requested()) return;
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
  // Publishes joiner_ to SchedulerShared::Finish(); if completion won the
  // race instead, its result is visible (task_state.h).
  if (!task->word_.SetJoinWaiter()) {
    if (self != nullptr) Unref(self);
    return;
  }
  if (self == nullptr) {
    // A thread sleeps on the task's own word, which Finish() wakes.
    task->word_.WaitFinished();
    return;
  }
  try {
    WaitScope wait(self, "join");
    while (!IsFinished(task)) {
      ParkTask(self);
      CheckCancel(self);
    }
  } catch (...) {
    // Cancelled while joining: withdraw unless completion won the race
    // (then Finish() wakes us and drops the reference itself).
    if (task->word_.ClearJoinWaiter()) Unref(self);
    throw;
  }
}

}  // namespace colony::scheduler_internal
