// Copyright 2026 The Colony Authors.
//
// A Generator driven by a task: a wait inside the generator's body cannot
// suspend the task, so it fails loudly instead of holding the worker.
// (Separate from generator_test.cc, which tests the coroutine layer alone
// and also runs on aarch64 under qemu.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "coroutine/generator.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"

namespace colony {
namespace {

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
