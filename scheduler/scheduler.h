// Copyright 2026 The Colony Authors.
//
// Scheduler: worker threads that run stackful coroutines ("tasks") and
// steal work from each other.
//
//   auto scheduler = colony::Scheduler::Create({.workers = 4}).value();
//   scheduler->Start().IgnoreError();
//   colony::JoinHandle<int> h = scheduler->Spawn([] {
//     colony::SleepFor(absl::Milliseconds(5));
//     return 42;
//   });
//   int v = h.Join().value();
//   scheduler->Stop({.mode = colony::StopMode::kDrain}).IgnoreError();
//
// A task runs on one worker at a time and may move to another at any
// suspension point (Yield, SleepFor, Join, SpawnBlocking, sync/ waits), so
// code in a task must not keep thread_local addresses across those points:
// use CoroutineLocal (local/) instead. Each worker keeps a bounded run queue
// per priority band and a LIFO slot; idle workers steal half of another
// worker's queue; spawns from plain threads go through a global injection
// queue. See docs/scheduler.md for the protocols.
//
// Several schedulers may live in one process; they share nothing but the
// stack pool.
//
// Thread-safety: every member function may be called from any thread or
// task, except that Stop() and the destructor must not be called from one
// of this scheduler's own tasks.

#ifndef COLONY_SCHEDULER_SCHEDULER_H_
#define COLONY_SCHEDULER_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scheduler/internal/spawn.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/stats.h"
#include "scheduler/task_result.h"
#include "time/deadline.h"

namespace colony {

class Scheduler {
 public:
  using Options = SchedulerOptions;

  // Create() validates `options` and builds a scheduler whose workers are
  // not yet running; tasks spawned before Start() wait for it.
  static absl::StatusOr<std::unique_ptr<Scheduler>> Create(
      SchedulerOptions options = {});

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  // The destructor stops the scheduler (StopMode::kCancel) if it runs.
  ~Scheduler();

  // Start() launches the worker threads. Fails if already started or
  // stopped, or if a thread cannot be created.
  absl::Status Start();

  // Stop() ends the scheduler: refuses spawns from outside its tasks, then
  // drains or cancels (StopOptions), runs the SpawnForever tasks' and
  // stragglers' cancellation, joins the workers. Returns DeadlineExceeded
  // naming each task still alive at the drain deadline (they are then
  // cancelled). Must not be called from one of its own tasks. Idempotent.
  absl::Status Stop(StopOptions options = {});

  // Spawn() runs `fn()` as a new task and returns its handle. `fn` is
  // moved onto the task's stack. From one of this scheduler's tasks the
  // child goes to the local queue (LIFO slot); from elsewhere, to the
  // injection queue. After Stop() began, spawns from outside the
  // scheduler's tasks are refused: the handle's result is Cancelled with a
  // reason saying so, and `fn` is destroyed without running.
  template <typename F>
  auto Spawn(F&& fn, SpawnOptions options = {})
      -> JoinHandle<std::invoke_result_t<std::decay_t<F>&>> {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    return scheduler_internal::SpawnOn<R>(shared_.get(), std::forward<F>(fn),
                                          std::move(options), nullptr,
                                          /*forever=*/false);
  }

  // SpawnForever() is Spawn() for a task that belongs to the scheduler
  // itself rather than to any scope (a service loop): a draining Stop()
  // does not wait for it, and cancels it once every other task has
  // finished.
  template <typename F>
  auto SpawnForever(F&& fn, SpawnOptions options = {})
      -> JoinHandle<std::invoke_result_t<std::decay_t<F>&>> {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    return scheduler_internal::SpawnOn<R>(shared_.get(), std::forward<F>(fn),
                                          std::move(options), nullptr,
                                          /*forever=*/true);
  }

  // workers() is the number of worker threads.
  int workers() const;
  // options() is what Create() was given, with defaults resolved.
  const SchedulerOptions& options() const;
  // Stats() reads the counters (see stats.h).
  SchedulerStats Stats() const;
  // Dump() lists the live tasks, sorted by id: state, what each waits on
  // and since when, and, with `options.backtraces`, the frames of each
  // parked task's stack (TaskInfo::backtrace). Safe while tasks run: a
  // parked task is pinned for the few hundred nanoseconds of its walk, so
  // it cannot be resumed meanwhile (a wake that comes in that window queues
  // it as soon as the walk ends); running and queued tasks are listed
  // without a backtrace. See scheduler/dump.h to format the result.
  std::vector<TaskInfo> Dump(DumpOptions options = {}) const;
  // RecentQueueDelay() is how long ready tasks have recently waited in a
  // run queue before a worker ran them: the largest of the workers' moving
  // averages (WorkerStats::queue_delay_ns). It grows when the workers
  // cannot keep up, so a server can shed load on it; it is cheap (one
  // relaxed load per worker) and callable from any thread.
  absl::Duration RecentQueueDelay() const;

  // Current() is the scheduler of the calling task or worker thread, or
  // null.
  static Scheduler* Current();

 private:
  friend class TaskScope;
  explicit Scheduler(
      std::unique_ptr<scheduler_internal::SchedulerShared> shared);
  std::unique_ptr<scheduler_internal::SchedulerShared> shared_;
};

// Spawn() spawns on the calling task's scheduler (see Scheduler::Spawn()).
// Called outside any scheduler, the handle's result is Failed with a
// message saying so, and the call is logged.
template <typename F>
auto Spawn(F&& fn, SpawnOptions options = {})
    -> JoinHandle<std::invoke_result_t<std::decay_t<F>&>> {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  return scheduler_internal::SpawnOn<R>(scheduler_internal::CurrentShared(),
                                        std::forward<F>(fn), std::move(options),
                                        nullptr,
                                        /*forever=*/false);
}

// Yield() lets the other ready tasks of this worker run, then continues
// (possibly on another worker). Delivers a pending cancellation. On a plain
// thread it is std::this_thread::yield().
void Yield();

// SleepFor() and SleepUntil() suspend the calling task until the time has
// come (never earlier), recording the wake-up timestamp in its state (see
// BasicCoroutine::wake_ns()). A cancellation ends the sleep early by
// throwing CoroutineCancelled. On a plain thread they block it. A duration
// or deadline already passed yields once; `absl::InfiniteDuration()` (or
// `Deadline::Infinite()`) sleeps until cancelled. An `absl::Time` converts
// to a Deadline.
void SleepFor(absl::Duration duration);
void SleepUntil(Deadline deadline);

// InTask() is true when called from a task of some scheduler.
bool InTask();

// CurrentTaskId() is the id of the calling task (its coroutine id, as in
// TaskInfo::id), or 0 when not called from a task.
uint64_t CurrentTaskId();

// CurrentTaskName() is the name of the calling task (empty when it has none
// or when not called from a task). The view stays valid while the task runs.
std::string_view CurrentTaskName();

// CurrentWorkerIndex() is the index of the worker thread calling, from 0 to
// workers() - 1 of its scheduler, or -1 on any other thread. A task can move
// between workers at every suspension point, so the answer is only good
// until the next one.
int CurrentWorkerIndex();

// CancellationRequested() is true when the calling task has been asked to
// cancel (the next suspension point will throw).
bool CancellationRequested();

}  // namespace colony

#endif  // COLONY_SCHEDULER_SCHEDULER_H_
