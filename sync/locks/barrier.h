// Copyright 2026 The Colony Authors.
//
// Barrier: a reusable rendezvous of a fixed number of participants, phase
// after phase (std::barrier's model), for tasks and threads alike.
//
//   colony::Barrier barrier(kWorkers, [&] { SwapBuffers(); });
//   // in each of kWorkers tasks or threads:
//   for (int step = 0; step < kSteps; ++step) {
//     Compute(step);
//     barrier.ArriveAndWait();  // everybody computed; buffers swapped
//   }
//
// A phase completes when `count` arrivals have been made in it; arrivals
// made after that count toward the next phase, which needs the same count
// less the participants that left with ArriveAndDrop(). The completion
// function (optional) runs once per phase, in the caller whose arrival
// completed the phase, before any waiter of the phase is released.
// Completions run one at a time, in phase order: if a phase completes
// while the previous one's completion still runs, the caller running that
// one runs the next as well.
//
// Waiting tasks suspend (their workers run other tasks); waiting threads
// block. ArriveAndWait() and Wait() are cancellation points in a task
// (WaitFor(), like the other timed waits of sync/, is not):
//  - A task cancelled in ArriveAndWait() before its phase completed
//    withdraws its arrival (the phase still waits for `count` arrivals)
//    and throws CoroutineCancelled.
//  - If the phase completed in the race (the task's arrival was the one
//    that was missing, or the completion function is running), the
//    arrival stands: the task waits for the release as usual, returns
//    normally, and its cancellation is delivered at its next cancellation
//    point.
//  - A task cancelled in Wait(phase) throws; its arrival, made earlier
//    with Arrive(), stands.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: every arrival of a phase happens-before the phase's
// completion function, which happens-before the return of every wait on
// that phase.

#ifndef COLONY_SYNC_LOCKS_BARRIER_H_
#define COLONY_SYNC_LOCKS_BARRIER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class Barrier {
 public:
  // `count` participants (>= 0) per phase. `completion`, if set, runs once
  // per phase as described above. It must not throw: a throw terminates
  // the process, so in a task that may be cancelled it must not reach a
  // cancellation point. It may call Arrive() but must not wait on this
  // barrier. An arrival in a phase that has no participants (count 0, or
  // all of them dropped) is a fatal error.
  explicit Barrier(int64_t count, std::function<void()> completion = nullptr);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // ArriveAndWait() arrives and waits until the phase completes (its
  // completion function has returned). Returns true for exactly one caller
  // per phase: the one whose arrival completed it (it runs the completion
  // function instead of waiting); false for the others. A phase completed
  // by Arrive() or ArriveAndDrop() has no such caller. In a task it is a
  // cancellation point (see above).
  bool ArriveAndWait();

  // Arrive() arrives without waiting and returns the number of the phase
  // the arrival counts toward, to pass to Wait(). If the arrival completes
  // the phase, it runs the completion function before returning (unless a
  // caller is still running the previous phase's completion: that caller
  // then runs this one too).
  uint64_t Arrive();

  // ArriveAndDrop() arrives without waiting and leaves: later phases wait
  // for one participant fewer. Completing the phase runs the completion
  // function as in Arrive().
  void ArriveAndDrop();

  // Wait() waits until phase `phase` has completed; it returns at once for
  // a phase that completed already. In a task it is a cancellation point
  // (the arrival that gave `phase`, if any, stands).
  void Wait(uint64_t phase);
  // WaitFor() waits at most `timeout`; false if the phase has not
  // completed by then. Not a cancellation point.
  bool WaitFor(uint64_t phase, absl::Duration timeout);
  // WaitUntil() waits until `deadline` at most; false if the phase has not
  // completed by then. Not a cancellation point.
  bool WaitUntil(uint64_t phase, Deadline deadline);

  // phase() is a snapshot of the number of the phase now gathering
  // arrivals (the first is 0).
  uint64_t phase() const;
  // waiters() is a snapshot of the number of callers waiting for a phase
  // to complete, for diagnostics and tests.
  size_t waiters() const;

 private:
  // ArriveLocked() counts one arrival (and a drop if `drop`) and returns
  // its phase; sets `*last` if it completed the phase.
  uint64_t ArriveLocked(bool drop, bool* last)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Complete() runs the completion of every phase that has gathered all its
  // arrivals, in order, releasing each one's waiters, unless another caller
  // is already doing so (it then does ours too). It releases mu_ while it
  // runs a completion or wakes waiters, and holds it again on return.
  void Complete() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // WaitRelease() waits for phase `phase` to be released; false on timeout
  // or cancellation (then the node is out of the queue). It releases mu_
  // while it waits and holds it again on return.
  bool WaitRelease(uint64_t phase, Deadline deadline, bool cancellable)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<void()> completion_;
  mutable base_internal::ThreadMutex mu_;
  // Arrivals needed by the current phase, and by the phases after it.
  int64_t count_ ABSL_GUARDED_BY(mu_);
  int64_t next_count_ ABSL_GUARDED_BY(mu_);
  // Arrivals in the current phase.
  int64_t arrived_ ABSL_GUARDED_BY(mu_) = 0;
  // The phase gathering arrivals; phases < released_ are complete.
  uint64_t phase_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t released_ ABSL_GUARDED_BY(mu_) = 0;
  // A caller is running Complete()'s loop.
  bool completing_ ABSL_GUARDED_BY(mu_) = false;
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);  // arg: phase
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_BARRIER_H_
