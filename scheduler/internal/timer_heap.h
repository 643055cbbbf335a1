// Copyright 2026 The Colony Authors.
//
// TimerHeap: a worker's sleeping tasks, ordered by wake-up time.
//
// A binary min-heap of tasks keyed by Task::timer_deadline_ (the wake_ns() it
// suspends with), indexed: each task records its position (Task::timer_index_),
// so a task that wakes early (cancelled) removes its own entry in O(log n) and
// no entry outlives its task. Any worker may take expired entries
// (TakeExpired()), which is how the timers of a busy or parked worker still
// fire.
//
// Thread-safety: every member locks the heap's mutex, except
// next_deadline(), a relaxed snapshot for idle workers deciding how long to
// sleep. Waking an expired task happens under the lock (see TakeExpired()),
// which is what lets Remove() guarantee the heap no longer touches a task
// after it returns.

#ifndef COLONY_SCHEDULER_INTERNAL_TIMER_HEAP_H_
#define COLONY_SCHEDULER_INTERNAL_TIMER_HEAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "base/internal/thread_mutex.h"

namespace colony::scheduler_internal {

class Task;

class TimerHeap {
 public:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  explicit TimerHeap(int owner) : owner_(owner) {}

  // Add() inserts `task`, whose timer_deadline_ is set and which is in no heap.
  void Add(Task* task);
  // Remove() takes `task` out if it is still in this heap.
  void Remove(Task* task);
  // TakeExpired() removes every entry due at `now_ns` and calls `wake` on
  // each while holding the lock. Returns how many. With `try_only`, gives
  // up (returning 0) if another thread holds the lock.
  size_t TakeExpired(int64_t now_ns, absl::FunctionRef<void(Task*)> wake,
                     bool try_only = false);
  // next_deadline() is the earliest deadline in the heap, or kNever.
  // Relaxed: a hint; TakeExpired() re-checks the heap under mu_.
  int64_t next_deadline() const {
    return next_deadline_.load(std::memory_order_relaxed);
  }
  // next_deadline_seq_cst() is next_deadline() ordered with the poller's
  // published deadline (see Publish()).
  int64_t next_deadline_seq_cst() const {
    return next_deadline_.load(std::memory_order_seq_cst);
  }
  // size() is the number of sleeping tasks (a relaxed snapshot, for
  // statistics).
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  void SiftUp(size_t i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SiftDown(size_t i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Place(size_t i, Task* task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveAt(size_t i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int owner_;
  base_internal::ThreadMutex mu_;
  std::vector<Task*> heap_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> next_deadline_{kNever};
  std::atomic<size_t> size_{0};
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TIMER_HEAP_H_
