// Copyright 2026 The Colony Authors.
//
// ScopeTasks: the shared part of a TaskScope: its unfinished tasks (each
// holding a reference, so CancelAll() can reach them) and its waiter.
//
// A task joins its scope in Submit() and leaves it in
// SchedulerShared::Finish(), which wakes the waiter under the scope's lock when
// the last one leaves; Wait() re-checks the count under that lock, so it
// returns only after the wake that ended it is complete and the scope may be
// destroyed.
//
// Close() ends the scope for good: it cancels the unfinished tasks and
// refuses every later Add(). Without that, a task spawned into the scope
// after the cancellation (from a drop guard of a task being cancelled, or
// from a task that had not seen it yet) would never be cancelled, and the
// scope's end would wait for it forever.
//
// Thread-safety: all members may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_SCOPE_TASKS_H_
#define COLONY_SCHEDULER_INTERNAL_SCOPE_TASKS_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

class ScopeTasks {
 public:
  ScopeTasks() = default;
  ScopeTasks(const ScopeTasks&) = delete;
  ScopeTasks& operator=(const ScopeTasks&) = delete;

  // Add() records a new task of the scope (called by Submit()); false,
  // adding nothing, once the scope is closed.
  bool Add(Task* task);
  // Done() removes a finished task and wakes the waiter on the last one.
  void Done(Task* task);
  // CancelAll() requests cancellation of every unfinished task.
  void CancelAll(std::string_view reason);
  // Close() refuses later Add()s, then is CancelAll(reason).
  void Close(std::string_view reason);
  // closed_reason() is the reason given to Close() (empty before).
  std::string closed_reason() const;
  // Wait() suspends or blocks until no task of the scope is unfinished.
  void Wait();
  size_t pending() const;

 private:
  mutable base_internal::ThreadMutex mu_;
  Task* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  Waiter waiter_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::string closed_reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_SCOPE_TASKS_H_
