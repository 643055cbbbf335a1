// Copyright 2026 The Colony Authors.

#include "scheduler/internal/timer_heap.h"

#include <utility>

#include "base/internal/thread_mutex.h"
#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

void TimerHeap::Add(Task* task) {
  base_internal::ThreadMutexLock lock(mu_);
  task->timer_owner_ = owner_;
  heap_.push_back(task);
  task->timer_index_ = static_cast<int>(heap_.size() - 1);
  SiftUp(heap_.size() - 1);
  Publish();
}

void TimerHeap::Remove(Task* task) {
  base_internal::ThreadMutexLock lock(mu_);
  if (task->timer_owner_ != owner_ || task->timer_index_ < 0) return;
  RemoveAt(static_cast<size_t>(task->timer_index_));
  Publish();
}

size_t TimerHeap::TakeExpired(int64_t now_ns,
                              absl::FunctionRef<void(Task*)> wake,
                              bool try_only) {
  if (try_only) {
    if (!mu_.TryLock()) return 0;
  } else {
    mu_.Lock();
  }
  size_t n = 0;
  while (!heap_.empty() && heap_[0]->timer_deadline_ <= now_ns) {
    Task* task = heap_[0];
    RemoveAt(0);
    // Under the lock: the task cannot finish its Remove() (and so cannot
    // end and be freed) before this wake is done.
    wake(task);
    ++n;
  }
  Publish();
  mu_.Unlock();
  return n;
}

void TimerHeap::Place(size_t i, Task* task) {
  heap_[i] = task;
  task->timer_index_ = static_cast<int>(i);
}

void TimerHeap::SiftUp(size_t i) {
  Task* task = heap_[i];
  const int64_t key = task->timer_deadline_;
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (heap_[parent]->timer_deadline_ <= key) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, task);
}

void TimerHeap::SiftDown(size_t i) {
  Task* task = heap_[i];
  const int64_t key = task->timer_deadline_;
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n &&
        heap_[child + 1]->timer_deadline_ < heap_[child]->timer_deadline_) {
      ++child;
    }
    if (heap_[child]->timer_deadline_ >= key) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, task);
}

void TimerHeap::RemoveAt(size_t i) {
  Task* removed = heap_[i];
  removed->timer_index_ = -1;
  removed->timer_owner_ = -1;
  Task* last = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    Place(i, last);
    SiftUp(i);
    SiftDown(static_cast<size_t>(last->timer_index_));
  }
}

void TimerHeap::Publish() {
  // seq_cst: pairs with the poller, which publishes the deadline of its
  // blocking wait and then reads every heap's
  // (SchedulerShared::EarliestTimerNanos()), while SchedulerShared::NoteTimer()
  // publishes here and then reads the poller's.
  next_deadline_.store(heap_.empty() ? kNever : heap_[0]->timer_deadline_,
                       std::memory_order_seq_cst);
  size_.store(heap_.size(), std::memory_order_relaxed);  // see size()
}

}  // namespace colony::scheduler_internal
