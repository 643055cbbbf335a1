// Copyright 2026 The Colony Authors.
//
// Task: a coroutine owned by a scheduler.
//
// A task's life (scheduled, notified, finished, cancelled, joined, and its
// references) is one atomic word, `word_`, whose bits only TaskState
// (task_state.h) reads and changes: see there for the transitions and
// their memory ordering.

#ifndef COLONY_SCHEDULER_INTERNAL_TASK_H_
#define COLONY_SCHEDULER_INTERNAL_TASK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/park.h"
#include "scheduler/internal/task_pool.h"
#include "scheduler/internal/task_state.h"
#include "scheduler/internal/thread_parker.h"
#include "scheduler/task_result.h"
#include "time/deadline.h"

namespace colony::scheduler_internal {

class SchedulerShared;
class ScopeTasks;

// Someone waiting: a suspended task or a blocked thread.
struct Waiter {
  class Task* task = nullptr;
  ThreadParker* thread = nullptr;
};

class Task : public BasicCoroutine {
 public:
  // Task blocks come from TaskPool (task_pool.h): per-thread free lists
  // of 64-byte size classes whose memory stays mapped, so a burst of
  // spawns reuses the pages the last burst faulted in. The size passed to
  // operator delete is the dynamic type's (the destructor is virtual).
  static void* operator new(size_t size);
  static void operator delete(void* block, size_t size) noexcept;

  // Scheduled, notified, finished, cancelled, joined, and the references
  // (task_state.h).
  TaskState word_;
  SchedulerShared* shared_ = nullptr;
  ScopeTasks* scope_ = nullptr;
  int band_ = 0;
  bool forever_ = false;
  // Owned by the task itself: the cancellation was thrown into it.
  bool cancel_delivered_ = false;
  // The worker that ran it last (-1: never ran). Relaxed everywhere: a
  // hint for migration and Dump(), never used to reach other data.
  std::atomic<int> worker_{-1};
  int64_t spawn_ns_ = 0;
  // When it was queued, for a sample of queued tasks (0: not sampled).
  // Written by whoever queues it, before the queue publishes it; read and
  // cleared by the worker that dispatches it.
  int64_t ready_ns_ = 0;
  // Written once, before the cancellation is set in word_, by the thread
  // that won cancel_claimed_.
  std::atomic<bool> cancel_claimed_{false};
  // On the heap: most tasks are never cancelled, and the block stays 24
  // bytes smaller. Read it through cancel_request().
  std::unique_ptr<const std::string> cancel_request_;
  const std::string& cancel_request() const {
    static const std::string* const kNone = new std::string;
    return cancel_request_ != nullptr ? *cancel_request_ : *kNone;
  }
  // Valid while word_ has a join waiter.
  Waiter joiner_;
  // Live-task registry links, guarded by the registry shard's lock.
  Task* reg_prev_ = nullptr;
  Task* reg_next_ = nullptr;
  int reg_shard_ = -1;
  // Scope membership links, guarded by the scope's lock.
  Task* scope_prev_ = nullptr;
  Task* scope_next_ = nullptr;
  // Timer heap position, guarded by the heap's lock of worker timer_owner_.
  int timer_owner_ = -1;
  int timer_index_ = -1;
  int64_t timer_deadline_ = 0;
  // Set by ParkTaskCommit() for the worker to run after the switch (see
  // there); owned by the task while it runs, by its worker after.
  bool (*park_commit_)(Task* self, void* arg) = nullptr;
  void* park_commit_arg_ = nullptr;
  // What it waits on in net/ (Dump()): written by the task itself, read
  // relaxed by Dump(). io_wait_ is an IoWait (stats.h).
  std::atomic<int> io_fd_{-1};
  std::atomic<uint8_t> io_wait_{0};
  // What else it waits on (Dump()): a static string such as "mutex" and
  // since when (CoarseNowNanos()), written by the task itself through a
  // WaitScope, read relaxed by Dump(): a reader may pair a reason with the
  // time of the wait before, which only skews "how long" by one wait.
  std::atomic<const char*> wait_reason_{nullptr};
  std::atomic<int64_t> wait_since_ns_{0};
  // The task that spawned it (0: spawned from outside the scheduler).
  uint64_t parent_id_ = 0;

  // Ref() adds an owner (TaskState::Ref()); Unref() (park.h) drops one.
  void Ref() { word_.Ref(); }

 protected:
  explicit Task(const CoroutineOptions& options) : BasicCoroutine(options) {}

  // The task word's cancellation is its cancellation flag; BasicCoroutine's
  // cancel_requested() reports it.
  bool CancelRequestedElsewhere() const override {
    return word_.cancel_requested();
  }
};

// CheckCancelInline() is CheckCancel() (park.h) with its common case, no
// cancellation requested or one already delivered, inline: two loads on a
// path such as Yield() that checks before and after every switch.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void CheckCancelInline(Task* self) {
  if (ABSL_PREDICT_FALSE(!self->cancel_delivered_ &&
                         self->word_.cancel_requested())) {
    CheckCancel(self);
  }
}

// TypedTask<R> holds the value of a task returning R.
template <typename R>
class TypedTask : public Task {
 public:
  // TakeResult() builds the result once the task is complete.
  TaskResult<R> TakeResult() {
    using Variant = typename TaskResult<R>::Variant;
    switch (state()) {
      case CoroutineState::kCompleted:
        return TaskResult<R>(Variant(
            std::in_place_index<0>, Completed<ValueOf<R>>{std::move(*value_)}));
      case CoroutineState::kFailed:
        return TaskResult<R>(
            Variant(std::in_place_index<1>,
                    Failed{coroutine_internal::Access::Error(this),
                           coroutine_internal::Access::ErrorMessage(this)}));
      default:
        return TaskResult<R>(Variant(std::in_place_index<2>,
                                     Cancelled{std::string(cancel_reason())}));
    }
  }

 protected:
  explicit TypedTask(const CoroutineOptions& options) : Task(options) {}
  std::optional<ValueOf<R>> value_;
};

template <typename F, typename R>
class TaskImpl final : public TypedTask<R> {
 public:
  template <typename G>
  TaskImpl(const CoroutineOptions& options, G&& fn)
      : TypedTask<R>(options), fn_(std::in_place, std::forward<G>(fn)) {}

 private:
  void Run(void*) override {
    if constexpr (std::is_void_v<R>) {
      (*fn_)();
      this->value_.emplace();
    } else {
      this->value_.emplace((*fn_)());
    }
  }
  void DropBody() noexcept override { fn_.reset(); }

  std::optional<F> fn_;
};

// IsFinished() is true once `task` finished; its result is visible
// (TaskState::is_finished()).
inline bool IsFinished(const Task* task) { return task->word_.is_finished(); }

// NeverRan() is true while `task` has not started: a spawn still queued.
// Read by whoever holds the queued task (its queue's owner or lock).
inline bool NeverRan(const Task* task) {
  return task->state() == CoroutineState::kReady;
}

// PrefetchTask() asks for the cache lines of `task`'s block, for a task
// about to run: a prefetch never faults, so `task` may be stale.
inline void PrefetchTask(const Task* task) {
  TaskPool::PrefetchForWrite(task, sizeof(Task));
}

// CoarseNowNanos() is CLOCK_MONOTONIC_COARSE in nanoseconds (a few ms of
// resolution, a fraction of the precise clock's cost).
int64_t CoarseNowNanos();

// RequestCancel() marks `task` cancelled and wakes it.
void RequestCancel(Task* task, std::string_view reason);
// AwaitCompletion() suspends the calling task, or blocks the calling
// thread, until `task` is complete.
void AwaitCompletion(Task* task);

// WakeWaiter() wakes a suspended task or a blocked thread.
void WakeWaiter(const Waiter& waiter);

// HandleAccess builds JoinHandles (their constructor is private).
struct HandleAccess {
  template <typename H, typename... Args>
  static H Make(Args&&... args) {
    return H(std::forward<Args>(args)...);
  }
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TASK_H_
