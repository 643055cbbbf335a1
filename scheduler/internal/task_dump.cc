// Copyright 2026 The Colony Authors.

#include "scheduler/internal/task_dump.h"

#include "absl/types/span.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/backtrace.h"

namespace colony::scheduler_internal {

bool PinParked(Task* task) { return task->word_.TryPin(); }

bool Unpin(Task* task) {
  // As in Worker::AfterSlice(): the same transition as a slice that parks.
  return task->word_.TransitionToParked();
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
