// Copyright 2026 The Colony Authors.

#include "scheduler/internal/shared.h"

#include <time.h>

#include <algorithm>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/internal/thread_mutex.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/locals_hooks.h"
#include "coroutine/internal/stack.h"
#include "scheduler/internal/scope_tasks.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/task_dump.h"
#include "spdlog/spdlog.h"

#if defined(COLONY_CHECK_DISPATCH)
#include "scheduler/internal/dispatch_check.h"
#endif

namespace colony::scheduler_internal {

// The spawn time only feeds Dump()'s age: the coarse clock (a few ms of
// resolution) costs a fraction of the precise one.
int64_t CoarseNowNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

namespace {
// The monitor polls for I/O when nobody has for this long (and ticks this
// often while I/O waiters exist); with nothing to watch it backs off to
// kMonitorIdleNanos.
constexpr int64_t kMonitorIntervalNanos = 1'000'000;
constexpr int64_t kMonitorIdleNanos = 20'000'000;
// How often the monitor has the stack pool give back old stacks' pages.
constexpr int64_t kScavengeIntervalNanos = 100'000'000;
}  // namespace

SchedulerShared::SchedulerShared(SchedulerOptions options, Scheduler* owner)
    : options_(std::move(options)),
      owner_(owner),
      inject_(new InjectQueue[static_cast<size_t>(options_.priority_bands)]),
      idle_(options_.workers, options_.max_searching),
      registry_(options_.workers + 1, options_.workers),
      blocking_(options_.max_blocking_threads, options_.blocking_keep_alive,
                options_.name, this),
      monitor_(options_.name, kMonitorIntervalNanos, kMonitorIdleNanos) {
  for (int i = 0; i < options_.workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(this, i));
  }
  monitor_.Add([this](int64_t now) { return MonitorIo(now); });
  stall_watch_.resize(workers_.size());
  monitor_.Add([this](int64_t now) { return MonitorStalls(now); });
  monitor_.Add([this](int64_t now) { return MonitorStacks(now); });
}

SchedulerShared::~SchedulerShared() = default;

absl::Status SchedulerShared::Start() {
  base_internal::ThreadMutexLock lock(stop_mu_);
  if (phase_.load() != kCreated) {
    return absl::FailedPreconditionError(
        "Scheduler::Start(): the scheduler was already started");
  }
  return StartWorkersLocked();
}

absl::Status SchedulerShared::StartWorkersLocked() {
  phase_.store(kRunning);
  try {
    monitor_.Start();
  } catch (const std::system_error& e) {
    phase_.store(kStopped);
    return absl::ResourceExhaustedError(absl::StrCat(
        "Scheduler::Start(): could not create the monitor thread: ", e.what()));
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    try {
      workers_[i]->Start();
    } catch (const std::system_error& e) {
      // Undo: stop the workers already running.
      shutdown_.store(true, std::memory_order_seq_cst);
      for (size_t j = 0; j < i; ++j) workers_[j]->Unpark();
      for (size_t j = 0; j < i; ++j) workers_[j]->Join();
      monitor_.Stop();
      phase_.store(kStopped);
      return absl::ResourceExhaustedError(
          absl::StrCat("Scheduler::Start(): could not create worker thread ", i,
                       ": ", e.what()));
    }
  }
  return absl::OkStatus();
}

absl::Status SchedulerShared::Submit(Task* task, ScopeTasks* scope,
                                     bool forever, bool inherit_locals) {
  Worker* w = CurrentWorker();
  const bool ours = w != nullptr && w->shared() == this;
  // Only spawns from outside the workers can be refused, so only they
  // take part in the handshake with Stop() (step 1 in shared.h). A task's
  // spawn is registered while the task itself is live, so Stop() cannot
  // see zero live tasks in between.
  if (!ours) submitting_.fetch_add(1, std::memory_order_seq_cst);
  if (!ours && phase_.load(std::memory_order_seq_cst) >= kStopping) {
    submitting_.fetch_sub(1, std::memory_order_seq_cst);
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return absl::CancelledError(absl::StrCat("spawn of task '", task->name(),
                                             "' refused: scheduler '",
                                             options_.name, "' is stopping"));
  }
  if (ours && inherit_locals) {
    // Inherited CoroutineLocals (request ids, deadlines, contexts) are
    // copied from the spawning task.
    Task* parent = CurrentTask();
    std::string error;
    try {
      coroutine_internal::InheritLocals(parent, task);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "a non-standard exception";
    }
    if (!error.empty()) {
      return absl::InternalError(absl::StrCat(
          "spawn of task '", task->name(),
          "' failed: copying an inherited CoroutineLocal threw: ", error));
    }
  }
  task->shared_ = this;
  task->forever_ = forever;
  task->spawn_ns_ = CoarseNowNanos();
  if (Task* spawner = CurrentTask()) task->parent_id_ = spawner->id();
  task->band_ = std::clamp(task->priority(), 0, options_.priority_bands - 1);
  // One reference for the scheduler (until Finish()), one for the handle;
  // scheduled because it is about to be queued.
  task->word_.InitScheduled(/*refs=*/2);
  if (scope != nullptr) {
    if (!scope->Add(task)) {
      if (!ours) submitting_.fetch_sub(1, std::memory_order_seq_cst);
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return absl::CancelledError(absl::StrCat("spawn of task '", task->name(),
                                               "' refused: its ",
                                               scope->closed_reason()));
    }
    task->scope_ = scope;
  }
  registry_.Add(task, ours ? w->index() : num_workers());
  if (ours) {
    w->spawned_.Add();
    w->Schedule(task, /*lifo=*/true);
  } else {
    spawned_remote_.fetch_add(1, std::memory_order_relaxed);
    Inject(task);
    submitting_.fetch_sub(1, std::memory_order_seq_cst);
  }
  return absl::OkStatus();
}

int64_t SchedulerShared::EarliestTimerNanos() {
  int64_t earliest = TimerHeap::kNever;
  for (int i = 0; i < num_workers(); ++i) {
    earliest = std::min(earliest, worker(i).timers().next_deadline_seq_cst());
  }
  return earliest;
}

void SchedulerShared::Wake(Task* task, bool lifo) {
  if (task->word_.TransitionToScheduledOrNotified()) Enqueue(task, lifo);
}

void SchedulerShared::EnqueueSlow(Task* task, bool lifo) {
  if (options_.migrate_every_resume && num_workers() > 1) {
    const int last = task->worker_.load(std::memory_order_relaxed);
    if (last >= 0) {
      worker((last + 1) % num_workers()).Deliver(task);
      return;
    }
  }
  Worker* w = CurrentWorker();
  if (w != nullptr && w->shared() == this) {
    w->Schedule(task, lifo);
  } else {
    Inject(task);
  }
}

void SchedulerShared::Inject(Task* task) {
  // Whatever comes through the injection queue is stamped: this path
  // takes a lock anyway, and its wait is the one that grows under load.
  task->ready_ns_ = NowNanos();
#if defined(COLONY_CHECK_DISPATCH)
  NoteInjection();  // before the push that publishes it
#endif
  inject_[static_cast<size_t>(task->band_)].Push(task);
#if defined(COLONY_CHECK_DISPATCH)
  NoteInjectionDone();
#endif
  NotifyParked();
}

void SchedulerShared::InjectBand(int band, const std::vector<Task*>& tasks) {
  inject_[static_cast<size_t>(band)].PushBatch(tasks);
  NotifyParked();
}

void SchedulerShared::InjectBatch(const std::vector<Task*>& tasks) {
  // A hand-off batch may mix bands.
  size_t start = 0;
  std::vector<Task*> run;
  while (start < tasks.size()) {
    const int band = tasks[start]->band_;
    run.clear();
    size_t end = start;
    while (end < tasks.size() && tasks[end]->band_ == band) {
      run.push_back(tasks[end++]);
    }
    inject_[static_cast<size_t>(band)].PushBatch(run);
    start = end;
  }
  NotifyParked();
}

Task* SchedulerShared::PopGlobalBand(int band) {
  return inject_[static_cast<size_t>(band)].Pop();
}

Task* SchedulerShared::PopGlobal() {
  for (int b = options_.priority_bands - 1; b >= 0; --b) {
    if (Task* task = PopGlobalBand(b)) return task;
  }
  return nullptr;
}

void SchedulerShared::NotifyParked() {
  const int w = idle_.NotifyOne();
  if (w >= 0) worker(w).Unpark();
}

bool SchedulerShared::AnyWork() const {
  for (int b = 0; b < options_.priority_bands; ++b) {
    if (!inject_[static_cast<size_t>(b)].empty()) return true;
  }
  for (const auto& w : workers_) {
    if (w->HasQueued()) return true;
  }
  return false;
}

void SchedulerShared::Finish(Task* task, Worker* worker) {
  // The stack goes back to the pool now; the block (heap) keeps the result
  // until the last handle is gone.
  coroutine_internal::Access::ReleaseStack(task);
  // Scheduled -> finished: publishes the result to IsFinished() and
  // AwaitCompletion(), and sees joiner_ if a joiner registered
  // (task_state.h).
  if (task->word_.SetFinished().has_join_waiter()) {
    const Waiter waiter = task->joiner_;
    if (waiter.task != nullptr) {
      WakeWaiter(waiter);
      // A joining task gave us a reference on itself for this wake.
      Unref(waiter.task);
    } else {
      task->word_.WakeFinishedWaiters();  // a thread joiner
    }
  }
  if (task->state() == CoroutineState::kCompleted && task->cancel_delivered_) {
    spdlog::warn(
        "colony: task '{}' (id {}) swallowed its cancellation ({}) and "
        "returned normally",
        task->name(), task->id(), task->cancel_request());
  }
  if (task->scope_ != nullptr) task->scope_->Done(task);
  // Leave the registry last: Stop() cannot see zero live tasks while a
  // joiner woken above is still to be counted (it is a live task itself,
  // counted from before this wake), and Dump() skips finished tasks. A task
  // of this worker's shard leaves at once, under this worker's own lock;
  // any other is retired in a batch (registry.h), which takes the
  // scheduler's reference along: FlushRetired() drops it once the task is
  // unlinked.
  if (task->reg_shard_ == worker->index()) {
    registry_.Remove(task);
    Unref(task);
  } else if (registry_.Retire(task, worker->index())) {
    FlushRetired(worker);
  }
}

void SchedulerShared::FlushRetired(Worker* worker) {
  registry_.Flush(worker->index(), [](Task* t) { Unref(t); });
}

void SchedulerShared::CancelAllLive(const char* reason) {
  std::vector<Task*> tasks;
  registry_.ForEach([&](Task* t) {
    if (IsFinished(t)) return;  // retired, not yet unlinked
    t->Ref();
    tasks.push_back(t);
  });
  for (Task* t : tasks) {
    RequestCancel(t, reason);
    Unref(t);
  }
}

absl::Status SchedulerShared::Stop(StopOptions options) {
  base_internal::ThreadMutexLock lock(stop_mu_);
  Worker* w = CurrentWorker();
  if (w != nullptr && w->shared() == this) {
    return absl::FailedPreconditionError(
        "Scheduler::Stop() called from one of its own tasks");
  }
  if (phase_.load() == kStopped) return absl::OkStatus();
  if (InBlockingPoolOf(this)) {
    return absl::FailedPreconditionError(
        "Scheduler::Stop() called from its own blocking pool");
  }
  if (phase_.load() == kCreated) {
    // Tasks spawned before Start() still need to run (or be cancelled).
    if (absl::Status s = StartWorkersLocked(); !s.ok()) return s;
  }
  // Step 1.
  phase_.store(kStopping, std::memory_order_seq_cst);
  while (submitting_.load(std::memory_order_seq_cst) != 0) {
    std::this_thread::yield();
  }
  absl::Status status;
  // Step 2.
  const absl::Time deadline = options.mode == StopMode::kDrain
                                  ? absl::Now() + options.deadline
                                  : absl::InfinitePast();
  auto pause = [] { absl::SleepFor(absl::Microseconds(200)); };
  auto non_forever = [this] {
    size_t live, forever;
    registry_.Counts(&live, &forever);
    return live - forever;
  };
  auto any_live = [this] {
    size_t live, forever;
    registry_.Counts(&live, &forever);
    return live > 0;
  };
  if (options.mode == StopMode::kDrain) {
    // One reading decides: Counts() may read one too many for a moment (a
    // retire batch being flushed), so a second reading could find a task
    // the first had rightly not counted.
    size_t left = non_forever();
    while (left > 0 && absl::Now() < deadline) {
      pause();
      left = non_forever();
    }
    if (left > 0) {
      std::vector<TaskInfo> stragglers = Snapshot(/*include_forever=*/false);
      std::vector<std::string> names;
      for (const TaskInfo& t : stragglers) {
        names.push_back(absl::StrCat("'", t.name, "' (id ", t.id, ", ",
                                     CoroutineStateName(t.state), ")"));
      }
      status = absl::DeadlineExceededError(
          absl::StrCat(stragglers.size(),
                       " task(s) still running at the drain deadline "
                       "and cancelled: ",
                       absl::StrJoin(names, ", ")));
    }
  }
  // Step 3.
  absl::Time next_report = absl::Now() + absl::Seconds(5);
  while (any_live()) {
    CancelAllLive("scheduler stopping");
    for (int i = 0; i < 50 && any_live(); ++i) pause();
    if (absl::Now() > next_report) {
      next_report = absl::Now() + absl::Seconds(5);
      for (const TaskInfo& t : Snapshot(true)) {
        spdlog::warn(
            "colony: Stop() still waiting for task '{}' (id {}, {}) to end "
            "after cancellation",
            t.name, t.id, CoroutineStateName(t.state));
      }
    }
  }
  // Step 4.
  shutdown_.store(true, std::memory_order_seq_cst);
  for (auto& worker : workers_) worker->Unpark();
  for (auto& worker : workers_) worker->Join();
  phase_.store(kStopped);
  // Step 5.
  blocking_.Shutdown();
  monitor_.Stop();
  {
    base_internal::ThreadMutexLock io_lock(io_mu_);
    io_stopped_ = true;
    if (io_owner_ != nullptr) io_owner_->Shutdown();
  }
  return status;
}

std::shared_ptr<IoPoller> SchedulerShared::InstallIoPoller(
    const std::function<std::shared_ptr<IoPoller>()>& make) {
  base_internal::ThreadMutexLock lock(io_mu_);
  if (io_owner_ != nullptr) return io_owner_;
  std::shared_ptr<IoPoller> io = make();
  if (io == nullptr) return nullptr;
  if (io_stopped_) {
    io->Shutdown();
    return io;  // not installed: nobody would poll it
  }
  io_owner_ = io;
  // Release pairs with the acquire load in io_poller().
  io_.store(io.get(), std::memory_order_release);
  return io;
}

bool SchedulerShared::MonitorIo(int64_t now_ns) {
  IoPoller* io = io_poller();
  if (io == nullptr || !io->HasWaiters()) return false;
  // The workers poll on their own (a busy one every 100 µs, an idle one
  // blocks in the poller): nothing to do, and no need for the short tick
  // either, so the monitor backs off (doubling to kMonitorIdleNanos). Its
  // 1 ms tick cost a wake-up and two context switches per millisecond on
  // a worker's core: about 4% of the CPU of one worker serving HTTP
  // hellos to 256 connections. A worker that then stops polling (stuck in
  // a long slice) is noticed at the next tick, within 20 ms, and the
  // short tick resumes.
  if (now_ns - io->LastPollNanos() < kMonitorIntervalNanos) return false;
  if (io->TryLock()) {
    io->PollLocked(PollKind::kMonitor, 0);
    io->Unlock();
  }
  return true;
}

bool SchedulerShared::MonitorStalls(int64_t now_ns) {
  const int64_t threshold = absl::ToInt64Nanoseconds(options_.stall_threshold);
  bool watching = false;
  for (int i = 0; i < num_workers(); ++i) {
    Worker& w = worker(i);
    StallWatch& watch = stall_watch_[static_cast<size_t>(i)];
    const uint64_t seq = w.SliceSeq();
    if ((seq & 1) == 0 || seq != watch.seq) {
      // Idle, or a new slice since the last look.
      watch = StallWatch{seq, now_ns, false};
      continue;
    }
    const int64_t ran = now_ns - watch.since_ns;
    // A slice past a millisecond with timers behind it: look every tick,
    // so that they fire on time (below).
    if (ran >= 1'000'000 && w.timers().size() != 0) watching = true;
    if (threshold > 0 && !watch.reported && ran >= threshold) {
      uint64_t id = 0;
      std::string name;
      if (!SliceTaskName(w, seq, &id, &name)) continue;  // it just ended
      watch.reported = true;
      w.MarkStalled();
      spdlog::warn(
          "colony: worker {} has run task {} '{}' for at least {} ms without "
          "suspending (stall threshold {} ms); its queued tasks go to the "
          "other workers",
          i, id, name, ran / 1'000'000, threshold / 1'000'000);
      if (w.HasStealable()) NotifyParked();
    }
  }
  // Work queued while workers sleep and nobody searches: wake one to take
  // it. The idle protocol should never leave that state behind; this is a
  // backstop (as Go's sysmon has) that bounds the damage of a missed wake
  // to one monitor tick, and it is counted so that it shows.
  if (idle_.num_searching() == 0 && idle_.num_unparked() < num_workers() &&
      AnyWork()) {
    monitor_wakes_.fetch_add(1, std::memory_order_relaxed);
    NotifyParked();
  }
  // Timers of a worker stuck in a slice (or asleep with a later deadline):
  // whoever looks first takes the expired ones.
  for (int i = 0; i < num_workers(); ++i) {
    Worker& w = worker(i);
    if (w.timers().next_deadline() <= now_ns) {
      w.TakeExpiredTimers(now_ns, /*try_only=*/true);
    }
  }
  return watching;
}

bool SchedulerShared::MonitorStacks(int64_t now_ns) {
  if (now_ns - last_scavenge_ns_ < kScavengeIntervalNanos) return false;
  last_scavenge_ns_ = now_ns;
  coroutine_internal::StackPool::Default().Scavenge(now_ns);
  return false;
}

bool SchedulerShared::SliceTaskName(const Worker& w, uint64_t seq, uint64_t* id,
                                    std::string* name) const {
  // A task leaves the registry (under its shard's lock) only after its
  // last slice has ended, and the worker bumps the slice sequence before
  // that. With every shard locked, a sequence still at `seq` therefore
  // means the task has not left the registry and cannot until the locks
  // are released: its block is alive. (Had it left before the locks were
  // taken, the lock's acquire would make the newer sequence visible.) No
  // walk of the live tasks, which would hold up every spawn on the shard
  // for as long as a million tasks take to visit.
  bool running = false;
  registry_.WithAllShardsLocked([&] {
    if (w.SliceSeq() != seq) return;
    const Task* t = w.SliceTask();
    *id = t->id();
    *name = t->name();
    running = true;
  });
  return running;
}

std::vector<TaskInfo> SchedulerShared::Snapshot(
    bool include_forever, const DumpOptions& options) const {
  std::vector<TaskInfo> out;
  std::vector<Task*> requeue;  // woken while pinned for a backtrace
  const int64_t now = CoarseNowNanos();
  registry_.ForEach([&](Task* t) {
    // Its body has returned: ending, or retired and not yet unlinked.
    if (IsFinished(t->state())) return;
    if (!include_forever && t->forever_) return;
    if (out.size() >= options.max_tasks) return;
    TaskInfo info;
    info.id = t->id();
    info.name = t->name();
    info.state = t->state();
    info.priority = t->priority();
    info.wake_ns = info.state == CoroutineState::kSuspended ? t->wake_ns() : 0;
    info.age_ns = now - t->spawn_ns_;
    // Relaxed: a snapshot for display; nothing is reached through these.
    info.worker = t->worker_.load(std::memory_order_relaxed);
    const TaskState::Snapshot word = t->word_.snapshot();
    info.cancel_requested = word.cancel_requested();
    info.io_wait =
        static_cast<IoWait>(t->io_wait_.load(std::memory_order_relaxed));
    info.io_fd = t->io_fd_.load(std::memory_order_relaxed);
    if (const char* reason = t->wait_reason_.load(std::memory_order_relaxed)) {
      info.wait_reason = reason;
    }
    if (info.io_wait != IoWait::kNone || !info.wait_reason.empty()) {
      const int64_t since = t->wait_since_ns_.load(std::memory_order_relaxed);
      info.wait_ns = since > 0 && now > since ? now - since : 0;
    }
    info.parent_id = t->parent_id_;
    info.scope = reinterpret_cast<uintptr_t>(t->scope_);
    if (options.backtraces &&
        WalkParked(t, options.max_frames, &info.backtrace)) {
      requeue.push_back(t);
    }
    // Queued (scheduled, not executing), or woken while it runs.
    info.runnable =
        word.is_notified() ||
        (word.is_scheduled() && (info.state == CoroutineState::kReady ||
                                 info.state == CoroutineState::kSuspended));
    out.push_back(std::move(info));
  });
  // Off the registry lock (see task_dump.h, step 4).
  // Enqueue() changes only the queues, not what this const member reads.
  for (Task* t : requeue)
    const_cast<SchedulerShared*>(this)->Enqueue(t, /*lifo=*/false);
  std::sort(out.begin(), out.end(),
            [](const TaskInfo& a, const TaskInfo& b) { return a.id < b.id; });
  return out;
}

bool SchedulerShared::InBlockingPoolOf(const SchedulerShared* shared) {
  return CurrentPoolOwner() == shared;
}

std::vector<TaskInfo> SchedulerShared::Dump(const DumpOptions& options) const {
  return Snapshot(true, options);
}

SchedulerStats SchedulerShared::Stats() const {
  SchedulerStats s;
  for (int i = 0; i < num_workers(); ++i) {
    WorkerStats ws = workers_[static_cast<size_t>(i)]->Stats();
    s.workers.push_back(std::move(ws));
  }
  for (int b = 0; b < options_.priority_bands; ++b) {
    s.global_queue_depth.push_back(inject_[static_cast<size_t>(b)].size());
  }
  s.spawned_remote = spawned_remote_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.monitor_wakes = monitor_wakes_.load(std::memory_order_relaxed);
  s.live_tasks = registry_.live();
  s.blocking_threads = blocking_.threads();
  s.blocking_queued = blocking_.queued();
  if (IoPoller* io = io_poller()) io->FillStats(&s.io);
  const coroutine_internal::StackPool::Stats stacks =
      coroutine_internal::StackPool::Default().stats();
  s.stacks.in_use = stacks.stacks_in_use;
  s.stacks.warm = stacks.stacks_warm;
  s.stacks.cold = stacks.stacks_pooled - stacks.stacks_warm;
  s.stacks.reserved_bytes = stacks.reserved_bytes;
  return s;
}

}  // namespace colony::scheduler_internal
