// Copyright 2026 The Colony Authors.
//
// CondVar from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/cond_var.h"

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
#include "sync/locks/mutex.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

// These tests hand locks between threads and tasks on purpose (locked in one
// function, released in another), which a static lock analysis cannot
// follow.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;

class CondVarTest : public testing::WorkersTest {};

TEST_P(CondVarTest, ProducerConsumerMixed) {
  Mutex mu;
  CondVar cv;
  std::vector<int> queue;
  bool closed = false;
  const int kItems = kTsanBuild ? 500 : 5000;
  std::atomic<int64_t> consumed_sum{0};
  std::atomic<int> consumed{0};
  auto consume = [&] {
    for (;;) {
      std::unique_lock lock(mu);
      cv.Wait(mu, [&] { return !queue.empty() || closed; });
      if (queue.empty()) return;
      const int v = queue.back();
      queue.pop_back();
      lock.unlock();
      consumed_sum.fetch_add(v);
      consumed.fetch_add(1);
    }
  };
  std::vector<JoinHandle<void>> consumers;
  for (int i = 0; i < 4; ++i) consumers.push_back(s_->Spawn(consume));
  std::thread thread_consumer(consume);
  auto producer = s_->Spawn([&] {
    for (int i = 1; i <= kItems; ++i) {
      {
        std::scoped_lock lock(mu);
        queue.push_back(i);
      }
      cv.NotifyOne();
      if (i % 100 == 0) Yield();
    }
  });
  ASSERT_TRUE(producer.Join().completed());
  {
    std::scoped_lock lock(mu);
    closed = true;
  }
  cv.NotifyAll();
  for (auto& c : consumers) ASSERT_TRUE(c.Join().completed());
  thread_consumer.join();
  EXPECT_EQ(consumed.load(), kItems);
  EXPECT_EQ(consumed_sum.load(), int64_t{kItems} * (kItems + 1) / 2);
}

TEST_P(CondVarTest, WaitForTimesOutAndCancelUnwinds) {
  Mutex mu;
  CondVar cv;
  {
    std::unique_lock lock(mu);
    EXPECT_FALSE(cv.WaitFor(mu, absl::Milliseconds(2)));
  }
  std::atomic<int> drops{0};
  std::atomic<bool> waiting{false};
  auto h = s_->Spawn([&] {
    DropCounter guard(&drops);
    std::unique_lock lock(mu);
    waiting = true;
    cv.Wait(mu, [] { return false; });
  });
  while (!waiting.load()) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(1));
  h.Cancel("stop waiting");
  EXPECT_TRUE(h.Join().cancelled());
  EXPECT_EQ(drops.load(), 1);
  // The cancelled waiter released the mutex while unwinding.
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

INSTANTIATE_TEST_SUITE_P(Workers, CondVarTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
