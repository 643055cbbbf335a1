// Copyright 2026 The Colony Authors.
//
// How a fan-out is served: depth first, so that the tasks started and not
// yet finished (each holding a stack) stay a small part of the tree, on one
// worker and on two; every node of the tree runs exactly once; and the
// oldest task of a ring still runs while newer work keeps coming.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/join_handle.h"
#include "scheduler/scheduler.h"
#include "tests/scheduler_test_util.h"

namespace colony {
namespace {

using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;

struct Live {
  std::atomic<int64_t> now{0};
  std::atomic<int64_t> peak{0};
  std::atomic<int64_t> started{0};

  void Enter() {
    started.fetch_add(1, std::memory_order_relaxed);
    const int64_t n = now.fetch_add(1, std::memory_order_relaxed) + 1;
    int64_t p = peak.load(std::memory_order_relaxed);
    while (n > p &&
           !peak.compare_exchange_weak(p, n, std::memory_order_relaxed)) {
    }
  }
  void Leave() { now.fetch_sub(1, std::memory_order_relaxed); }
};

// Tree() spawns `fanout` children per node down to `depth`, joins them and
// returns the number of leaves below.
int64_t Tree(Live* live, int depth, int fanout) {
  live->Enter();
  int64_t leaves = 1;
  if (depth > 0) {
    leaves = 0;
    JoinHandle<int64_t> children[16];
    for (int i = 0; i < fanout; ++i) {
      children[i] = Spawn(
          [live, depth, fanout] { return Tree(live, depth - 1, fanout); });
    }
    for (int i = 0; i < fanout; ++i) {
      TaskResult<int64_t> r = children[i].Join();
      EXPECT_TRUE(r.completed()) << r.message();
      if (r.completed()) leaves += r.value();
    }
  }
  live->Leave();
  return leaves;
}

class FanoutTest : public ::testing::TestWithParam<int> {};

// 10^5 leaves, 111,111 tasks. With rings popped oldest first and
// overflowed spawns polled as fast as they overflow (breadth first), about
// 10,000 were started and unfinished at once, on one worker as on two;
// with the injection queue's floor for spawns, about 2,500; with rings
// popped newest first, about 10 on one worker and 16 on two. Under
// ThreadSanitizer, which dies past 8,128 live coroutines (every spawned task is
// one), the tree has 10^3 leaves.
TEST_P(FanoutTest, FanOutRunsDepthFirst) {
  auto s = StartScheduler({.workers = GetParam()});
  Live live;
  constexpr int kDepth = kTsanBuild ? 3 : 5;
  constexpr int kFanout = 10;
  TaskResult<int64_t> r =
      s->Spawn([&live] { return Tree(&live, kDepth, kFanout); }).Join();
  ASSERT_TRUE(r.completed()) << r.message();
  EXPECT_EQ(r.value(), kTsanBuild ? 1000 : 100000);
  EXPECT_EQ(live.started.load(), kTsanBuild ? 1111 : 111111);
  EXPECT_EQ(live.now.load(), 0);
  EXPECT_LT(live.peak.load(), kTsanBuild ? 100 : 500)
      << "started and unfinished at once";
  ASSERT_TRUE(s->Stop().ok());
}

// One worker. `old` waits at the bottom of the ring while `churn` keeps
// pushing newer tasks above it (each round spawns two children and joins
// them: the first goes from the LIFO slot to the ring when the second
// takes the slot). Popped newest first alone, `old` would never run; the
// turn for a ring's oldest task runs it within tens of milliseconds.
TEST(FanoutFairnessTest, OldestTaskRunsWhileNewerWorkKeepsComing) {
  auto s = StartScheduler({.workers = 1});
  std::atomic<bool> old_ran{false};
  std::atomic<int64_t> rounds{0};
  TaskResult<void> r =
      s->Spawn([&] {
         JoinHandle<void> old = Spawn([&] { old_ran.store(true); });
         JoinHandle<void> churn = Spawn([&] {
           const absl::Time give_up = absl::Now() + absl::Seconds(10);
           while (!old_ran.load() && absl::Now() < give_up) {
             JoinHandle<void> a = Spawn([] {});
             JoinHandle<void> b = Spawn([] {});
             a.Join();
             b.Join();
             rounds.fetch_add(1);
           }
         });
         churn.Join();
         old.Join();
       }).Join();
  ASSERT_TRUE(r.completed()) << r.message();
  EXPECT_TRUE(old_ran.load());
  // Newer work went first for a while: the ring's head is looked at every
  // 32nd pop (one pop a round), and only a head seen before is old.
  EXPECT_GE(rounds.load(), 32) << "the old task did not wait behind newer work";
  ASSERT_TRUE(s->Stop().ok());
}

// One worker. Tasks that yield ran before, so their ring serves them first
// in, first out: every window of three consecutive turns has each of the
// three tasks once. (Popped newest first, a yielding task would run again
// at once.)
TEST(FanoutFairnessTest, YieldedTasksTakeTurns) {
  auto s = StartScheduler({.workers = 1});
  std::vector<int> order;  // one worker: no two tasks run at once
  TaskResult<void> r = s->Spawn([&order] {
                          JoinHandle<void> hs[3];
                          for (int t = 0; t < 3; ++t) {
                            hs[t] = Spawn([&order, t] {
                              for (int i = 0; i < 20; ++i) {
                                order.push_back(t);
                                Yield();
                              }
                            });
                          }
                          for (auto& h : hs) h.Join();
                        }).Join();
  ASSERT_TRUE(r.completed()) << r.message();
  ASSERT_EQ(order.size(), 60u);
  for (size_t i = 0; i + 3 <= order.size(); ++i) {
    std::vector<int> window(order.begin() + i, order.begin() + i + 3);
    std::sort(window.begin(), window.end());
    EXPECT_EQ(window, (std::vector<int>{0, 1, 2})) << "at turn " << i;
  }
  ASSERT_TRUE(s->Stop().ok());
}

INSTANTIATE_TEST_SUITE_P(Workers, FanoutTest, ::testing::Values(1, 2));

}  // namespace
}  // namespace colony
