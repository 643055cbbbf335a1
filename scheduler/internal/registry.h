// Copyright 2026 The Colony Authors.
//
// Registry: the live tasks of a scheduler, for Dump(), Stop() and counts.
//
// Sharded intrusive lists: a task joins the shard of the worker that
// spawned it (spawns from outside use the last shard). Each shard has a
// spin lock (held for a few instructions) and its own counts, so spawning
// on different workers touches no shared cache line.
//
// A task that ends on the worker whose shard it is in leaves at once
// (Remove(): the lock is that worker's own cache line). One that ends on
// another worker, or was spawned from outside, is retired instead: the
// worker it ended on puts it in that worker's batch (its retire slot, no
// lock, no atomic read-modify-write) and Flush() unlinks a whole batch
// later, taking each shard's lock once for all of that shard's tasks in
// it. Removing each of those at once took the spawner's shard lock from
// the other core once per task, and the two workers passed that cache line
// back and forth: on two workers that was 40% of a spawn. A retired task
// stays listed (its batch keeps it alive, see Flush()) until its batch is
// flushed, so ForEach() may visit ended tasks and its callers skip them;
// it stops counting at once (Counts(), live()).
//
// Thread-safety: Add(), Remove(), ForEach(), WithAllShardsLocked() and the
// counts may be called from any thread; Retire() and Flush() on a slot only
// from the one thread that owns it (its worker).

#ifndef COLONY_SCHEDULER_INTERNAL_REGISTRY_H_
#define COLONY_SCHEDULER_INTERNAL_REGISTRY_H_

#include <atomic>
#include <cstddef>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "base/internal/spin_lock.h"

namespace colony::scheduler_internal {

class Task;

class Registry {
 public:
  // How many ended tasks a retire slot holds before it must be flushed.
  static constexpr int kRetireBatch = 64;

  // A registry of `shards` lists and `retire_slots` retire slots.
  Registry(int shards, int retire_slots);

  // Add() registers `task` in `shard`.
  void Add(Task* task, int shard);
  // Remove() unregisters `task` at once.
  void Remove(Task* task);
  // Retire() puts `task`, which has ended, in the batch of `slot` (owner
  // only). It stops counting at once and leaves its list at the next
  // Flush(slot); until then the caller's reference on it must stay, for
  // Flush() to hand back. Returns true when the batch is full: the caller
  // must Flush(slot) before the next Retire(slot).
  bool Retire(Task* task, int slot);
  // Flush() unlinks the batch of `slot` (owner only), each shard's tasks
  // under one hold of its lock, then calls `release` on each of its tasks
  // with no lock held (the caller drops the reference the batch kept).
  // Cheap when the batch is empty.
  void Flush(int slot, absl::FunctionRef<void(Task*)> release);
  // ForEach() calls `fn` on every listed task, shard by shard, with the
  // shard locked: `fn` must not spawn, end tasks or block. Retired tasks
  // not yet flushed are listed too (they have finished: IsFinished()).
  void ForEach(absl::FunctionRef<void(Task*)> fn) const;
  // WithAllShardsLocked() calls `fn` with every shard locked, so that no
  // task is added or removed while it runs: `fn` must be short and must
  // not spawn, end tasks or block.
  void WithAllShardsLocked(absl::FunctionRef<void()> fn) const;
  // live() counts registered tasks not retired; live_forever() those
  // spawned with SpawnForever(). Racy sums, for statistics.
  size_t live() const;
  size_t live_forever() const;
  // Counts() gives both as of one instant, or more: it sums the shards,
  // then the retire slots, between two reads of the shards' add counters
  // and retries until no task was added meanwhile, so a task that spawns
  // into an already-summed shard and then ends cannot make the sum read
  // low. A task being flushed meanwhile may be counted once too often,
  // never too few times. Stop() relies on it.
  void Counts(size_t* live, size_t* forever) const;

 private:
  struct alignas(64) Shard {
    mutable base_internal::SpinLock lock;
    Task* head ABSL_GUARDED_BY(lock) = nullptr;
    // Written only under `lock`, which orders the writers and Counts();
    // atomics only so that live() and live_forever() may read them without
    // it. Hence relaxed.
    std::atomic<size_t> count{0};
    std::atomic<size_t> forever{0};
    std::atomic<uint64_t> adds{0};
  };

  struct alignas(64) RetireSlot {
    Task* batch[kRetireBatch];
    int n = 0;  // owner only
    // How many tasks the batch holds (low 32 bits) and how many of them
    // run forever (high 32), in one word so that Counts() reads both at
    // once. Written by the owner alone (a load and a store, no RMW):
    // release, read with acquire (Counts()).
    std::atomic<uint64_t> retired{0};
  };
  static constexpr uint64_t kForeverOne = uint64_t{1} << 32;

  // UnlinkLocked() takes `task` out of `s`'s list (s.lock held); the
  // caller adjusts the counts.
  static void UnlinkLocked(Shard& s, Task* task)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.lock);
  // Weight() is what `task` adds to a slot's `retired` word.
  static uint64_t Weight(const Task* task);
  // SumShards() adds up the shards' counts, each under its lock.
  void SumShards(size_t* live, size_t* forever) const;
  // SumRetired() adds up the retire slots' counts.
  void SumRetired(size_t* retired, size_t* forever) const;

  const int num_shards_;
  std::unique_ptr<Shard[]> shards_;
  const int num_slots_;
  std::unique_ptr<RetireSlot[]> slots_;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_REGISTRY_H_
