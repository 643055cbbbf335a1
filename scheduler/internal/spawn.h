// Copyright 2026 The Colony Authors.
//
// SpawnOn(): the one path every spawn takes (Scheduler::Spawn,
// colony::Spawn, TaskScope::Spawn, SpawnForever). It builds the task's
// coroutine on a pooled stack, then hands it to the scheduler's
// SchedulerShared, which registers it and queues it. Failures become a handle
// whose result says why: a refused spawn is Cancelled, a stack that could not
// be allocated or a spawn outside any scheduler is Failed.

#ifndef COLONY_SCHEDULER_INTERNAL_SPAWN_H_
#define COLONY_SCHEDULER_INTERNAL_SPAWN_H_

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/task.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/task_result.h"

namespace colony::scheduler_internal {

class SchedulerShared;
class ScopeTasks;

// CurrentShared() is the SchedulerShared of the calling task or worker, or
// null.
SchedulerShared* CurrentShared();

// ResolveSpawn() fills in the coroutine options (stack size, clamped or
// inherited priority) for a spawn on `shared`.
CoroutineOptions ResolveSpawn(SchedulerShared* shared, SpawnOptions&& options);

// Submit() registers `task` with `shared` and queues it; a spawn from a task
// copies the spawner's inherited locals into it when `inherit_locals`. On
// error (the scheduler is stopping) the task was not registered and the
// caller must delete it.
absl::Status Submit(SchedulerShared* shared, Task* task, ScopeTasks* scope,
                    bool forever, bool inherit_locals);

// NoSchedulerMessage() logs and returns the message for a spawn outside
// any scheduler.
std::string NoSchedulerMessage();

template <typename R>
JoinHandle<R> FailedHandle(bool cancelled, std::string message) {
  using Variant = typename TaskResult<R>::Variant;
  std::optional<TaskResult<R>> early;
  if (cancelled) {
    early.emplace(
        Variant(std::in_place_index<2>, Cancelled{std::move(message)}));
  } else {
    early.emplace(
        Variant(std::in_place_index<1>, Failed{nullptr, std::move(message)}));
  }
  return HandleAccess::Make<JoinHandle<R>>(nullptr, std::move(early));
}

template <typename R, typename F>
JoinHandle<R> SpawnOn(SchedulerShared* shared, F&& fn, SpawnOptions options,
                      ScopeTasks* scope, bool forever) {
  if (shared == nullptr) return FailedHandle<R>(false, NoSchedulerMessage());
  const bool inherit_locals = options.inherit_locals;
  const CoroutineOptions co = ResolveSpawn(shared, std::move(options));
  auto task =
      coroutine_internal::Access::NewDeferred<TaskImpl<std::decay_t<F>, R>>(
          co, std::forward<F>(fn));
  if (!task.ok()) {
    return FailedHandle<R>(false, std::string(task.status().message()));
  }
  absl::Status submitted =
      Submit(shared, *task, scope, forever, inherit_locals);
  if (!submitted.ok()) {
    coroutine_internal::Access::Delete(*task);
    return FailedHandle<R>(absl::IsCancelled(submitted),
                           std::string(submitted.message()));
  }
  return HandleAccess::Make<JoinHandle<R>>(static_cast<Task*>(*task),
                                           std::nullopt);
}

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_SPAWN_H_
