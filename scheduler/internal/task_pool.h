// Copyright 2026 The Colony Authors.
//
// TaskPool: where task blocks (Task and its typed subclasses) come from.
//
// Blocks are sorted into size classes of 64 bytes (up to kMaxPooledSize;
// larger blocks go to the global allocator). Free blocks are held in
// magazines: arrays of pointers, not lists threaded through the blocks, so
// that taking a block never waits on a cache miss in a block freed long
// ago (a million queued tasks do not fit in any cache). Each thread holds
// two magazines per class and serves a spawn from them without a lock or
// an atomic; a block freed on another thread (a task spawned on one worker
// and joined on another) lands in that thread's magazine. A thread trades
// a full magazine for an empty one, or an empty one for a full one, at a
// shared depot under one lock, so the lock is taken once per magazine
// (254 blocks) at most; the depot carves fresh blocks from slabs. Each
// allocation prefetches the block the next one will return.
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
  // PrefetchForWrite() asks for the `size` bytes of `block`, cache line by
  // cache line, for a block about to be written. A prefetch never faults,
  // so `block` may be stale or freed.
  static void PrefetchForWrite(const void* block, size_t size) {
    const char* p = static_cast<const char*>(block);
    for (size_t off = 0; off < size; off += kGranule) {
      __builtin_prefetch(p + off, 1, 3);
    }
  }
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TASK_POOL_H_
