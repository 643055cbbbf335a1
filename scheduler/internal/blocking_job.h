// Copyright 2026 The Colony Authors.
//
// The type-erased half of SpawnBlocking() (blocking.h).

#ifndef COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_
#define COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_

#include <exception>
#include <optional>
#include <type_traits>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
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
// Returns ResourceExhausted, without calling `fn`, when the pool has no
// thread and cannot start one.
absl::Status RunBlocking(absl::FunctionRef<void()> fn);

// FailBlockingThreadStartsForTesting() makes every blocking pool, from now
// on, fail to start threads as if the system refused them (true), or
// start them normally again (false). For tests only.
void FailBlockingThreadStartsForTesting(bool fail);

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_BLOCKING_JOB_H_
