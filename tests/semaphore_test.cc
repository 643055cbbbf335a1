// Copyright 2026 The Colony Authors.
//
// Semaphore from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/semaphore.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "tests/scheduler_test_util.h"
#include "tests/sync_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::kTsanBuild;

class SemaphoreTest : public testing::WorkersTest {};

TEST_P(SemaphoreTest, BoundsConcurrency) {
  Semaphore sem(3);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 50; ++i) {
    hs.push_back(s_->Spawn([&] {
      sem.Acquire();
      const int now = inside.fetch_add(1) + 1;
      int prev = most.load();
      while (now > prev && !most.compare_exchange_weak(prev, now)) {
      }
      colony::SleepFor(absl::Microseconds(100));
      inside.fetch_sub(1);
      sem.Release();
    }));
  }
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 1);
  EXPECT_EQ(sem.available(), 3);
  EXPECT_FALSE(sem.TryAcquireFor(absl::Milliseconds(1), 4));
}

TEST_P(SemaphoreTest, ServesWaitersInOrder) {
  Semaphore sem(0);
  std::atomic<bool> big_waiting{false};
  auto big = s_->Spawn([&] {
    big_waiting = true;
    sem.Acquire(5);
  });
  while (!big_waiting.load()) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(1));
  // A small request behind the big one does not overtake it.
  EXPECT_FALSE(sem.TryAcquire(1));
  sem.Release(4);
  EXPECT_FALSE(sem.TryAcquire(1));
  sem.Release(1);
  EXPECT_TRUE(big.Join().completed());
  EXPECT_EQ(sem.available(), 0);
}

// Ping-pong between a task and a thread through two semaphores: a lost
// wake-up hangs, a double one breaks the count.
TEST_P(SemaphoreTest, PingPongTaskThreadNoLostWakeups) {
  const int kRounds = kTsanBuild ? 2000 : 20000;
  Semaphore ping(0), pong(0);
  std::atomic<int> turns{0};
  auto task = s_->Spawn([&] {
    for (int i = 0; i < kRounds; ++i) {
      ping.Acquire();
      turns.fetch_add(1);
      pong.Release();
    }
  });
  for (int i = 0; i < kRounds; ++i) {
    ping.Release();
    pong.Acquire();
  }
  ASSERT_TRUE(task.Join().completed());
  EXPECT_EQ(turns.load(), kRounds);
  EXPECT_EQ(ping.available(), 0);
  EXPECT_EQ(pong.available(), 0);
}

// Waiters cancelled while permits are released: every permit is either
// taken by a task that completed or still available; none is lost.
TEST_P(SemaphoreTest, CancelRacingReleaseConservesPermits) {
  const int kWaiters = kTsanBuild ? 200 : 1000;
  Semaphore sem(0);
  std::atomic<int> acquired{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kWaiters; ++i) {
    hs.push_back(s_->Spawn([&] {
      sem.Acquire();
      acquired.fetch_add(1);
    }));
  }
  std::thread releaser([&] {
    for (int i = 0; i < kWaiters / 2; ++i) sem.Release();
  });
  for (int i = 0; i < kWaiters; i += 2) hs[i].Cancel("race");
  releaser.join();
  // Waiters that got no permit are cancelled too, so every task ends.
  for (auto& h : hs) h.Cancel("no permit left");
  int completed = 0;
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    if (r.completed()) ++completed;
  }
  EXPECT_EQ(completed, acquired.load());
  EXPECT_EQ(acquired.load() + sem.available(), kWaiters / 2);
}

// When the waiter at the head of the queue gives up (its timeout, or a
// cancellation), the permits it was waiting for go to the waiters behind
// it.
TEST_P(SemaphoreTest, WaiterGivingUpPassesPermitsOn) {
  for (const bool cancel : {false, true}) {
    SCOPED_TRACE(cancel ? "head cancelled" : "head timed out");
    Semaphore sem(0);
    auto head = s_->Spawn([&] {
      if (cancel) {
        sem.Acquire(2);
        return true;
      }
      return sem.TryAcquireFor(absl::Milliseconds(200), 2);
    });
    // TryAcquire(0) fails exactly while someone waits: the head is queued.
    ASSERT_TRUE(testing::YieldUntil([&] { return !sem.TryAcquire(0); }));
    auto behind =
        s_->Spawn([&] { return sem.TryAcquireFor(absl::Seconds(20), 1); });
    sem.Release(1);  // not enough for the head, which nobody overtakes
    if (cancel) {
      absl::SleepFor(absl::Milliseconds(50));
      head.Cancel("gave up");
    }
    TaskResult<bool> h = head.Join();
    EXPECT_TRUE(cancel ? h.cancelled() : !h.value()) << h;
    TaskResult<bool> b = behind.Join();
    ASSERT_TRUE(b.completed()) << b;
    EXPECT_TRUE(b.value()) << "the waiter behind never got the free permit";
    EXPECT_EQ(sem.available(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, SemaphoreTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
