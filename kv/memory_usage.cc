// Copyright 2026 The Colony Authors.
//
// The counting malloc family and the per-thread balances behind
// kv/memory_usage.h.
#include "kv/memory_usage.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/base/config.h"

#if defined(ABSL_HAVE_ADDRESS_SANITIZER) || defined(ABSL_HAVE_THREAD_SANITIZER)
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

#ifndef COLONY_KV_SANITIZER_ALLOCATOR
// Count() is what the replaced malloc family calls per block.
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
#endif  // COLONY_KV_SANITIZER_ALLOCATOR

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
// malloc"). Each function forwards to the next definition of its name in
// symbol lookup order (dlsym(RTLD_NEXT)): glibc's, or the allocator the
// binary links or LD_PRELOAD names (jemalloc, mimalloc, tbbmalloc_proxy),
// and counts the block's footprint through that allocator's
// malloc_usable_size(). Under a sanitizer, whose runtime replaces malloc
// itself, none of this is compiled.
namespace colony::kv {
namespace {

// The underlying allocator's entry points. They start as the Resolving*
// functions, which look the real ones up on the first call (before main(),
// while the process has one thread: a library constructor allocates) and
// then forward; after that each call is one indirect call, as a call
// through the PLT would be.
void* ResolvingMalloc(size_t n);
void ResolvingFree(void* p);
void* ResolvingCalloc(size_t n, size_t size);
void* ResolvingRealloc(void* p, size_t n);
void* ResolvingMemalign(size_t align, size_t n);
size_t ResolvingUsableSize(void* p);

struct Allocator {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*memalign)(size_t, size_t);
  size_t (*usable_size)(void*);
  // What a block takes beyond its usable size: glibc's size word, none for
  // allocators that keep their metadata apart from the blocks.
  size_t header;
};

constinit Allocator next = {
    ResolvingMalloc,   ResolvingFree,       ResolvingCalloc, ResolvingRealloc,
    ResolvingMemalign, ResolvingUsableSize, sizeof(size_t)};

// While the lookup runs, dlsym() may allocate (its error buffer): those
// blocks come from this arena, are not counted and are never reused (free()
// ignores them, realloc() copies them out).
constexpr size_t kArenaBytes = 16 * 1024;
alignas(std::max_align_t) char arena[kArenaBytes];
size_t arena_used = 0;

inline bool InArena(const void* p) {
  return static_cast<size_t>(static_cast<const char*>(p) - arena) < kArenaBytes;
}

void* ArenaMalloc(size_t n) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  const size_t start = (arena_used + kAlign - 1) / kAlign * kAlign;
  if (n > kArenaBytes - start) return nullptr;
  arena_used = start + n;
  return arena + start;  // zero: the arena is static and never reused
}
void ArenaFree(void*) {}
void* ArenaCalloc(size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size) return nullptr;
  return ArenaMalloc(n * size);
}
void* ArenaRealloc(void*, size_t n) { return ArenaMalloc(n); }
void* ArenaMemalign(size_t align, size_t n) {
  if (align > alignof(std::max_align_t)) return nullptr;
  return ArenaMalloc(n);
}
size_t ArenaUsableSize(void*) { return 0; }

[[noreturn]] void Die(const char* message) {
  // No stdio: it may allocate.
  ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
  (void)ignored;
  abort();
}

template <typename F>
F Lookup(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// Resolve() fills `next` with the allocator after this binary's definitions
// in lookup order.
void Resolve() {
  if (next.malloc != ResolvingMalloc) return;  // resolved, or resolving
  next = {ArenaMalloc,     ArenaFree, ArenaCalloc, ArenaRealloc, ArenaMemalign,
          ArenaUsableSize, 0};
  Allocator found;
  found.malloc = Lookup<decltype(found.malloc)>("malloc");
  found.free = Lookup<decltype(found.free)>("free");
  found.calloc = Lookup<decltype(found.calloc)>("calloc");
  found.realloc = Lookup<decltype(found.realloc)>("realloc");
  found.memalign = Lookup<decltype(found.memalign)>("memalign");
  if (found.memalign == nullptr) {
    found.memalign = Lookup<decltype(found.memalign)>("aligned_alloc");
  }
  found.usable_size = Lookup<decltype(found.usable_size)>("malloc_usable_size");
  if (found.malloc == nullptr || found.free == nullptr ||
      found.calloc == nullptr || found.realloc == nullptr ||
      found.memalign == nullptr || found.usable_size == nullptr) {
    Die("kv/memory_usage: no malloc family after this binary's\n");
  }
  // glibc's chunks carry a size word; jemalloc's, mimalloc's and tbbmalloc's
  // blocks carry none (their size classes are their usable sizes).
  Dl_info info;
  found.header = 0;
  if (dladdr(reinterpret_cast<void*>(found.malloc), &info) != 0 &&
      info.dli_fname != nullptr) {
    const char* base = strrchr(info.dli_fname, '/');
    base = base == nullptr ? info.dli_fname : base + 1;
    if (strncmp(base, "libc.so", 7) == 0) found.header = sizeof(size_t);
  }
  next = found;
}

void* ResolvingMalloc(size_t n) {
  Resolve();
  return next.malloc(n);
}
void ResolvingFree(void* p) {
  Resolve();
  next.free(p);
}
void* ResolvingCalloc(size_t n, size_t size) {
  Resolve();
  return next.calloc(n, size);
}
void* ResolvingRealloc(void* p, size_t n) {
  Resolve();
  return next.realloc(p, n);
}
void* ResolvingMemalign(size_t align, size_t n) {
  Resolve();
  return next.memalign(align, n);
}
size_t ResolvingUsableSize(void* p) {
  Resolve();
  return next.usable_size(p);
}

// What a block takes from the heap: its usable size and the allocator's
// header.
inline int64_t Footprint(void* p) {
  return static_cast<int64_t>(next.usable_size(p) + next.header);
}

}  // namespace
}  // namespace colony::kv

extern "C" {

void* malloc(size_t n) noexcept {
  void* p = colony::kv::next.malloc(n);
  if (p != nullptr) colony::kv::Count(colony::kv::Footprint(p));
  return p;
}

void free(void* p) noexcept {
  if (p == nullptr || colony::kv::InArena(p)) return;
  colony::kv::Count(-colony::kv::Footprint(p));
  colony::kv::next.free(p);
}

void* calloc(size_t n, size_t size) noexcept {
  void* p = colony::kv::next.calloc(n, size);
  if (p != nullptr) colony::kv::Count(colony::kv::Footprint(p));
  return p;
}

void* realloc(void* p, size_t n) noexcept {
  if (p == nullptr) return malloc(n);
  if (colony::kv::InArena(p)) {
    // An arena block's size is unknown: copy what the arena may hold.
    void* q = malloc(n);
    if (q != nullptr) {
      const size_t room = static_cast<size_t>(
          colony::kv::arena + colony::kv::kArenaBytes - static_cast<char*>(p));
      memcpy(q, p, std::min(n, room));
    }
    return q;
  }
  const int64_t before = colony::kv::Footprint(p);
  void* q = colony::kv::next.realloc(p, n);
  if (q != nullptr) {
    colony::kv::Count(colony::kv::Footprint(q) - before);
  } else if (n == 0) {
    colony::kv::Count(-before);  // freed
  }
  return q;
}

void* reallocarray(void* p, size_t n, size_t size) noexcept {
  if (size != 0 && n > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, n * size);
}

void* memalign(size_t align, size_t n) noexcept {
  void* p = colony::kv::next.memalign(align, n);
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

// operator new and delete, replaced as the standard allows, so that they
// come here too: jemalloc, mimalloc and tbbmalloc_proxy define their own,
// which would otherwise take C++ allocations past the count.
namespace colony::kv {
namespace {

// NewSlow() is operator new's loop once the allocator has failed: the new
// handler, then std::bad_alloc (or nullptr for the nothrow forms).
[[gnu::noinline]] void* NewSlow(size_t n, size_t align, bool nothrow) {
  for (;;) {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) {
      if (nothrow) return nullptr;
      throw std::bad_alloc();
    }
    if (nothrow) {
      try {
        handler();
      } catch (...) {
        return nullptr;
      }
    } else {
      handler();
    }
    void* p =
        align <= alignof(std::max_align_t) ? malloc(n) : memalign(align, n);
    if (p != nullptr) return p;
  }
}

inline void* New(size_t n, bool nothrow) {
  if (n == 0) n = 1;
  void* p = malloc(n);
  if (p != nullptr) [[likely]]
    return p;
  return NewSlow(n, 0, nothrow);
}

inline void* NewAligned(size_t n, std::align_val_t align, bool nothrow) {
  if (n == 0) n = 1;
  void* p = memalign(static_cast<size_t>(align), n);
  if (p != nullptr) [[likely]]
    return p;
  return NewSlow(n, static_cast<size_t>(align), nothrow);
}

}  // namespace
}  // namespace colony::kv

void* operator new(size_t n) { return colony::kv::New(n, false); }
void* operator new[](size_t n) { return colony::kv::New(n, false); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return colony::kv::New(n, true);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return colony::kv::New(n, true);
}
void* operator new(size_t n, std::align_val_t align) {
  return colony::kv::NewAligned(n, align, false);
}
void* operator new[](size_t n, std::align_val_t align) {
  return colony::kv::NewAligned(n, align, false);
}
void* operator new(size_t n, std::align_val_t align,
                   const std::nothrow_t&) noexcept {
  return colony::kv::NewAligned(n, align, true);
}
void* operator new[](size_t n, std::align_val_t align,
                     const std::nothrow_t&) noexcept {
  return colony::kv::NewAligned(n, align, true);
}

void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  free(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  free(p);
}

#endif  // COLONY_KV_SANITIZER_ALLOCATOR
