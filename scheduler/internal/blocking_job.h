// Copyright 2026 The Colony Authors.
//
// The type-erased half of SpawnBlocking() (blocking.h).

#ifndef COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_
#define COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_

#include <exception>
#include <optional>
#include <type_traits>

#include "absl/functional/function_ref.h"
#include "coroutine/resume_result.h"

namespace colony::scheduler_internal {

template <typename R>
struct BlockingResult {
  std::optional<ValueOf<R>> value;
  std::exception_ptr error;
};

// RunBlocking() runs `fn` (which must not throw) on the blocking pool of
// the calling task's scheduler while the task suspends, or in place when
// not called from a task. Delivers a pending cancellation afterwards.
void RunBlocking(absl::FunctionRef<void()> fn);

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_
