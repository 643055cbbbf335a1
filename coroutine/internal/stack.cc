// Copyright 2026 The Colony Authors.

#include "coroutine/internal/stack.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/base/internal/raw_logging.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "coroutine/internal/sanitizer.h"
#include "time/clock.h"

#if defined(COLONY_ASAN)
#include <sanitizer/asan_interface.h>
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

namespace colony::coroutine_internal {
namespace {

// Slabs reserve about this much address space at a time.
constexpr size_t kSlabBytes = size_t{32} << 20;
// Most stacks whose pages one release gives back together (see
// ReleaseToShared()).
constexpr size_t kMaxTrimBatch = 1024;
// VMAs kept free for the rest of the process when budgeting mprotect guards.
constexpr size_t kVmaReserve = 8192;

size_t ReadMaxMapCount() {
  size_t value = 65530;
  if (FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
    unsigned long v = 0;
    if (std::fscanf(f, "%lu", &v) == 1) value = v;
    std::fclose(f);
  }
  return value;
}

bool KernelHasGuardAdvice() {
  void* p = mmap(nullptr, 2 * kPageSize, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return false;
  bool ok = madvise(p, kPageSize, MADV_GUARD_INSTALL) == 0;
  if (ok) {
    // Some emulators (qemu-user 7.2) accept any madvise() and do nothing.
    // The kernel refuses to copy from a real guard page with EFAULT.
    int fds[2];
    ok = false;
    if (pipe2(fds, O_CLOEXEC) == 0) {
      ok = write(fds[1], p, 1) < 0 && errno == EFAULT;
      close(fds[0]);
      close(fds[1]);
    }
  }
  munmap(p, 2 * kPageSize);
  return ok;
}

GuardMode ModeFromEnvironment() {
  const char* env = std::getenv("COLONY_STACK_GUARD");
  const bool advice = KernelHasGuardAdvice();
  if (env != nullptr && *env != '\0') {
    const std::string_view v(env);
    if (v == "mprotect") return GuardMode::kMprotect;
    if (v == "canary") return GuardMode::kCanary;
    if (v != "advice") {
      ABSL_RAW_LOG(WARNING,
                   "COLONY_STACK_GUARD=%s is not one of advice, mprotect, "
                   "canary; using the default",
                   env);
    }
  }
  return advice ? GuardMode::kGuardAdvice : GuardMode::kMprotect;
}

void WriteCanary(char* lo) {
  auto* words = reinterpret_cast<uint64_t*>(lo) - kCanaryWords;
  for (int i = 0; i < kCanaryWords; ++i) words[i] = kCanaryPattern;
}

}  // namespace

std::string_view GuardModeName(GuardMode mode) {
  switch (mode) {
    case GuardMode::kGuardAdvice:
      return "guard-advice";
    case GuardMode::kMprotect:
      return "mprotect";
    case GuardMode::kCanary:
      return "canary";
  }
  return "unknown";
}

bool Stack::CanaryIntact() const {
  const auto* words = reinterpret_cast<const uint64_t*>(lo) - kCanaryWords;
  for (int i = 0; i < kCanaryWords; ++i) {
    if (words[i] != kCanaryPattern) return false;
  }
  return true;
}

StackPool::ThreadCache::~ThreadCache() {
  tls_cache_ = nullptr;
  if (pool == nullptr) return;
  for (int c = 0; c < kClasses; ++c) {
    const int n = Count(c);
    SetCount(c, 0);
    pool->ReleaseToShared(stacks[c], static_cast<size_t>(n));
  }
  std::lock_guard<std::mutex> lock(pool->mu_);
  std::erase(pool->caches_, this);
}

StackPool& StackPool::Default() {
  static StackPool* const pool = new StackPool(
      ModeFromEnvironment(),
      ReadMaxMapCount() > kVmaReserve ? ReadMaxMapCount() - kVmaReserve : 0,
      /*warm_limit=*/4096, /*thread_cache=*/true, kDefaultRetainNanos);
  return *pool;
}

StackPool::StackPool(GuardMode mode, size_t max_guard_vmas, size_t warm_limit,
                     bool thread_cache, int64_t retain_ns)
    : mode_(mode),
      max_guard_vmas_(max_guard_vmas),
      warm_limit_(warm_limit),
      trim_batch_(std::clamp<size_t>(warm_limit / 4, 1, kMaxTrimBatch)),
      thread_cache_(thread_cache),
      retain_ns_(std::max<int64_t>(retain_ns, 0)) {
  if (mode == GuardMode::kGuardAdvice && !KernelHasGuardAdvice()) {
    mode_.store(GuardMode::kMprotect, std::memory_order_relaxed);
  }
  // Guards are kPageSize long. Where the kernel's pages are larger (16 or
  // 64 KiB on some aarch64 systems), madvise and mprotect would round a
  // guard up over the bottom of the stack above it: use canaries.
  if (static_cast<size_t>(sysconf(_SC_PAGESIZE)) != kPageSize) {
    mode_.store(GuardMode::kCanary, std::memory_order_relaxed);
  }
}

StackPool::~StackPool() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [base, bytes] : slabs_) munmap(base, bytes);
}

size_t StackPool::RoundSize(size_t min_size) {
  size_t size = std::max(min_size, kMinStackSize);
  if (size > kMaxPooledStackSize) {
    return (size + kPageSize - 1) & ~(kPageSize - 1);
  }
  size_t rounded = kMinStackSize;
  while (rounded < size) rounded <<= 1;
  return rounded;
}

int StackPool::ClassOf(size_t size) {
  int cls = 0;
  for (size_t s = kMinStackSize; s < size; s <<= 1) ++cls;
  return cls;
}

StackPool::ThreadCache& StackPool::LocalCache() {
  static thread_local ThreadCache cache;
  if (ABSL_PREDICT_FALSE(cache.pool != this)) {
    // Only Default() has thread caches, so a thread's cache belongs to it
    // from the first use on.
    std::lock_guard<std::mutex> lock(mu_);
    caches_.push_back(&cache);
    cache.pool = this;
    tls_cache_ = &cache;
  }
  return cache;
}

absl::StatusOr<Stack> StackPool::Allocate(size_t min_size) {
  if (min_size > kMaxStackSize) {
    return absl::InvalidArgumentError(absl::StrCat("stack size ", min_size,
                                                   " exceeds the maximum of ",
                                                   kMaxStackSize, " bytes"));
  }
  const size_t size = RoundSize(min_size);
  if (size > kMaxPooledStackSize) return MapUnpooled(size);
  const int cls = ClassOf(size);
  if (thread_cache_) {
    ThreadCache& cache = LocalCache();
    if (const int n = cache.Count(cls); n > 0) {
      cache.SetCount(cls, n - 1);
      return cache.stacks[cls][n - 1];
    }
  }
  return AllocateSlow(cls);
}

absl::StatusOr<Stack> StackPool::AllocateSlow(int cls) {
  Stack batch[kCacheBatch];
  int got = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SizeClass& sc = classes_[cls];
    const int want = thread_cache_ ? kCacheBatch : 1;
    // The most recently released first: its pages are the likeliest to be
    // in the caches, and the oldest are the next to give theirs back.
    while (got < want && !sc.warm.empty()) {
      batch[got++] = sc.warm.back().stack;
      sc.warm.pop_back();
    }
    while (got < want && !sc.cold.empty()) {
      batch[got++] = sc.cold.back();
      sc.cold.pop_back();
    }
    if (got == 0) {
      absl::StatusOr<Stack> carved = Carve(cls);
      if (!carved.ok()) return carved.status();
      batch[got++] = *carved;
    }
    outside_ += static_cast<size_t>(got);
  }
  if (got > 1) {
    ThreadCache& cache = LocalCache();
    int n = cache.Count(cls);
    for (int i = 1; i < got; ++i) cache.stacks[cls][n++] = batch[i];
    cache.SetCount(cls, n);
  }
  return batch[0];
}

GuardMode StackPool::ProtectLocked(char* guard_lo) {
  GuardMode mode = mode_.load(std::memory_order_relaxed);
  if (mode == GuardMode::kGuardAdvice) {
    if (madvise(guard_lo, kPageSize, MADV_GUARD_INSTALL) == 0) {
      return GuardMode::kGuardAdvice;
    }
    mode = GuardMode::kMprotect;  // The kernel changed its mind; fall back.
    mode_.store(mode, std::memory_order_relaxed);
  }
  if (mode == GuardMode::kMprotect &&
      (stats_.mprotect_guards + 1) * 2 <= max_guard_vmas_) {
    if (mprotect(guard_lo, kPageSize, PROT_NONE) == 0) {
      ++stats_.mprotect_guards;
      return GuardMode::kMprotect;
    }
  }
  ++stats_.canary_stacks;
  WriteCanary(guard_lo + kPageSize);
  return GuardMode::kCanary;
}

absl::StatusOr<Stack> StackPool::Carve(int cls) {
  SizeClass& sc = classes_[cls];
  const size_t size = kMinStackSize << cls;
  const size_t stride = size + kPageSize;
  if (sc.slab_next == nullptr || sc.slab_next + stride > sc.slab_end) {
    const size_t count = std::max<size_t>(4, kSlabBytes / stride);
    const size_t bytes = count * stride;
    void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
      return absl::ResourceExhaustedError(
          absl::StrCat("mmap of a ", bytes,
                       "-byte stack slab failed: ", std::strerror(errno)));
    }
    // Huge pages would commit 2 MiB on the first touch of a small stack.
    madvise(base, bytes, MADV_NOHUGEPAGE);
    slabs_.emplace_back(static_cast<char*>(base), bytes);
    stats_.reserved_bytes += bytes;
    sc.slab_next = static_cast<char*>(base);
    sc.slab_end = sc.slab_next + bytes;
  }
  char* guard_lo = sc.slab_next;
  sc.slab_next += stride;
  ++stats_.stacks_carved;
  Stack stack;
  stack.lo = guard_lo + kPageSize;
  stack.size = size;
  stack.size_class = static_cast<int8_t>(cls);
  stack.guard = ProtectLocked(guard_lo);
  return stack;
}

absl::StatusOr<Stack> StackPool::MapUnpooled(size_t size) {
  const size_t bytes = size + kPageSize;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "mmap of a ", size, "-byte stack failed: ", std::strerror(errno)));
  }
  madvise(base, bytes, MADV_NOHUGEPAGE);
  Stack stack;
  stack.lo = static_cast<char*>(base) + kPageSize;
  stack.size = size;
  stack.size_class = -1;
  // An unpooled stack owns its mapping, so a guard costs at most one VMA
  // split at its own end; it never needs the shared budget.
  const GuardMode mode = mode_.load(std::memory_order_relaxed);
  if (mode == GuardMode::kGuardAdvice &&
      madvise(base, kPageSize, MADV_GUARD_INSTALL) == 0) {
    stack.guard = GuardMode::kGuardAdvice;
  } else if (mode != GuardMode::kCanary &&
             mprotect(base, kPageSize, PROT_NONE) == 0) {
    stack.guard = GuardMode::kMprotect;
  } else {
    WriteCanary(stack.lo);
    stack.guard = GuardMode::kCanary;
  }
  unpooled_in_use_.fetch_add(1, std::memory_order_relaxed);
  return stack;
}

void StackPool::Release(Stack stack) {
  if (!stack.valid()) return;
#if defined(COLONY_ASAN)
  // Frames abandoned on this stack (a finished coroutine's entry frame never
  // returns) leave poisoned redzones behind; the next user starts clean.
  ASAN_UNPOISON_MEMORY_REGION(stack.lo, stack.size);
#endif
  if (stack.size_class < 0) {
    unpooled_in_use_.fetch_sub(1, std::memory_order_relaxed);
    munmap(stack.lo - kPageSize, stack.size + kPageSize);
    return;
  }
  if (stack.guard == GuardMode::kCanary && !stack.CanaryIntact()) {
    ABSL_RAW_LOG(FATAL,
                 "stack canary below the %zu-byte stack at %p was overwritten: "
                 "a coroutine overflowed its stack",
                 stack.size, static_cast<void*>(stack.lo));
  }
  if (thread_cache_) {
    ThreadCache& cache = LocalCache();
    const int cls = stack.size_class;
    int n = cache.Count(cls);
    if (n == kCacheCapacity) {
      // Uncounted before the shared pool counts them back in, so that
      // stats() may overstate the stacks in use for a moment, never
      // understate them.
      n -= kCacheBatch;
      cache.SetCount(cls, n);
      ReleaseToShared(&cache.stacks[cls][n], kCacheBatch);
    }
    cache.stacks[cls][n] = stack;
    cache.SetCount(cls, n + 1);
    return;
  }
  ReleaseToShared(&stack, 1);
}

void StackPool::ReleaseToShared(Stack* stacks, size_t n) {
  if (n == 0) return;
  // When a class's warm stacks reach warm_limit_ + trim_batch_, the
  // trim_batch_ least recently released give their pages back if they were
  // released retain_ns_ ago or earlier (Scavenge() takes the rest later).
  // The madvise() runs outside the lock, and only then do those stacks
  // become available again (as cold ones). Batches matter with several
  // threads: every MADV_DONTNEED flushes the TLBs of every CPU the process
  // runs on (an inter-processor interrupt each), and a batch of
  // neighbouring stacks is mostly one range (GiveBackPages()).
  const int64_t now = NowNanos();
  std::vector<Stack> trim;
  {
    std::lock_guard<std::mutex> lock(mu_);
    outside_ -= n;
    for (size_t i = 0; i < n; ++i) {
      SizeClass& sc = classes_[stacks[i].size_class];
      sc.warm.push_back(Warm{stacks[i], now});
      if (sc.warm.size() >= warm_limit_ + trim_batch_) {
        TakeOldLocked(sc, now, trim_batch_, &trim);
      }
    }
  }
  GiveBackAndCool(trim);
}

void StackPool::TakeOldLocked(SizeClass& sc, int64_t now_ns, size_t max,
                              std::vector<Stack>* out) {
  size_t taken = 0;
  while (taken < max && sc.warm.size() > warm_limit_ &&
         now_ns - sc.warm.front().released_ns >= retain_ns_) {
    out->push_back(sc.warm.front().stack);
    sc.warm.pop_front();
    ++taken;
  }
}

void StackPool::GiveBackAndCool(std::vector<Stack>& stacks) {
  if (stacks.empty()) return;
  GiveBackPages(stacks.data(), stacks.size());
  std::lock_guard<std::mutex> lock(mu_);
  for (const Stack& s : stacks) classes_[s.size_class].cold.push_back(s);
}

size_t StackPool::Scavenge(int64_t now_ns) {
  size_t total = 0;
  std::vector<Stack> trim;
  for (SizeClass& sc : classes_) {
    // A batch at a time, so that allocations and releases of other threads
    // wait for the lock no longer than one batch's bookkeeping.
    for (;;) {
      trim.clear();
      {
        std::lock_guard<std::mutex> lock(mu_);
        TakeOldLocked(sc, now_ns, kMaxTrimBatch, &trim);
      }
      if (trim.empty()) break;
      total += trim.size();
      GiveBackAndCool(trim);
    }
  }
  return total;
}

void StackPool::GiveBackPages(Stack* stacks, size_t n) {
  // Stacks carved one after the other from a slab are neighbours, one guard
  // page apart, and tasks tend to end in the order they started: sorted,
  // most of a batch is one range, one madvise() and one TLB flush instead of
  // one per stack. A range keeps the guards inside it (guard markers and
  // PROT_NONE pages have no pages to drop, and MADV_DONTNEED leaves both in
  // place), but never spans a canary, which lives in the page below its
  // stack and would be zeroed.
  std::sort(stacks, stacks + n,
            [](const Stack& a, const Stack& b) { return a.lo < b.lo; });
  size_t i = 0;
  while (i < n) {
    char* const begin = stacks[i].lo;
    char* end = stacks[i].top();
    size_t j = i + 1;
    while (j < n && stacks[j].guard != GuardMode::kCanary &&
           stacks[j].lo == end + kPageSize) {
      end = stacks[j].top();
      ++j;
    }
    madvise(begin, static_cast<size_t>(end - begin), MADV_DONTNEED);
    i = j;
  }
}

void StackPool::Trim() {
  std::vector<Stack> stacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (SizeClass& sc : classes_) {
      for (const Warm& w : sc.warm) stacks.push_back(w.stack);
      sc.warm.clear();
    }
  }
  GiveBackAndCool(stacks);
}

StackPool::Stats StackPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  // Stacks outside the shared lists are in use or cached by a thread.
  size_t cached = 0;
  for (const ThreadCache* c : caches_) {
    for (int cls = 0; cls < kClasses; ++cls) {
      cached += static_cast<size_t>(c->Count(cls));
    }
  }
  s.stacks_in_use = (outside_ > cached ? outside_ - cached : 0) +
                    unpooled_in_use_.load(std::memory_order_relaxed);
  s.stacks_pooled = 0;
  for (const SizeClass& sc : classes_) {
    s.stacks_pooled += sc.warm.size() + sc.cold.size();
    s.stacks_warm += sc.warm.size();
  }
  return s;
}

}  // namespace colony::coroutine_internal
