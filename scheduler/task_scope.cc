// Copyright 2026 The Colony Authors.

#include "scheduler/task_scope.h"

#include "scheduler/internal/shared.h"

namespace colony {

TaskScope::TaskScope()
    : shared_(scheduler_internal::CurrentShared()),
      scope_(std::make_unique<scheduler_internal::ScopeTasks>()) {}

TaskScope::TaskScope(Scheduler& scheduler)
    : shared_(scheduler.shared_.get()),
      scope_(std::make_unique<scheduler_internal::ScopeTasks>()) {}

TaskScope::~TaskScope() {
  // Closed, not only cancelled: a task may still spawn into the scope
  // while it ends, and such a spawn must be refused, not awaited.
  scope_->Close("scope ended");
  scope_->Wait();
}

void TaskScope::CancelAll(std::string_view reason) {
  scope_->CancelAll(reason);
}

void TaskScope::Wait() { scope_->Wait(); }

size_t TaskScope::pending() const { return scope_->pending(); }

}  // namespace colony
