// Copyright 2026 The Colony Authors.
//
// InjectQueue: an unbounded multi-producer multi-consumer FIFO of tasks,
// used for the global injection queue (one per band) and for a worker's
// mailbox (forced migration).
//
// Two FIFOs of task pointers (chunked arrays) under a mutex, one for tasks
// that never ran (spawns: remote ones, and ring overflow of local ones) and
// one for tasks that ran before (wakes), with the lengths mirrored in
// atomics so that the common "is it empty?" check costs one load and no
// lock. Pop() alternates between the lists while
// both have tasks, so neither starves; PopResumed() serves the woken ones
// alone, for the workers' early polls (Worker::NextGlobalInterval()). Pushes
// come from remote spawns, wakes from other threads and ring overflow, all of
// them rarer than local scheduling; a batch takes the lock once. A task is in
// at most one InjectQueue at a time (it is queued only by whoever set its
// kScheduled bit). Every step is visible to ThreadSanitizer, which a queue
// living in an uninstrumented library is not.
//
// Thread-safety: all members may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_
#define COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "coroutine/coroutine_state.h"
#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

class InjectQueue {
 public:
  // Push() appends `task`.
  void Push(Task* task) {
    base_internal::ThreadMutexLock lock(mu_);
    Append(task);
    len_.store(len_.load(std::memory_order_relaxed) + 1,
               std::memory_order_release);
  }
  // PushBatch() appends every task of `tasks` in order, under one lock.
  void PushBatch(const std::vector<Task*>& tasks) {
    if (tasks.empty()) return;
    base_internal::ThreadMutexLock lock(mu_);
    for (Task* t : tasks) Append(t);
    len_.store(len_.load(std::memory_order_relaxed) + tasks.size(),
               std::memory_order_release);
  }
  // Pop() removes the oldest task of one of the two FIFOs (alternating
  // while both have tasks), or returns null.
  Task* Pop() {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Task* t = PopLocked();
    if (t != nullptr) Shrink(1);
    return t;
  }
  // PopResumed() removes the oldest task that had run before it was
  // queued, or returns null.
  Task* PopResumed() {
    if (resumed_len_.load(std::memory_order_relaxed) == 0) return nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Task* t = PopResumedLocked();
    if (t != nullptr) Shrink(1);
    return t;
  }
  // PopBatch() removes up to `max` tasks as Pop() would (at least one when
  // it returns non-null) under one lock: the first is returned, the rest
  // appended to `more` in order.
  Task* PopBatch(size_t max, std::vector<Task*>* more) {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    base_internal::ThreadMutexLock lock(mu_);
    Task* first = PopLocked();
    if (first == nullptr) return nullptr;
    size_t n = 1;
    for (; n < max; ++n) {
      Task* t = PopLocked();
      if (t == nullptr) break;
      more->push_back(t);
    }
    Shrink(n);
    return first;
  }
  // size() is a snapshot; empty() is size() == 0.
  size_t size() const { return len_.load(std::memory_order_acquire); }
  bool empty() const { return size() == 0; }
  // resumed() is a snapshot of how many queued tasks had run before they
  // were queued. Relaxed: a scheduling hint only (PopResumed() looks again
  // under the lock).
  size_t resumed() const {
    return resumed_len_.load(std::memory_order_relaxed);
  }

 private:
  // A FIFO of task pointers in chunks of kChunkSlots, not a list threaded
  // through the tasks: a batch pop copies pointers and touches no task
  // (walking a list of a million queued tasks waits on a cache miss per
  // task, one after the other). One emptied chunk is kept for the next
  // push, so a queue that fills and drains in turns allocates nothing.
  class List {
   public:
    List() = default;
    List(const List&) = delete;
    List& operator=(const List&) = delete;
    ~List() {
      while (head_ != nullptr) {
        Chunk* next = head_->next;
        delete head_;
        head_ = next;
      }
      delete spare_;
    }
    void PushBack(Task* t) {
      if (tail_ == nullptr || tail_->end == kChunkSlots) AddChunk();
      tail_->slots[tail_->end++] = t;
    }
    Task* PopFront() {
      if (head_ == nullptr) return nullptr;
      Task* t = head_->slots[head_->begin++];
      if (head_->begin == head_->end) DropHead();
      return t;
    }
    bool empty() const { return head_ == nullptr; }

   private:
    // 4 KiB per chunk: 510 tasks and the chunk's own three words.
    static constexpr uint32_t kChunkSlots = 510;
    struct Chunk {
      Chunk* next = nullptr;
      uint32_t begin = 0;  // first queued slot
      uint32_t end = 0;    // one past the last
      Task* slots[kChunkSlots];
    };
    void AddChunk() {
      Chunk* c = spare_ != nullptr ? spare_ : new Chunk;
      spare_ = nullptr;
      c->next = nullptr;
      c->begin = c->end = 0;
      if (tail_ != nullptr) {
        tail_->next = c;
      } else {
        head_ = c;
      }
      tail_ = c;
    }
    void DropHead() {
      Chunk* c = head_;
      head_ = c->next;
      if (head_ == nullptr) tail_ = nullptr;
      if (spare_ == nullptr) {
        spare_ = c;
      } else {
        delete c;
      }
    }
    Chunk* head_ = nullptr;
    Chunk* tail_ = nullptr;
    Chunk* spare_ = nullptr;
  };

  void Append(Task* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A queued task is not running, so its state is settled until a worker
    // takes it; whoever queues it has seen it last (its wake, its park or
    // its spawn).
    if (NeverRan(t)) {
      fresh_.PushBack(t);
    } else {
      resumed_.PushBack(t);
      resumed_len_.store(resumed_len_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    }
  }
  Task* PopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const bool from_resumed =
        fresh_.empty() || (!resumed_.empty() && resumed_turn_);
    resumed_turn_ = !from_resumed;
    return from_resumed ? PopResumedLocked() : fresh_.PopFront();
  }
  Task* PopResumedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Task* t = resumed_.PopFront();
    if (t != nullptr) {
      resumed_len_.store(resumed_len_.load(std::memory_order_relaxed) - 1,
                         std::memory_order_relaxed);
    }
    return t;
  }
  // Shrink() accounts for `n` tasks taken.
  void Shrink(size_t n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    len_.store(len_.load(std::memory_order_relaxed) - n,
               std::memory_order_relaxed);
  }

  base_internal::ThreadMutex mu_;
  // Tasks that never ran (spawns) and tasks that ran before (wakes).
  List fresh_ ABSL_GUARDED_BY(mu_);
  List resumed_ ABSL_GUARDED_BY(mu_);
  // Which list PopLocked() takes from next while both have tasks.
  bool resumed_turn_ ABSL_GUARDED_BY(mu_) = true;
  // Written only under mu_, so the relaxed read of the old value in each
  // store is exact, and the decrements need no ordering. The release
  // stores in Push() and PushBatch() pair with the acquire loads in Pop(),
  // PopBatch() and size(); the lists themselves are read under mu_, which
  // orders them on their own.
  std::atomic<size_t> len_{0};
  // The length of resumed_, under the same rules (relaxed: a hint).
  std::atomic<size_t> resumed_len_{0};
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_INJECT_QUEUE_H_
