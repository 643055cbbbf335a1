// Copyright 2026 The Colony Authors.

#include "scheduler/scheduler.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/worker.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace {

absl::Status Invalid(const char* field, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("SchedulerOptions.", field, ": ", why));
}

absl::Status Validate(SchedulerOptions& o) {
  if (o.workers < 0 || o.workers > 1024) {
    return Invalid("workers",
                   absl::StrCat("must be in [0, 1024], got ", o.workers));
  }
  if (o.workers == 0) {
    o.workers = std::max(1u, std::thread::hardware_concurrency());
  }
  constexpr int kMaxBands = scheduler_internal::Worker::kMaxBands;
  if (o.priority_bands < 1 || o.priority_bands > kMaxBands) {
    return Invalid("priority_bands", absl::StrCat("must be in [1, ", kMaxBands,
                                                  "], got ", o.priority_bands));
  }
  if (o.default_priority == kInheritPriority) {
    o.default_priority = o.priority_bands / 2;
  }
  if (o.default_priority < 0 || o.default_priority >= o.priority_bands) {
    return Invalid("default_priority",
                   absl::StrCat("must be in [0, priority_bands), got ",
                                o.default_priority));
  }
  if (o.starvation_interval < 1) {
    return Invalid("starvation_interval", "must be at least 1");
  }
  if (o.global_queue_interval < 1) {
    return Invalid("global_queue_interval", "must be at least 1");
  }
  if (o.steal_rounds < 1) return Invalid("steal_rounds", "must be at least 1");
  if (o.max_searching < 0) {
    return Invalid("max_searching", "must not be negative");
  }
  if (o.max_searching == 0) o.max_searching = (o.workers + 1) / 2;
  if (o.stall_threshold < absl::ZeroDuration() ||
      o.stall_threshold == absl::InfiniteDuration()) {
    return Invalid("stall_threshold", "must be finite and not negative");
  }
  if (o.spin_before_park < absl::ZeroDuration() ||
      o.spin_before_park > absl::Milliseconds(10)) {
    return Invalid("spin_before_park", "must be between 0 and 10ms");
  }
  if (o.max_blocking_threads < 1) {
    return Invalid("max_blocking_threads", "must be at least 1");
  }
  if (o.blocking_keep_alive < absl::ZeroDuration()) {
    return Invalid("blocking_keep_alive", "must not be negative");
  }
  if (o.stack_size == 0) return Invalid("stack_size", "must not be 0");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scheduler>> Scheduler::Create(
    SchedulerOptions options) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  auto shared = std::make_unique<scheduler_internal::SchedulerShared>(
      std::move(options), nullptr);
  std::unique_ptr<Scheduler> scheduler(new Scheduler(std::move(shared)));
  return scheduler;
}

Scheduler::Scheduler(
    std::unique_ptr<scheduler_internal::SchedulerShared> shared)
    : shared_(std::move(shared)) {
  shared_->set_owner(this);
}

Scheduler::~Scheduler() {
  scheduler_internal::Worker* w = scheduler_internal::CurrentWorker();
  if (w != nullptr && w->shared() == shared_.get()) {
    coroutine_internal::Fatal(
        "Scheduler '%s' destroyed from one of its own tasks",
        shared_->options().name.c_str());
  }
  absl::Status s = shared_->Stop({.mode = StopMode::kCancel});
  if (!s.ok()) {
    spdlog::error("colony: ~Scheduler(): {}", s.ToString());
  }
}

absl::Status Scheduler::Start() { return shared_->Start(); }

absl::Status Scheduler::Stop(StopOptions options) {
  return shared_->Stop(options);
}

int Scheduler::workers() const { return shared_->num_workers(); }

const SchedulerOptions& Scheduler::options() const {
  return shared_->options();
}

SchedulerStats Scheduler::Stats() const { return shared_->Stats(); }

std::vector<TaskInfo> Scheduler::Dump(DumpOptions options) const {
  return shared_->Dump(options);
}

absl::Duration Scheduler::RecentQueueDelay() const {
  int64_t worst = 0;
  for (int i = 0; i < shared_->num_workers(); ++i) {
    worst = std::max(worst, shared_->worker(i).QueueDelayNanos());
  }
  return absl::Nanoseconds(worst);
}

Scheduler* Scheduler::Current() {
  scheduler_internal::SchedulerShared* shared =
      scheduler_internal::CurrentShared();
  return shared != nullptr ? shared->owner() : nullptr;
}

void Yield() {
  scheduler_internal::Task* self = scheduler_internal::CurrentTask();
  if (self == nullptr) {
    std::this_thread::yield();
    return;
  }
  scheduler_internal::CheckCancelInline(self);
  coroutine_internal::Access::Suspend(self, &scheduler_internal::kYieldTag, 0);
  scheduler_internal::CheckCancelInline(self);
}

void SleepUntil(Deadline deadline) {
  scheduler_internal::Task* self = scheduler_internal::CurrentTask();
  if (self == nullptr) {
    // absl::SleepFor() takes any finite duration; an infinite sleep is a
    // loop of long ones.
    while (!deadline.IsReached()) {
      absl::SleepFor(std::min(deadline.TimeLeft(), absl::Hours(1)));
    }
    return;
  }
  scheduler_internal::CheckCancel(self);
  if (deadline.IsReached()) {
    Yield();
    return;
  }
  // It suspends at least once even if the deadline passes from here on
  // (a sleep is always a suspension point, as a Yield() is).
  scheduler_internal::WaitScope wait(self, "sleep");
  do {
    scheduler_internal::ParkTaskUntil(self, deadline);
    scheduler_internal::CheckCancel(self);
  } while (!deadline.IsReached());
}

void SleepFor(absl::Duration duration) {
  if (duration <= absl::ZeroDuration()) {
    Yield();
    return;
  }
  SleepUntil(Deadline::After(duration));
}

bool InTask() { return scheduler_internal::CurrentTask() != nullptr; }

uint64_t CurrentTaskId() {
  scheduler_internal::Task* self = scheduler_internal::CurrentTask();
  return self != nullptr ? self->id() : 0;
}

std::string_view CurrentTaskName() {
  scheduler_internal::Task* self = scheduler_internal::CurrentTask();
  return self != nullptr ? std::string_view(self->name()) : std::string_view();
}

int CurrentWorkerIndex() {
  scheduler_internal::Worker* w = scheduler_internal::CurrentWorker();
  return w != nullptr ? w->index() : -1;
}

bool CancellationRequested() {
  scheduler_internal::Task* self = scheduler_internal::CurrentTask();
  return self != nullptr && self->word_.cancel_requested();
}

namespace scheduler_internal {

void ParkTaskUntil(Task* self, Deadline deadline) {
  if (deadline.IsInfinite()) {
    ParkTask(self);
    return;
  }
  const int64_t deadline_ns = deadline.nanos();
  // The timer goes to the worker running us now; it wakes us under its
  // heap's lock, and we take ourselves out (if still in) before going on.
  TimerHeap& heap = CurrentWorker()->timers();
  self->timer_deadline_ = deadline_ns;
  heap.Add(self);
  self->shared_->NoteTimer(deadline_ns);
  ParkTask(self, deadline_ns);
  heap.Remove(self);
}

void ParkTaskCommit(Task* self, bool (*commit)(Task* self, void* arg),
                    void* arg, Deadline deadline) {
  self->park_commit_ = commit;
  self->park_commit_arg_ = arg;
  if (deadline.IsInfinite()) {
    coroutine_internal::Access::Suspend(self, &kParkCommitTag, 0);
    return;
  }
  const int64_t deadline_ns = deadline.nanos();
  TimerHeap& heap = CurrentWorker()->timers();
  self->timer_deadline_ = deadline_ns;
  heap.Add(self);
  self->shared_->NoteTimer(deadline_ns);
  coroutine_internal::Access::Suspend(self, &kParkCommitTag, deadline_ns);
  heap.Remove(self);
}

SchedulerShared* CurrentShared() {
  Worker* w = CurrentWorker();
  return w != nullptr ? w->shared() : nullptr;
}

CoroutineOptions ResolveSpawn(SchedulerShared* shared, SpawnOptions&& options) {
  CoroutineOptions co;
  co.name = std::move(options.name);
  co.stack_size = options.stack_size != 0 ? options.stack_size
                                          : shared->options().stack_size;
  int priority = options.priority;
  if (priority == kInheritPriority) {
    Task* parent = CurrentTask();
    priority = parent != nullptr && parent->shared_ == shared
                   ? parent->band_
                   : shared->options().default_priority;
  }
  co.priority = std::clamp(priority, 0, shared->bands() - 1);
  return co;
}

absl::Status Submit(SchedulerShared* shared, Task* task, ScopeTasks* scope,
                    bool forever, bool inherit_locals) {
  return shared->Submit(task, scope, forever, inherit_locals);
}

std::string NoSchedulerMessage() {
  std::string message =
      "Spawn() called outside any scheduler's task: use Scheduler::Spawn()";
  spdlog::error("colony: {}", message);
  return message;
}

}  // namespace scheduler_internal
}  // namespace colony
