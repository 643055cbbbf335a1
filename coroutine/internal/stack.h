// Copyright 2026 The Colony Authors.
//
// Stack memory for coroutines.
//
// Stacks are carved from slabs reserved with mmap(MAP_NORESERVE): address
// space only, pages are committed when first touched. Every stack has a
// guard page below it, installed with madvise(MADV_GUARD_INSTALL) where the
// kernel has it (no extra VMA), or with mprotect (two VMAs per stack) where
// it does not. When mprotect guards would push the process past
// vm.max_map_count, further stacks get a canary instead: a pattern below the
// stack that every switch checks.
//
// Stacks are pooled per size class (powers of two) in a small per-thread
// cache in front of a shared pool. Released stacks keep their pages (a
// stack allocated again costs no page fault): up to the pool's warm limit
// for ever, beyond it for the pool's retention time. Pages of stacks
// beyond the warm limit that have waited longer are returned to the kernel
// with MADV_DONTNEED, in batches of the least recently released, by the
// next release of their size class or by Scavenge() (which the scheduler's
// monitor thread calls, so that a process that has gone quiet after a
// burst gives the memory back too). What is kept beyond the warm limit is
// thus at most what was in use at once within the retention time. The
// address space (and the guard) is kept for reuse.
//
// Thread-safety: StackPool is thread-safe. A Stack is owned by one holder.

#ifndef COLONY_COROUTINE_INTERNAL_STACK_H_
#define COLONY_COROUTINE_INTERNAL_STACK_H_

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace colony::coroutine_internal {

// How stacks are protected against overflow.
enum class GuardMode : uint8_t {
  kGuardAdvice,  // madvise(MADV_GUARD_INSTALL): a guard page, no extra VMA.
  kMprotect,     // mprotect(PROT_NONE) guard page: splits the VMA.
  kCanary,       // a pattern below the stack, checked at every switch.
};

std::string_view GuardModeName(GuardMode mode);

inline constexpr size_t kPageSize = 4096;
inline constexpr size_t kMinStackSize = 16 * 1024;
inline constexpr size_t kMaxPooledStackSize = 8 * 1024 * 1024;
inline constexpr size_t kMaxStackSize = size_t{1} << 30;
inline constexpr int kCanaryWords = 8;
inline constexpr uint64_t kCanaryPattern = 0xc0105cafebabe5edULL;

// A stack handed out by StackPool: [lo, lo + size) is usable and grows down
// from lo + size. The guard (or canary) sits just below lo.
struct Stack {
  char* lo = nullptr;
  size_t size = 0;
  int8_t size_class = -1;  // -1: not pooled, unmapped on release.
  GuardMode guard = GuardMode::kGuardAdvice;

  char* top() const { return lo + size; }
  bool valid() const { return lo != nullptr; }
  // The guard page (or canary page) below the stack.
  char* guard_lo() const { return lo - kPageSize; }
  // Whether the canary below a kCanary stack is intact.
  bool CanaryIntact() const;
};

class StackPool {
  struct ThreadCache;

 public:
  // Per-size-class counters.
  struct Stats {
    size_t reserved_bytes = 0;   // address space reserved by slabs
    size_t stacks_carved = 0;    // stacks ever cut from slabs
    size_t stacks_in_use = 0;    // handed out and not yet released
    size_t stacks_pooled = 0;    // in the shared pool (warm and cold)
    size_t stacks_warm = 0;      // of those, with their pages resident
    size_t mprotect_guards = 0;  // guards that cost VMAs
    size_t canary_stacks = 0;    // stacks protected by a canary only
  };

  // The process-wide pool used by coroutines. Its guard mode is the best the
  // kernel offers, unless the environment variable COLONY_STACK_GUARD names
  // one of "advice", "mprotect" or "canary".
  static StackPool& Default();

  // A pool using `mode` where it can (kGuardAdvice falls back to kMprotect
  // when the kernel lacks it). `max_guard_vmas` bounds the VMAs mprotect
  // guards may use before stacks switch to canaries; `warm_limit` is how many
  // released stacks per size class keep their pages (a quarter more, at most
  // 1,024, may wait to give theirs back in one batch); stacks past that
  // keep their pages for `retain_ns` nanoseconds after their release (0:
  // they give them back at once, in those batches). The Default() pool
  // keeps released stacks for kDefaultRetainNanos and a small per-thread
  // cache (`thread_cache`).
  StackPool(GuardMode mode, size_t max_guard_vmas, size_t warm_limit,
            bool thread_cache = false, int64_t retain_ns = 0);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // Allocate returns a stack with at least `min_size` usable bytes (rounded
  // up to a power of two no smaller than 16 KiB). Fails with
  // InvalidArgument for sizes above 1 GiB and ResourceExhausted when the
  // kernel refuses the memory.
  absl::StatusOr<Stack> Allocate(size_t min_size);

  // Release returns `stack` to the pool (or unmaps it when it is not
  // pooled). The stack must not be in use.
  void Release(Stack stack);

  // TryAllocateCached() is Allocate()'s common case, inline: a stack of at
  // least `min_size` bytes from the calling thread's cache into `*out`.
  // False when the cache holds none of that size class, or the size is
  // not pooled, or the thread has no cache of this pool yet: then call
  // Allocate(), which refills it.
  bool TryAllocateCached(size_t min_size, Stack* out) {
    ThreadCache* cache = tls_cache_;
    if (cache == nullptr || cache->pool != this ||
        min_size > kMaxPooledStackSize) {
      return false;
    }
    const int cls = RequestClass(min_size);
    const int n = cache->Count(cls);
    if (n == 0) return false;
    cache->SetCount(cls, n - 1);
    *out = cache->stacks[cls][n - 1];
    return true;
  }
  // TryReleaseCached() is Release()'s common case, inline: `stack` goes to
  // the calling thread's cache. False when it cannot (a full cache, an
  // unpooled or canary stack, a thread without a cache, AddressSanitizer
  // builds): then call Release().
  bool TryReleaseCached(const Stack& stack) {
#if defined(__SANITIZE_ADDRESS__) || defined(COLONY_ASAN)
    (void)stack;
    return false;  // Release() unpoisons the stack first
#else
    ThreadCache* cache = tls_cache_;
    if (cache == nullptr || cache->pool != this || stack.size_class < 0 ||
        stack.guard == GuardMode::kCanary) {
      return false;
    }
    const int cls = stack.size_class;
    const int n = cache->Count(cls);
    if (n == kCacheCapacity) return false;
    cache->stacks[cls][n] = stack;
    cache->SetCount(cls, n + 1);
    return true;
#endif
  }

  // Trim returns the pages of every pooled stack to the kernel.
  void Trim();

  // Scavenge returns the pages of the pooled stacks past the warm limit
  // that were released at least the retention time before `now_ns` (a
  // NowNanos() reading), and returns how many stacks gave theirs back.
  // Cheap when there are none; meant for a background thread.
  size_t Scavenge(int64_t now_ns);

  // How long the Default() pool keeps the pages of released stacks past
  // its warm limit.
  static constexpr int64_t kDefaultRetainNanos = 5'000'000'000;

  GuardMode mode() const { return mode_.load(std::memory_order_relaxed); }
  Stats stats() const;

  // Rounds a requested size to the usable size Allocate would return.
  static size_t RoundSize(size_t min_size);

 private:
  // A pooled stack whose pages are resident, and when it was released.
  struct Warm {
    Stack stack;
    int64_t released_ns;
  };
  struct SizeClass {
    std::deque<Warm> warm;    // pages resident; least recently released first
    std::vector<Stack> cold;  // pages given back
    char* slab_next = nullptr;
    char* slab_end = nullptr;
  };
  static constexpr int kClasses = 10;  // 16 KiB .. 8 MiB
  // Per-thread cache: stacks kept per size class, and how many move at
  // once between the cache and the shared pool.
  static constexpr int kCacheCapacity = 32;
  static constexpr int kCacheBatch = kCacheCapacity / 2;

  // Stacks cached by one thread for the Default() pool. Returned to the
  // shared pool when the thread exits.
  struct ThreadCache {
    Stack stacks[kClasses][kCacheCapacity];
    // How many of stacks[c] are cached. Atomics for stats() on other
    // threads only: written by the owner alone (a load and a store, no
    // RMW), read relaxed.
    std::atomic<int> count[kClasses] = {};
    StackPool* pool = nullptr;

    int Count(int c) const { return count[c].load(std::memory_order_relaxed); }
    void SetCount(int c, int n) {
      count[c].store(n, std::memory_order_relaxed);
    }
    ~ThreadCache();
  };
  // The calling thread's cache once it has one (LocalCache() sets it, the
  // cache's destructor clears it): a plain pointer, so that the inline
  // fast paths pay no thread_local initialisation check.
  static inline thread_local ThreadCache* tls_cache_ = nullptr;

  // RequestClass() is the size class Allocate(min_size) serves, for sizes
  // up to kMaxPooledStackSize: ClassOf(RoundSize(min_size)).
  static int RequestClass(size_t min_size) {
    if (min_size <= kMinStackSize) return 0;
    return std::bit_width(min_size - 1) - std::bit_width(kMinStackSize - 1);
  }

  static int ClassOf(size_t size);
  absl::StatusOr<Stack> AllocateSlow(int cls);
  // Carve() and ProtectLocked() require mu_.
  absl::StatusOr<Stack> Carve(int cls);
  absl::StatusOr<Stack> MapUnpooled(size_t size);
  GuardMode ProtectLocked(char* guard_lo);
  void ReleaseToShared(Stack* stacks, size_t n);
  // TakeOldLocked() moves up to `max` of the least recently released warm
  // stacks of `sc` that are past the warm limit and older than the
  // retention time to `out`. Requires mu_.
  void TakeOldLocked(SizeClass& sc, int64_t now_ns, size_t max,
                     std::vector<Stack>* out);
  // GiveBackAndCool() gives back the pages of `stacks` (GiveBackPages())
  // and makes them cold, available again. Without mu_.
  void GiveBackAndCool(std::vector<Stack>& stacks);
  // GiveBackPages() returns the pages of `stacks` (sorting them by address)
  // to the kernel, keeping their address space and guards.
  static void GiveBackPages(Stack* stacks, size_t n);
  ThreadCache& LocalCache();

  // Written under mu_ (a failed madvise downgrades it), read anywhere.
  // Relaxed: it only picks the guard of new stacks, and each Stack records
  // the guard it got.
  std::atomic<GuardMode> mode_;
  const size_t max_guard_vmas_;
  const size_t warm_limit_;
  // How many warm stacks past the limit give their pages back at once.
  const size_t trim_batch_;
  const bool thread_cache_;
  const int64_t retain_ns_;
  // A std::mutex rather than absl::Mutex: the system Abseil is not built
  // with ThreadSanitizer, which would then miss its synchronisation.
  mutable std::mutex mu_;
  // Guarded by mu_:
  SizeClass classes_[kClasses];
  std::vector<std::pair<char*, size_t>> slabs_;
  Stats stats_;
  // Pooled stacks outside the shared lists: in use, or in a thread's cache
  // (stats() subtracts those). Counted under the lock the shared lists
  // take anyway, so that a thread's cache hit costs no atomic RMW.
  size_t outside_ = 0;
  // The thread caches (Default() only), for stats().
  std::vector<ThreadCache*> caches_;
  // Unpooled stacks in use. Not guarded: a statistic, updated and read
  // relaxed.
  std::atomic<size_t> unpooled_in_use_{0};
};

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_STACK_H_
