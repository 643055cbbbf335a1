// Copyright 2026 The Colony Authors.
//
// The dispatch fast paths against the slow path. Built against
// //scheduler:scheduler_dispatch_check, where every decision of a fast
// path (NextLocal(), NextLocalTurns()) is undone and made again by
// NextLocalSlow(), and the process aborts if the two differ in the task
// or the counters (see scheduler/internal/worker_dispatch.h). Random
// workloads on one worker (the check's condition) drive it through the
// LIFO slot, the bands and their turns, the injection-queue polls and the
// timers, under several option sets.

#include "scheduler/internal/dispatch_check.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"

namespace colony {
namespace {

struct Workload {
  int bands;
  std::atomic<int> budget;  // tasks left to spawn
  std::atomic<int> ran{0};
};

// Work() is a task's body: a few random steps of spawning (joined at once,
// a ping-pong through the LIFO slot, or later), yielding, sleeping briefly
// (timers) and spinning.
void Work(Workload* w, uint32_t seed, int depth) {
  std::mt19937 rng(seed);
  w->ran.fetch_add(1, std::memory_order_relaxed);
  std::vector<JoinHandle<void>> later;
  const int steps = static_cast<int>(rng() % 8) + 1;
  for (int i = 0; i < steps; ++i) {
    const uint32_t action = rng() % 10;
    const bool may_spawn =
        depth < 8 && w->budget.fetch_sub(1, std::memory_order_relaxed) > 0;
    const int priority =
        static_cast<int>(rng() % static_cast<uint32_t>(w->bands));
    const uint32_t child_seed = static_cast<uint32_t>(rng());
    if (action < 3 && may_spawn) {
      Spawn([w, child_seed, depth] { Work(w, child_seed, depth + 1); },
            {.priority = priority})
          .Join();
    } else if (action < 6 && may_spawn) {
      later.push_back(
          Spawn([w, child_seed, depth] { Work(w, child_seed, depth + 1); },
                {.priority = priority}));
    } else if (action < 8) {
      Yield();
    } else if (action < 9) {
      colony::SleepFor(absl::Microseconds(rng() % 50));
    } else {
      volatile uint32_t x = 0;
      for (uint32_t k = 0; k < rng() % 1000; ++k) x = x + k;
    }
  }
  for (JoinHandle<void>& h : later) h.Join();
}

struct Config {
  int bands;
  int starvation_interval;
  int global_queue_interval;
};

class DispatchCheckTest : public ::testing::TestWithParam<Config> {};

TEST_P(DispatchCheckTest, FastPathsAgreeWithSlowPath) {
  const Config c = GetParam();
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    auto created = Scheduler::Create({
        .workers = 1,
        .priority_bands = c.bands,
        .starvation_interval = c.starvation_interval,
        .global_queue_interval = c.global_queue_interval,
    });
    ASSERT_TRUE(created.ok()) << created.status();
    std::unique_ptr<Scheduler> s = std::move(*created);
    Workload w{.bands = c.bands, .budget = 4000};
    const uint64_t checks_before = scheduler_internal::DispatchFastPathChecks();
    // Spawned before Start(): nothing is pushed from outside the worker
    // while it runs, as the check requires.
    JoinHandle<void> root = s->Spawn([&w, seed] {
      for (uint32_t i = 0; w.budget.load(std::memory_order_relaxed) > 0; ++i) {
        Work(&w, seed * 1000003u + i, 0);
      }
    });
    ASSERT_TRUE(s->Start().ok());
    EXPECT_TRUE(root.Join().completed());
    EXPECT_TRUE(s->Stop().ok());
    EXPECT_GT(w.ran.load(), 1000);
    // The fast paths did decide (each decision checked).
    EXPECT_GT(scheduler_internal::DispatchFastPathChecks() - checks_before,
              100u)
        << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Options, DispatchCheckTest,
                         ::testing::Values(Config{1, 8, 61}, Config{3, 8, 61},
                                           Config{3, 1, 1}, Config{3, 2, 3},
                                           Config{8, 3, 5}, Config{2, 1, 7}));

}  // namespace
}  // namespace colony
