// Copyright 2026 The Colony Authors.
//
// Memory accounting for the key-value backend: how many bytes the process
// holds on the heap, the figure `INFO memory` reports as used_memory and
// that `maxmemory` is checked against before every command.
//
// Linking this library (//kv:memory_usage, which //kv:kv depends on)
// replaces malloc, free and the rest of the family, as glibc allows, and
// operator new and delete, with versions that forward to the next
// allocator in symbol lookup order (glibc's, or jemalloc, mimalloc or
// tbbmalloc_proxy when the binary links one or LD_PRELOAD names it) and
// count each block's footprint: that allocator's malloc_usable_size() plus
// glibc's size word when the allocator is glibc's, which is what the block
// takes from the heap. The keyspace's own blocks (kv/types/heap_string.h,
// compact_key.h) and every library end up there, so the count follows the
// heap at the cost of a few nanoseconds per allocation instead of a walk
// over it. The replacements must be in the executable (a static link, as
// cc_binary does by default): a shared library would come after a
// preloaded allocator in lookup order. Under AddressSanitizer or
// ThreadSanitizer, whose runtimes own malloc, nothing is replaced and the
// figure is the sanitizer allocator's own count.
//
// Counting is per thread: an allocation adds to a thread-local balance
// (a free subtracts, whichever thread allocated the block), and a balance
// that passes +-64 KiB moves into one shared atomic. The hot path has no
// shared write; a read sums the shared total and the calling thread's own
// balance, so it lags the truth by at most 64 KiB per other thread. A
// thread's balance moves into the total when the thread exits.
//
// "Set aside" bytes are allocated but not counted against maxmemory (Redis
// leaves its forked child's copy-on-write pages and its AOF buffers out in
// the same way): hash-table room beyond what the keys need (kv/eviction.h)
// and the keyspace copy an AOF rewrite makes (SetAsideScope).
//
// Thread-safety: every function may be called from any thread. Nothing
// here suspends, so a task never carries a thread-local balance across a
// migration.
#ifndef COLONY_KV_MEMORY_USAGE_H_
#define COLONY_KV_MEMORY_USAGE_H_

#include <cstdint>

namespace colony::kv {

// AllocatedBytes() is the footprint of every block allocated through
// operator new and not yet deleted (used_memory).
int64_t AllocatedBytes();

// PeakAllocatedBytes() is the largest AllocatedBytes() seen so far
// (used_memory_peak), to within the 64 KiB batching of each thread.
int64_t PeakAllocatedBytes();

// AdjustSetAside() adds `delta` bytes (negative: removes) to the figure
// that is allocated but not counted against maxmemory.
void AdjustSetAside(int64_t delta);

// SetAsideBytes() is that figure (never negative).
int64_t SetAsideBytes();

// SetAsideScope: while one is alive, what the calling thread allocates is
// also set aside; when it ends, what the scope still holds counts again.
// For work on a thread of its own that makes a transient copy (an AOF
// rewrite). Scopes on one thread do not nest.
class SetAsideScope {
 public:
  SetAsideScope();
  ~SetAsideScope();
  SetAsideScope(const SetAsideScope&) = delete;
  SetAsideScope& operator=(const SetAsideScope&) = delete;
};

}  // namespace colony::kv

#endif  // COLONY_KV_MEMORY_USAGE_H_
