// Copyright 2026 The Colony Authors.
//
// Exact-count stress: every spawned task runs exactly once, and every
// cancellation racing completion ends in exactly one outcome with every
// destructor run. The spawn count comes from COLONY_STRESS_SPAWNS
// (default 1,000,000); the `_long` target raises it.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"
#include "tests/scheduler_test_util.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;

int64_t SpawnCount() {
  const char* env = std::getenv("COLONY_STRESS_SPAWNS");
  const int64_t count = env != nullptr ? std::atoll(env) : 1'000'000;
  // ThreadSanitizer makes every spawn and every fiber teardown two orders
  // of magnitude dearer (about 8 ms a task on a loaded 2-core machine), so
  // it checks a fiftieth of the count.
  return kTsanBuild ? std::max<int64_t>(count / 50, 1'000) : count;
}

// Root tasks spawned from two threads fan out into trees of 10; some
// children yield, some sleep, so tasks migrate while queues overflow and
// get stolen from.
TEST(SchedulerStressTest, EverySpawnRunsExactlyOnce) {
  const int64_t total = SpawnCount();
  constexpr int64_t kFanout = 10;
  const int64_t roots = total / (kFanout + 1);
  const int64_t spawned = roots * (kFanout + 1);
  auto runs = std::make_unique<std::atomic<uint8_t>[]>(spawned);
  auto s = StartScheduler({.workers = 4});
  std::vector<std::thread> spawners;
  std::atomic<int64_t> next_root{0};
  for (int t = 0; t < 2; ++t) {
    spawners.emplace_back([&] {
      std::vector<JoinHandle<void>> handles;
      for (;;) {
        const int64_t r = next_root.fetch_add(1);
        if (r >= roots) break;
        handles.push_back(s->Spawn([&runs, r, roots] {
          runs[r].fetch_add(1, std::memory_order_relaxed);
          std::vector<JoinHandle<void>> children;
          for (int64_t k = 0; k < kFanout; ++k) {
            const int64_t id = roots + r * kFanout + k;
            children.push_back(Spawn([&runs, id] {
              if (id % 7 == 0) Yield();
              if (id % 101 == 0) colony::SleepFor(absl::Microseconds(10));
              runs[id].fetch_add(1, std::memory_order_relaxed);
            }));
          }
          for (auto& c : children) c.Join();
        }));
        if (handles.size() >= (kTsanBuild ? 250u : 2000u)) {
          for (auto& h : handles) ASSERT_TRUE(h.Join().completed());
          handles.clear();
        }
      }
      for (auto& h : handles) ASSERT_TRUE(h.Join().completed());
    });
  }
  for (auto& t : spawners) t.join();
  ASSERT_TRUE(s->Stop().ok());
  int64_t bad = 0;
  for (int64_t i = 0; i < spawned; ++i) {
    if (runs[i].load() != 1) ++bad;
  }
  EXPECT_EQ(bad, 0) << "of " << spawned << " tasks";
  SchedulerStats stats = s->Stats();
  uint64_t completed = 0;
  for (const WorkerStats& w : stats.workers) completed += w.completed;
  EXPECT_EQ(completed, static_cast<uint64_t>(spawned));
}

// Cancel() racing a task's own completion, its sleep and its start: each
// task ends exactly once, completed or cancelled, and its guard always
// runs.
TEST(SchedulerStressTest, CancelRacingCompletion) {
  auto s = StartScheduler({.workers = 4});
  constexpr int kTasks = kTsanBuild ? 4'000 : 20'000;
  std::atomic<int> drops{0};
  std::atomic<int> bodies_done{0};
  std::vector<JoinHandle<int>> hs;
  hs.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    hs.push_back(s->Spawn([&drops, &bodies_done, i] {
      DropCounter guard(&drops);
      if (i % 3 == 1) Yield();
      if (i % 3 == 2) colony::SleepFor(absl::Microseconds(i % 50));
      bodies_done.fetch_add(1);
      return i;
    }));
  }
  std::mt19937 rng(7);
  for (int i = 0; i < kTasks; ++i) {
    if (rng() % 2 == 0) hs[i].Cancel("race");
  }
  int completed = 0, cancelled = 0;
  for (int i = 0; i < kTasks; ++i) {
    TaskResult<int> r = hs[i].Join();
    if (r.completed()) {
      ++completed;
      EXPECT_EQ(r.value(), i);
    } else {
      ASSERT_TRUE(r.cancelled()) << r;
      ++cancelled;
    }
  }
  EXPECT_EQ(completed + cancelled, kTasks);
  EXPECT_EQ(completed, bodies_done.load());
  ASSERT_TRUE(s->Stop().ok());
  // Tasks cancelled before they started never built their guard.
  EXPECT_LE(drops.load(), kTasks);
  EXPECT_GE(drops.load(), completed);
}

// Scopes opened and cancelled concurrently from many tasks.
TEST(SchedulerStressTest, NestedScopesUnwind) {
  auto s = StartScheduler({.workers = 4});
  std::atomic<int> built{0};
  std::atomic<int> drops{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < (kTsanBuild ? 100 : 200); ++i) {
    hs.push_back(s->Spawn([&] {
      TaskScope outer;
      for (int j = 0; j < 5; ++j) {
        outer.Spawn([&] {
          TaskScope inner;
          for (int k = 0; k < 5; ++k) {
            inner.Spawn([&] {
              built.fetch_add(1);
              DropCounter guard(&drops);
              colony::SleepFor(absl::Seconds(600));
            });
          }
          colony::SleepFor(absl::Seconds(600));
        });
      }
      while (outer.pending() < 5) Yield();
      colony::SleepFor(absl::Milliseconds(1));
    }));  // outer cancels inner scopes, which cancel their sleepers
  }
  for (auto& h : hs) EXPECT_TRUE(h.Join().completed());
  EXPECT_EQ(drops.load(), built.load());
  ASSERT_TRUE(s->Stop().ok());
}

}  // namespace
}  // namespace colony
