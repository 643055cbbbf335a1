// Copyright 2026 The Colony Authors.

#include "coroutine/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <ranges>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/scheduler.h"
#include "sync/event.h"

namespace colony {
namespace {

TEST(GeneratorTest, RangeForYieldsEveryValue) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    for (int i = 0; i < 5; ++i) y.Suspend(i * i);
  });
  std::vector<int> seen;
  for (int v : gen) seen.push_back(v);
  EXPECT_THAT(seen, testing::ElementsAre(0, 1, 4, 9, 16));
  EXPECT_EQ(gen.coroutine().state(), CoroutineState::kCompleted);
}

TEST(GeneratorTest, InfiniteGeneratorStopsWhenTheLoopBreaks) {
  Generator<long> fib([](Generator<long>::Yielder& y) {
    long a = 0, b = 1;
    for (;;) {
      y.Suspend(a);
      a = std::exchange(b, a + b);
    }
  });
  long last = 0;
  for (long v : fib) {
    if (v > 1000) break;
    last = v;
  }
  EXPECT_EQ(last, 987);
}

TEST(GeneratorTest, ValuesAreNotCopied) {
  Generator<std::string> gen([](Generator<std::string>::Yielder& y) {
    std::string s = "hello";
    y.Suspend(std::move(s));
  });
  for (std::string& s : gen) {
    s += "!";  // refers to the yielded object itself
    EXPECT_EQ(s, "hello!");
  }
}

TEST(GeneratorTest, EmptyGenerator) {
  Generator<int> gen([](Generator<int>::Yielder&) {});
  int count = 0;
  for (int v : gen) count += v + 1;
  EXPECT_EQ(count, 0);
}

TEST(GeneratorTest, ExceptionPropagatesToTheLoop) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    y.Suspend(1);
    throw std::runtime_error("generator broke");
  });
  std::vector<int> seen;
  EXPECT_THROW(
      {
        for (int v : gen) seen.push_back(v);
      },
      std::runtime_error);
  EXPECT_THAT(seen, testing::ElementsAre(1));
}

// Clang 14 cannot compile libstdc++ 12's range adaptors at all.
#if !defined(__clang__) || __clang_major__ >= 15
TEST(GeneratorTest, WorksWithRangesAdaptors) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    for (int i = 1; i <= 6; ++i) y.Suspend(i);
  });
  int sum = 0;
  for (int v : gen | std::views::filter([](int v) { return v % 2 == 0; })) {
    sum += v;
  }
  EXPECT_EQ(sum, 12);
}
#endif

// A generator body driven by a task runs on the task's worker thread but
// is not a task: a wait there cannot suspend the task, so it would hold
// the worker (and on one worker, deadlock with the task that was to wake
// it). It is a fatal error that says so, not a silent block.
class GeneratorInTaskDeathTest : public ::testing::TestWithParam<int> {};

TEST_P(GeneratorInTaskDeathTest, WaitInTheBodyIsFatalNotABlockedWorker) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const int workers = GetParam();
  EXPECT_DEATH(
      {
        alarm(30);  // a regression that blocks dies of SIGALRM instead
        auto s = Scheduler::Create({.workers = workers});
        if (!s.ok() || !(*s)->Start().ok()) std::abort();
        Event ready;
        auto h = (*s)->Spawn([&] {
          Generator<int> gen([&](Generator<int>::Yielder& y) {
            ready.Wait();
            y.Suspend(1);
          });
          // Queued behind this task: on one worker it could only run if
          // the wait below suspended the task.
          Spawn([&] { ready.Set(); });
          int sum = 0;
          for (int v : gen) sum += v;
          return sum;
        });
        (void)h.Join();
      },
      "would block worker thread .* plain coroutine");
}

INSTANTIATE_TEST_SUITE_P(Workers, GeneratorInTaskDeathTest,
                         ::testing::Values(1, 2), [](const auto& info) {
                           return "w" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace colony
