// Copyright 2026 The Colony Authors.
//
// Task: a coroutine owned by a scheduler.
//
// A task's life is tracked by one atomic word (`word_`) that packs flags and
// a reference count, after Tokio's task state:
//
//   kScheduled  a worker owns it: it is in a queue, or running (from the
//               wake or spawn that queued it to the end of a slice that
//               parks it, or to its completion)
//   kNotified   woken again while scheduled: it must look at its wait
//               condition once more (RunTask() takes the bit when it sees
//               it; otherwise AfterSlice() re-queues the task for it)
//   kFinished   it has finished; the result may be read
//   kCancel     cancellation was requested (cancel_reason_ is written)
//   kJoinWaiter joiner_ holds someone waiting for completion
//   refs        (from bit kRefShift) owners: the scheduler holds one until
//               the task ends, each JoinHandle one, a joining task one on
//               itself while registered as joiner_
//
// Wake() sets kScheduled, and queues the task only if it set that bit (the
// task was parked), so a task is never queued twice. A wake that finds the
// task scheduled already sets kNotified instead, in the same atomic step
// as the check (a CAS), and the worker honours it: a worker running the
// task takes kNotified with an RMW before the slice (RunTask()), and the
// slice's park clears kScheduled only if kNotified is clear, else it keeps
// the task scheduled and re-queues it (AfterSlice()). A yield leaves the
// word alone: the task stays scheduled.
//
// Memory ordering. Every wake is an acq_rel RMW on word_, after the
// waker published its condition, and a wake is only ever consumed by an
// RMW of the worker (the CAS that parks, or the fetch_and that takes
// kNotified), so the task always sees the condition of every wake it
// consumed: there is no plain "already notified, return" anywhere (that
// store-buffer pattern once lost wake-ups). The load in RunTask() that
// finds kNotified clear consumes nothing; a kNotified it misses stays set
// and costs one extra run. The queues (ring, injection queue, mailbox,
// or the worker's own LIFO slot) publish the task's fields from whoever
// queued it to whoever runs it. Transitions publish the fields written
// before them (cancel_reason_, joiner_, the result) to whoever observes
// the flag.

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
#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/park.h"
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

  static constexpr uint64_t kScheduled = 1;
  static constexpr uint64_t kNotified = 2;
  static constexpr uint64_t kFinished = 4;
  static constexpr uint64_t kCancel = 8;
  static constexpr uint64_t kJoinWaiter = 16;
  static constexpr int kRefShift = 16;
  static constexpr uint64_t kRefOne = uint64_t{1} << kRefShift;

  std::atomic<uint64_t> word_{0};
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
  // Written once, before kCancel is set, by the thread that won
  // cancel_claimed_.
  std::atomic<bool> cancel_claimed_{false};
  // On the heap: most tasks are never cancelled, and the block stays 24
  // bytes smaller. Read it through cancel_request().
  std::unique_ptr<const std::string> cancel_request_;
  const std::string& cancel_request() const {
    static const std::string* const kNone = new std::string;
    return cancel_request_ != nullptr ? *cancel_request_ : *kNone;
  }
  // Valid while kJoinWaiter is set.
  Waiter joiner_;
  // Link in an InjectQueue, guarded by that queue's lock.
  Task* queue_next_ = nullptr;
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

  // Relaxed: the caller holds a reference already; the acq_rel fetch_sub
  // in Unref() orders the destruction.
  void Ref() { word_.fetch_add(kRefOne, std::memory_order_relaxed); }

 protected:
  explicit Task(const CoroutineOptions& options) : BasicCoroutine(options) {}

  // The task's kCancel bit is its cancellation flag; BasicCoroutine's
  // cancel_requested() reports it.
  bool CancelRequestedElsewhere() const override {
    // Pairs with the fetch_or of kCancel in RequestCancel().
    return (word_.load(std::memory_order_acquire) & kCancel) != 0;
  }
};

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

// IsFinished() is true once `task` finished (acquire, pairing with the
// fetch_add that sets kFinished in SchedulerShared::Finish(): its result is
// visible).
inline bool IsFinished(const Task* task) {
  return (task->word_.load(std::memory_order_acquire) & Task::kFinished) != 0;
}

// MarkWokenScheduled() is MarkWoken() for a task found scheduled.
bool MarkWokenScheduled(Task* task);

// MarkWoken() records a wake of `task` in its word (see the top of this
// file) and returns true if the caller must queue it
// (SchedulerShared::Enqueue()): it was parked, and the caller set kScheduled.
//
// It begins with an RMW, never a plain load: a waker publishes its
// condition (a wait node's state, a value) and then wakes. Were "already
// scheduled" read by a load, the waker's store could still sit in its
// store buffer while the task, run by a worker, re-checks the condition and
// parks again (the store-buffer pattern), and the wake would be lost. As an
// acq_rel RMW, it is ordered with the worker's RMWs in RunTask() and
// AfterSlice(), so the task sees what the waker wrote.
inline bool MarkWoken(Task* task) {
  if ((task->word_.fetch_or(Task::kScheduled, std::memory_order_acq_rel) &
       Task::kScheduled) == 0) {
    // It was parked, or ended (kFinished is never set on a parked task
    // later, and a stray kScheduled on a completed one is harmless: nothing
    // reads it after kFinished). We set kScheduled, so we queue it.
    // Relaxed: nothing of the task is read when kFinished is set, and the
    // fetch_or above already ordered the rest.
    return (task->word_.load(std::memory_order_relaxed) & Task::kFinished) == 0;
  }
  return MarkWokenScheduled(task);
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
