// Copyright 2026 The Colony Authors.
//
// A worker's thread: the run loop, the slice (RunTask(), AfterSlice()),
// parking when idle, and putting tasks into its own queues. What it runs
// next is worker_dispatch.cc's (and worker_dispatch.h's fast path); how it
// searches other workers is worker_steal.cc's.

#include "scheduler/internal/worker.h"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/config.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/worker_dispatch.h"
#include "spdlog/spdlog.h"

namespace colony::scheduler_internal {

SliceEnd kYieldTag = SliceEnd::kYield;
SliceEnd kParkTag = SliceEnd::kPark;
SliceEnd kParkCommitTag = SliceEnd::kParkCommit;

namespace {

thread_local Worker* tls_worker = nullptr;

// How often a busy worker looks whether an I/O poll is due, and the time
// budget: it polls (without blocking) when nobody has for this long.
constexpr uint32_t kIoPollInterval = 16;
// One in this many pushes of a worker is stamped for the queue delay.
constexpr int kQueueDelaySampling = 16;
constexpr int64_t kBusyPollNanos = 100'000;

}  // namespace

__attribute__((noinline)) Worker* CurrentWorker() {
  Worker* w = tls_worker;
  asm volatile("" : : : "memory");
  return w;
}

// Never inlined (see task.h), and it reads both thread-locals itself rather
// than through CurrentWorker() and CurrentCoroutine(): one call on the path
// of every wait.
__attribute__((noinline)) Task* CurrentTask() {
  asm volatile("" : : : "memory");
  Worker* w = tls_worker;
  if (w == nullptr) return nullptr;
  Task* t = w->current();
  // Null in a plain coroutine that the task resumed.
  if (t == nullptr || coroutine_internal::tls_state.current != t) {
    return nullptr;
  }
  return t;
}

void CheckThreadMayBlock() {
  asm volatile("" : : : "memory");
  Worker* const w = tls_worker;
  if (ABSL_PREDICT_TRUE(w == nullptr)) return;
  BasicCoroutine* const current = coroutine_internal::tls_state.current;
  Task* const task = w->current();
  // The scheduler loop itself (no coroutine) parks the thread on purpose,
  // and a task waits by suspending, never through here.
  if (current == nullptr || task == nullptr || current == task) return;
  coroutine_internal::Fatal(
      "coroutine '%s' would block worker thread %d of scheduler '%s' in a "
      "wait: it is a plain coroutine (a Generator body, say) that task '%s' "
      "(id %llu) resumed, and only a task can suspend; the wait would hold "
      "the worker and everything queued on it (with one worker, forever). "
      "Wait in the task itself, or make the producer a task of its own "
      "that sends into a Channel",
      current->name().c_str(), w->index(), w->shared()->options().name.c_str(),
      task->name().c_str(), static_cast<unsigned long long>(task->id()));
}

Worker::Worker(SchedulerShared* shared, int index)
    : shared_(shared),
      index_(index),
      bands_(shared->bands()),
      inject_(shared->inject_queues()),
      lifo_slot_(shared->options().lifo_slot),
      alone_(shared->options().workers == 1),
      queues_(new RunQueue<Task>[static_cast<size_t>(shared->bands())]),
      head_watch_(new HeadWatch[static_cast<size_t>(shared->bands())]),
      starvation_interval_(shared->options().starvation_interval),
      global_queue_interval_(shared->options().global_queue_interval),
      spin_before_park_ns_(
          absl::ToInt64Nanoseconds(shared->options().spin_before_park)),
      band_countdown_(starvation_interval_),
      global_countdown_(global_queue_interval_),
      rng_(static_cast<uint32_t>(index) * 2654435761u + 1),
      timers_(index),
      driver_(std::make_unique<PollerDriver>(shared)) {
  overflow_.reserve(RunQueue<Task>::capacity() / 2 + 1);
  global_batch_.reserve(RunQueue<Task>::capacity() / 2);
}

Worker::~Worker() = default;

void Worker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Run() {
  tls_worker = this;
  std::string name =
      shared_->options().name.substr(0, 10) + "-w" + std::to_string(index_);
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  busy_clock_.store(NowNanos(), std::memory_order_relaxed);
  while (!shared_->shutdown()) {
    if (ABSL_PREDICT_FALSE(tick_ % kIoPollInterval == 0)) MaybePollIo();
    Task* task = NextLocal();
    if (task == nullptr) task = Search();
    if (task == nullptr) {
      ParkIdle();
      continue;
    }
    if (searching_) {
      searching_ = false;
      searching_stat_.store(false, std::memory_order_relaxed);
      // The last searcher found work: wake another worker to look for
      // more, so parallelism ramps up (Tokio does the same).
      if (shared_->idle().TransitionFromSearching()) shared_->NotifyParked();
    }
    served_tick_[task->band_] = tick_;
    RunTask(task);
  }
  shared_->FlushRetired(this);
  if (searching_) {
    searching_ = false;
    shared_->idle().TransitionFromSearching();
  }
  tls_worker = nullptr;
}

size_t Worker::TakeExpiredTimers(int64_t now_ns, bool try_only) {
  const size_t n = timers_.TakeExpired(
      now_ns, [this](Task* t) { shared_->Wake(t, /*lifo=*/false); }, try_only);
  if (n > 0) {
    Worker* caller = CurrentWorker();
    if (caller != nullptr) caller->timers_fired_.Add(n);
  }
  return n;
}

void Worker::MaybePollIo() {
  IoPoller* io = shared_->io_poller();
  if (io == nullptr || !io->HasWaiters()) return;
  if (NowNanos() - io->LastPollNanos() < kBusyPollNanos) return;
  if (!io->TryLock()) return;  // someone else polls right now
  // What it finds goes to this worker's queue (stealable) and wakes an
  // idle worker if none searches (NotifyFromLocalPush()).
  io->PollLocked(PollKind::kBusy, 0);
  io->Unlock();
}

void Worker::ParkIdle() {
  // The tasks that ended here leave the registry (and their blocks go, if
  // nothing else holds them) before the worker sleeps.
  shared_->FlushRetired(this);
  // Take any expired timer first: a worker never sleeps past one.
  const int n = shared_->num_workers();
  int64_t deadline = TimerHeap::kNever;
  const int64_t now = NowNanos();
  for (int i = 0; i < n; ++i) {
    Worker& w = shared_->worker(i);
    int64_t d = w.timers_.next_deadline();
    if (d <= now) {
      if (w.TakeExpiredTimers(now, i != index_) > 0) return;
      d = w.timers_.next_deadline();
    }
    if (d < deadline) deadline = d;
  }
  const bool last = shared_->idle().TransitionToParked(index_, searching_);
  searching_ = false;
  searching_stat_.store(false, std::memory_order_relaxed);
  if (last) {
    // The re-check must not be ordered before the decrement above (see
    // idle.h); pairs with the fence in Idle::NotifyOne(). ThreadSanitizer
    // cannot build fences; the decrement is a seq_cst RMW, which suffices
    // on every machine Colony runs on.
#if !defined(ABSL_HAVE_THREAD_SANITIZER)
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
    if (shared_->AnyWork()) shared_->NotifyParked();
  }
  if (shared_->shutdown()) {
    searching_ = shared_->idle().TransitionFromParked(index_);
    return;
  }
  parks_.Add();
  parked_.store(true, std::memory_order_relaxed);
  NoteParking(NowNanos());
  // TimerHeap::kNever is the infinite deadline's timestamp.
  static_assert(TimerHeap::kNever == Deadline::Infinite().nanos());
  driver_->Park(Deadline::FromNanos(deadline));
  NoteUnparked(NowNanos());
  parked_.store(false, std::memory_order_relaxed);
  searching_ = shared_->idle().TransitionFromParked(index_);
  if (searching_) unparks_.Add();
  searching_stat_.store(searching_, std::memory_order_relaxed);
  // It polled as the poller and queued what it found on its own ring:
  // wake another worker before running any of it, so the rest is stolen
  // rather than waiting behind one long task.
  if (driver_->TakeFound() > 1) shared_->NotifyParked();
}

void Worker::NoteParking(int64_t now_ns) {
  const int64_t clock = busy_clock_.load(std::memory_order_relaxed);
  busy_clock_.store(-(now_ns - clock), std::memory_order_relaxed);
  queue_delay_ns_.store(0, std::memory_order_relaxed);
}

void Worker::NoteUnparked(int64_t now_ns) {
  // busy_clock_ holds -busy; running again means now - busy.
  const int64_t clock = busy_clock_.load(std::memory_order_relaxed);
  busy_clock_.store(now_ns + clock, std::memory_order_relaxed);
}

void Worker::NoteQueueDelay(Task* task) {
  const int64_t waited = std::max<int64_t>(0, NowNanos() - task->ready_ns_);
  task->ready_ns_ = 0;
  const int64_t avg = queue_delay_ns_.load(std::memory_order_relaxed);
  queue_delay_ns_.store(avg + (waited - avg) / 8, std::memory_order_relaxed);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void Worker::RunTask(Task* task) {
  current_ = task;
  if (ABSL_PREDICT_FALSE(task->ready_ns_ != 0)) NoteQueueDelay(task);
  // Release pairs with the monitor's acquire in SliceSeq(): it sees the
  // task of the slice it times. (worker_ is a relaxed hint; see task.h.)
  slice_task_.store(task, std::memory_order_relaxed);
  slice_seq_.store(slice_seq_.load(std::memory_order_relaxed) + 1,
                   std::memory_order_release);
  task->worker_.store(index_, std::memory_order_relaxed);
  // Take a wake that came while it was queued (task_state.h); a cancelled
  // snapshot makes cancel_request() visible, read below.
  const TaskState::Snapshot before = task->word_.TakeNotified();
  switches_.Add();
  void* tag = nullptr;
  if (NeverRan(task)) {
    // First run: the stack is allocated only now (see NewDeferred()).
    absl::Status stack = absl::OkStatus();
    if (!before.cancel_requested()) {
      stack = coroutine_internal::Access::EnsureStack(task);
    }
    if (before.cancel_requested() || !stack.ok()) {
      // Cancelled before it ever ran, or no stack to run on: drop it
      // without running the body.
      std::string reason = task->cancel_request();
      if (!stack.ok()) {
        reason = absl::StrCat("could not start: ", stack.message());
        spdlog::error("colony: task '{}' (id {}) {}", task->name(), task->id(),
                      reason);
      }
      coroutine_internal::Access::Cancel(task, reason).IgnoreError();
      current_ = nullptr;
      EndSlice();
      AfterSlice(task, nullptr);
      return;
    }
  }
  tag = coroutine_internal::Access::Resume(task, nullptr);
  current_ = nullptr;
  EndSlice();
  AfterSlice(task, tag);
}

inline void Worker::EndSlice() {
  slice_seq_.store(slice_seq_.load(std::memory_order_relaxed) + 1,
                   std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(stalled_.load(std::memory_order_relaxed))) {
    stalled_.store(false, std::memory_order_relaxed);
  }
}

void Worker::AfterSlice(Task* task, void* tag) {
  if (IsFinished(task->state())) {
    completed_.Add();
    shared_->Finish(task, this);
    return;
  }
  if (tag == &kParkCommitTag) {
    // Off the task's stack now: commit the park (see ParkTaskCommit()).
    // A failed commit means the task's condition already holds.
    if (!task->park_commit_(task, task->park_commit_arg_)) {
      Requeue(task);
      return;
    }
  } else if (tag == &kYieldTag) {
    // It stays scheduled (a Wake() during the slice may have left a
    // notification; RunTask() or the next park takes it): back to the tail
    // of its band, with no RMW on the task word.
    Requeue(task);
    return;
  }
  // Parked: no longer scheduled, unless a Wake() during the slice left a
  // notification for us: then it stays scheduled and goes back in a queue
  // (task_state.h).
  if (task->word_.TransitionToParked()) {
    Requeue(task);
  }
}

void Worker::PushQueueBand(Task* task, int band) {
  RunQueue<Task>& q = queues_[static_cast<size_t>(band)];
  local_bands_ |= uint32_t{1} << band;
  if (ABSL_PREDICT_FALSE(!q.Push(task, &overflow_))) {
    overflows_.Add();
    shared_->InjectBand(band, overflow_);
    overflow_.clear();
  }
}

void Worker::Schedule(Task* task, bool lifo) { ScheduleInline(task, lifo); }

inline void Worker::Requeue(Task* task) {
  if (ABSL_PREDICT_TRUE(!shared_->options().migrate_every_resume)) {
    ScheduleInline(task, /*lifo=*/false);
  } else {
    shared_->Enqueue(task, /*lifo=*/false);
  }
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void Worker::ScheduleInline(Task* task,
                                                                bool lifo) {
  // A task inside a BlockingRegion, or in a slice the monitor found
  // stalled, holds this worker's thread: what it readies goes to the
  // injection queue (waking a parked worker), not to the LIFO slot or the
  // ring, where it would wait for the slice to end.
  if (ABSL_PREDICT_FALSE(current_ != nullptr &&
                         (current_->state() == CoroutineState::kSyscall ||
                          stalled_.load(std::memory_order_acquire)))) {
    // The ring, unlike the LIFO slot, is stealable; the wake makes sure
    // someone comes for it. (Not the injection queue: a lock and a clock
    // read per task, for a task that spawns a long loop of children.)
    PushQueue(task);
    shared_->NotifyParked();
    return;
  }
  // One queued task in kQueueDelaySampling is stamped, for the queue-delay
  // figure (a clock read on every push would cost more than the push).
  if (ABSL_PREDICT_FALSE(--sample_countdown_ == 0)) {
    sample_countdown_ = kQueueDelaySampling;
    task->ready_ns_ = NowNanos();
  }
  if (lifo && lifo_slot_) {
    // An exchange, not a load and a store: a thief may take the slot of a
    // stalled worker at any moment (TakeLifo()). The release pairs with the
    // acquire exchange in TakeLifo(); the acquire pairs with nothing (a
    // previous task is this worker's own store, and TakeLifo() releases
    // nothing).
    lifo_band_ = task->band_;
    Task* previous;
    if (alone_) {  // no thief: plain load and store (see alone_)
      previous = lifo_.load(std::memory_order_relaxed);
      lifo_.store(task, std::memory_order_relaxed);
    } else {
      previous = lifo_.exchange(task, std::memory_order_acq_rel);
    }
    if (ABSL_PREDICT_TRUE(previous == nullptr)) {
      // Nothing for a thief to take: the LIFO slot is not stealable.
      // Still wake someone if our queue has work and nobody searches.
      if ((local_bands_ & (uint32_t{1} << task->band_)) != 0) {
        NotifyIfQueued(task->band_);
      }
      return;
    }
    task = previous;
  }
  PushQueue(task);
  NotifyFromLocalPush();
}

// Never inlined: it reads the thread-local (see CurrentWorker()).
__attribute__((noinline)) void Worker::ScheduleOnCurrent(
    SchedulerShared* shared, Task* task, bool lifo) {
  asm volatile("" : : : "memory");
  Worker* w = tls_worker;
  if (ABSL_PREDICT_TRUE(w != nullptr && w->shared_ == shared)) {
    w->ScheduleInline(task, lifo);
  } else {
    shared->Inject(task);
  }
}

void Worker::NotifyIfQueued(int band) {
  if (!queues_[static_cast<size_t>(band)].empty()) NotifyFromLocalPush();
}

void Worker::NotifyFromLocalPush() {
  // This worker is running and will get to its own queue, so waking another
  // worker is only for parallelism, never for progress: a relaxed look at
  // the Idle word skips the fenced NotifyOne() unless a worker is parked
  // and none is searching. (Pushes from outside the workers always take the
  // full protocol; see SchedulerShared::Inject().)
  const Idle& idle = shared_->idle();
  if (idle.num_searching() == 0 &&
      idle.num_unparked() < shared_->num_workers()) {
    shared_->NotifyParked();
  }
}

void Worker::Handoff() {
  std::vector<Task*> all;
  if (Task* t = TakeLifo()) all.push_back(t);
  for (int b = bands_ - 1; b >= 0; --b) {
    while (Task* t = queues_[static_cast<size_t>(b)].Pop()) all.push_back(t);
  }
  local_bands_ = 0;
  if (!all.empty()) shared_->InjectBatch(all);
}

void Worker::Deliver(Task* task) {
  mailbox_.Push(task);
  driver_->Unpark();
}

bool Worker::HasQueued() const {
  if (!mailbox_.empty()) return true;
  for (int b = 0; b < bands_; ++b) {
    if (!queues_[static_cast<size_t>(b)].empty()) return true;
  }
  return false;
}

WorkerStats Worker::Stats() const {
  WorkerStats s;
  s.spawned = spawned_.Get();
  s.completed = completed_.Get();
  s.switches = switches_.Get();
  s.steal_attempts = steal_attempts_.Get();
  s.steals = steals_.Get();
  s.stolen_tasks = stolen_tasks_.Get();
  s.parks = parks_.Get();
  // Relaxed loads here and below: a snapshot of statistics.
  s.stalls = stalls_.load(std::memory_order_relaxed);
  s.stalled = stalled_.load(std::memory_order_relaxed);
  s.unparks = unparks_.Get();
  s.global_pops = global_pops_.Get();
  s.overflows = overflows_.Get();
  s.timers_fired = timers_fired_.Get();
  s.timers = timers_.size();
  s.queue_depth.resize(static_cast<size_t>(bands_));
  for (int b = 0; b < bands_; ++b) {
    s.queue_depth[static_cast<size_t>(b)] =
        queues_[static_cast<size_t>(b)].size();
  }
  s.parked = parked_.load(std::memory_order_relaxed);
  s.searching = searching_stat_.load(std::memory_order_relaxed);
  // A running clock read as `now - clock` is only consistent if `now` falls
  // inside the running interval: the word is read on both sides of the
  // clock, and a park or unpark in between means reading again.
  int64_t busy = 0;
  for (;;) {
    const int64_t before = busy_clock_.load(std::memory_order_seq_cst);
    if (before <= 0) {
      busy = -before;
      break;
    }
    const int64_t now = NowNanos();
    if (busy_clock_.load(std::memory_order_seq_cst) == before) {
      busy = now - before;
      break;
    }
  }
  // The clock a park stamps is read a moment before the store lands, so a
  // reader in that moment can see a little more than the park records; the
  // figure handed out is the largest ever handed out.
  int64_t reported = busy_reported_.load(std::memory_order_relaxed);
  while (busy > reported && !busy_reported_.compare_exchange_weak(
                                reported, busy, std::memory_order_relaxed)) {
  }
  s.busy_ns = static_cast<uint64_t>(std::max<int64_t>({0, busy, reported}));
  s.queue_delay_ns = queue_delay_ns_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace colony::scheduler_internal
