// Copyright 2026 The Colony Authors.
//
// A worker's local dispatch policy: which of its own tasks runs next.
//
//   the mailbox (forced migration) first;
//   every global_queue_interval-th dispatch (sooner while the injection
//   queues' backlog is large), the injection queue;
//   the own timers every kTimerPollInterval ticks;
//   then the bands from high to low, each band's LIFO slot task (at most
//   kMaxLifoStreak times in a row while others of its band wait), ring and
//   injection queue, with a guaranteed turn for the next band in rotation
//   every starvation_interval-th dispatch.
//
// The policy itself is NextLocalSlow() and PopBands() (worker_dispatch.cc).
// Three fast paths return what the slow path would, and leave the counters
// and the streak as it would, after a few loads instead of the walk:
//
//   NextLocal() (here, inlined into the run loop) the LIFO task within
//   `quiet_` dispatches, on which no poll or turn falls;
//   PopQuietRing() (here) the ring's task within `quiet_` dispatches when
//   there is no LIFO task (a yield, a task woken onto the ring);
//   NextLocalTurnsImpl() (worker_dispatch.cc) the LIFO task on the other
//   dispatches.
//
// They are kept in agreement with the slow path by a build that checks
// them: with COLONY_CHECK_DISPATCH defined (//scheduler:
// scheduler_dispatch_check), every decision of a fast path is undone and
// made again by NextLocalSlow(), which must pick the same task and leave
// the same counters, or the process aborts (tests/dispatch_check_test.cc
// drives it with random workloads). The check assumes one worker: with
// more, a push by another worker between the two decisions would count as
// a difference. An injection from another thread (the monitor takes over
// overdue timers) voids the comparison it falls into.
//
// Included by worker.cc (the run loop) and worker_dispatch.cc only.

#ifndef COLONY_SCHEDULER_INTERNAL_WORKER_DISPATCH_H_
#define COLONY_SCHEDULER_INTERNAL_WORKER_DISPATCH_H_

#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/numeric/bits.h"
#include "scheduler/internal/inject_queue.h"
#include "scheduler/internal/worker.h"

namespace colony::scheduler_internal {

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
  if (ABSL_PREDICT_TRUE(quiet_ > 0) && mailbox_.empty()) {
    if (HasLifo()) {
#if defined(COLONY_CHECK_DISPATCH)
      const DispatchState before = SaveDispatchState();
#endif
      const int band = lifo_band_;
      const bool streak_left = lifo_streak_ < kMaxLifoStreak;
      if (!WorkAbove(band) && (streak_left || !BandWork(band))) {
        if (Task* t = TakeLifo()) {
          CountQuietDispatch(streak_left ? lifo_streak_ + 1 : 0);
#if defined(COLONY_CHECK_DISPATCH)
          return CheckFastPath("NextLocal", before, t);
#endif
          return t;
        }
      }
    } else if (local_bands_ != 0) {
      if (Task* t = PopQuietRing()) return t;
    }
  }
  return NextLocalTurns();
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline Task* Worker::PopQuietRing() {
  // Fast path, for yields and for tasks woken onto the ring (no LIFO
  // task): in a quiet dispatch with the mailbox empty and no LIFO task,
  // PopBands() walks the bands down to the highest one with a local bit,
  // finding nothing on the way when nothing is injected above it, and
  // returns what PopLocal() pops there. A stale bit (thieves emptied the
  // ring) makes PopLocal() clear it and return null, as it would have
  // first thing on the slow path, which then decides.
#if defined(COLONY_CHECK_DISPATCH)
  // Saved before the look at the injection queues: an injection after it
  // (the monitor takes over overdue timers) must void the comparison.
  const DispatchState before = SaveDispatchState();
#endif
  const int band = 31 - absl::countl_zero(local_bands_);
  if (WorkAbove(band)) return nullptr;
#if defined(COLONY_CHECK_DISPATCH)
  return CheckRingFastPath(before, band);
#endif
  Task* t = PopLocal(band);
  if (ABSL_PREDICT_FALSE(t == nullptr)) return nullptr;
  CountQuietDispatch(/*streak=*/0);
  return t;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void Worker::CountQuietDispatch(
    int streak) {
  // What NextLocalSlow() and PopBands() count on a dispatch with no poll
  // or turn due, and what NextLocalTurns() would then recompute quiet_ to.
  --quiet_;
  --global_countdown_;
  if (bands_ > 1) --band_countdown_;
  lifo_streak_ = streak;
}

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_WORKER_DISPATCH_H_
