// Copyright 2026 The Colony Authors.
//
// ScopeCore: the shared part of a TaskScope: its unfinished tasks (each
// holding a reference, so CancelAll() can reach them) and its waiter.
//
// A task joins its scope in Submit() and leaves it in Core::Finish(), which
// wakes the waiter under the scope's lock when the last one leaves; Wait()
// re-checks the count under that lock, so it returns only after the wake
// that ended it is complete and the scope may be destroyed.
//
// Thread-safety: all members may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_SCOPE_CORE_H_
#define COLONY_SCHEDULER_INTERNAL_SCOPE_CORE_H_

#include <cstddef>
#include <mutex>
#include <string_view>

#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

class ScopeCore {
 public:
  ScopeCore() = default;
  ScopeCore(const ScopeCore&) = delete;
  ScopeCore& operator=(const ScopeCore&) = delete;

  // Add() records a new task of the scope (called by Submit()).
  void Add(Task* task);
  // Done() removes a finished task and wakes the waiter on the last one.
  void Done(Task* task);
  // CancelAll() requests cancellation of every unfinished task.
  void CancelAll(std::string_view reason);
  // Wait() suspends or blocks until no task of the scope is unfinished.
  void Wait();
  size_t pending() const;

 private:
  mutable std::mutex mu_;
  Task* head_ = nullptr;  // guarded by mu_
  size_t pending_ = 0;    // guarded by mu_
  Waiter waiter_;         // guarded by mu_
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_SCOPE_CORE_H_
