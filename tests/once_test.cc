// Copyright 2026 The Colony Authors.
//
// Once from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/once.h"

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
#include "tests/sync_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::Spin;

class OnceTest : public testing::WorkersTest {};

// Many Once objects, each raced by tasks and threads: every function runs
// exactly once, and every caller returns after it, seeing its effect.
TEST_P(OnceTest, RunsExactlyOnce) {
  const int kOnces = kTsanBuild ? 60 : 400;
  constexpr int kTasks = 8;
  constexpr int kThreads = 2;
  std::vector<Once> onces(kOnces);
  std::vector<std::atomic<int>> runs(kOnces);
  std::vector<int> values(kOnces, 0);
  std::atomic<int> bad{0};
  auto caller = [&](int id) {
    for (int k = 0; k < kOnces; ++k) {
      const int i = (id % 2 == 0) ? k : kOnces - 1 - k;
      onces[i].Call([&, i] {
        runs[i].fetch_add(1);
        if (i % 3 == 0) Yield();  // others come and wait meanwhile
        values[i] = i + 1;
      });
      if (!onces[i].done() || values[i] != i + 1) ++bad;
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { caller(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(caller, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  for (int i = 0; i < kOnces; ++i) {
    EXPECT_EQ(runs[i].load(), 1) << "once " << i;
    EXPECT_TRUE(onces[i].done());
  }
}

// std::call_once semantics: a throwing call leaves the Once not done and
// the next caller runs it again; afterwards nothing runs. CallOnce()
// forwards arguments.
TEST_P(OnceTest, RetriesAfterException) {
  Once once;
  EXPECT_FALSE(once.done());
  EXPECT_THROW(once.Call([] { throw std::runtime_error("first"); }),
               std::runtime_error);
  EXPECT_FALSE(once.done());
  int value = 0;
  auto h = s_->Spawn([&] {
    CallOnce(
        once, [&](int v) { value = v; }, 7);
    return value;
  });
  EXPECT_EQ(h.Join().value(), 7);
  EXPECT_TRUE(once.done());
  CallOnce(
      once, [&](int v) { value = v; }, 8);
  EXPECT_EQ(value, 7);
}

// Callers waiting while the first attempt runs: it throws to its own
// caller only, one waiter runs the function again and everybody else
// returns after that run.
TEST_P(OnceTest, WaiterTakesOverAfterException) {
  Once once;
  Event gate;
  std::atomic<int> attempts{0};
  int value = 0;
  auto fn = [&] {
    if (attempts.fetch_add(1) == 0) {
      gate.Wait();
      throw std::runtime_error("first attempt");
    }
    value = 42;
  };
  auto call = [&] {
    try {
      once.Call(fn);
    } catch (const std::runtime_error&) {
      return -1;
    }
    return value;
  };
  auto first = s_->Spawn(call);
  ASSERT_TRUE(testing::YieldUntil([&] { return attempts.load() == 1; }));
  std::vector<JoinHandle<int>> waiters;
  for (int i = 0; i < 4; ++i) waiters.push_back(s_->Spawn(call));
  int thread_result = 0;
  std::thread t([&] { thread_result = call(); });
  ASSERT_TRUE(testing::YieldUntil([&] { return once.waiters() == 5; }));
  gate.Set();
  EXPECT_EQ(first.Join().value(), -1);
  for (auto& w : waiters) EXPECT_EQ(w.Join().value(), 42);
  t.join();
  EXPECT_EQ(thread_result, 42);
  EXPECT_EQ(attempts.load(), 2);
  EXPECT_TRUE(once.done());
}

// A task cancelled while another caller runs the function unwinds; the
// run goes on and completes the Once for everybody else.
TEST_P(OnceTest, CancelledWaiterUnwinds) {
  Once once;
  Event gate;
  std::atomic<bool> running{false};
  std::atomic<int> runs{0};
  auto fn = [&] {
    runs.fetch_add(1);
    running = true;
    gate.Wait();
  };
  std::thread runner([&] { once.Call(fn); });
  ASSERT_TRUE(testing::YieldUntil([&] { return running.load(); }));
  std::atomic<int> drops{0};
  std::atomic<bool> started{false};
  auto cancelled = s_->Spawn([&] {
    DropCounter guard(&drops);
    started = true;
    once.Call(fn);
  });
  auto patient = s_->Spawn([&] {
    once.Call(fn);
    return once.done();
  });
  ASSERT_TRUE(testing::YieldUntil([&] { return started.load(); }));
  ASSERT_TRUE(testing::YieldUntil([&] { return once.waiters() == 2; }));
  cancelled.Cancel("gave up");
  EXPECT_TRUE(cancelled.Join().cancelled());
  EXPECT_EQ(drops.load(), 1);
  EXPECT_FALSE(once.done());
  EXPECT_EQ(once.waiters(), 1u);
  gate.Set();
  runner.join();
  EXPECT_TRUE(patient.Join().value());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(once.done());
}

// Stress: functions that fail a few times and are cancelled from inside,
// callers cancelled while waiting; every Once ends done after exactly one
// successful run, and nobody is left waiting.
TEST_P(OnceTest, StressWithFailuresAndCancellation) {
  struct Retry {};
  const int kOnces = kTsanBuild ? 40 : 200;
  const int kTasks = kTsanBuild ? 8 : 16;
  std::vector<Once> onces(kOnces);
  std::vector<std::atomic<int>> attempts(kOnces);
  std::vector<std::atomic<int>> successes(kOnces);
  auto fn = [&](int i) {
    const int a = attempts[i].fetch_add(1);
    Yield();  // a cancellation point inside the function
    if (a < i % 3) throw Retry{};
    successes[i].fetch_add(1);
  };
  auto caller = [&](int id) {
    for (int k = 0; k < kOnces; ++k) {
      const int i = (k * (id + 1)) % kOnces;
      for (;;) {
        try {
          onces[i].Call(fn, i);
          break;
        } catch (const Retry&) {
        }
      }
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { caller(t); }));
  for (int t = 0; t < kTasks; t += 3) {
    for (int spin = 0; spin < 300 * t; ++spin) std::this_thread::yield();
    hs[t].Cancel("race");
  }
  // A thread makes sure every Once is completed.
  std::thread finisher([&] {
    for (int i = 0; i < kOnces; ++i) {
      for (;;) {
        try {
          onces[i].Call(fn, i);
          break;
        } catch (const Retry&) {
        }
      }
    }
  });
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    EXPECT_TRUE(r.completed() || r.cancelled());
  }
  finisher.join();
  for (int i = 0; i < kOnces; ++i) {
    EXPECT_TRUE(onces[i].done());
    EXPECT_EQ(successes[i].load(), 1) << "once " << i;
    EXPECT_GE(attempts[i].load(), i % 3 + 1) << "once " << i;
  }
}

// Cancellation racing the end of a run, round after round, for a run that
// returns and for one that throws (the woken waiter then takes over even
// if its cancellation came in the race, and a cancelled takeover leaves
// the Once not done for the next caller).
TEST_P(OnceTest, CancelRacingFinish) {
  const int kRounds = kTsanBuild ? 100 : 400;
  for (int r = 0; r < kRounds; ++r) {
    const bool first_throws = r % 2 == 1;
    Once once;
    std::atomic<int> attempts{0};
    std::atomic<int> successes{0};
    std::atomic<bool> release{false};
    auto fn = [&] {
      const int a = attempts.fetch_add(1);
      if (a == 0 && !testing::YieldUntil([&] { return release.load(); }))
        return;
      Yield();  // a cancellation point inside the run
      if (first_throws && a == 0) throw std::runtime_error("first");
      successes.fetch_add(1);
    };
    auto runner = s_->Spawn([&] {
      try {
        once.Call(fn);
      } catch (const std::runtime_error&) {
      }
    });
    ASSERT_TRUE(testing::YieldUntil([&] { return attempts.load() == 1; }));
    auto victim = s_->Spawn([&] { once.Call(fn); });
    ASSERT_TRUE(testing::YieldUntil([&] { return once.waiters() == 1; }));
    release = true;
    Spin((r % 10) * 5'000);
    victim.Cancel("race");
    ASSERT_TRUE(runner.Join().completed());
    TaskResult<void> v = victim.Join();
    ASSERT_TRUE(v.completed() || v.cancelled());
    // Whatever happened, the next caller finds it done or completes it.
    once.Call(fn);
    ASSERT_TRUE(once.done());
    ASSERT_EQ(successes.load(), 1) << "round " << r;
    ASSERT_EQ(once.waiters(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, OnceTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
