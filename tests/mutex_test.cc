// Copyright 2026 The Colony Authors.
//
// Mutex from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/mutex.h"

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
#include "sync/locks/event.h"
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

using ::colony::testing::kTsanBuild;

class MutexTest : public testing::WorkersTest {};

// Tasks and threads increment one counter under a Mutex: nothing is lost.
TEST_P(MutexTest, CountsExactlyAcrossTasksAndThreads) {
  constexpr int kTasks = 40;
  constexpr int kThreads = 2;
  const int kIters = kTsanBuild ? 200 : 2000;
  Mutex mu;
  int64_t counter = 0;
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t) {
    hs.push_back(s_->Spawn([&] {
      for (int i = 0; i < kIters; ++i) {
        std::scoped_lock lock(mu);
        ++counter;
        if (i % 64 == 0) Yield();  // hold it across a suspension
      }
    }));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) {
        std::scoped_lock lock(mu);
        ++counter;
      }
    });
  }
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, int64_t{kTasks + kThreads} * kIters);
}

TEST_P(MutexTest, TryLockForTimesOut) {
  Mutex mu;
  mu.lock();
  EXPECT_FALSE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock_for(std::chrono::milliseconds(2)));
  auto h =
      s_->Spawn([&] { return mu.try_lock_for(std::chrono::milliseconds(2)); });
  EXPECT_FALSE(h.Join().value());
  auto waiter = s_->Spawn([&] {
    const bool got = mu.try_lock_for(std::chrono::seconds(30));
    if (got) mu.unlock();
    return got;
  });
  absl::SleepFor(absl::Milliseconds(2));
  mu.unlock();  // handed to the waiting task
  EXPECT_TRUE(waiter.Join().value());
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// A task whose cancellation is pending waits in a destructor while another
// exception unwinds it (so the cancellation cannot be thrown there): the
// wait must really wait, not return early as if cancelled.
TEST_P(MutexTest, WaitWhileUnwindingIsNotCutShortByCancellation) {
  Mutex mu;
  Event started;
  std::atomic<bool> locked_in_destructor{false};
  mu.lock();
  auto h = s_->Spawn([&] {
    struct TakesTheLock {
      Mutex* mu;
      std::atomic<bool>* locked;
      ~TakesTheLock() {
        mu->LockCancellable();
        locked->store(true);
        mu->unlock();
      }
    } guard{&mu, &locked_in_destructor};
    started.Set();
    while (!CancellationRequested()) {
    }
    throw std::runtime_error("failing while cancelled");
  });
  started.Wait();
  h.Cancel("test");
  absl::SleepFor(absl::Milliseconds(20));
  // The guard is still waiting for the mutex this thread holds.
  EXPECT_FALSE(h.Done());
  EXPECT_FALSE(locked_in_destructor.load());
  mu.unlock();
  EXPECT_TRUE(h.Join().failed());
  EXPECT_TRUE(locked_in_destructor.load());
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

INSTANTIATE_TEST_SUITE_P(Workers, MutexTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
