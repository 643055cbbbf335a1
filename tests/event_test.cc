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

INSTANTIATE_TEST_SUITE_P(Workers, EventTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
