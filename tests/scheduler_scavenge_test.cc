// Copyright 2026 The Colony Authors.
//
// The stacks of a burst of tasks keep their pages for the stack pool's
// retention time (so that the next burst does not fault them in again),
// and the scheduler's monitor gives them back once that has passed, with
// no task ending to trigger it.

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "coroutine/internal/stack.h"
#include "gtest/gtest.h"
#include "scheduler/join_handle.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"
#include "tests/scheduler_test_util.h"

namespace colony {
namespace {

using ::colony::coroutine_internal::StackPool;
using ::colony::testing::StartScheduler;

// The Default() pool's warm limit (stack.cc) and its batch past it.
constexpr size_t kWarmLimit = 4096;
constexpr size_t kTrimBatch = 1024;

TEST(SchedulerScavengeTest, BurstStacksStayWarmThenGoBack) {
  auto s = StartScheduler({.workers = 2});
  constexpr int kTasks = 6000;  // under ThreadSanitizer's 8,128 too
  // Every stack of the burst is released after `released`.
  absl::Time released;
  absl::Duration release_took;
  {
    Event gate;
    std::atomic<int> waiting{0};
    std::vector<JoinHandle<void>> handles;
    handles.reserve(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      handles.push_back(s->Spawn([&gate, &waiting] {
        waiting.fetch_add(1, std::memory_order_relaxed);
        gate.Wait();
      }));
    }
    while (waiting.load(std::memory_order_relaxed) < kTasks) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    released = absl::Now();
    gate.Set();
    for (JoinHandle<void>& h : handles) EXPECT_TRUE(h.Join().completed());
    release_took = absl::Now() - released;
  }
  // Every stack is back in the pool, and (but for the workers' small
  // caches) keeps its pages: more than the warm limit and its batch, which
  // is all that giving pages back at release would keep. (Unless releasing
  // took most of the retention time, as it may in a sanitized build on a
  // loaded machine: then the first ones may be old enough to go already.)
  const StackPool::Stats after_burst = StackPool::Default().stats();
  const absl::Duration retain =
      absl::Nanoseconds(StackPool::kDefaultRetainNanos);
  if (release_took < retain / 2) {
    EXPECT_GT(after_burst.stacks_warm, kWarmLimit + kTrimBatch);
  }
  // The monitor gives the pages past the warm limit back, and not before
  // they are older than the retention time.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  size_t warm = after_burst.stacks_warm;
  while (warm > kWarmLimit && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    warm = StackPool::Default().stats().stacks_warm;
  }
  EXPECT_LE(warm, kWarmLimit);
  EXPECT_GE(absl::Now() - released, retain);
  EXPECT_TRUE(s->Stop().ok());
}

}  // namespace
}  // namespace colony
