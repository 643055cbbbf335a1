// Copyright 2026 The Colony Authors.

#include "scheduler/internal/registry.h"

#include <utility>

#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

Registry::Registry(int shards, int retire_slots)
    : num_shards_(shards),
      shards_(new Shard[static_cast<size_t>(shards)]),
      num_slots_(retire_slots),
      slots_(new RetireSlot[static_cast<size_t>(retire_slots)]) {}

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
  UnlinkLocked(s, task);
  s.count.store(s.count.load(std::memory_order_relaxed) - 1,
                std::memory_order_relaxed);
  if (task->forever_) {
    s.forever.store(s.forever.load(std::memory_order_relaxed) - 1,
                    std::memory_order_relaxed);
  }
  s.lock.Unlock();
}

void Registry::UnlinkLocked(Shard& s, Task* task) {
  if (task->reg_prev_ != nullptr) {
    task->reg_prev_->reg_next_ = task->reg_next_;
  } else {
    s.head = task->reg_next_;
  }
  if (task->reg_next_ != nullptr) task->reg_next_->reg_prev_ = task->reg_prev_;
  task->reg_prev_ = task->reg_next_ = nullptr;
}

uint64_t Registry::Weight(const Task* task) {
  return 1 + (task->forever_ ? kForeverOne : 0);
}

bool Registry::Retire(Task* task, int slot) {
  RetireSlot& r = slots_[static_cast<size_t>(slot)];
  r.batch[r.n++] = task;
  // Release: a Counts() that sees this retirement also sees the task's
  // Add() (which happened before the task could run and end), so its
  // adds counter tells it to sum again if the Add() came after its sum.
  r.retired.store(r.retired.load(std::memory_order_relaxed) + Weight(task),
                  std::memory_order_release);
  return r.n == kRetireBatch;
}

void Registry::Flush(int slot, absl::FunctionRef<void(Task*)> release) {
  RetireSlot& r = slots_[static_cast<size_t>(slot)];
  const int n = r.n;
  if (n == 0) return;
  Task* batch[kRetireBatch];
  uint64_t retired = 0;
  for (int i = 0; i < n; ++i) {
    batch[i] = r.batch[i];
    retired += Weight(batch[i]);
  }
  r.n = 0;
  // The slot stops counting these before any shard does: a Counts() that
  // reads a shard after the unlink below (its lock orders the two) reads
  // this store too, so it never subtracts a task twice. In between, the
  // task counts in its shard and not here: one too many, never too few.
  r.retired.store(r.retired.load(std::memory_order_relaxed) - retired,
                  std::memory_order_release);
  // Each shard's tasks under one hold of its lock.
  int done = 0;
  while (done < n) {
    const int shard = batch[done]->reg_shard_;
    Shard& s = shards_[static_cast<size_t>(shard)];
    size_t removed = 0;
    size_t removed_forever = 0;
    s.lock.Lock();
    for (int i = done; i < n; ++i) {
      Task* task = batch[i];
      if (task->reg_shard_ != shard) continue;
      UnlinkLocked(s, task);
      ++removed;
      if (task->forever_) ++removed_forever;
      // Move it out of the part still to unlink.
      std::swap(batch[i], batch[done]);
      ++done;
    }
    s.count.store(s.count.load(std::memory_order_relaxed) - removed,
                  std::memory_order_relaxed);
    if (removed_forever > 0) {
      s.forever.store(
          s.forever.load(std::memory_order_relaxed) - removed_forever,
          std::memory_order_relaxed);
    }
    s.lock.Unlock();
  }
  for (int i = 0; i < n; ++i) release(batch[i]);
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

void Registry::SumShards(size_t* live, size_t* forever) const {
  size_t l = 0;
  size_t f = 0;
  for (int i = 0; i < num_shards_; ++i) {
    const Shard& s = shards_[static_cast<size_t>(i)];
    s.lock.Lock();
    l += s.count.load(std::memory_order_relaxed);
    f += s.forever.load(std::memory_order_relaxed);
    s.lock.Unlock();
  }
  *live = l;
  *forever = f;
}

void Registry::SumRetired(size_t* retired, size_t* forever) const {
  size_t r = 0;
  size_t f = 0;
  for (int i = 0; i < num_slots_; ++i) {
    // Acquire pairs with the release stores of Retire() and Flush().
    const uint64_t v =
        slots_[static_cast<size_t>(i)].retired.load(std::memory_order_acquire);
    r += static_cast<size_t>(v & (kForeverOne - 1));
    f += static_cast<size_t>(v >> 32);
  }
  *retired = r;
  *forever = f;
}

size_t Registry::live() const {
  size_t n = 0;
  // The acquire pairs with nothing: the counts are stored relaxed, and
  // nothing is read through them.
  for (int i = 0; i < num_shards_; ++i) {
    n += shards_[static_cast<size_t>(i)].count.load(std::memory_order_acquire);
  }
  size_t retired, retired_forever;
  SumRetired(&retired, &retired_forever);
  return n > retired ? n - retired : 0;
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
    size_t l, f, rl, rf;
    // Shards first, retire slots second: see Flush().
    SumShards(&l, &f);
    SumRetired(&rl, &rf);
    if (adds() == before) {
      // Every task a slot counts was added before `before` (else the adds
      // moved) and not unlinked before the shards were summed (its slot
      // stopped counting it first): the shards count it too.
      *live = l - rl;
      *forever = f - rf;
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
  size_t retired, retired_forever;
  SumRetired(&retired, &retired_forever);
  return n > retired_forever ? n - retired_forever : 0;
}

}  // namespace colony::scheduler_internal
