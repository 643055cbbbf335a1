// Copyright 2026 The Colony Authors.
//
// Idle: which workers are searching for work and which are parked (after
// Tokio's multi_thread/idle.rs).
//
// One atomic word counts the unparked workers (high half) and the
// searching ones (low half); a mutex guards the list of sleepers. The
// protocol that keeps wake-ups from being lost:
//
//  1. A producer that makes work visible (a push to a run queue or to the
//     injection queue) then calls NotifyOne(): after a seq_cst fence it
//     reads the word, and wakes a sleeper only if no worker is searching
//     and some worker is parked. A searching worker will find the work.
//  2. A worker that found nothing calls TransitionToParked(). If it was
//     the last searcher, it must look at every queue once more after the
//     seq_cst fence in that call, and NotifyOne() if anything is there.
//
// Either the producer's fence comes first, and then the last searcher's
// re-check sees the work; or the searcher's decrement comes first, and
// then the producer sees searching == 0 and wakes a sleeper. Searching is
// bounded (max_searching) so an idle pool does not spin every core.

#ifndef COLONY_SCHEDULER_INTERNAL_IDLE_H_
#define COLONY_SCHEDULER_INTERNAL_IDLE_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"

namespace colony::scheduler_internal {

class Idle {
 public:
  Idle(int workers, int max_searching);

  // TryBecomeSearching() counts the caller as searching unless
  // max_searching workers already are.
  bool TryBecomeSearching();
  // TransitionFromSearching() stops counting the caller as searching.
  // Returns true when it was the last searcher: the caller, which found
  // work, should then NotifyOne() so another worker looks for more.
  bool TransitionFromSearching();
  // TransitionToParked() records `worker` as parked. Returns true when it
  // was the last searcher (see step 2 above).
  bool TransitionToParked(int worker, bool searching);
  // TransitionFromParked() is called by `worker` when its Park() returned.
  // Returns true when another thread unparked it through NotifyOne() (it is
  // then counted as searching), false when it woke by itself (deadline).
  bool TransitionFromParked(int worker);
  // NotifyOne() returns the index of a sleeper to unpark (now counted as
  // unparked and searching), or -1 when none should be woken.
  int NotifyOne();
  // IsParked() is a racy read used for statistics.
  bool IsParked(int worker) const;
  // num_searching() and num_unparked() are relaxed snapshots: hints for a
  // running worker's local push and the monitor's backstop; a wake that
  // progress depends on goes through NotifyOne().
  int num_searching() const {
    return static_cast<int>(state_.load(std::memory_order_relaxed) &
                            kSearchingMask);
  }
  int num_unparked() const {
    return static_cast<int>(state_.load(std::memory_order_relaxed) >>
                            kUnparkedShift);
  }

 private:
  static constexpr uint32_t kUnparkedShift = 16;
  static constexpr uint32_t kSearchingMask = (1u << kUnparkedShift) - 1;

  const int workers_;
  const int max_searching_;
  std::atomic<uint32_t> state_;
  mutable base_internal::ThreadMutex mu_;
  std::vector<int> sleepers_ ABSL_GUARDED_BY(mu_);
  std::vector<char> is_sleeping_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_IDLE_H_
