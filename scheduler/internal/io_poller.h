// Copyright 2026 The Colony Authors.
//
// IoPoller: the hook through which an I/O layer (net/) polls for readiness
// inside a scheduler, without the scheduler knowing anything about
// descriptors.
//
// A scheduler has at most one IoPoller, installed once (lazily, by the
// first socket a task of that scheduler opens; see
// SchedulerShared::InstallIoPoller()) and kept until the scheduler is
// destroyed. Three kinds of caller poll:
//
//   kBlocking  an idle worker that took the poller role (TryLock()) waits
//              in the poller until its next timer; Break() interrupts it
//              (see PollerDriver in poller_driver.h)
//   kBusy      a busy worker, every few dispatches, when nobody has polled
//              for a while: never waits, a bounded batch
//   kMonitor   the scheduler's monitor thread, when nobody has polled for
//              about a millisecond while waiters exist (monitor.h; it
//              looks every 1 ms while that happens, up to every 20 ms
//              while the workers poll on their own)
//
// Whatever Poll() finds ready it wakes through the normal paths
// (SchedulerShared::Wake() for tasks, a futex for threads), so woken tasks
// enter the run queues of the polling worker (stealable) or, from the monitor,
// the injection queue.
//
// Thread-safety: every member may be called from any thread. One thread
// at a time holds the lock (TryLock()/Unlock()) and only it may call
// PollLocked().

#ifndef COLONY_SCHEDULER_INTERNAL_IO_POLLER_H_
#define COLONY_SCHEDULER_INTERNAL_IO_POLLER_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "scheduler/stats.h"

namespace colony::scheduler_internal {

enum class PollKind { kBlocking, kBusy, kMonitor };

// The right to poll is the poller's capability: TryLock() takes it,
// Unlock() gives it back, and PollLocked() requires it.
class ABSL_LOCKABLE IoPoller {
 public:
  virtual ~IoPoller() = default;

  // TryLock() takes the right to poll; false if another thread polls.
  virtual bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) = 0;
  // Unlock() gives it back.
  virtual void Unlock() ABSL_UNLOCK_FUNCTION() = 0;
  // PollLocked() collects ready events, waiting until NowNanos() reaches
  // `deadline_ns` at most (0 or less: do not wait; INT64_MAX: no limit;
  // only kBlocking waits), wakes their waiters, and returns how many tasks
  // and threads it woke. Requires the lock.
  virtual int PollLocked(PollKind kind, int64_t deadline_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) = 0;
  // Break() makes a PollLocked() that waits (or the next one) return soon.
  virtual void Break() = 0;
  // HasWaiters() is true while some task or thread waits for readiness
  // (a relaxed snapshot).
  virtual bool HasWaiters() const = 0;
  // LastPollNanos() is when a poll last finished, or NowNanos()-like
  // "now" while one is in progress (a relaxed snapshot).
  virtual int64_t LastPollNanos() const = 0;
  // BlockingDeadline() is the deadline of a kBlocking poll in progress, or
  // INT64_MIN when none is (seq_cst; an earlier timer breaks the wait, see
  // SchedulerShared::NoteTimer()).
  virtual int64_t BlockingDeadline() const = 0;
  // Shutdown() is called once the scheduler's workers are gone: every
  // waiter is woken with an error and later waits fail at once.
  virtual void Shutdown() = 0;
  // FillStats() adds the poller's counters to `stats`.
  virtual void FillStats(IoStats* stats) const = 0;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_IO_POLLER_H_
