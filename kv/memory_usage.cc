// Copyright 2026 The Colony Authors.
//
// The counting operator new/delete and the per-thread balances behind
// kv/memory_usage.h.
#include "kv/memory_usage.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

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

void* AllocateOrNull(size_t n, size_t align) {
  if (n == 0) n = 1;
  void* p;
  if (align <= alignof(std::max_align_t)) {
    p = std::malloc(n);
  } else if (posix_memalign(&p, align, n) != 0) {
    p = nullptr;
  }
  if (p != nullptr) Count(Footprint(p));
  return p;
}

void* Allocate(size_t n, size_t align) {
  for (;;) {
    if (void* p = AllocateOrNull(n, align)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* AllocateNoThrow(size_t n, size_t align) noexcept {
  try {
    return Allocate(n, align);
  } catch (...) {
    return nullptr;
  }
}

void Release(void* p) noexcept {
  if (p == nullptr) return;
  Count(-Footprint(p));
  std::free(p);
}

}  // namespace

int64_t AllocatedBytes() {
  return std::max<int64_t>(
      0, total_bytes.load(std::memory_order_relaxed) + pending_bytes);
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

// The replaced global allocation functions ([new.delete]): every form, so
// that a block is always released by the function that matches how it was
// counted.
using colony::kv::Allocate;
using colony::kv::AllocateNoThrow;
using colony::kv::Release;

void* operator new(std::size_t n) { return Allocate(n, 0); }
void* operator new[](std::size_t n) { return Allocate(n, 0); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return AllocateNoThrow(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return AllocateNoThrow(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return Allocate(n, static_cast<size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return Allocate(n, static_cast<size_t>(a));
}
void* operator new(std::size_t n, std::align_val_t a,
                   const std::nothrow_t&) noexcept {
  return AllocateNoThrow(n, static_cast<size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a,
                     const std::nothrow_t&) noexcept {
  return AllocateNoThrow(n, static_cast<size_t>(a));
}

void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  Release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  Release(p);
}
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  Release(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  Release(p);
}
