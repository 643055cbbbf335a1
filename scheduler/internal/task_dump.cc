// Copyright 2026 The Colony Authors.

#include "scheduler/internal/task_dump.h"

#include "absl/types/span.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/backtrace.h"

namespace colony::scheduler_internal {

bool PinParked(Task* task) {
  // The load and a failed CAS only feed the next try (relaxed).
  uint64_t s = task->word_.load(std::memory_order_relaxed);
  while ((s & (Task::kScheduled | Task::kFinished)) == 0) {
    // Acquire pairs with the release of the worker's parking CAS in
    // AfterSlice(): the saved context and stack are visible.
    if (task->word_.compare_exchange_weak(s, s | Task::kScheduled,
                                          std::memory_order_acquire,
                                          std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

bool Unpin(Task* task) {
  // As in Worker::AfterSlice(): the release pairs with the wake's RMW in
  // MarkWoken() or MarkWokenScheduled(), so that whoever schedules the task
  // next runs it after our reads of its stack; the acquire pairs with that
  // RMW when a wake left kNotified.
  uint64_t s = task->word_.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t next = (s & Task::kNotified) != 0 ? s & ~Task::kNotified
                                                     : s & ~Task::kScheduled;
    if (task->word_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
      return (s & Task::kNotified) != 0;
    }
  }
}

bool WalkParked(Task* task, size_t max_frames, std::vector<uintptr_t>* pcs) {
  if (!PinParked(task)) return false;
  if (task->state() == CoroutineState::kSuspended) {
    pcs->resize(max_frames);
    const size_t n = coroutine_internal::SuspendedBacktrace(
        *task, absl::MakeSpan(pcs->data(), pcs->size()));
    pcs->resize(n);
  }
  return Unpin(task);
}

}  // namespace colony::scheduler_internal
