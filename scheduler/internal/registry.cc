// Copyright 2026 The Colony Authors.

#include "scheduler/internal/registry.h"

#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

Registry::Registry(int shards)
    : num_shards_(shards), shards_(new Shard[static_cast<size_t>(shards)]) {}

void Registry::Add(Task* task, int shard) {
  Shard& s = shards_[static_cast<size_t>(shard)];
  s.lock.Lock();
  task->reg_shard_ = shard;
  task->reg_prev_ = nullptr;
  task->reg_next_ = s.head;
  if (s.head != nullptr) s.head->reg_prev_ = task;
  s.head = task;
  s.count.store(s.count.load(std::memory_order_relaxed) + 1,
                std::memory_order_relaxed);
  if (task->forever_) {
    s.forever.store(s.forever.load(std::memory_order_relaxed) + 1,
                    std::memory_order_relaxed);
  }
  s.adds.store(s.adds.load(std::memory_order_relaxed) + 1,
               std::memory_order_relaxed);
  s.lock.Unlock();
}

void Registry::Remove(Task* task) {
  Shard& s = shards_[static_cast<size_t>(task->reg_shard_)];
  s.lock.Lock();
  if (task->reg_prev_ != nullptr) {
    task->reg_prev_->reg_next_ = task->reg_next_;
  } else {
    s.head = task->reg_next_;
  }
  if (task->reg_next_ != nullptr) task->reg_next_->reg_prev_ = task->reg_prev_;
  task->reg_prev_ = task->reg_next_ = nullptr;
  s.count.store(s.count.load(std::memory_order_relaxed) - 1,
                std::memory_order_relaxed);
  if (task->forever_) {
    s.forever.store(s.forever.load(std::memory_order_relaxed) - 1,
                    std::memory_order_relaxed);
  }
  s.lock.Unlock();
}

void Registry::ForEach(absl::FunctionRef<void(Task*)> fn) const {
  for (int i = 0; i < num_shards_; ++i) {
    const Shard& s = shards_[static_cast<size_t>(i)];
    s.lock.Lock();
    for (Task* t = s.head; t != nullptr; t = t->reg_next_) fn(t);
    s.lock.Unlock();
  }
}

void Registry::WithAllShardsLocked(absl::FunctionRef<void()> fn) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // Always in shard order, the only order any caller takes two shard
  // locks in.
  for (int i = 0; i < num_shards_; ++i) {
    shards_[static_cast<size_t>(i)].lock.Lock();
  }
  fn();
  for (int i = num_shards_ - 1; i >= 0; --i) {
    shards_[static_cast<size_t>(i)].lock.Unlock();
  }
}

size_t Registry::live() const {
  size_t n = 0;
  // The acquire pairs with nothing: the counts are stored relaxed, and
  // nothing is read through them.
  for (int i = 0; i < num_shards_; ++i) {
    n += shards_[static_cast<size_t>(i)].count.load(std::memory_order_acquire);
  }
  return n;
}

void Registry::Counts(size_t* live, size_t* forever) const {
  auto adds = [this] {
    uint64_t n = 0;
    for (int i = 0; i < num_shards_; ++i) {
      const Shard& s = shards_[static_cast<size_t>(i)];
      s.lock.Lock();
      n += s.adds.load(std::memory_order_relaxed);
      s.lock.Unlock();
    }
    return n;
  };
  for (;;) {
    const uint64_t before = adds();
    size_t l = 0;
    size_t f = 0;
    for (int i = 0; i < num_shards_; ++i) {
      const Shard& s = shards_[static_cast<size_t>(i)];
      s.lock.Lock();
      l += s.count.load(std::memory_order_relaxed);
      f += s.forever.load(std::memory_order_relaxed);
      s.lock.Unlock();
    }
    if (adds() == before) {
      *live = l;
      *forever = f;
      return;
    }
  }
}

size_t Registry::live_forever() const {
  size_t n = 0;
  // As in live(), the acquire pairs with nothing.
  for (int i = 0; i < num_shards_; ++i) {
    n +=
        shards_[static_cast<size_t>(i)].forever.load(std::memory_order_acquire);
  }
  return n;
}

}  // namespace colony::scheduler_internal
