// Copyright 2026 The Colony Authors.
//
// Sanitizer fiber annotations. AddressSanitizer must be told the bounds of
// the stack execution moves to (__sanitizer_start_switch_fiber before a
// switch, __sanitizer_finish_switch_fiber after it); ThreadSanitizer keeps a
// fiber per coroutine and is told before every switch which one runs next,
// which also gives it the happens-before edge of the hand-over. Without a
// sanitizer every function here compiles to nothing.

#ifndef COLONY_COROUTINE_INTERNAL_SANITIZER_H_
#define COLONY_COROUTINE_INTERNAL_SANITIZER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COLONY_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define COLONY_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(COLONY_ASAN)
#define COLONY_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(COLONY_TSAN)
#define COLONY_TSAN 1
#endif

#if defined(COLONY_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(COLONY_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace colony::coroutine_internal {

#if defined(COLONY_ASAN)
inline constexpr bool kAsan = true;
#else
inline constexpr bool kAsan = false;
#endif
#if defined(COLONY_TSAN)
inline constexpr bool kTsan = true;
#else
inline constexpr bool kTsan = false;
#endif

// FiberSanitizerState: what a coroutine keeps for the sanitizers (the
// resumer's stack bounds for ASan, its own and its resumer's fiber for
// TSan). Without sanitizers it is empty and takes no room in the block
// ([[no_unique_address]]); its members are then shared dummies that no
// code writes (every write above is under kAsan or kTsan).
#if defined(COLONY_ASAN) || defined(COLONY_TSAN)
struct FiberSanitizerState {
  const void* resumer_stack_lo = nullptr;
  size_t resumer_stack_size = 0;
  void* tsan_fiber = nullptr;
  void* tsan_resumer = nullptr;
};
#else
struct FiberSanitizerState {
  static inline const void* resumer_stack_lo = nullptr;
  static inline size_t resumer_stack_size = 0;
  static inline void* tsan_fiber = nullptr;
  static inline void* tsan_resumer = nullptr;
};
#endif

// AsanStartSwitch announces a switch to the stack [bottom, bottom + size).
// `fake_stack` receives this stack's fake-stack handle, or is null when the
// current stack is about to be abandoned for good.
inline void AsanStartSwitch(void** fake_stack, const void* bottom,
                            size_t size) {
#if defined(COLONY_ASAN)
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}

// AsanFinishSwitch completes a switch on the new stack; it reports the
// bounds of the stack execution came from.
inline void AsanFinishSwitch(void* fake_stack, const void** from_bottom,
                             size_t* from_size) {
#if defined(COLONY_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack, from_bottom, from_size);
#endif
}

#if defined(COLONY_TSAN)
// ThreadSanitizer builds a whole thread state per fiber (a shadow stack of
// tens of thousands of frames among it), so creating and destroying one
// per coroutine dominates the run time of a test that spawns a million.
// Fibers of ended coroutines are kept for reuse instead. A fiber keeps the
// two or three shadow frames its last coroutine ended in, so each is
// reused a bounded number of times before it is really destroyed.
struct TsanFiberCache {
  static constexpr size_t kMaxCached = 512;
  static constexpr uint32_t kMaxUses = 256;
  std::mutex mu;
  std::vector<std::pair<void*, uint32_t>> free;  // guarded by mu
  std::unordered_map<void*, uint32_t> uses;      // guarded by mu
  static TsanFiberCache& Get() {
    static TsanFiberCache* cache = new TsanFiberCache;
    return *cache;
  }
};
#endif

inline void* TsanCreateFiber() {
#if defined(COLONY_TSAN)
  TsanFiberCache& cache = TsanFiberCache::Get();
  {
    std::lock_guard<std::mutex> lock(cache.mu);
    if (!cache.free.empty()) {
      auto [fiber, uses] = cache.free.back();
      cache.free.pop_back();
      cache.uses[fiber] = uses + 1;
      return fiber;
    }
  }
  void* fiber = __tsan_create_fiber(0);
  std::lock_guard<std::mutex> lock(cache.mu);
  cache.uses[fiber] = 1;
  return fiber;
#else
  return nullptr;
#endif
}

inline void TsanDestroyFiber(void* fiber) {
#if defined(COLONY_TSAN)
  if (fiber == nullptr) return;
  TsanFiberCache& cache = TsanFiberCache::Get();
  {
    std::lock_guard<std::mutex> lock(cache.mu);
    auto it = cache.uses.find(fiber);
    const uint32_t uses = it != cache.uses.end() ? it->second : 0;
    if (it != cache.uses.end()) cache.uses.erase(it);
    if (uses < TsanFiberCache::kMaxUses &&
        cache.free.size() < TsanFiberCache::kMaxCached) {
      cache.free.emplace_back(fiber, uses);
      return;
    }
  }
  __tsan_destroy_fiber(fiber);
#endif
}

inline void* TsanCurrentFiber() {
#if defined(COLONY_TSAN)
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}

// TsanSwitchTo must be called immediately before the switch to `fiber`.
// Flags 0 makes the switch a synchronisation point.
inline void TsanSwitchTo(void* fiber) {
#if defined(COLONY_TSAN)
  __tsan_switch_to_fiber(fiber, 0);
#endif
}

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_SANITIZER_H_
