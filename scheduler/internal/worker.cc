// Copyright 2026 The Colony Authors.

#include "scheduler/internal/worker.h"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"
#include "spdlog/spdlog.h"

namespace colony::scheduler_internal {

SliceEnd kYieldTag = SliceEnd::kYield;
SliceEnd kParkTag = SliceEnd::kPark;
SliceEnd kParkCommitTag = SliceEnd::kParkCommit;

namespace {

thread_local Worker* tls_worker = nullptr;

// Tokio's bound on consecutive LIFO-slot dispatches: a ping-pong pair
// cannot starve the rest of the queue.
constexpr int kMaxLifoStreak = 3;
// How often a busy worker reads the clock for its own timers.
constexpr uint32_t kTimerPollInterval = 16;
// How often a busy worker looks whether an I/O poll is due, and the time
// budget: it polls (without blocking) when nobody has for this long.
constexpr uint32_t kIoPollInterval = 16;
// One in this many pushes of a worker is stamped for the queue delay.
constexpr int kQueueDelaySampling = 16;
constexpr int64_t kBusyPollNanos = 100'000;
// An injection queue backlog shorter than this is taken one task at a time
// (see TakeGlobalBand()).
constexpr size_t kMinGlobalBatchBacklog = 64;

inline void CpuRelax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

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
      queues_(new RunQueue<Task>[static_cast<size_t>(shared->bands())]),
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
    RunTask(task);
  }
  if (searching_) {
    searching_ = false;
    shared_->idle().TransitionFromSearching();
  }
  tls_worker = nullptr;
}

uint32_t Worker::NextRandom() {
  // xorshift32
  uint32_t x = rng_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_ = x;
  return x;
}

void Worker::MaybePollTimers(bool force) {
  if (timers_.size() == 0) return;
  if (!force && tick_ % kTimerPollInterval != 0) return;
  const int64_t now = NowNanos();
  if (timers_.next_deadline() > now) return;
  TakeExpiredTimers(now, /*try_only=*/false);
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

Task* Worker::PopMailbox() { return mailbox_.Pop(); }

int Worker::NextGlobalInterval() const {
  // The injection queue holds what rings overflowed and what was woken
  // from outside. Polling it once per global_queue_interval dispatches
  // starves a large backlog while the ring never runs dry (1,000 echo
  // connections on one worker: a p99 of 200-600 ms). The next poll comes
  // sooner the larger the backlog is against the ring, so both FIFOs are
  // served at about the rate they fill; with a small backlog it stays
  // global_queue_interval.
  size_t backlog = 0;
  size_t local = 0;
  for (int b = 0; b < bands_; ++b) {
    backlog += inject_[b].size();
    local += queues_[static_cast<size_t>(b)].size();
  }
  if (backlog == 0) return global_queue_interval_;
  const size_t interval = local / backlog;
  return static_cast<int>(std::clamp<size_t>(
      interval, 1, static_cast<size_t>(global_queue_interval_)));
}

Task* Worker::TakeGlobalBand(int band) {
  InjectQueue& q = shared_->inject_queue(band);
  const size_t len = q.size();
  if (len == 0) return nullptr;
  // Go's globrunqget: when this worker's ring of that band is empty, take
  // a fair share of the backlog (len / workers, at most half the ring) in
  // one lock; all but the first go to the ring, where the other workers
  // can steal them. A lock per task would cost more than the task. A
  // worker whose ring still holds work takes one task only (a fairness
  // poll): a batch would only push its ring into overflow, back to the
  // injection queue, touching every block twice. Nor does a short
  // backlog go in batches: a few tasks spawned from outside are spread one
  // at a time, so that each worker gets a mix rather than one worker a
  // batch of them (the tasks of a band share a worker's turns, not the
  // turns of all workers).
  RunQueue<Task>& ring = queues_[static_cast<size_t>(band)];
  size_t max = 1;
  if (ring.empty() && len >= kMinGlobalBatchBacklog) {
    const size_t share = len / static_cast<size_t>(shared_->num_workers()) + 1;
    max = std::min<size_t>(share, RunQueue<Task>::capacity() / 2);
  }
  global_batch_.clear();
  Task* t = q.PopBatch(max, &global_batch_);
  if (t == nullptr) return nullptr;
  if (!global_batch_.empty()) {
    for (Task* more : global_batch_) PushQueue(more);
    global_batch_.clear();
    NotifyFromLocalPush();
  }
  return t;
}

Task* Worker::TakeGlobal() {
  for (int b = bands_ - 1; b >= 0; --b) {
    if (Task* t = TakeGlobalBand(b)) return t;
  }
  return nullptr;
}

Task* Worker::PopLocal(int band) {
  const uint32_t bit = uint32_t{1} << band;
  if ((local_bands_ & bit) == 0) return nullptr;
  Task* t = queues_[static_cast<size_t>(band)].Pop();
  // Empty now, and only this thread can add to it.
  if (t == nullptr) local_bands_ &= ~bit;
  return t;
}

inline bool Worker::WorkAbove(int band) const {
  if ((local_bands_ >> (band + 1)) != 0) return true;
  for (int b = band + 1; b < bands_; ++b) {
    if (!inject_[b].empty()) return true;
  }
  return false;
}

inline bool Worker::BandWork(int band) const {
  return (local_bands_ & (uint32_t{1} << band)) != 0 || !inject_[band].empty();
}

Task* Worker::PopBands() {
  quiet_ = 0;  // band_countdown_ changes below (NextLocal() recomputes it)
  // Guaranteed turn: every starvation_interval-th dispatch serves the next
  // band in rotation if it has work, so each non-empty band gets at least
  // one dispatch in starvation_interval * bands.
  const int interval = starvation_interval_;
  if (bands_ > 1 && --band_countdown_ == 0) {
    band_countdown_ = interval;
    const int band =
        static_cast<int>(band_turn_++ % static_cast<uint32_t>(bands_));
    if (HasLifo() && lifo_band_ == band) {
      if (Task* t = TakeLifo()) {
        lifo_streak_ = 0;
        return t;
      }
    }
    if (Task* t = PopLocal(band)) return t;
    // Injected tasks of that band get the same guaranteed turn.
    if (Task* t = TakeGlobalBand(band)) {
      global_pops_.Add();
      return t;
    }
  }
  const int lifo_band = HasLifo() ? lifo_band_ : -1;
  for (int b = bands_ - 1; b >= 0; --b) {
    if (b == lifo_band && lifo_streak_ < kMaxLifoStreak) {
      if (Task* t = TakeLifo()) {
        ++lifo_streak_;
        return t;
      }
    }
    if (Task* t = PopLocal(b)) {
      lifo_streak_ = 0;
      return t;
    }
    // Injected tasks of this band (spawned remotely, or overflowed from a
    // ring) come before any lower band: one atomic load when there are
    // none.
    if (Task* t = TakeGlobalBand(b)) {
      global_pops_.Add();
      lifo_streak_ = 0;
      return t;
    }
    if (b == lifo_band) {
      // Its streak is used up but nothing else of its band waits.
      if (Task* t = TakeLifo()) {
        lifo_streak_ = 0;
        return t;
      }
    }
  }
  return nullptr;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline Task* Worker::NextLocal() {
  ++tick_;
  // Fast path, for a task that woke another and then parked or yielded (a
  // ping-pong): it returns the LIFO task, and leaves the counters and the
  // streak as NextLocalSlow() would, exactly when NextLocalSlow() would
  // return it too. Within `quiet_` dispatches no global-queue poll, band
  // turn or timer poll falls, so then it only needs the mailbox empty and
  // the walk of PopBands() to end at the LIFO task: no band above it has
  // work (local or injected), and its streak is not used up or nothing else
  // of its band waits. A few loads of this worker's fields and of the
  // injection queues' lengths decide that. Every other dispatch goes
  // through NextLocalTurns(), so the guarantees of PopBands()
  // (kMaxLifoStreak, the turn per band, the global_queue_interval poll,
  // timers every kTimerPollInterval ticks) are unchanged.
  if (ABSL_PREDICT_TRUE(quiet_ > 0) && HasLifo() && mailbox_.empty()) {
    const int band = lifo_band_;
    const bool streak_left = lifo_streak_ < kMaxLifoStreak;
    if (!WorkAbove(band) && (streak_left || !BandWork(band))) {
      if (Task* t = TakeLifo()) {
        --quiet_;
        --global_countdown_;
        if (bands_ > 1) --band_countdown_;
        lifo_streak_ = streak_left ? lifo_streak_ + 1 : 0;
        return t;
      }
    }
  }
  return NextLocalTurns();
}

Task* Worker::NextLocalTurns() {
  Task* t = NextLocalTurnsImpl();
  // Dispatches before the next global poll, band turn or timer poll.
  int quiet = global_countdown_ - 1;
  if (bands_ > 1) quiet = std::min(quiet, band_countdown_ - 1);
  quiet = std::min(quiet, static_cast<int>(kTimerPollInterval - 1 -
                                           tick_ % kTimerPollInterval));
  quiet_ = std::max(quiet, 0);
  return t;
}

inline Task* Worker::NextLocalTurnsImpl() {
  // The fast path of NextLocal() for a dispatch on which a poll or a turn
  // may fall: it returns the LIFO task when NextLocalSlow() would, that is
  // when also no timer poll is due; if the global-queue poll falls on this
  // dispatch, the injection queue is empty; and if the guaranteed band
  // turn falls on it, the turn is the LIFO task's band (PopBands() then
  // takes the LIFO task at once) or that band has no work.
  if (!HasLifo() || !mailbox_.empty() ||
      (timers_.size() != 0 && tick_ % kTimerPollInterval == 0)) {
    return NextLocalSlow();
  }
  const bool global_turn = global_countdown_ == 1;
  if (ABSL_PREDICT_FALSE(global_turn)) {
    for (int b = 0; b < bands_; ++b) {
      if (!inject_[b].empty()) return NextLocalSlow();
    }
  }
  const int band = lifo_band_;
  const bool band_turn = bands_ > 1 && band_countdown_ == 1;
  int streak;
  int turn = -1;
  if (ABSL_PREDICT_FALSE(band_turn)) {
    turn = static_cast<int>(band_turn_ % static_cast<uint32_t>(bands_));
  }
  if (turn == band) {
    streak = 0;  // the turn takes the LIFO task
  } else if (turn >= 0 && BandWork(turn)) {
    return NextLocalSlow();
  } else if (WorkAbove(band)) {
    return NextLocalSlow();
  } else if (lifo_streak_ < kMaxLifoStreak) {
    streak = lifo_streak_ + 1;
  } else if (!BandWork(band)) {
    streak = 0;
  } else {
    return NextLocalSlow();
  }
  // A thief took it meanwhile (see TakeLifo()): the slow path decides.
  Task* t = TakeLifo();
  if (ABSL_PREDICT_FALSE(t == nullptr)) return NextLocalSlow();
  // Commit what NextLocalSlow() and PopBands() would have counted.
  global_countdown_ =
      global_turn ? global_queue_interval_ : global_countdown_ - 1;
  if (band_turn) {
    band_countdown_ = starvation_interval_;
    ++band_turn_;
  } else if (bands_ > 1) {
    --band_countdown_;
  }
  lifo_streak_ = streak;
  return t;
}

Task* Worker::NextLocalSlow() {
  if (Task* t = PopMailbox()) return t;
  if (--global_countdown_ == 0) {
    global_countdown_ = NextGlobalInterval();
    if (Task* t = TakeGlobal()) {
      global_pops_.Add();
      return t;
    }
  }
  MaybePollTimers(/*force=*/false);
  if (Task* t = PopBands()) return t;
  MaybePollTimers(/*force=*/true);
  if (Task* t = PopBands()) return t;
  if (Task* t = TakeGlobal()) {
    global_pops_.Add();
    return t;
  }
  return nullptr;
}

Task* Worker::StealFrom(Worker& victim) {
  // A stalled victim's LIFO slot is fair game (its owner is stuck in one
  // slice and cannot run it); acquire pairs with the release store in
  // MarkStalled(), which publishes nothing but the flag (TakeLifo()'s own
  // acquire publishes the task).
  if (ABSL_PREDICT_FALSE(victim.stalled_.load(std::memory_order_acquire)) &&
      victim.HasLifo()) {
    if (Task* t = victim.TakeLifo()) {
      steals_.Add();
      stolen_tasks_.Add();
      return t;
    }
  }
  for (int b = bands_ - 1; b >= 0; --b) {
    RunQueue<Task>& from = victim.queues_[static_cast<size_t>(b)];
    if (from.empty()) continue;
    steal_attempts_.Add();
    RunQueue<Task>& into = queues_[static_cast<size_t>(b)];
    const uint32_t before = into.size();
    if (Task* t = from.StealInto(into)) {
      local_bands_ |= uint32_t{1} << b;
      steals_.Add();
      stolen_tasks_.Add(into.size() - before + 1);
      return t;
    }
  }
  return nullptr;
}

Task* Worker::Search() {
  if (!searching_) {
    if (!shared_->idle().TryBecomeSearching()) return nullptr;
    searching_ = true;
    searching_stat_.store(true, std::memory_order_relaxed);
  }
  const int n = shared_->num_workers();
  const int rounds = shared_->options().steal_rounds;
  for (int round = 0; round < rounds; ++round) {
    if (n > 1) {
      const int start =
          static_cast<int>(NextRandom() % static_cast<uint32_t>(n));
      for (int i = 0; i < n; ++i) {
        const int v = (start + i) % n;
        if (v == index_) continue;
        if (Task* t = StealFrom(shared_->worker(v))) return t;
      }
    }
    if (Task* t = TakeGlobal()) {
      global_pops_.Add();
      return t;
    }
    // Expired timers of workers that are busy or asleep.
    const int64_t now = NowNanos();
    for (int i = 0; i < n; ++i) {
      Worker& w = shared_->worker(i);
      if (w.timers_.next_deadline() <= now)
        w.TakeExpiredTimers(now, i != index_);
    }
    if (Task* t = PopBands()) return t;
    if (Task* t = PopMailbox()) return t;
    for (int spin = 0; spin < 32; ++spin) CpuRelax();
  }
  return SpinBeforePark();
}

Task* Worker::SpinBeforePark() {
  if (spin_before_park_ns_ <= 0) return nullptr;
  const int n = shared_->num_workers();
  const int64_t until = NowNanos() + spin_before_park_ns_;
  uint32_t pause = 8;
  while (!shared_->shutdown()) {
    for (uint32_t i = 0; i < pause; ++i) CpuRelax();
    pause = pause < 256 ? pause * 2 : pause;
    for (int i = 1; i < n; ++i) {
      Worker& victim = shared_->worker((index_ + i) % n);
      if (Task* t = StealFrom(victim)) return t;
    }
    if (Task* t = TakeGlobal()) {
      global_pops_.Add();
      return t;
    }
    if (Task* t = PopMailbox()) return t;
    // Readiness is work too: while tasks wait on I/O, poll without
    // blocking (what it finds lands on our own ring), as the park would.
    if (PollIoNow()) {
      if (Task* t = PopBands()) return t;
    }
    if (NowNanos() >= until) break;
  }
  return nullptr;
}

bool Worker::PollIoNow() {
  IoPoller* io = shared_->io_poller();
  if (io == nullptr || !io->HasWaiters() || !io->TryLock()) return false;
  const int found = io->PollLocked(PollKind::kBusy, 0);
  io->Unlock();
  return found > 0;
}

void Worker::ParkIdle() {
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
#if !defined(__SANITIZE_THREAD__)
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
  // Release pairs with the monitor's acquire in SliceSeq(): it sees the id
  // of the slice it times. (worker_ is a relaxed hint; see task.h.)
  slice_task_id_.store(task->id(), std::memory_order_relaxed);
  slice_seq_.store(slice_seq_.load(std::memory_order_relaxed) + 1,
                   std::memory_order_release);
  task->worker_.store(index_, std::memory_order_relaxed);
  // Take a wake that came while it was queued (task_state.h); a cancelled
  // snapshot makes cancel_request() visible, read below.
  const TaskState::Snapshot before = task->word_.TakeNotified();
  switches_.Add();
  void* tag = nullptr;
  if (task->state() == CoroutineState::kReady) {
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
      shared_->Enqueue(task, /*lifo=*/false);
      return;
    }
  } else if (tag == &kYieldTag) {
    // It stays scheduled (a Wake() during the slice may have left a
    // notification; RunTask() or the next park takes it): back to the tail
    // of its band, with no RMW on the task word.
    shared_->Enqueue(task, /*lifo=*/false);
    return;
  }
  // Parked: no longer scheduled, unless a Wake() during the slice left a
  // notification for us: then it stays scheduled and goes back in a queue
  // (task_state.h).
  if (task->word_.TransitionToParked()) {
    shared_->Enqueue(task, /*lifo=*/false);
  }
}

void Worker::PushQueue(Task* task) {
  RunQueue<Task>& q = queues_[static_cast<size_t>(task->band_)];
  local_bands_ |= uint32_t{1} << task->band_;
  if (ABSL_PREDICT_FALSE(!q.Push(task, &overflow_))) {
    overflows_.Add();
    shared_->InjectBatch(overflow_);
    overflow_.clear();
  }
}

void Worker::Schedule(Task* task, bool lifo) { ScheduleInline(task, lifo); }

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
    Task* previous = lifo_.exchange(task, std::memory_order_acq_rel);
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
