// Copyright 2026 The Colony Authors.
//
// Barrier from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/barrier.h"

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

class BarrierTest : public testing::WorkersTest {};

// Tasks and threads go through many phases: each phase gathers exactly
// `count` arrivals, the completion runs once per phase before anyone is
// released (and before anyone arrives for the next one), and exactly one
// caller per phase is the leader.
TEST_P(BarrierTest, PhasesCountExactlyWithOneLeader) {
  constexpr int kTasks = 6;
  constexpr int kThreads = 2;
  constexpr int kParties = kTasks + kThreads;
  const int kPhases = kTsanBuild ? 60 : 400;
  std::vector<std::atomic<int>> arrived(kPhases + 1);
  std::vector<std::atomic<int>> leaders(kPhases);
  std::atomic<int> completions{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    const int p = completions.load();
    if (arrived[p].load() != kParties) ++bad;
    if (arrived[p + 1].load() != 0) ++bad;
    completions.store(p + 1);
  });
  auto party = [&](int id) {
    for (int p = 0; p < kPhases; ++p) {
      arrived[p].fetch_add(1);
      if (barrier.ArriveAndWait()) leaders[p].fetch_add(1);
      if (completions.load() != p + 1) ++bad;
      if (arrived[p].load() != kParties) ++bad;
      if ((p + id) % 7 == 0) Yield();
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { party(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(party, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(completions.load(), kPhases);
  EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(kPhases));
  for (int p = 0; p < kPhases; ++p) {
    EXPECT_EQ(leaders[p].load(), 1) << "phase " << p;
  }
}

// The same from tasks only, many small barriers at once: a lost wake-up
// hangs, a double release breaks a count.
TEST_P(BarrierTest, StressManyBarriers) {
  const int kBarriers = kTsanBuild ? 4 : 16;
  constexpr int kParties = 5;
  const int kPhases = kTsanBuild ? 100 : 500;
  struct Group {
    std::atomic<int> in_phase{0};
    std::atomic<int> completions{0};
    std::atomic<int> leaders{0};
    std::atomic<int> bad{0};
    std::unique_ptr<Barrier> barrier;
  };
  std::vector<Group> groups(kBarriers);
  for (Group& g : groups) {
    g.barrier = std::make_unique<Barrier>(kParties, [&g] {
      if (g.in_phase.exchange(0) != kParties) ++g.bad;
      g.completions.fetch_add(1);
    });
  }
  std::vector<JoinHandle<void>> hs;
  for (int b = 0; b < kBarriers; ++b) {
    for (int i = 0; i < kParties; ++i) {
      hs.push_back(s_->Spawn([&, b] {
        Group& g = groups[b];
        for (int p = 0; p < kPhases; ++p) {
          g.in_phase.fetch_add(1);
          if (g.barrier->ArriveAndWait()) g.leaders.fetch_add(1);
          if (g.completions.load() != p + 1) ++g.bad;
        }
      }));
    }
  }
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (Group& g : groups) {
    EXPECT_EQ(g.bad.load(), 0);
    EXPECT_EQ(g.completions.load(), kPhases);
    EXPECT_EQ(g.leaders.load(), kPhases);
  }
}

// Participants leave with ArriveAndDrop() after different numbers of
// phases: each phase waits for exactly the participants still there.
TEST_P(BarrierTest, ArriveAndDrop) {
  constexpr int kTasks = 4;
  constexpr int kThreads = 2;
  constexpr int kParties = kTasks + kThreads;
  auto rounds = [](int id) { return 3 + 2 * id; };  // phases before leaving
  const int kLastPhase = rounds(kParties - 1);
  std::vector<int> expected(kLastPhase + 1, 0);
  for (int id = 0; id < kParties; ++id) {
    for (int p = 0; p <= rounds(id); ++p) ++expected[p];
  }
  std::vector<std::atomic<int>> arrived(kLastPhase + 1);
  std::atomic<int> completions{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    const int p = completions.load();
    if (arrived[p].load() != expected[p]) ++bad;
    completions.store(p + 1);
  });
  auto party = [&](int id) {
    for (int p = 0; p < rounds(id); ++p) {
      arrived[p].fetch_add(1);
      barrier.ArriveAndWait();
      if (completions.load() != p + 1) ++bad;
    }
    arrived[rounds(id)].fetch_add(1);
    barrier.ArriveAndDrop();
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { party(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(party, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(completions.load(), kLastPhase + 1);
  EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(kLastPhase + 1));
}

// Arrive() returns the phase to Wait() on; WaitFor() times out while the
// phase lacks arrivals; a wait on a completed phase returns at once.
TEST_P(BarrierTest, ArriveTokenAndTimedWait) {
  std::atomic<int> completions{0};
  Barrier barrier(3, [&] { completions.fetch_add(1); });
  EXPECT_EQ(barrier.phase(), 0u);
  const uint64_t token = barrier.Arrive();
  EXPECT_EQ(token, 0u);
  EXPECT_FALSE(barrier.WaitFor(token, absl::Milliseconds(2)));
  EXPECT_FALSE(
      s_->Spawn([&] { return barrier.WaitFor(token, absl::Milliseconds(2)); })
          .Join()
          .value());
  auto waiter = s_->Spawn([&] {
    barrier.Wait(token);
    return completions.load();
  });
  auto arriver = s_->Spawn([&] { return barrier.ArriveAndWait(); });
  const bool main_leads = barrier.ArriveAndWait();
  // Exactly one of the two waiting arrivals was the last.
  EXPECT_NE(arriver.Join().value(), main_leads);
  EXPECT_EQ(waiter.Join().value(), 1);
  EXPECT_EQ(completions.load(), 1);
  EXPECT_EQ(barrier.phase(), 1u);
  barrier.Wait(token);  // completed: returns at once
  EXPECT_TRUE(barrier.WaitFor(token, absl::ZeroDuration()));
  // Tokens of later phases, and Wait() on a phase not reached yet.
  auto future = s_->Spawn([&] { barrier.Wait(2); });
  for (int i = 0; i < 6; ++i) EXPECT_EQ(barrier.Arrive(), 1u + i / 3);
  ASSERT_TRUE(future.Join().completed());
  EXPECT_EQ(completions.load(), 3);
}

// A phase that completes while the previous phase's completion still runs
// waits for it: completions run one at a time, in phase order (the caller
// running the first runs the second), and each phase's waiters are
// released after its own completion, waiters of the later phase staying
// queued meanwhile.
TEST_P(BarrierTest, CompletionsRunInOrder) {
  Event gate;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<bool> inside{false};
  std::atomic<int> bad{0};
  Barrier barrier(2, [&] {
    if (inside.exchange(true)) ++bad;
    if (started.fetch_add(1) == 0) gate.Wait();
    inside = false;
    finished.fetch_add(1);
  });
  EXPECT_EQ(barrier.Arrive(), 0u);
  std::thread completer([&] { EXPECT_EQ(barrier.Arrive(), 0u); });
  ASSERT_TRUE(testing::YieldUntil([&] { return started.load() == 1; }));
  EXPECT_EQ(barrier.phase(), 1u);  // arrivals now count toward phase 1
  auto w0 = s_->Spawn([&] {
    barrier.Wait(0);
    return finished.load();
  });
  auto w1 = s_->Spawn([&] {
    barrier.Wait(1);
    return finished.load();
  });
  ASSERT_TRUE(testing::YieldUntil([&] { return barrier.waiters() == 2; }));
  EXPECT_EQ(barrier.Arrive(), 1u);
  auto leader = s_->Spawn([&] {
    const bool led = barrier.ArriveAndWait();
    return led && finished.load() == 2;
  });
  ASSERT_TRUE(testing::YieldUntil([&] { return barrier.waiters() == 3; }));
  EXPECT_EQ(barrier.phase(), 2u);
  EXPECT_EQ(started.load(), 1);  // phase 1's completion waits for phase 0's
  gate.Set();
  completer.join();
  EXPECT_GE(w0.Join().value(), 1);
  EXPECT_EQ(w1.Join().value(), 2);
  EXPECT_TRUE(leader.Join().value());
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(finished.load(), 2);
  EXPECT_EQ(barrier.waiters(), 0u);
}

// A task cancelled in ArriveAndWait() withdraws its arrival: the phase
// still waits for `count` arrivals. A task cancelled in Wait() keeps the
// arrival it made with Arrive().
TEST_P(BarrierTest, CancelledWaiterWithdrawsArrival) {
  std::atomic<int> completions{0};
  Barrier barrier(3, [&] { completions.fetch_add(1); });
  std::atomic<int> drops{0};
  std::atomic<bool> started{false};
  auto quitter = s_->Spawn([&] {
    DropCounter guard(&drops);
    started = true;
    barrier.ArriveAndWait();
  });
  ASSERT_TRUE(testing::YieldUntil([&] { return started.load(); }));
  ASSERT_TRUE(testing::YieldUntil([&] { return barrier.waiters() == 1; }));
  quitter.Cancel("leaving");
  EXPECT_TRUE(quitter.Join().cancelled());
  EXPECT_EQ(drops.load(), 1);
  // Two more arrivals do not complete the phase; a third does.
  EXPECT_EQ(barrier.Arrive(), 0u);
  auto second = s_->Spawn([&] { return barrier.ArriveAndWait(); });
  EXPECT_FALSE(barrier.WaitFor(0, absl::Milliseconds(5)));
  EXPECT_EQ(barrier.phase(), 0u);
  EXPECT_EQ(completions.load(), 0);
  std::thread third([&] { barrier.ArriveAndWait(); });
  third.join();
  second.Join();
  EXPECT_EQ(barrier.phase(), 1u);
  EXPECT_EQ(completions.load(), 1);

  // Wait() on a token: the arrival stands after the cancellation.
  const uint64_t token = barrier.Arrive();
  EXPECT_EQ(token, 1u);
  auto waiter = s_->Spawn([&] { barrier.Wait(token); });
  ASSERT_TRUE(testing::YieldUntil([&] { return barrier.waiters() == 1; }));
  waiter.Cancel("not waiting");
  EXPECT_TRUE(waiter.Join().cancelled());
  EXPECT_EQ(barrier.waiters(), 0u);
  barrier.Arrive();
  barrier.Arrive();
  EXPECT_EQ(barrier.phase(), 2u);
  EXPECT_EQ(completions.load(), 2);
}

// Cancellation racing phase completion: many single-shot waiters, some
// cancelled while phases fill. A waiter either completes (its arrival was
// counted in a completed phase) or is cancelled (its arrival withdrawn):
// completed waiters are exactly `count` per completed phase, one leader
// each, and the phase left open holds no arrival.
TEST_P(BarrierTest, CancelRacingCompletion) {
  constexpr int kParties = 4;
  const int kWaiters = kTsanBuild ? 120 : 600;
  std::atomic<int> completions{0};
  std::atomic<int> completed{0};
  std::atomic<int> leaders{0};
  Barrier barrier(kParties, [&] {
    Spin(20'000);  // a slow completion widens the race
    completions.fetch_add(1);
  });
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kWaiters; ++i) {
    hs.push_back(s_->Spawn([&] {
      const bool leader = barrier.ArriveAndWait();
      completed.fetch_add(1);
      if (leader) leaders.fetch_add(1);
    }));
    if (i % 3 == 2) {
      Spin((i % 7) * 5'000);
      hs[i - 1 - (i / 3) % 2].Cancel("race");
    }
  }
  // Let the rest settle, then cancel whoever still waits for a phase that
  // cannot fill.
  ASSERT_TRUE(testing::YieldUntil([&] {
    int done = 0;
    for (auto& h : hs) done += h.Done();
    return kWaiters - done < kParties;
  }));
  for (auto& h : hs) h.Cancel("no phase left");
  int cancelled = 0;
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    EXPECT_TRUE(r.completed() || r.cancelled());
    cancelled += r.cancelled();
  }
  EXPECT_EQ(completed.load(), kParties * completions.load());
  EXPECT_EQ(leaders.load(), completions.load());
  EXPECT_EQ(cancelled + completed.load(), kWaiters);
  const uint64_t phase = barrier.phase();
  EXPECT_EQ(phase, static_cast<uint64_t>(completions.load()));
  // The open phase has no arrivals left in it: it needs all `count`.
  for (int i = 0; i < kParties - 1; ++i) barrier.Arrive();
  EXPECT_EQ(barrier.phase(), phase);
  barrier.Arrive();
  EXPECT_EQ(barrier.phase(), phase + 1);
}

// Cancellation racing the last arrival and the completion, round after
// round: the victim either withdrew (the phase then needs a replacement
// arrival) or counts as released and returns normally; each phase gathers
// exactly `count` arrivals and has exactly one leader.
TEST_P(BarrierTest, CancelRacingLastArrival) {
  constexpr int kParties = 3;
  const int kRounds = kTsanBuild ? 100 : 400;
  std::atomic<int> completions{0};
  std::atomic<int> arrivals{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    Spin(20'000);  // the victim's cancellation often lands in here
    if (arrivals.exchange(0) != kParties) ++bad;
    completions.fetch_add(1);
  });
  // Each arrival is counted first; main uncounts a withdrawn one before
  // its replacement arrives, so every completion must see `count`.
  auto counted = [&] {
    arrivals.fetch_add(1);
    return barrier.ArriveAndWait();
  };
  for (int r = 0; r < kRounds; ++r) {
    std::vector<JoinHandle<bool>> hs;
    for (int i = 0; i < kParties - 1; ++i) hs.push_back(s_->Spawn(counted));
    ASSERT_TRUE(
        testing::YieldUntil([&] { return barrier.waiters() == kParties - 1; }));
    hs.push_back(s_->Spawn(counted));  // the last arrival
    Spin((r % 8) * 5'000);
    hs[r % (kParties - 1)].Cancel("race");
    TaskResult<bool> victim = hs[r % (kParties - 1)].Join();
    ASSERT_TRUE(victim.completed() || victim.cancelled());
    if (victim.cancelled()) {
      // Withdrawn before the phase completed: its arrival no longer counts.
      arrivals.fetch_sub(1);
      hs.push_back(s_->Spawn(counted));
    }
    int leaders = 0;
    for (size_t i = 0; i < hs.size(); ++i) {
      if (i == static_cast<size_t>(r % (kParties - 1))) {
        leaders += victim.completed() && victim.value();
        continue;
      }
      TaskResult<bool> res = hs[i].Join();
      ASSERT_TRUE(res.completed());
      leaders += res.value();
    }
    ASSERT_EQ(leaders, 1) << "round " << r;
    ASSERT_EQ(completions.load(), r + 1);
    ASSERT_EQ(barrier.phase(), static_cast<uint64_t>(r + 1));
    ASSERT_EQ(barrier.waiters(), 0u);
  }
  EXPECT_EQ(bad.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Workers, BarrierTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
