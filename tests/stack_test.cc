// Copyright 2026 The Colony Authors.
//
// Stack pool, guard pages, canaries and overflow reports.

#include "coroutine/internal/stack.h"

#include <alloca.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cstring>
#include <thread>
#include <vector>

#include "coroutine/coroutine.h"
#include "coroutine/internal/sanitizer.h"
#include "time/clock.h"

namespace colony::coroutine_internal {
namespace {

TEST(StackPoolTest, RoundsToPowersOfTwo) {
  EXPECT_EQ(StackPool::RoundSize(1), kMinStackSize);
  EXPECT_EQ(StackPool::RoundSize(64 * 1024), 64 * 1024);
  EXPECT_EQ(StackPool::RoundSize(64 * 1024 + 1), 128 * 1024);
  EXPECT_EQ(StackPool::RoundSize(9 << 20), size_t{9} << 20);  // unpooled
}

TEST(StackPoolTest, RejectsHugeStacks) {
  StackPool pool(GuardMode::kGuardAdvice, 1000, 16);
  auto s = pool.Allocate(size_t{1} << 40);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StackPoolTest, ReusesReleasedStacks) {
  StackPool pool(GuardMode::kGuardAdvice, 1000, 16);
  auto a = pool.Allocate(32 * 1024);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size, 32 * 1024);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a->top()) % 16, 0u);
  std::memset(a->lo, 0xab, a->size);  // the whole stack is writable
  char* lo = a->lo;
  pool.Release(*a);
  auto b = pool.Allocate(20 * 1024);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->lo, lo);
  EXPECT_EQ(pool.stats().stacks_carved, 1u);
  pool.Release(*b);
}

// The process-wide pool serves from per-thread caches; a stack cached by a
// thread is not in use, and one handed out of a cache is.
TEST(StackPoolTest, DefaultPoolCountsStacksInUseAcrossThreadCaches) {
  StackPool& pool = StackPool::Default();
  const size_t before = pool.stats().stacks_in_use;
  std::vector<Stack> stacks;
  for (int i = 0; i < 100; ++i) {
    auto s = pool.Allocate(64 * 1024);
    ASSERT_TRUE(s.ok());
    stacks.push_back(*s);
    EXPECT_EQ(pool.stats().stacks_in_use, before + stacks.size());
  }
  // Released on another thread: into its cache (and the shared lists once
  // the cache is full), then the rest to the shared lists at its exit.
  std::thread([&] {
    for (size_t i = 0; i < stacks.size(); ++i) {
      pool.Release(stacks[i]);
      EXPECT_EQ(pool.stats().stacks_in_use, before + stacks.size() - i - 1);
    }
  }).join();
  EXPECT_EQ(pool.stats().stacks_in_use, before);
  // Taken again here (from this thread's cache first): counted again.
  for (int i = 0; i < 50; ++i) {
    auto s = pool.Allocate(64 * 1024);
    ASSERT_TRUE(s.ok());
    stacks[static_cast<size_t>(i)] = *s;
  }
  EXPECT_EQ(pool.stats().stacks_in_use, before + 50);
  for (int i = 0; i < 50; ++i) pool.Release(stacks[static_cast<size_t>(i)]);
  EXPECT_EQ(pool.stats().stacks_in_use, before);
}

TEST(StackPoolTest, BeyondWarmLimitPagesAreReturned) {
  StackPool pool(GuardMode::kGuardAdvice, 1000, /*warm_limit=*/1);
  auto a = pool.Allocate(16 * 1024);
  auto b = pool.Allocate(16 * 1024);
  ASSERT_TRUE(a.ok() && b.ok());
  std::memset(a->lo, 1, a->size);
  std::memset(b->lo, 1, b->size);
  pool.Release(*a);
  // Past the limit: the least recently released stack gives its pages back
  // (reads back as zero), the other keeps them.
  pool.Release(*b);
  EXPECT_EQ(a->lo[100], 0);
  EXPECT_EQ(b->lo[100], 1);
  EXPECT_EQ(pool.stats().stacks_pooled, 2u);
}

TEST(StackPoolTest, StacksPastWarmLimitKeepPagesForTheRetentionTime) {
  constexpr int64_t kRetain = 3'600'000'000'000;  // an hour
  StackPool pool(GuardMode::kGuardAdvice, 1000, /*warm_limit=*/1,
                 /*thread_cache=*/false, kRetain);
  std::vector<Stack> stacks;
  for (int i = 0; i < 4; ++i) {
    auto s = pool.Allocate(16 * 1024);
    ASSERT_TRUE(s.ok());
    std::memset(s->lo, i + 1, s->size);
    stacks.push_back(*s);
  }
  for (const Stack& s : stacks) pool.Release(s);
  // Three past the warm limit, released just now: every page stays.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(stacks[i].lo[100], i + 1) << i;
  EXPECT_EQ(pool.Scavenge(NowNanos()), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(stacks[i].lo[100], i + 1) << i;
  // Once they are older than the retention time, the three least recently
  // released give their pages back (they read back as zero); the warm
  // limit's one keeps them.
  EXPECT_EQ(pool.Scavenge(NowNanos() + kRetain), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(stacks[i].lo[100], 0) << i;
  EXPECT_EQ(stacks[3].lo[100], 4);
  EXPECT_EQ(pool.Scavenge(NowNanos() + 2 * kRetain), 0u);
  EXPECT_EQ(pool.stats().stacks_pooled, 4u);
  // They are all allocated again, the warm one first.
  auto again = pool.Allocate(16 * 1024);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->lo, stacks[3].lo);
  EXPECT_EQ(pool.stats().stacks_carved, 4u);
  pool.Release(*again);
}

TEST(StackPoolTest, MprotectGuardsFallBackToCanariesPastTheBudget) {
  StackPool pool(GuardMode::kMprotect, /*max_guard_vmas=*/4, 16);
  std::vector<Stack> stacks;
  for (int i = 0; i < 5; ++i) {
    auto s = pool.Allocate(16 * 1024);
    ASSERT_TRUE(s.ok());
    stacks.push_back(*s);
  }
  EXPECT_EQ(stacks[0].guard, GuardMode::kMprotect);
  EXPECT_EQ(stacks[1].guard, GuardMode::kMprotect);
  EXPECT_EQ(stacks[2].guard, GuardMode::kCanary);
  EXPECT_TRUE(stacks[2].CanaryIntact());
  EXPECT_EQ(pool.stats().mprotect_guards, 2u);
  EXPECT_EQ(pool.stats().canary_stacks, 3u);
  for (const Stack& s : stacks) pool.Release(s);
}

// Trim() gives back neighbouring stacks' pages in one range: the stacks
// read back as zero and the canaries between them stay intact. The budget
// of 4 guard VMAs gives two mprotect guards, then canaries, all carved
// next to each other.
TEST(StackPoolTest, TrimDropsNeighboursPagesAndKeepsCanaries) {
  for (GuardMode mode :
       {GuardMode::kGuardAdvice, GuardMode::kMprotect, GuardMode::kCanary}) {
    StackPool pool(mode, /*max_guard_vmas=*/4, /*warm_limit=*/16);
    std::vector<Stack> stacks;
    for (int i = 0; i < 6; ++i) {
      auto s = pool.Allocate(16 * 1024);
      ASSERT_TRUE(s.ok());
      std::memset(s->lo, 1, s->size);
      stacks.push_back(*s);
    }
    for (const Stack& s : stacks) pool.Release(s);
    pool.Trim();
    for (const Stack& s : stacks) {
      EXPECT_EQ(s.lo[0], 0) << GuardModeName(s.guard);
      EXPECT_EQ(s.top()[-1], 0) << GuardModeName(s.guard);
      if (s.guard == GuardMode::kCanary) {
        EXPECT_TRUE(s.CanaryIntact());
      }
    }
    // Reused after the trim, every stack is whole again.
    for (size_t i = 0; i < stacks.size(); ++i) {
      auto s = pool.Allocate(16 * 1024);
      ASSERT_TRUE(s.ok());
      std::memset(s->lo, 2, s->size);
      stacks[i] = *s;
    }
    for (const Stack& s : stacks) pool.Release(s);
    EXPECT_EQ(pool.stats().stacks_carved, 6u);
  }
}

// TouchGuard() writes just below a fresh stack with a `mode` guard; with
// `after_trim`, below one whose pages (and its neighbours') were given
// back first.
void TouchGuard(GuardMode mode, bool after_trim = false) {
  StackPool pool(mode, 1000, 16);
  auto s = pool.Allocate(16 * 1024);
  if (after_trim && s.ok()) {
    auto next = pool.Allocate(16 * 1024);
    if (!next.ok()) return;
    pool.Release(*s);
    pool.Release(*next);
    pool.Trim();
    s = pool.Allocate(16 * 1024);
  }
  if (s.ok() && s->guard == mode) {
    *reinterpret_cast<volatile char*>(s->lo - 1) = 1;
  }
}

TEST(StackPoolDeathTest, GuardPagesFault) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Killed by SIGSEGV, or (under AddressSanitizer) reported and exited.
  EXPECT_DEATH(TouchGuard(GuardMode::kMprotect), "");
  EXPECT_DEATH(TouchGuard(GuardMode::kMprotect, /*after_trim=*/true), "");
  StackPool probe(GuardMode::kGuardAdvice, 1000, 16);
  if (probe.mode() == GuardMode::kGuardAdvice) {
    EXPECT_DEATH(TouchGuard(GuardMode::kGuardAdvice), "");
    EXPECT_DEATH(TouchGuard(GuardMode::kGuardAdvice, /*after_trim=*/true), "");
  }
}

TEST(StackPoolDeathTest, OverwrittenCanaryIsFatalOnRelease) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  StackPool pool(GuardMode::kCanary, 0, 16);
  auto s = pool.Allocate(16 * 1024);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->guard, GuardMode::kCanary);
  s->lo[-3] = 0;
  EXPECT_FALSE(s->CanaryIntact());
  EXPECT_DEATH(pool.Release(*s), "canary .* overwritten");
  s->lo[-3] = static_cast<char>(kCanaryPattern >> 40);
}

// Recurses until it runs out of stack (the limit is never reached).
volatile int recursion_limit = -1;
__attribute__((noinline)) int Recurse(int n) {
  volatile char frame[512];
  frame[0] = static_cast<char>(n);
  if (n == recursion_limit) return 0;
  return Recurse(n + 1) + frame[0];
}

[[maybe_unused]] void OverflowCoroutine() {
  Coroutine<void, void, int> co([](auto&) { return Recurse(0); },
                                {.name = "deep-recursion"});
  co.Resume();
}

// Sanitizers install their own SIGSEGV handling and report overflows
// themselves; the message checked here is Colony's.
#if !defined(COLONY_ASAN) && !defined(COLONY_TSAN)
TEST(StackOverflowDeathTest, GuardPageHitNamesTheCoroutine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(OverflowCoroutine(),
               "stack overflow: coroutine 'deep-recursion' \\(id [0-9]+\\) "
               "overflowed its stack of 65536 bytes.*Raise "
               "CoroutineOptions::stack_size");
}

TEST(StackOverflowDeathTest, MprotectGuardHitNamesTheCoroutine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  setenv("COLONY_STACK_GUARD", "mprotect", 1);
  EXPECT_DEATH(OverflowCoroutine(), "coroutine 'deep-recursion'.*overflowed");
  unsetenv("COLONY_STACK_GUARD");
}
#endif

// Writes a little past the bottom of the stack (into the canary), then
// suspends: the switch notices.
[[maybe_unused]] void SmashCanary() {
  setenv("COLONY_STACK_GUARD", "canary", 1);
  Coroutine<void, void, void> co(
      [](auto& s) {
        const size_t remaining = CurrentCoroutine()->StackRemaining();
        char* block = static_cast<char*>(alloca(remaining + 64));
        std::memset(block, 0, 256);
        asm volatile("" : : "r"(block) : "memory");  // keep the stores
        s.Suspend();
      },
      {.name = "canary-smasher"});
  co.Resume();
}

// Under sanitizers the interceptor called for memset needs more stack than
// the canary page offers.
#if !defined(COLONY_ASAN) && !defined(COLONY_TSAN)
TEST(StackOverflowDeathTest, CanaryCheckedAtSwitch) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(SmashCanary(),
               "coroutine 'canary-smasher' .* overflowed its stack .*canary");
}
#endif

}  // namespace
}  // namespace colony::coroutine_internal
