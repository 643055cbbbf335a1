// Copyright 2026 The Colony Authors.
//
// InjectQueue: an unbounded multi-producer multi-consumer FIFO of tasks,
// used for the global injection queue (one per band) and for a worker's
// mailbox (forced migration).
//
// An intrusive singly linked list (through Task::queue_next_) under a
// mutex, with the length mirrored in an atomic so that the common "is it
// empty?" check costs one load and no lock. Pushes come from
// remote spawns, wakes from other threads and ring overflow, all of them
// rarer than local scheduling; a batch takes the lock once. A task is in at
// most one InjectQueue at a time (it is queued only by whoever set its
// kScheduled bit). Every step is visible to ThreadSanitizer, which a queue
// living in an uninstrumented library is not.
//
// Thread-safety: all members may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_
#define COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

class InjectQueue {
 public:
  // Push() appends `task`.
  void Push(Task* task) {
    task->queue_next_ = nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Append(task);
    len_.store(len_.load(std::memory_order_relaxed) + 1,
               std::memory_order_release);
  }
  // PushBatch() appends every task of `tasks` in order, under one lock.
  void PushBatch(const std::vector<Task*>& tasks) {
    if (tasks.empty()) return;
    base_internal::ThreadMutexLock lock(mu_);
    for (Task* t : tasks) {
      t->queue_next_ = nullptr;
      Append(t);
    }
    len_.store(len_.load(std::memory_order_relaxed) + tasks.size(),
               std::memory_order_release);
  }
  // Pop() removes the oldest task, or returns null.
  Task* Pop() {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Task* t = head_;
    if (t == nullptr) return nullptr;
    head_ = t->queue_next_;
    if (head_ == nullptr) tail_ = nullptr;
    t->queue_next_ = nullptr;
    len_.store(len_.load(std::memory_order_relaxed) - 1,
               std::memory_order_relaxed);
    return t;
  }
  // PopBatch() removes up to `max` of the oldest tasks (at least one when
  // it returns non-null) under one lock: the first is returned, the rest
  // appended to `more` in order.
  Task* PopBatch(size_t max, std::vector<Task*>* more) {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Task* first = head_;
    if (first == nullptr) return nullptr;
    Task* t = first->queue_next_;
    first->queue_next_ = nullptr;
    size_t n = 1;
    while (n < max && t != nullptr) {
      Task* next = t->queue_next_;
      t->queue_next_ = nullptr;
      more->push_back(t);
      t = next;
      ++n;
    }
    head_ = t;
    if (head_ == nullptr) tail_ = nullptr;
    len_.store(len_.load(std::memory_order_relaxed) - n,
               std::memory_order_relaxed);
    return first;
  }
  // size() is a snapshot; empty() is size() == 0.
  size_t size() const { return len_.load(std::memory_order_acquire); }
  bool empty() const { return size() == 0; }

 private:
  void Append(Task* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (tail_ != nullptr) {
      tail_->queue_next_ = t;
    } else {
      head_ = t;
    }
    tail_ = t;
  }

  base_internal::ThreadMutex mu_;
  Task* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  Task* tail_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Written only under mu_, so the relaxed read of the old value in each
  // store is exact, and the decrements in Pop() and PopBatch() need no
  // ordering. The release stores in Push() and PushBatch() pair with the
  // acquire loads in Pop(), PopBatch() and size(); the list itself is read
  // under mu_, which orders it on its own.
  std::atomic<size_t> len_{0};
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_
