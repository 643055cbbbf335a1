// Copyright 2026 The Colony Authors.
//
// MaybeGrow: deep recursion on fresh stack segments.

#include "coroutine/maybe_grow.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "coroutine/coroutine.h"
#include "coroutine/internal/sanitizer.h"

namespace colony {
namespace {

constexpr size_t kRedZone = 16 * 1024;
constexpr size_t kSegment = 256 * 1024;
// ThreadSanitizer's shadow call stack holds 64Ki frames; 20,000 levels still
// need ~6 MB of stack, a hundred times the coroutine's own.
constexpr long kLevels = coroutine_internal::kTsan ? 20'000 : 100'000;

// About 300 bytes of stack per level: 100,000 levels need ~30 MB, far
// beyond a 64 KiB coroutine stack.
__attribute__((noinline)) long Depth(long n) {
  return MaybeGrow(kRedZone, kSegment, [n]() -> long {
    volatile char pad[256];
    pad[0] = 1;
    if (n == 0) return 0;
    return Depth(n - 1) + pad[0];
  });
}

TEST(MaybeGrowTest, DeepRecursionInACoroutineCompletes) {
  Coroutine<void, void, long> co([](auto&) { return Depth(kLevels); });
  EXPECT_EQ(co.basic().stack_size(), kDefaultStackSize);
  EXPECT_EQ(co.Resume(), Completed{kLevels});
}

TEST(MaybeGrowTest, DeepRecursionOnAPlainThreadCompletes) {
  long result = 0;
  std::thread t([&] { result = Depth(kLevels); });
  t.join();
  EXPECT_EQ(result, kLevels);
}

TEST(MaybeGrowTest, RunsInPlaceWhenThereIsRoom) {
  Coroutine<void, void, bool> co([](auto&) {
    const char* before = static_cast<const char*>(__builtin_frame_address(0));
    const char* inside = MaybeGrow(1024, kSegment, [] {
      return static_cast<const char*>(__builtin_frame_address(0));
    });
    return before - inside < 4096;  // same stack, a few frames down
  });
  EXPECT_EQ(co.Resume(), Completed{true});
}

TEST(MaybeGrowTest, NewSegmentHasTheRequestedRoom) {
  size_t remaining = 0;
  MaybeGrow(size_t{1} << 40, kSegment, [&] { remaining = RemainingStack(); });
  EXPECT_GT(remaining, kSegment - 4096);
  EXPECT_LE(remaining, kSegment);
}

TEST(MaybeGrowTest, ExceptionsCrossBackToTheOriginalStack) {
  Coroutine<void, void, void> co([](auto&) {
    MaybeGrow(size_t{1} << 40, kSegment,
              [] { throw std::runtime_error("from the segment"); });
  });
  auto r = co.Resume();
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.message(), "from the segment");
}

TEST(MaybeGrowTest, SuspendOnASegmentAndMigrate) {
  Coroutine<void, int, int> co([](Suspender<void, int>& s) {
    return MaybeGrow(size_t{1} << 40, kSegment, [&] {
      s.Suspend(1);
      s.Suspend(2);
      return static_cast<int>(RemainingStack() > kSegment / 2);
    });
  });
  EXPECT_EQ(co.Resume(), Suspended{1});
  std::thread([&] { EXPECT_EQ(co.Resume(), Suspended{2}); }).join();
  std::thread([&] { EXPECT_EQ(co.Resume(), Completed{1}); }).join();
}

TEST(MaybeGrowTest, CancelWhileOnASegmentUnwinds) {
  int drops = 0;
  struct Guard {
    int* drops;
    ~Guard() { ++*drops; }
  };
  Coroutine<void, void, void> co([&](auto& s) {
    Guard outer{&drops};
    MaybeGrow(size_t{1} << 40, kSegment, [&] {
      Guard inner{&drops};
      s.Suspend();
    });
  });
  co.Resume();
  EXPECT_TRUE(co.Cancel().ok());
  EXPECT_EQ(drops, 2);
}

}  // namespace
}  // namespace colony
