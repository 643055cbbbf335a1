// Copyright 2026 The Colony Authors.
//
// A worker's local dispatch policy (see worker_dispatch.h): the slow path
// that is the policy, PopBands() and the injection-queue polls it makes,
// and the fast path for dispatches on which a poll or a turn falls.

#include "scheduler/internal/worker_dispatch.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "absl/base/optimization.h"
#include "scheduler/internal/inject_queue.h"
#include "scheduler/internal/run_queue.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"

#if defined(COLONY_CHECK_DISPATCH)
#include <atomic>

#include "coroutine/internal/thread_state.h"
#include "scheduler/internal/dispatch_check.h"
#endif

namespace colony::scheduler_internal {

namespace {

// An injection queue backlog shorter than this is taken one task at a time
// (see TakeGlobalBand()).
constexpr size_t kMinGlobalBatchBacklog = 64;

}  // namespace

Task* Worker::PopMailbox() { return mailbox_.Pop(); }

void Worker::MaybePollTimers(bool force) {
  if (timers_.size() == 0) return;
  if (!force && tick_ % kTimerPollInterval != 0) return;
  const int64_t now = NowNanos();
  if (timers_.next_deadline() > now) return;
  TakeExpiredTimers(now, /*try_only=*/false);
}

int Worker::NextGlobalInterval() const {
  // The injection queue holds what rings overflowed and what was woken
  // from outside. Polling it once per global_queue_interval dispatches
  // starves a large backlog while the ring never runs dry (1,000 echo
  // connections on one worker: a p99 of 200-600 ms), so the next poll
  // comes sooner the larger the backlog is against the rings: both FIFOs
  // are then served at about the rate they fill. Woken tasks count in
  // full, and an early poll takes one of them first. Tasks that never ran
  // (spawns that overflowed a ring) bring the poll no closer than every
  // kFreshPollFloor dispatches: served at the rate they overflow, a
  // fan-out runs breadth first and every started task holds a stack
  // (skynet 1M with rings popped oldest first: 1.1 GiB, and 2 workers
  // slower than 1; with the floor, about 210 MiB), while the floor still
  // starts a burst of new connections within milliseconds (a floor of 16
  // left some of 1,000 new echo connections waiting 350 ms for their
  // first run). Rings popped newest first rarely overflow in a fan-out.
  size_t resumed = 0;
  size_t fresh = 0;
  size_t local = 0;
  for (int b = 0; b < bands_; ++b) {
    const size_t queued = inject_[b].size();
    const size_t r = std::min(inject_[b].resumed(), queued);
    resumed += r;
    fresh += queued - r;
    local += queues_[static_cast<size_t>(b)].size();
  }
  size_t interval = static_cast<size_t>(global_queue_interval_);
  if (resumed != 0) interval = std::min(interval, local / resumed);
  if (fresh != 0) {
    interval = std::min(interval, std::max(kFreshPollFloor, local / fresh));
  }
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
    for (Task* more : global_batch_) PushQueueBand(more, band);
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

Task* Worker::TakeGlobalResumed() {
  for (int b = bands_ - 1; b >= 0; --b) {
    if (Task* t = shared_->inject_queue(b).PopResumed()) return t;
  }
  return nullptr;
}

Task* Worker::PopLocal(int band) {
  const uint32_t bit = uint32_t{1} << band;
  if ((local_bands_ & bit) == 0) return nullptr;
  RunQueue<Task>& ring = queues_[static_cast<size_t>(band)];
  Task* t;
  if (ABSL_PREDICT_FALSE(--oldest_countdown_ == 0)) {
    oldest_countdown_ = kOldestCheckInterval;
    HeadWatch& watch = head_watch_[static_cast<size_t>(band)];
    const uint32_t head = ring.head_index();
    const int64_t now = NowNanos();
    if (!watch.seen || head != watch.index) {
      watch = HeadWatch{true, head, now};
    } else if (const int64_t waited = now - watch.since_ns;
               waited >= kOldestWaitNanos) {
      // A task that never ran waits longer: started early, it would begin
      // one more fan-out while the current one is half done, and the rings
      // would fill with both.
      t = ring.PopOldestIf([waited](Task* oldest) {
        return !NeverRan(oldest) || waited >= kOldestFreshWaitNanos;
      });
      if (t != nullptr) {
        watch.since_ns = now;
        return t;
      }
    }
  }
  // The newest task if it never ran (a fan-out runs depth first), else the
  // oldest (woken tasks, yields: first in, first out).
  t = alone_ ? ring.PopNewestIfAlone(NeverRan) : ring.PopNewestIf(NeverRan);
  if (t == nullptr) {
    // Empty now, and only this thread can add to it.
    local_bands_ &= ~bit;
    return nullptr;
  }
  // A spawn popped newest first: the next pop most likely takes the task
  // below it (a fan-out's next child), so start bringing its block in now,
  // while this one runs. (Not after a first-in-first-out pop of a woken
  // task: the next one comes from the other end.) A block a thief ends up
  // taking (or that has ended) is only a wasted prefetch; a prefetch never
  // faults.
  if (NeverRan(t)) {
    if (const Task* next = ring.PeekNewest()) PrefetchTask(next);
  }
  return t;
}

Task* Worker::TakeTurn(int band) {
  if (ServedRecently(band)) return nullptr;  // not starved: no turn
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
  return nullptr;
}

Task* Worker::PopBands() {
  quiet_ = 0;  // band_countdown_ changes below (NextLocal() recomputes it)
  // Guaranteed turn: every starvation_interval-th dispatch serves the next
  // band in rotation if it has work and had no dispatch in the last
  // starvation_interval * bands, so each non-empty band gets at least one
  // dispatch in 2 * starvation_interval * bands.
  const int interval = starvation_interval_;
  if (bands_ > 1 && --band_countdown_ == 0) {
    band_countdown_ = interval;
    const int band =
        static_cast<int>(band_turn_++ % static_cast<uint32_t>(bands_));
    if (Task* t = TakeTurn(band)) return t;
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
#if defined(COLONY_CHECK_DISPATCH)
  const DispatchState before = SaveDispatchState();
#endif
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
    if (ServedRecently(turn)) turn = -1;  // the turn goes unused
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
  if (global_turn) {
    global_countdown_ = global_queue_interval_;
    global_early_ = false;
  } else {
    --global_countdown_;
  }
  if (band_turn) {
    band_countdown_ = starvation_interval_;
    ++band_turn_;
  } else if (bands_ > 1) {
    --band_countdown_;
  }
  lifo_streak_ = streak;
#if defined(COLONY_CHECK_DISPATCH)
  return CheckFastPath("NextLocalTurns", before, t);
#endif
  return t;
}

Task* Worker::NextLocalSlow() {
  if (Task* t = PopMailbox()) return t;
  if (--global_countdown_ == 0) {
    const bool early = global_early_;
    global_countdown_ = NextGlobalInterval();
    global_early_ = global_countdown_ < global_queue_interval_;
    Task* t = nullptr;
    if (early) t = TakeGlobalResumed();
    if (t == nullptr) t = TakeGlobal();
    if (t != nullptr) {
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

#if defined(COLONY_CHECK_DISPATCH)

namespace {

std::atomic<uint64_t> fast_path_checks{0};
// Injections begun (counted before the push) and ended (after it).
std::atomic<uint64_t> injections{0};
std::atomic<uint64_t> injections_done{0};

}  // namespace

uint64_t DispatchFastPathChecks() {
  return fast_path_checks.load(std::memory_order_relaxed);
}

// Relaxed: the push that follows publishes the count with the task (the
// injection queue's release store of its length, which the slow path
// acquires before CheckFastPath() reads the count again).
void NoteInjection() { injections.fetch_add(1, std::memory_order_relaxed); }

// Release: a check that reads the new count (acquire) also sees the push.
void NoteInjectionDone() {
  injections_done.fetch_add(1, std::memory_order_release);
}

Worker::DispatchState Worker::SaveDispatchState() const {
  return DispatchState{
      .global_countdown = global_countdown_,
      .global_early = global_early_,
      .band_countdown = band_countdown_,
      .band_turn = band_turn_,
      .lifo_streak = lifo_streak_,
      .quiet = quiet_,
      .injections = injections.load(std::memory_order_relaxed),
      .injections_done = injections_done.load(std::memory_order_acquire),
  };
}

Task* Worker::CheckFastPath(const char* path, const DispatchState& before,
                            Task* task) {
  const DispatchState fast = SaveDispatchState();
  // Undo the fast path's decision and let the slow path decide instead.
  lifo_.store(task, std::memory_order_relaxed);
  global_countdown_ = before.global_countdown;
  global_early_ = before.global_early;
  band_countdown_ = before.band_countdown;
  band_turn_ = before.band_turn;
  lifo_streak_ = before.lifo_streak;
  Task* const slow = NextLocalSlow();
  const DispatchState after = SaveDispatchState();
  const bool same = slow == task && after.SameCounters(fast);
  // An injection meanwhile: no comparison. The slow path's decision stands
  // (its counters are set); quiet_ is unknown.
  if (!same && after.InjectedSince(before)) {
    quiet_ = 0;
    return slow;
  }
  if (!same) FailDispatchCheck(path, before, fast, after, task, slow);
  fast_path_checks.fetch_add(1, std::memory_order_relaxed);
  // PopBands() zeroed quiet_; the fast path's count stands (the counters
  // agree).
  quiet_ = fast.quiet;
  return task;
}

Task* Worker::CheckRingFastPath(const DispatchState& before, int band) {
  const RunQueue<Task>& ring = queues_[static_cast<size_t>(band)];
  const size_t queued = ring.size();
  if (queued == 0) return nullptr;
  // What PopQuietRing() would leave.
  DispatchState fast = before;
  --fast.quiet;
  --fast.global_countdown;
  if (bands_ > 1) --fast.band_countdown;
  fast.lifo_streak = 0;
  Task* const slow = NextLocalSlow();
  const DispatchState after = SaveDispatchState();
  const bool same = slow != nullptr && slow->band_ == band &&
                    ring.size() == queued - 1 && after.SameCounters(fast);
  if (!same && after.InjectedSince(before)) {
    quiet_ = 0;
    return slow;
  }
  if (!same) {
    FailDispatchCheck("PopQuietRing", before, fast, after, nullptr, slow);
  }
  fast_path_checks.fetch_add(1, std::memory_order_relaxed);
  quiet_ = fast.quiet;
  return slow;
}

void Worker::FailDispatchCheck(const char* path, const DispatchState& before,
                               const DispatchState& fast,
                               const DispatchState& after, Task* task,
                               Task* slow) {
  coroutine_internal::Fatal(
      "dispatch fast path %s disagrees with NextLocalSlow() on worker %d: "
      "task %p vs %p, global_countdown %d vs %d, band_countdown %d vs %d, "
      "band_turn %u vs %u, lifo_streak %d vs %d (before: %d, %d, %u, %d; "
      "tick %u, lifo band %d)",
      path, index_, static_cast<void*>(task), static_cast<void*>(slow),
      fast.global_countdown, after.global_countdown, fast.band_countdown,
      after.band_countdown, fast.band_turn, after.band_turn, fast.lifo_streak,
      after.lifo_streak, before.global_countdown, before.band_countdown,
      before.band_turn, before.lifo_streak, tick_, lifo_band_);
}

#endif  // COLONY_CHECK_DISPATCH

}  // namespace colony::scheduler_internal
