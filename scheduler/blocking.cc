// Copyright 2026 The Colony Authors.

#include "scheduler/blocking.h"

#include <atomic>
#include <string>
#include <utility>

#include "coroutine/internal/access.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/worker.h"

namespace colony {
namespace scheduler_internal {
namespace {

struct Job final : BlockingWork {
  absl::FunctionRef<void()> fn;
  Task* task;
  std::atomic<bool> done{false};

  Job(absl::FunctionRef<void()> f, Task* t) : fn(f), task(t) {}

  void Run() override {
    fn();
    // Read everything needed before `done`: once it is set, the task may
    // return and this Job (on its stack) is gone. The task itself stays
    // alive through the reference RunBlocking() took.
    Task* t = task;
    // Release pairs with the acquire load in RunBlocking().
    done.store(true, std::memory_order_release);
    t->shared_->Wake(t);
    Unref(t);
  }
};

}  // namespace

absl::Status RunBlocking(absl::FunctionRef<void()> fn) {
  Task* self = CurrentTask();
  if (self == nullptr) {
    fn();
    return absl::OkStatus();
  }
  self->Ref();
  Job job(fn, self);
  if (absl::Status submitted = self->shared_->blocking().Submit(&job);
      !submitted.ok()) {
    // Nothing was queued: no thread will run the job, so the reference
    // meant for it is ours to drop, and waiting would never end.
    Unref(self);
    return submitted;
  }
  // Acquire pairs with the release in Job::Run(): the result is visible.
  {
    WaitScope wait(self, "blocking call");
    while (!job.done.load(std::memory_order_acquire)) ParkTask(self);
  }
  CheckCancel(self);
  return absl::OkStatus();
}

}  // namespace scheduler_internal

BlockingPoolError::BlockingPoolError(absl::Status status)
    : std::runtime_error(std::string(status.message())),
      status_(std::move(status)) {}

BlockingRegion::BlockingRegion(std::string_view name)
    : task_(scheduler_internal::CurrentTask()) {
  if (task_ == nullptr) return;
  task_->EnterSyscall(name);
  scheduler_internal::CurrentWorker()->Handoff();
}

BlockingRegion::~BlockingRegion() {
  if (task_ != nullptr) task_->ExitSyscall();
}

}  // namespace colony
