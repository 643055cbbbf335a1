// Copyright 2026 The Colony Authors.
//
// Backtraces of suspended plain coroutines (coroutine/internal/backtrace.h)
// on the architecture at hand: built by Bazel on x86-64 and by
// tools/aarch64_test.sh for aarch64 under qemu.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/debugging/symbolize.h"
#include "coroutine/coroutine.h"
#include "coroutine/internal/backtrace.h"
#include "gtest/gtest.h"

namespace colony {
namespace {

using Co = Coroutine<void, void, void>;

// Three distinct frames below the suspension, never inlined. Each records
// its own return address (into its caller), which the walk must find.
uintptr_t return_into_level2 = 0;
uintptr_t return_into_level3 = 0;

__attribute__((noinline)) void BacktraceLevel1(Co::Suspender& s) {
  return_into_level2 = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  s.Suspend();
  asm volatile("" ::: "memory");
}
__attribute__((noinline)) void BacktraceLevel2(Co::Suspender& s) {
  return_into_level3 = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  BacktraceLevel1(s);
  asm volatile("" ::: "memory");
}
__attribute__((noinline)) void BacktraceLevel3(Co::Suspender& s) {
  BacktraceLevel2(s);
  asm volatile("" ::: "memory");
}

TEST(CoroutineBacktraceTest, FindsTheReturnAddressesOfASuspendedStack) {
  Co co([](Co::Suspender& s) { BacktraceLevel3(s); });
  co.Resume();
  ASSERT_EQ(co.basic().state(), CoroutineState::kSuspended);
  uintptr_t pcs[64];
  const size_t n =
      coroutine_internal::SuspendedBacktrace(co.basic(), absl::MakeSpan(pcs));
  // Level1's return address, then Level2's, next to each other, innermost
  // first.
  int at = -1;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (pcs[i] == return_into_level2) at = static_cast<int>(i);
  }
  ASSERT_GE(at, 0) << "return address into BacktraceLevel2 not found in " << n
                   << " frames";
  EXPECT_EQ(pcs[at + 1], return_into_level3);
  co.Resume();
  EXPECT_EQ(co.basic().state(), CoroutineState::kCompleted);
}

#if defined(__x86_64__)
std::string Name(uintptr_t pc) {
  char buf[512];
  if (absl::Symbolize(reinterpret_cast<const void*>(pc - 1), buf,
                      sizeof(buf))) {
    return buf;
  }
  return "?";
}

// Symbolization (absl::Symbolize) of the same walk; not under qemu-user,
// whose /proc/self/maps the symbolizer cannot use.
TEST(CoroutineBacktraceTest, NamesTheFramesOfASuspendedStack) {
  Co co([](Co::Suspender& s) { BacktraceLevel3(s); });
  co.Resume();
  ASSERT_EQ(co.basic().state(), CoroutineState::kSuspended);
  uintptr_t pcs[64];
  const size_t n =
      coroutine_internal::SuspendedBacktrace(co.basic(), absl::MakeSpan(pcs));
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back(Name(pcs[i]));
  std::string all;
  for (const std::string& name : names) all += name + "\n";
  // Innermost first: Level1 before Level2 before Level3.
  auto index = [&](const char* fn) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].find(fn) != std::string::npos) return static_cast<int>(i);
    }
    return -1;
  };
  const int l1 = index("BacktraceLevel1");
  const int l2 = index("BacktraceLevel2");
  const int l3 = index("BacktraceLevel3");
  EXPECT_GE(l1, 0) << all;
  EXPECT_GT(l2, l1) << all;
  EXPECT_GT(l3, l2) << all;
  co.Resume();
  EXPECT_EQ(co.basic().state(), CoroutineState::kCompleted);
}
#endif

TEST(CoroutineBacktraceTest, BoundedByTheOutput) {
  Co co([](Co::Suspender& s) { BacktraceLevel3(s); });
  co.Resume();
  uintptr_t pcs[2];
  EXPECT_EQ(
      coroutine_internal::SuspendedBacktrace(co.basic(), absl::MakeSpan(pcs)),
      2u);
  co.Resume();
}

}  // namespace
}  // namespace colony

int main(int argc, char** argv) {
  absl::InitializeSymbolizer(argv[0]);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
