// Copyright 2026 The Colony Authors.
//
// WaitGroup from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/wait_group.h"

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

class WaitGroupTest : public testing::WorkersTest {};

TEST_P(WaitGroupTest, FromTaskAndThread) {
  WaitGroup wg;
  std::atomic<int> done{0};
  wg.Add(100);
  for (int i = 0; i < 100; ++i) {
    s_->Spawn([&] {
        Yield();
        done.fetch_add(1);
        wg.Done();
      }).Detach();
  }
  auto waiter = s_->Spawn([&] {
    wg.Wait();
    return done.load();
  });
  wg.Wait();
  EXPECT_EQ(done.load(), 100);
  EXPECT_EQ(waiter.Join().value(), 100);
  EXPECT_EQ(wg.count(), 0);
}

INSTANTIATE_TEST_SUITE_P(Workers, WaitGroupTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
