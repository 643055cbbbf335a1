// Copyright 2026 The Colony Authors.
//
// sync/ primitives from tasks, from threads and mixed, parameterised over
// worker counts, with stress tests hunting lost wake-ups (notify racing
// wait, cancel racing notify) that count every operation.

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "sync/cond_var.h"
#include "sync/event.h"
#include "sync/mutex.h"
#include "sync/semaphore.h"
#include "sync/wait_group.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;

class SyncTest : public testing::WorkersTest {};

// Tasks and threads increment one counter under a Mutex: nothing is lost.
TEST_P(SyncTest, MutexCountsExactlyAcrossTasksAndThreads) {
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

TEST_P(SyncTest, MutexTryLockForTimesOut) {
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

TEST_P(SyncTest, CondVarProducerConsumerMixed) {
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

TEST_P(SyncTest, CondVarWaitForTimesOutAndCancelUnwinds) {
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

TEST_P(SyncTest, SemaphoreBoundsConcurrency) {
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

TEST_P(SyncTest, SemaphoreServesWaitersInOrder) {
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

TEST_P(SyncTest, WaitGroupFromTaskAndThread) {
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

TEST_P(SyncTest, EventWakesEveryWaiter) {
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

// Ping-pong between a task and a thread through two semaphores: a lost
// wake-up hangs, a double one breaks the count.
TEST_P(SyncTest, PingPongTaskThreadNoLostWakeups) {
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
TEST_P(SyncTest, CancelRacingReleaseConservesPermits) {
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

// A task whose cancellation is pending waits in a destructor while another
// exception unwinds it (so the cancellation cannot be thrown there): the
// wait must really wait, not return early as if cancelled.
TEST_P(SyncTest, WaitWhileUnwindingIsNotCutShortByCancellation) {
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

INSTANTIATE_TEST_SUITE_P(Workers, SyncTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
