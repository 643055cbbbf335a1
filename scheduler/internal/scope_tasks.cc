// Copyright 2026 The Colony Authors.

#include "scheduler/internal/scope_tasks.h"

#include <vector>

#include "base/internal/thread_mutex.h"

namespace colony::scheduler_internal {

bool ScopeTasks::Add(Task* task) {
  base_internal::ThreadMutexLock lock(mu_);
  // Checked under the lock that CancelAll() takes to collect the tasks: a
  // task either is in the list Close() cancels, or is refused here.
  if (closed_) return false;
  task->Ref();  // released in Done()
  task->scope_prev_ = nullptr;
  task->scope_next_ = head_;
  if (head_ != nullptr) head_->scope_prev_ = task;
  head_ = task;
  ++pending_;
  return true;
}

void ScopeTasks::Done(Task* task) {
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (task->scope_prev_ != nullptr) {
      task->scope_prev_->scope_next_ = task->scope_next_;
    } else {
      head_ = task->scope_next_;
    }
    if (task->scope_next_ != nullptr) {
      task->scope_next_->scope_prev_ = task->scope_prev_;
    }
    task->scope_prev_ = task->scope_next_ = nullptr;
    if (--pending_ == 0) {
      WakeWaiter(waiter_);
      waiter_ = Waiter();
    }
  }
  Unref(task);
}

void ScopeTasks::CancelAll(std::string_view reason) {
  std::vector<Task*> tasks;
  {
    base_internal::ThreadMutexLock lock(mu_);
    for (Task* t = head_; t != nullptr; t = t->scope_next_) {
      t->Ref();
      tasks.push_back(t);
    }
  }
  for (Task* t : tasks) {
    RequestCancel(t, reason);
    Unref(t);
  }
}

void ScopeTasks::Close(std::string_view reason) {
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (!closed_) {
      closed_ = true;
      closed_reason_ = std::string(reason);
    }
  }
  CancelAll(reason);
}

std::string ScopeTasks::closed_reason() const {
  base_internal::ThreadMutexLock lock(mu_);
  return closed_reason_;
}

void ScopeTasks::Wait() {
  Task* self = CurrentTask();
  for (;;) {
    {
      base_internal::ThreadMutexLock lock(mu_);
      if (pending_ == 0) {
        // No stale waiter may stay behind once we return.
        waiter_ = Waiter();
        return;
      }
      waiter_ = self != nullptr ? Waiter{self, nullptr}
                                : Waiter{nullptr, &ThisThreadParker()};
    }
    // Cancellation is not delivered here: the scope must still be awaited
    // (its destructor waits while unwinding).
    if (self != nullptr) {
      WaitScope wait(self, "scope wait");
      ParkTask(self);
    } else {
      ThisThreadParker().Park();
    }
  }
}

size_t ScopeTasks::pending() const {
  base_internal::ThreadMutexLock lock(mu_);
  return pending_;
}

}  // namespace colony::scheduler_internal
