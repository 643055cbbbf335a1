// Copyright 2026 The Colony Authors.
//
// TaskPool: where task blocks (Task and its typed subclasses) come from.
//
// Blocks are sorted into size classes of 64 bytes (up to kMaxPooledSize;
// larger blocks go to the global allocator). Each thread keeps a free list
// per class and serves a spawn from it without a lock or an atomic; a
// block freed on another thread (a task spawned on one worker and joined
// on another) lands in that thread's list. A list that grows past
// kThreadCacheMax hands half of itself to the shared list of its class in
// one lock, and an empty one takes a batch back (or carves fresh blocks
// from a slab), so the lock is taken once per kBatch blocks at most.
//
// Memory is never given back to the kernel: a freed block stays mapped and
// is reused by the next spawn of its class. On a virtual machine a page
// fault costs microseconds, and an allocator that unmaps what a burst of
// spawns freed (oneTBB's and glibc's both do) makes the next burst fault
// every page in again. The price is that the peak number of live blocks
// stays resident, as Go keeps its goroutine descriptors.
//
// Under AddressSanitizer and ThreadSanitizer blocks come from the global
// allocator, which the sanitizers intercept.
//
// Thread-safety: Allocate() and Free() may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_TASK_POOL_H_
#define COLONY_SCHEDULER_INTERNAL_TASK_POOL_H_

#include <cstddef>

namespace colony::scheduler_internal {

struct TaskPool {
  // Blocks larger than this come from the global allocator.
  static constexpr size_t kMaxPooledSize = 2048;
  static constexpr size_t kGranule = 64;

  // Allocate() returns a block of at least `size` bytes, aligned to 64
  // bytes when pooled. Throws std::bad_alloc when out of memory.
  static void* Allocate(size_t size);
  // Free() returns a block that Allocate(size) returned, with that size.
  static void Free(void* block, size_t size) noexcept;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TASK_POOL_H_
