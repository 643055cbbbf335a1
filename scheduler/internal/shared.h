// Copyright 2026 The Colony Authors.
//
// SchedulerShared: the state of one scheduler shared by its workers: options,
// the workers, the global injection queue (one InjectQueue per band), the Idle
// accounting, the live-task registry, the blocking pool and the lifecycle
// phase.
//
// Shutdown (Stop()), in order, and why it is correct:
//  1. phase_ becomes kStopping under stop_mu_. From then on Submit()
//     refuses spawns from threads that are not this scheduler's workers;
//     tasks may still spawn (a draining task may need children). A spawn
//     either registered before the phase change (and is counted live) or
//     sees the new phase and is refused: Submit() reads the phase after
//     counting itself in `submitting_`, and Stop() waits for
//     `submitting_` to reach zero after changing the phase.
//  2. Drain: wait until no live task remains but SpawnForever ones, or the
//     deadline. Stragglers are named in the returned status.
//  3. Cancel every live task, repeatedly (a task spawned while cancelling
//     is caught by the next sweep), until none is live. Tasks unwind on
//     the workers, so their destructors run on their own stacks.
//  4. shutdown_ is set and every worker unparked; a worker re-checks
//     shutdown_ before parking, so none sleeps through it. Workers exit
//     their loops and are joined. No task is queued at that point (none is
//     live), so nothing is lost.
//  5. The blocking pool is joined (no task waits on it any more), the
//     monitor thread is joined, and the I/O poller (if net/ installed one)
//     is shut down: a plain thread still waiting on one of this
//     scheduler's sockets is woken with an error, since nobody polls now.
//
// I/O: net/ installs one IoPoller per scheduler, lazily, with
// InstallIoPoller(); idle workers poll through their PollerDriver, busy
// ones every few dispatches (Worker::MaybePollIo()), the monitor thread
// when nobody has for about a millisecond (MonitorIo()).
//
// Thread-safety: all members are safe from any thread unless noted.

#ifndef COLONY_SCHEDULER_INTERNAL_SHARED_H_
#define COLONY_SCHEDULER_INTERNAL_SHARED_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/internal/blocking_pool.h"
#include "scheduler/internal/idle.h"
#include "scheduler/internal/inject_queue.h"
#include "scheduler/internal/io_poller.h"
#include "scheduler/internal/monitor.h"
#include "scheduler/internal/registry.h"
#include "scheduler/internal/worker.h"
#include "scheduler/options.h"
#include "scheduler/stats.h"

namespace colony {
class Scheduler;
}  // namespace colony

namespace colony::scheduler_internal {

class Task;
class ScopeTasks;

class SchedulerShared {
 public:
  enum Phase : int { kCreated, kRunning, kStopping, kStopped };

  SchedulerShared(SchedulerOptions options, Scheduler* owner);
  ~SchedulerShared();

  absl::Status Start();
  absl::Status Stop(StopOptions options);

  // Submit() registers and queues a freshly built task (see spawn.h).
  absl::Status Submit(Task* task, ScopeTasks* scope, bool forever,
                      bool inherit_locals);
  // Wake() makes a parked task runnable (see task_state.h for the protocol).
  void Wake(Task* task, bool lifo = true);
  // Enqueue() queues a task this caller set kScheduled on: on the
  // calling worker if it is one of ours, else through the injection queue
  // (or, with migrate_every_resume, to another worker's mailbox).
  // Inline: a wake costs one call to the worker, none here.
  void Enqueue(Task* task, bool lifo) {
    if (ABSL_PREDICT_TRUE(!options_.migrate_every_resume)) {
      Worker::ScheduleOnCurrent(this, task, lifo);
    } else {
      EnqueueSlow(task, lifo);
    }
  }
  // Inject() pushes to the injection queue and wakes an idle worker.
  void Inject(Task* task);
  // InjectBatch() pushes every task of `tasks` (of any bands) and wakes an
  // idle worker; InjectBand() the same for tasks all of `band`, without
  // reading them (a ring's overflow: its older half is cold).
  void InjectBatch(const std::vector<Task*>& tasks);
  void InjectBand(int band, const std::vector<Task*>& tasks);
  // PopGlobal() takes the most urgent injected task, or null.
  Task* PopGlobal();
  // PopGlobalBand() takes an injected task of band `band`, or null.
  Task* PopGlobalBand(int band);
  // inject_queues() is the injection queue's array of bands (Workers look
  // at their lengths on the dispatch fast path).
  const InjectQueue* inject_queues() const { return inject_.get(); }
  // inject_queue() is the injection queue of band `band`.
  InjectQueue& inject_queue(int band) {
    return inject_[static_cast<size_t>(band)];
  }
  // NotifyParked() wakes one parked worker if none is searching.
  void NotifyParked();
  // AnyWork() is the last searcher's re-check: anything queued anywhere?
  bool AnyWork() const;
  // Finish() is the end of a task, run by the worker after its last slice.
  // The task leaves the registry in `worker`'s retire batch (registry.h).
  void Finish(Task* task, Worker* worker);
  // FlushRetired() unlinks `worker`'s retire batch and drops the
  // scheduler's references on its tasks (on `worker`'s thread only): before
  // the worker parks, and as it exits.
  void FlushRetired(Worker* worker);

  const SchedulerOptions& options() const { return options_; }
  int bands() const { return options_.priority_bands; }
  int num_workers() const { return static_cast<int>(workers_.size()); }
  Worker& worker(int i) { return *workers_[static_cast<size_t>(i)]; }
  Idle& idle() { return idle_; }
  BlockingPool& blocking() { return blocking_; }
  Scheduler* owner() const { return owner_; }
  void set_owner(Scheduler* owner) { owner_ = owner; }
  // shutdown() pairs with the seq_cst stores of shutdown_ in the undo path
  // of StartWorkersLocked() and in Stop() step 4.
  bool shutdown() const { return shutdown_.load(std::memory_order_acquire); }

  // io_poller() is the installed I/O poller, or null. Acquire pairs with
  // the release store in InstallIoPoller(): the poller is fully built.
  IoPoller* io_poller() const { return io_.load(std::memory_order_acquire); }
  // InstallIoPoller() returns the scheduler's poller, building it with
  // `make` on first use (once per scheduler; kept until the SchedulerShared is
  // destroyed). Returns null if `make` does. After Stop() the poller is
  // shut down at once (its waits fail).
  std::shared_ptr<IoPoller> InstallIoPoller(
      const std::function<std::shared_ptr<IoPoller>()>& make);
  // NoteTimer() breaks the poller's wait if a timer at `deadline_ns` is
  // earlier than the one it sleeps until.
  // EarliestTimerNanos() is the earliest deadline in any worker's timer
  // heap (seq_cst reads), or TimerHeap::kNever.
  int64_t EarliestTimerNanos();
  void NoteTimer(int64_t deadline_ns) {
    IoPoller* io = io_poller();
    if (io != nullptr && deadline_ns < io->BlockingDeadline()) io->Break();
  }
  // IoWaitersAppeared() tells the monitor (if backed off) to watch I/O.
  void IoWaitersAppeared() { monitor_.PokeIfIdle(); }

  // InBlockingPoolOf() is true on a blocking-pool thread of `shared`.
  static bool InBlockingPoolOf(const SchedulerShared* shared);

  SchedulerStats Stats() const;
  std::vector<TaskInfo> Dump(const DumpOptions& options) const;

 private:
  // EnqueueSlow() is Enqueue() with migrate_every_resume.
  void EnqueueSlow(Task* task, bool lifo);
  void CancelAllLive(const char* reason);
  absl::Status StartWorkersLocked();
  std::vector<TaskInfo> Snapshot(bool include_forever,
                                 const DumpOptions& options = {}) const;
  // MonitorIo() is the monitor's I/O check (see monitor.h).
  bool MonitorIo(int64_t now_ns);
  // MonitorStalls() is the monitor's stall check: a worker whose slice has
  // lasted stall_threshold is logged (once per slice), counted and marked
  // stalled (its LIFO slot and what it readies become other workers'), and
  // a parked worker is woken to take its queued tasks. It also takes the
  // overdue timers of a worker stuck in a long slice.
  bool MonitorStalls(int64_t now_ns);
  // MonitorStacks() is the monitor's memory check: every
  // kScavengeIntervalNanos it has the stack pool give back the pages of
  // stacks released longer ago than the pool keeps them
  // (StackPool::Scavenge()), so that memory a burst of tasks used returns
  // to the kernel even when no task ends any more. Never asks for the
  // short interval.
  bool MonitorStacks(int64_t now_ns);
  // SliceTaskName() gives the id and name of the task running the slice
  // `seq` of `w` (for a log line), or false when that slice has ended.
  bool SliceTaskName(const Worker& w, uint64_t seq, uint64_t* id,
                     std::string* name) const;

  const SchedulerOptions options_;
  Scheduler* owner_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<InjectQueue[]> inject_;  // one per band
  Idle idle_;
  Registry registry_;
  BlockingPool blocking_;
  base_internal::ThreadMutex stop_mu_;
  std::atomic<int> phase_{kCreated};
  std::atomic<int> submitting_{0};
  std::atomic<bool> shutdown_{false};
  // Statistics (relaxed): Stats() wants a snapshot.
  std::atomic<uint64_t> spawned_remote_{0};
  std::atomic<uint64_t> rejected_{0};
  base_internal::ThreadMutex io_mu_;
  std::shared_ptr<IoPoller> io_owner_ ABSL_GUARDED_BY(io_mu_);
  bool io_stopped_ ABSL_GUARDED_BY(io_mu_) = false;
  std::atomic<IoPoller*> io_{nullptr};
  // Per worker: the slice the stall check last saw and since when
  // (monitor thread only).
  struct StallWatch {
    uint64_t seq = 0;
    int64_t since_ns = 0;
    bool reported = false;
  };
  std::vector<StallWatch> stall_watch_;
  int64_t last_scavenge_ns_ = 0;            // monitor thread only
  std::atomic<uint64_t> monitor_wakes_{0};  // a statistic, relaxed
  Monitor monitor_;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_SHARED_H_
