// Copyright 2026 The Colony Authors.
//
// Event from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/event.h"

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
#include "tests/workers_fixture.h"

namespace colony {
namespace {

class EventTest : public testing::WorkersTest {};

TEST_P(EventTest, WakesEveryWaiter) {
  Event ev;
  std::atomic<int> woke{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 30; ++i) {
    hs.push_back(s_->Spawn([&] {
      ev.Wait();
      woke.fetch_add(1);
    }));
  }
  std::thread t([&] {
    ev.Wait();
    woke.fetch_add(1);
  });
  EXPECT_FALSE(ev.WaitFor(absl::Milliseconds(1)));
  ev.Set();
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  t.join();
  EXPECT_EQ(woke.load(), 31);
  Notification n;
  EXPECT_FALSE(n.HasBeenNotified());
  s_->Spawn([&] { n.Notify(); }).Detach();
  n.WaitForNotification();
  EXPECT_TRUE(n.HasBeenNotified());
}

// One Set() wakes thousands of waiters exactly once each, while timed
// waiters leave the queue on their own around it.
TEST_P(EventTest, SetWakesManyBatchesWhileTimedWaitersLeave) {
  constexpr int kWaiters = 2000;
  Event ev;
  std::atomic<int> waiting{0};
  std::atomic<int> woke{0};
  std::atomic<int> timed_out{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kWaiters; ++i) {
    const bool timed = i % 3 == 0;
    hs.push_back(s_->Spawn([&, timed, i] {
      waiting.fetch_add(1);
      if (!timed) {
        ev.Wait();
        woke.fetch_add(1);
      } else if (ev.WaitFor(absl::Microseconds(50 + i % 500))) {
        woke.fetch_add(1);
      } else {
        timed_out.fetch_add(1);
      }
    }));
  }
  while (waiting.load() < kWaiters) absl::SleepFor(absl::Milliseconds(1));
  ev.Set();
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  EXPECT_EQ(woke.load() + timed_out.load(), kWaiters);
  // Every untimed waiter (i % 3 != 0) was woken.
  EXPECT_GE(woke.load(), kWaiters - (kWaiters + 2) / 3);
  EXPECT_TRUE(ev.IsSet());
}

// A waiter that comes after a Reset() waits for the next Set(), and
// Set()/Reset() cycles lose no waiter of any epoch.
TEST_P(EventTest, WaitersAfterResetWaitForTheNextSet) {
  Event ev;
  ev.Set();
  ev.Reset();
  std::atomic<bool> woke{false};
  auto h = s_->Spawn([&] {
    ev.Wait();
    woke.store(true);
  });
  EXPECT_FALSE(ev.WaitFor(absl::Milliseconds(5)));
  EXPECT_FALSE(woke.load());
  ev.Set();
  ASSERT_TRUE(h.Join().completed());
  EXPECT_TRUE(woke.load());

  // 4,000 tasks take over a minute under ThreadSanitizer, which makes
  // every spawn and teardown dear.
  const int kRounds = testing::kTsanBuild ? 50 : 200;
  constexpr int kPerRound = 20;
  std::atomic<int> done{0};
  std::vector<JoinHandle<void>> hs;
  for (int r = 0; r < kRounds; ++r) {
    ev.Reset();
    for (int i = 0; i < kPerRound; ++i) {
      hs.push_back(s_->Spawn([&] {
        ev.Wait();
        done.fetch_add(1);
      }));
    }
    if (r % 2 == 0) Yield();
    ev.Set();
  }
  for (auto& w : hs) ASSERT_TRUE(w.Join().completed());
  EXPECT_EQ(done.load(), kRounds * kPerRound);
}

INSTANTIATE_TEST_SUITE_P(Workers, EventTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
