// Copyright 2026 The Colony Authors.
//
// TaskScope: structured concurrency. Tasks spawned through a scope cannot
// outlive it: when the scope ends, its unfinished tasks are cancelled (they
// unwind, running their destructors) and joined.
//
//   void HandleRequest() {
//     colony::TaskScope scope;            // on the current scheduler
//     auto a = scope.Spawn(FetchUser);
//     auto b = scope.Spawn(FetchOrders);
//     Render(a.Join().value(), b.Join().value());
//   }  // anything still running here is cancelled and awaited
//
// Scopes nest naturally: a task spawned in a scope may open its own. For a
// task that must outlive every scope, use Scheduler::SpawnForever().
//
// Thread-safety: Spawn(), CancelAll() and pending() may be called from any
// thread or task; Wait() and the destructor by one waiter at a time.

#ifndef COLONY_SCHEDULER_TASK_SCOPE_H_
#define COLONY_SCHEDULER_TASK_SCOPE_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

#include "scheduler/internal/scope_tasks.h"
#include "scheduler/internal/spawn.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"

namespace colony {

class TaskScope {
 public:
  // A scope on the calling task's scheduler. Outside a scheduler, Spawn()
  // yields failed handles (as colony::Spawn() does).
  TaskScope();
  // A scope on `scheduler`.
  explicit TaskScope(Scheduler& scheduler);
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;
  // The destructor cancels every unfinished task ("scope ended") and waits
  // for them. From then on the scope refuses spawns: a Spawn() into it
  // (say, from a task's drop guard while it is cancelled) returns a handle
  // whose result is Cancelled.
  ~TaskScope();

  // Spawn() spawns a task that belongs to this scope (see
  // Scheduler::Spawn()).
  template <typename F>
  auto Spawn(F&& fn, SpawnOptions options = {})
      -> JoinHandle<std::invoke_result_t<std::decay_t<F>&>> {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    return scheduler_internal::SpawnOn<R>(shared_, std::forward<F>(fn),
                                          std::move(options), scope_.get(),
                                          /*forever=*/false);
  }

  // CancelAll() asks every unfinished task of the scope to cancel.
  void CancelAll(std::string_view reason = "scope cancelled");
  // Wait() waits until every task spawned in the scope so far has ended
  // (suspending a task, blocking a thread). Safe to call repeatedly.
  void Wait();
  // pending() is the number of the scope's tasks not yet ended.
  size_t pending() const;

 private:
  scheduler_internal::SchedulerShared* shared_;
  std::unique_ptr<scheduler_internal::ScopeTasks> scope_;
};

}  // namespace colony

#endif  // COLONY_SCHEDULER_TASK_SCOPE_H_
