// Copyright 2026 The Colony Authors.
//
// Registry: the live tasks of a scheduler, for Dump(), Stop() and counts.
//
// Sharded intrusive lists: a task joins the shard of the worker that
// spawned it (spawns from outside use the last shard) and leaves it when it
// ends, from whichever worker that is. Each shard has a spin lock (held for
// a few instructions) and its own counts, so spawning on different workers
// touches no shared cache line.
//
// Thread-safety: all members may be called from any thread.

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
  explicit Registry(int shards);

  // Add() registers `task` in `shard`.
  void Add(Task* task, int shard);
  // Remove() unregisters `task`.
  void Remove(Task* task);
  // ForEach() calls `fn` on every live task, shard by shard, with the
  // shard locked: `fn` must not spawn, end tasks or block.
  void ForEach(absl::FunctionRef<void(Task*)> fn) const;
  // WithAllShardsLocked() calls `fn` with every shard locked, so that no
  // task is added or removed while it runs: `fn` must be short and must
  // not spawn, end tasks or block.
  void WithAllShardsLocked(absl::FunctionRef<void()> fn) const;
  // live() counts registered tasks; live_forever() those spawned with
  // SpawnForever(). Racy sums, for statistics.
  size_t live() const;
  size_t live_forever() const;
  // Counts() gives both as of one instant: it sums the shards between two
  // reads of the shards' add counters and retries until no task was added
  // meanwhile, so a task that spawns into an already-summed shard and then
  // ends cannot make the sum read low. Stop() relies on it.
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

  const int num_shards_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_REGISTRY_H_
