// Copyright 2026 The Colony Authors.
//
// The counting malloc family and the per-thread balances behind
// kv/memory_usage.h.
#include "kv/memory_usage.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COLONY_KV_SANITIZER_ALLOCATOR 1
// The sanitizer runtimes' allocator statistics (their
// sanitizer/allocator_interface.h, which GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace colony::kv {
namespace {

// A thread's balance moves into the shared total past this many bytes
// either way.
constexpr int64_t kBatchBytes = 64 * 1024;

// Relaxed throughout: the figures are statistics, read without ordering
// against anything else.
std::atomic<int64_t> total_bytes{0};
std::atomic<int64_t> peak_bytes{0};
std::atomic<int64_t> set_aside_bytes{0};

// Plain thread-locals (no constructor or destructor, so no guard on the
// hot path).
thread_local int64_t pending_bytes = 0;
thread_local int64_t pending_aside = 0;
thread_local bool in_aside_scope = false;
thread_local int64_t scope_net = 0;

void RaisePeak(int64_t total) {
  int64_t peak = peak_bytes.load(std::memory_order_relaxed);
  while (total > peak && !peak_bytes.compare_exchange_weak(
                             peak, total, std::memory_order_relaxed)) {
  }
}

void FlushPending() {
  const int64_t n = pending_bytes;
  pending_bytes = 0;
  RaisePeak(total_bytes.fetch_add(n, std::memory_order_relaxed) + n);
  if (pending_aside != 0) {
    set_aside_bytes.fetch_add(pending_aside, std::memory_order_relaxed);
    pending_aside = 0;
  }
}

// Moves a thread's balances into the totals when it exits. Armed the first
// time the thread flushes (the slow path), so that the hot path touches
// only trivially destructible thread-locals.
struct ExitFlush {
  bool armed = false;
  ~ExitFlush() { FlushPending(); }
};
thread_local ExitFlush exit_flush;

void FlushSlow() {
  FlushPending();
  exit_flush.armed = true;
}

inline void Count(int64_t n) {
  pending_bytes += n;
  if (in_aside_scope) {
    pending_aside += n;
    scope_net += n;
  }
  if (pending_bytes > kBatchBytes || pending_bytes < -kBatchBytes ||
      pending_aside > kBatchBytes || pending_aside < -kBatchBytes) {
    FlushSlow();
  }
}

// What a block takes from the heap: its usable size and glibc's size word.
inline int64_t Footprint(void* p) {
  return static_cast<int64_t>(malloc_usable_size(p) + sizeof(size_t));
}

}  // namespace

int64_t AllocatedBytes() {
#ifdef COLONY_KV_SANITIZER_ALLOCATOR
  // The sanitizer's allocator owns malloc: its own count.
  const int64_t n =
      static_cast<int64_t>(__sanitizer_get_current_allocated_bytes());
  RaisePeak(n);
  return n;
#else
  return std::max<int64_t>(
      0, total_bytes.load(std::memory_order_relaxed) + pending_bytes);
#endif
}

int64_t PeakAllocatedBytes() {
  const int64_t now = AllocatedBytes();
  RaisePeak(now);
  return std::max(now, peak_bytes.load(std::memory_order_relaxed));
}

void AdjustSetAside(int64_t delta) {
  pending_aside += delta;
  if (pending_aside > kBatchBytes || pending_aside < -kBatchBytes) {
    FlushSlow();
  }
}

int64_t SetAsideBytes() {
  return std::max<int64_t>(
      0, set_aside_bytes.load(std::memory_order_relaxed) + pending_aside);
}

SetAsideScope::SetAsideScope() {
  scope_net = 0;
  in_aside_scope = true;
}

SetAsideScope::~SetAsideScope() {
  in_aside_scope = false;
  // What the scope still holds is the process's again.
  AdjustSetAside(-scope_net);
  scope_net = 0;
}

}  // namespace colony::kv

#ifndef COLONY_KV_SANITIZER_ALLOCATOR

// The replaced malloc family, as glibc's manual allows ("Replacing
// malloc"): each forwards to glibc's own allocator (its exported __libc_*
// entry points), so blocks, malloc_usable_size() and mallinfo2() stay
// glibc's, and counts the block's footprint. Under a sanitizer, whose
// runtime replaces malloc itself, none of this is compiled.
extern "C" {
void* __libc_malloc(size_t n);
void __libc_free(void* p);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t n);
void* __libc_memalign(size_t align, size_t n);

void* malloc(size_t n) noexcept {
  void* p = __libc_malloc(n);
  if (p != nullptr) colony::kv::Count(colony::kv::Footprint(p));
  return p;
}

void free(void* p) noexcept {
  if (p == nullptr) return;
  colony::kv::Count(-colony::kv::Footprint(p));
  __libc_free(p);
}

void* calloc(size_t n, size_t size) noexcept {
  void* p = __libc_calloc(n, size);
  if (p != nullptr) colony::kv::Count(colony::kv::Footprint(p));
  return p;
}

void* realloc(void* p, size_t n) noexcept {
  if (p == nullptr) return malloc(n);
  const int64_t before = colony::kv::Footprint(p);
  void* q = __libc_realloc(p, n);
  if (q != nullptr) {
    colony::kv::Count(colony::kv::Footprint(q) - before);
  } else if (n == 0) {
    colony::kv::Count(-before);  // freed
  }
  return q;
}

void* memalign(size_t align, size_t n) noexcept {
  void* p = __libc_memalign(align, n);
  if (p != nullptr) colony::kv::Count(colony::kv::Footprint(p));
  return p;
}

int posix_memalign(void** out, size_t align, size_t n) noexcept {
  if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0) return EINVAL;
  void* p = memalign(align, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* aligned_alloc(size_t align, size_t n) noexcept {
  return memalign(align, n);
}

void* valloc(size_t n) noexcept {
  return memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), n);
}

void* pvalloc(size_t n) noexcept {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return memalign(page, (n + page - 1) / page * page);
}
}  // extern "C"

#endif  // COLONY_KV_SANITIZER_ALLOCATOR
