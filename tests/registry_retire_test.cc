// Copyright 2026 The Colony Authors.
//
// The registry's retire batches (scheduler/internal/registry.h): a task
// that ends on a worker other than the one whose shard lists it (stolen,
// or spawned from outside) stays listed until its worker flushes the batch.
// These tests hold the counts, Dump() and Stop() to what they promise while
// such tasks wait in batches, and count every task.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

class RegistryRetireTest : public testing::WorkersTest {};

// Waits up to 10 s for the scheduler's live count to reach `want`.
size_t WaitLive(Scheduler& s, size_t want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  size_t live = s.Stats().live_tasks;
  while (live != want && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
    live = s.Stats().live_tasks;
  }
  return live;
}

// Tasks spawned from a plain thread are listed in the outside shard, so
// every one of them ends up in a worker's retire batch. Fewer than a batch
// stay there while their worker keeps running: they must not count as
// live nor show in Dump(), yet the scheduler's reference keeps their
// blocks (and results) valid until the flush.
TEST_P(RegistryRetireTest, RetiredTasksNeitherCountNorShow) {
  std::atomic<bool> release{false};
  // Keeps every worker busy, so none parks (and flushes) meanwhile.
  std::vector<JoinHandle<void>> busy;
  for (int i = 0; i < GetParam(); ++i) {
    busy.push_back(s_->Spawn(
        [&release] {
          while (!release.load()) Yield();
        },
        {.name = "busy"}));
  }
  constexpr int kTasks = 10;  // fewer than a batch
  std::vector<JoinHandle<std::string>> done;
  for (int i = 0; i < kTasks; ++i) {
    done.push_back(s_->Spawn([i] { return "result-" + std::to_string(i); },
                             {.name = "short"}));
  }
  for (int i = 0; i < kTasks; ++i) {
    TaskResult<std::string> r = done[static_cast<size_t>(i)].Join();
    ASSERT_TRUE(r.completed()) << r;
    EXPECT_EQ(r.value(), "result-" + std::to_string(i));
  }
  done.clear();  // the handles' references go; the batches' stay
  EXPECT_EQ(WaitLive(*s_, static_cast<size_t>(GetParam())),
            static_cast<size_t>(GetParam()));
  int busy_seen = 0;
  for (const TaskInfo& info : s_->Dump()) {
    EXPECT_NE(info.name, "short") << "a finished task is listed";
    if (info.name == "busy") ++busy_seen;
  }
  EXPECT_EQ(busy_seen, GetParam());
  release = true;
  for (auto& h : busy) EXPECT_TRUE(h.Join().completed());
  EXPECT_EQ(WaitLive(*s_, 0), 0u);
}

// Fan-outs on every worker, their children stolen and ended elsewhere,
// while a thread takes dumps and counts: every task runs once, every join
// sees its value, and the live count returns to zero.
TEST_P(RegistryRetireTest, StolenTasksRetireUnderDumps) {
  constexpr int kRoots = 8;
  // At most 4,000 tasks alive at once under ThreadSanitizer (its limit).
  constexpr int kChildren = testing::kTsanBuild ? 500 : 2000;
  std::atomic<int64_t> ran{0};
  std::atomic<bool> stop_dumps{false};
  std::atomic<int> dumps{0};
  std::thread dumper([&] {
    while (!stop_dumps.load()) {
      // A task may end while the dump looks at it, so its state is not
      // asserted here; the dumps walk lists whose retired tasks are being
      // unlinked meanwhile, which the sanitizer builds check.
      for (const TaskInfo& info : s_->Dump({.max_tasks = 64})) {
        EXPECT_NE(info.id, 0u);
      }
      (void)s_->Stats().live_tasks;
      dumps.fetch_add(1);
      // A dump holds each shard's lock while it copies thousands of tasks:
      // back to back, they would leave a lone worker little time to spawn.
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  std::vector<JoinHandle<int64_t>> roots;
  for (int r = 0; r < kRoots; ++r) {
    roots.push_back(s_->Spawn([&ran] {
      std::vector<JoinHandle<int64_t>> kids;
      kids.reserve(kChildren);
      for (int64_t i = 0; i < kChildren; ++i) {
        kids.push_back(Spawn([&ran, i] {
          ran.fetch_add(1);
          if (i % 7 == 0) Yield();
          return i;
        }));
      }
      int64_t sum = 0;
      for (auto& k : kids) sum += k.Join().value();
      return sum;
    }));
  }
  const int64_t want = int64_t{kChildren} * (kChildren - 1) / 2;
  for (auto& h : roots) EXPECT_EQ(h.Join().value(), want);
  stop_dumps = true;
  dumper.join();
  EXPECT_GT(dumps.load(), 0);
  EXPECT_EQ(ran.load(), int64_t{kRoots} * kChildren);
  EXPECT_EQ(WaitLive(*s_, 0), 0u);
}

// Stop(kDrain) waits for the tasks still running and no longer: tasks
// sitting in retire batches do not hold it up, and the forever task does
// not count.
TEST_P(RegistryRetireTest, DrainIgnoresRetiredAndForeverTasks) {
  std::atomic<bool> release{false};
  auto forever = s_->SpawnForever([] {
    while (true) colony::SleepFor(absl::Milliseconds(1));
  });
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 100; ++i) hs.push_back(s_->Spawn([i] { return i; }));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(hs[static_cast<size_t>(i)].Join().value(), i);
  }
  auto slow = s_->Spawn([&release] {
    while (!release.load()) colony::SleepFor(absl::Milliseconds(1));
    return 7;
  });
  std::thread releaser([&release] {
    absl::SleepFor(absl::Milliseconds(50));
    release = true;
  });
  const absl::Time start = absl::Now();
  EXPECT_TRUE(s_->Stop({.deadline = absl::Seconds(30)}).ok());
  releaser.join();
  // Drained once `slow` ended, long before the deadline.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(slow.Join().value(), 7);
  EXPECT_EQ(s_->Stats().live_tasks, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, RegistryRetireTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
