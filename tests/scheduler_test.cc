// Copyright 2026 The Colony Authors.
//
// Scheduler behaviour, parameterised over worker counts: spawn and join
// from threads and tasks, exact counting, yields, sleeps, cancellation in
// every phase, scopes, stopping, blocking work, stats and dumps.

#include "scheduler/scheduler.h"

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "coroutine/listener.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "local/context.h"
#include "local/coroutine_local.h"
#include "scheduler/blocking.h"
#include "scheduler/internal/blocking_job.h"
#include "scheduler/task_scope.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::StartScheduler;
using ::colony::testing::Watchdog;
using ::testing::HasSubstr;

// The compiler may cache pthread_self() and errno's address across a call
// that suspends (they are "const" to it): read them through calls it
// cannot see into, as user code that migrates must.
__attribute__((noinline)) pthread_t ThreadNow() {
  asm volatile("" ::: "memory");
  return pthread_self();
}
__attribute__((noinline)) int& ErrnoNow() {
  asm volatile("" ::: "memory");
  return errno;
}

class SchedulerTest : public testing::WorkersTest {};

TEST_P(SchedulerTest, SpawnFromThreadAndJoin) {
  JoinHandle<int> h = s_->Spawn([] { return 42; });
  ASSERT_TRUE(h.valid());
  TaskResult<int> r = h.Join();
  ASSERT_TRUE(r.completed()) << r;
  EXPECT_EQ(r.value(), 42);
  EXPECT_FALSE(h.valid());
}

TEST_P(SchedulerTest, CurrentTaskIdentity) {
  EXPECT_EQ(CurrentTaskId(), 0u);
  EXPECT_EQ(CurrentTaskName(), "");
  EXPECT_EQ(CurrentWorkerIndex(), -1);
  JoinHandle<bool> h = s_->Spawn(
      [&] {
        const int w = CurrentWorkerIndex();
        return CurrentTaskId() != 0 && CurrentTaskName() == "identity" &&
               w >= 0 && w < s_->workers();
      },
      {.name = "identity"});
  TaskResult<bool> r = h.Join();
  ASSERT_TRUE(r.completed()) << r;
  EXPECT_TRUE(r.value());
}

TEST_P(SchedulerTest, VoidTaskAndTryJoin) {
  std::atomic<bool> go{false};
  JoinHandle<void> h = s_->Spawn([&] {
    while (!go.load()) Yield();
  });
  EXPECT_FALSE(h.TryJoin().has_value());
  go = true;
  while (!h.Done()) std::this_thread::yield();
  std::optional<TaskResult<void>> r = h.TryJoin();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->completed());
}

TEST_P(SchedulerTest, ExceptionBecomesFailed) {
  auto h = s_->Spawn([]() -> int { throw std::runtime_error("boom"); });
  TaskResult<int> r = h.Join();
  ASSERT_TRUE(r.failed());
  EXPECT_THAT(r.message(), HasSubstr("boom"));
  EXPECT_THROW(r.Rethrow(), std::runtime_error);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnknown);
}

TEST_P(SchedulerTest, NestedSpawnJoinSums) {
  auto h = s_->Spawn([] {
    std::vector<JoinHandle<int>> children;
    for (int i = 0; i < 200; ++i) {
      children.push_back(Spawn([i] {
        Yield();
        return i;
      }));
    }
    int64_t sum = 0;
    for (auto& c : children) sum += c.Join().value();
    return sum;
  });
  EXPECT_EQ(h.Join().value(), 199 * 200 / 2);
}

// Every task runs exactly once, whether spawned from threads or tasks.
TEST_P(SchedulerTest, ExactCounting) {
  constexpr int kRemote = ::colony::testing::kTsanBuild ? 600 : 4000;
  constexpr int kFanout = 8;
  std::vector<std::atomic<int>> runs(kRemote * (kFanout + 1));
  std::vector<JoinHandle<void>> handles;
  for (int i = 0; i < kRemote; ++i) {
    handles.push_back(s_->Spawn([&runs, i] {
      runs[i].fetch_add(1);
      for (int k = 1; k <= kFanout; ++k) {
        Spawn([&runs, i, k] {
          if (k % 3 == 0) Yield();
          runs[kRemote + i * kFanout + k - 1].fetch_add(1);
        }).Detach();
      }
    }));
  }
  for (auto& h : handles) EXPECT_TRUE(h.Join().completed());
  EXPECT_TRUE(s_->Stop().ok());
  for (size_t i = 0; i < runs.size(); ++i) {
    ASSERT_EQ(runs[i].load(), 1) << "task " << i;
  }
  SchedulerStats stats = s_->Stats();
  uint64_t completed = 0;
  for (const WorkerStats& w : stats.workers) completed += w.completed;
  EXPECT_EQ(completed, runs.size());
}

TEST_P(SchedulerTest, YieldInterleaves) {
  constexpr int kTasks = 10;
  constexpr int kYields = 200;
  std::atomic<int> total{0};
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t) {
    hs.push_back(s_->Spawn([&] {
      for (int i = 0; i < kYields; ++i) {
        total.fetch_add(1);
        Yield();
      }
    }));
  }
  for (auto& h : hs) h.Join();
  EXPECT_EQ(total.load(), kTasks * kYields);
}

// Timers never fire early, and they do fire. (How late is a benchmark's
// business: under ThreadSanitizer on a loaded machine it reaches a second.)
TEST_P(SchedulerTest, SleepNeverEarly) {
  constexpr int kSleepers = 100;
  std::vector<JoinHandle<int64_t>> hs;
  for (int i = 0; i < kSleepers; ++i) {
    hs.push_back(s_->Spawn([i] {
      const int64_t want = NowNanos() + (1 + i % 10) * 1'000'000;
      SleepUntil(Deadline::FromNanos(want));
      return NowNanos() - want;
    }));
  }
  for (auto& h : hs) {
    const int64_t late = h.Join().value();
    EXPECT_GE(late, 0);
    EXPECT_LT(late, 60'000'000'000) << "fired " << late << " ns late";
  }
}

TEST_P(SchedulerTest, SleepRecordsWakeTimeInDump) {
  std::atomic<bool> asleep{false};
  auto h = s_->Spawn(
      [&] {
        asleep = true;
        colony::SleepFor(absl::Seconds(60));
      },
      {.name = "dreamer"});
  while (!asleep.load()) std::this_thread::yield();
  bool seen = false;
  for (int tries = 0; tries < 2000 && !seen; ++tries) {
    for (const TaskInfo& info : s_->Dump()) {
      if (info.name == "dreamer" && info.state == CoroutineState::kSuspended &&
          info.wake_ns > NowNanos()) {
        seen = true;
      }
    }
    if (!seen) absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_TRUE(seen);
  h.Cancel("wake up");
  EXPECT_TRUE(h.Join().cancelled());
}

TEST_P(SchedulerTest, CancelWhileSuspendedRunsDestructors) {
  std::atomic<int> drops{0};
  std::atomic<bool> asleep{false};
  auto h = s_->Spawn([&] {
    DropCounter guard(&drops);
    asleep = true;
    colony::SleepFor(absl::Seconds(600));
    return 1;
  });
  while (!asleep.load()) std::this_thread::yield();
  h.Cancel("stop it");
  TaskResult<int> r = h.Join();
  ASSERT_TRUE(r.cancelled()) << r;
  EXPECT_EQ(r.message(), "stop it");
  EXPECT_EQ(drops.load(), 1);
}

TEST_P(SchedulerTest, CancelWhileRunningDeliversAtNextSuspension) {
  std::atomic<bool> running{false};
  std::atomic<int> drops{0};
  std::atomic<int> after{0};
  auto h = s_->Spawn([&] {
    DropCounter guard(&drops);
    running = true;
    while (!CancellationRequested()) {
    }
    Yield();  // throws CoroutineCancelled
    after = 1;
  });
  while (!running.load()) std::this_thread::yield();
  h.Cancel();
  EXPECT_TRUE(h.Join().cancelled());
  EXPECT_EQ(after.load(), 0);
  EXPECT_EQ(drops.load(), 1);
}

TEST_P(SchedulerTest, CancelAfterFinishKeepsResult) {
  auto h = s_->Spawn([] { return 5; });
  while (!h.Done()) std::this_thread::yield();
  h.Cancel();
  TaskResult<int> r = h.Join();
  ASSERT_TRUE(r.completed());
  EXPECT_EQ(r.value(), 5);
}

TEST_P(SchedulerTest, HandleDroppedEarlyTaskStillRuns) {
  std::atomic<int> ran{0};
  std::atomic<int> drops{0};
  {
    auto h = s_->Spawn([&ran, d = DropCounter(&drops)] {
      colony::SleepFor(absl::Milliseconds(2));
      ran = 1;
    });
  }  // dropped before the task ends
  EXPECT_TRUE(s_->Stop().ok());
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(drops.load(), 1);
}

TEST_P(SchedulerTest, HandleDroppedLate) {
  std::atomic<int> drops{0};
  {
    auto h = s_->Spawn([d = DropCounter(&drops)] { return 3; });
    while (!h.Done()) std::this_thread::yield();
    EXPECT_EQ(drops.load(), 1);  // captures go when the body ends
  }
  EXPECT_EQ(drops.load(), 1);
}

TEST_P(SchedulerTest, JoinerCancelledWhileJoining) {
  std::atomic<bool> release{false};
  std::atomic<int> child_done{0};
  auto child = std::make_shared<JoinHandle<int>>();
  std::atomic<bool> joining{false};
  auto parent = s_->Spawn([&] {
    *child = Spawn([&] {
      while (!release.load()) colony::SleepFor(absl::Microseconds(100));
      child_done = 1;
      return 9;
    });
    joining = true;
    return child->Join().value();
  });
  while (!joining.load()) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(2));
  parent.Cancel("parent cancelled");
  EXPECT_TRUE(parent.Join().cancelled());
  release = true;
  // The child keeps running and can still be joined.
  EXPECT_EQ(child->Join().value(), 9);
  EXPECT_EQ(child_done.load(), 1);
}

TEST_P(SchedulerTest, ScopeCancelsAndJoinsItsTasks) {
  std::atomic<int> drops{0};
  std::atomic<int> started{0};
  auto h = s_->Spawn([&] {
    TaskScope scope;
    for (int i = 0; i < 20; ++i) {
      scope
          .Spawn([&] {
            DropCounter guard(&drops);
            started.fetch_add(1);
            colony::SleepFor(absl::Seconds(600));
          })
          .Detach();
    }
    while (started.load() < 20) colony::SleepFor(absl::Microseconds(200));
    EXPECT_EQ(scope.pending(), 20u);
  });  // scope ends: every child is cancelled and awaited
  EXPECT_TRUE(h.Join().completed());
  EXPECT_EQ(drops.load(), 20);
}

// A task of an ending scope that spawns into it while it unwinds (from a
// drop guard) must not keep the scope's end waiting: the late spawn is
// refused as Cancelled.
TEST_P(SchedulerTest, ScopeEndRefusesSpawnsFromItsUnwindingTasks) {
  Watchdog dog(std::chrono::seconds(60), "~TaskScope() with a late spawn");
  std::atomic<bool> late_refused{false};
  std::atomic<bool> late_ran{false};
  auto h = s_->Spawn([&] {
    TaskScope scope;
    std::atomic<bool> started{false};
    scope.Spawn([&] {
      struct SpawnOnUnwind {
        TaskScope* scope;
        std::atomic<bool>* refused;
        std::atomic<bool>* ran;
        ~SpawnOnUnwind() {
          auto late = scope->Spawn([ran = ran] {
            ran->store(true);
            colony::SleepFor(absl::Hours(1));  // until cancelled
          });
          TaskResult<void> r = late.Join();
          refused->store(r.cancelled() &&
                         r.message().find("scope ended") != std::string::npos);
        }
      } guard{&scope, &late_refused, &late_ran};
      started.store(true);
      colony::SleepFor(absl::Hours(1));  // until the scope ends
    });
    while (!started.load()) Yield();
  });  // ~TaskScope() cancels the sleeper, whose guard spawns
  EXPECT_TRUE(h.Join().completed());
  EXPECT_TRUE(late_refused.load());
  EXPECT_FALSE(late_ran.load());
}

TEST_P(SchedulerTest, ScopeWaitFromThread) {
  std::atomic<int> done{0};
  TaskScope scope(*s_);
  for (int i = 0; i < 50; ++i) {
    scope.Spawn([&] {
      Yield();
      done.fetch_add(1);
    });
  }
  scope.Wait();
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(scope.pending(), 0u);
}

TEST_P(SchedulerTest, SpawnBlockingReturnsAndRethrows) {
  auto h = s_->Spawn([] {
    const pthread_t me = ThreadNow();
    bool other_thread = false;
    int v = SpawnBlocking([&] {
      other_thread = !pthread_equal(me, ThreadNow());
      return 7;
    });
    bool threw = false;
    try {
      SpawnBlocking([]() -> int { throw std::logic_error("bad"); });
    } catch (const std::logic_error&) {
      threw = true;
    }
    return v + (other_thread ? 10 : 0) + (threw ? 100 : 0);
  });
  EXPECT_EQ(h.Join().value(), 117);
}

// A pool that cannot start a thread fails the call, leaves nothing queued
// and holds no reference to the task, so the pool and Stop() still work.
TEST_P(SchedulerTest, SpawnBlockingFailsCleanlyWhenNoThreadStarts) {
  Watchdog dog(std::chrono::seconds(60),
               "SpawnBlocking() or Stop() after a failed thread start");
  scheduler_internal::FailBlockingThreadStartsForTesting(true);
  auto failed = s_->Spawn([] {
    bool called = false;
    try {
      SpawnBlocking([&] { called = true; });
    } catch (const BlockingPoolError& e) {
      return absl::Status(e.status().code(),
                          called ? "fn was called" : e.status().message());
    }
    return absl::OkStatus();
  });
  TaskResult<absl::Status> result = failed.Join();
  scheduler_internal::FailBlockingThreadStartsForTesting(false);
  // No early return below: the watchdog must also cover Stop().
  EXPECT_TRUE(result.completed()) << result;
  const absl::Status status =
      result.completed() ? result.value() : absl::UnknownError("not run");
  EXPECT_TRUE(absl::IsResourceExhausted(status)) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("could not start a thread"));
  EXPECT_EQ(s_->Stats().blocking_queued, 0u);
  EXPECT_EQ(s_->Stats().blocking_threads, 0u);
  auto ok = s_->Spawn([] { return SpawnBlocking([] { return 7; }); });
  EXPECT_EQ(ok.Join().value(), 7);
  EXPECT_TRUE(s_->Stop({.deadline = absl::Seconds(30)}).ok());
  EXPECT_EQ(s_->Stats().live_tasks, 0u);
}

TEST_P(SchedulerTest, BlockingRegionShowsSyscallAndOthersProgress) {
  std::atomic<bool> in_region{false};
  std::atomic<bool> release{false};
  auto blocker = s_->Spawn(
      [&] {
        BlockingRegion region("test_block");
        in_region = true;
        while (!release.load())
          std::this_thread::sleep_for(std::chrono::microseconds(100));
      },
      {.name = "blocker"});
  while (!in_region.load()) std::this_thread::yield();
  bool syscall_seen = false;
  for (const TaskInfo& info : s_->Dump()) {
    if (info.name == "blocker")
      syscall_seen = info.state == CoroutineState::kSyscall;
  }
  EXPECT_TRUE(syscall_seen);
  if (GetParam() > 1) {
    // Other workers keep running tasks meanwhile.
    EXPECT_EQ(s_->Spawn([] { return 1; }).Join().value(), 1);
  }
  release = true;
  EXPECT_TRUE(blocker.Join().completed());
}

TEST_P(SchedulerTest, StatsCountSpawnsAndSwitches) {
  auto h = s_->Spawn([] {
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 100; ++i) hs.push_back(Spawn([] { Yield(); }));
    for (auto& x : hs) x.Join();
  });
  h.Join();
  EXPECT_TRUE(s_->Stop().ok());
  SchedulerStats stats = s_->Stats();
  ASSERT_EQ(stats.workers.size(), static_cast<size_t>(GetParam()));
  uint64_t spawned = 0, completed = 0, switches = 0;
  for (const WorkerStats& w : stats.workers) {
    spawned += w.spawned;
    completed += w.completed;
    switches += w.switches;
  }
  EXPECT_EQ(spawned, 100u);
  EXPECT_EQ(stats.spawned_remote, 1u);
  EXPECT_EQ(completed, 101u);
  EXPECT_GE(switches, 201u);  // each child at least twice (it yields)
  EXPECT_EQ(stats.live_tasks, 0u);
}

TEST_P(SchedulerTest, ForcedMigrationMovesEveryResume) {
  if (GetParam() < 2) GTEST_SKIP() << "needs two workers";
  s_->Stop().IgnoreError();
  // No stall detection: a worker the machine deschedules for 100 ms would
  // have its mailbox taken by the others, possibly by the thread the task
  // just left.
  s_ = StartScheduler({.workers = GetParam(),
                       .stall_threshold = absl::ZeroDuration(),
                       .migrate_every_resume = true});
  auto h = s_->Spawn([] {
    int moved = 0;
    for (int i = 0; i < 50; ++i) {
      const pthread_t before = ThreadNow();
      ErrnoNow() = 1000 + i;
      if (i % 2 == 0) {
        Yield();
      } else {
        colony::SleepFor(absl::Microseconds(50));
      }
      if (ErrnoNow() != 1000 + i) return -1;  // errno travels with the task
      if (!pthread_equal(before, ThreadNow())) ++moved;
    }
    return moved;
  });
  EXPECT_EQ(h.Join().value(), 50);
}

TEST_P(SchedulerTest, CurrentAndInTask) {
  EXPECT_FALSE(InTask());
  EXPECT_EQ(Scheduler::Current(), nullptr);
  Scheduler* self = s_.get();
  auto h =
      s_->Spawn([self] { return InTask() && Scheduler::Current() == self; });
  EXPECT_TRUE(h.Join().value());
}

TEST_P(SchedulerTest, SpawnedTasksInheritLocalsAndContext) {
  static CoroutineLocal<std::string> request_id({.inherited = true});
  static CoroutineLocal<int> scratch;
  auto h = s_->Spawn([] {
    request_id.Set("req-7");
    scratch.Set(5);
    ProvideContext<int>(99);
    auto child = Spawn([] {
      std::shared_ptr<const int> ctx = UseContext<int>();
      return request_id.Get() + "/" + std::to_string(scratch.Get()) + "/" +
             std::to_string(ctx ? *ctx : -1);
    });
    std::string got = child.Join().value();
    return got + "/" + request_id.Get();
  });
  EXPECT_EQ(h.Join().value(), "req-7/0/99/req-7");
}

INSTANTIATE_TEST_SUITE_P(Workers, SchedulerTest,
                         ::testing::Values(1, 2, 4, 8, 64),
                         testing::WorkersTest::Name);

TEST(SchedulerOptionsTest, BadOptionsNameTheField) {
  auto s = Scheduler::Create({.workers = -3});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("workers"));
  s = Scheduler::Create({.priority_bands = 0});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("priority_bands"));
  s = Scheduler::Create({.priority_bands = 2, .default_priority = 2});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("default_priority"));
  SchedulerOptions spin;
  spin.spin_before_park = -absl::Microseconds(1);
  s = Scheduler::Create(spin);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("spin_before_park"));
  spin.spin_before_park = absl::InfiniteDuration();
  s = Scheduler::Create(spin);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("spin_before_park"));
}

// A worker with nothing to do parks after spinning, and a spawn from
// outside wakes it (counted as an unpark); with no spinning it parks at
// once. Either way no work is lost.
TEST(SchedulerParkTest, IdleWorkersParkAndAreWoken) {
  for (absl::Duration spin : {absl::ZeroDuration(), absl::Microseconds(50)}) {
    auto s = StartScheduler({.workers = 2, .spin_before_park = spin});
    for (int round = 0; round < 20; ++round) {
      absl::SleepFor(absl::Milliseconds(2));  // everybody parks
      std::atomic<int> ran{0};
      std::vector<JoinHandle<void>> hs;
      for (int i = 0; i < 10; ++i) hs.push_back(s->Spawn([&] { ++ran; }));
      for (auto& h : hs) h.Join();
      EXPECT_EQ(ran.load(), 10);
    }
    const SchedulerStats st = s->Stats();
    uint64_t parks = 0, unparks = 0;
    for (const WorkerStats& w : st.workers) {
      parks += w.parks;
      unparks += w.unparks;
      EXPECT_LE(w.unparks, w.parks);
    }
    EXPECT_GE(parks, 20u) << "workers idle for 2 ms should have parked";
    EXPECT_GE(unparks, 1u) << "remote spawns should have woken a worker";
    ASSERT_TRUE(s->Stop().ok());
  }
}

// A task has one cancellation flag: once JoinHandle::Cancel() asked, the
// coroutine's cancel_requested() says so, as CancellationRequested() does
// inside it (here seen by a listener as the task resumes to unwind).
TEST(SchedulerCancelTest, CoroutineSeesTheTaskCancellationFlag) {
  struct Watch : Listener {
    std::atomic<bool> cancelled{false};
    std::atomic<int> resumed_after_cancel{0};
    std::atomic<int> flag_seen{0};
    void OnStateChange(const BasicCoroutine& c, CoroutineState,
                       CoroutineState to) override {
      if (c.name() != "cancel-flag" || to != CoroutineState::kRunning) return;
      if (!cancelled.load()) {
        if (c.cancel_requested()) flag_seen.fetch_add(100);
        return;
      }
      resumed_after_cancel.fetch_add(1);
      if (c.cancel_requested()) flag_seen.fetch_add(1);
    }
  } watch;
  AddGlobalListener(&watch);
  {
    auto s = StartScheduler({.workers = 2});
    std::atomic<bool> asleep{false};
    std::atomic<bool> inside_saw{false};
    JoinHandle<void> h = s->Spawn(
        [&] {
          struct Guard {
            std::atomic<bool>* saw;
            ~Guard() { saw->store(CancellationRequested()); }
          } guard{&inside_saw};
          asleep = true;
          colony::SleepFor(absl::InfiniteDuration());
        },
        {.name = "cancel-flag"});
    while (!asleep.load()) absl::SleepFor(absl::Milliseconds(1));
    absl::SleepFor(absl::Milliseconds(5));  // let it park
    watch.cancelled = true;
    h.Cancel();
    EXPECT_TRUE(h.Join().cancelled());
    EXPECT_TRUE(inside_saw.load());
    ASSERT_TRUE(s->Stop().ok());
  }
  RemoveGlobalListener(&watch);
  EXPECT_GE(watch.resumed_after_cancel.load(), 1);
  EXPECT_EQ(watch.flag_seen.load(), watch.resumed_after_cancel.load())
      << "the coroutine's flag disagreed with the task's";
}

// Busy time counts what a worker spends running, never goes back, and
// stays within the wall time since it started.
TEST(SchedulerStatsTest, BusyTimeCountsRunningTime) {
  const absl::Time started = absl::Now();
  auto s = StartScheduler({.workers = 1});
  s->Spawn([] {
     const absl::Time until = absl::Now() + absl::Milliseconds(30);
     while (absl::Now() < until) {
     }
   }).Join();
  uint64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    const uint64_t busy = s->Stats().workers[0].busy_ns;
    EXPECT_GE(busy, last) << "busy time went back";
    last = busy;
    if (i % 10 == 0) absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_GE(last, 25'000'000u) << "30 ms of spinning were not counted";
  EXPECT_LE(absl::Nanoseconds(last), absl::Now() - started);
  ASSERT_TRUE(s->Stop().ok());
}

// Tasks queued behind slow ones raise RecentQueueDelay(); once the worker
// is idle and parked it is zero again.
TEST(SchedulerStatsTest, QueueDelayRisesUnderBacklogAndClearsWhenIdle) {
  // Everything is queued before Start(), so the backlog exists however
  // slowly this thread spawns (sanitizers).
  auto created = Scheduler::Create(
      {.workers = 1, .spin_before_park = absl::ZeroDuration()});
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<Scheduler> s = *std::move(created);
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 100; ++i) {
    hs.push_back(s->Spawn([] {
      const absl::Time until = absl::Now() + absl::Microseconds(300);
      while (absl::Now() < until) {
      }
    }));
  }
  // It reads the figure once the 100 tasks of 300 us are done: whichever
  // order they ran in, the later ones waited for most of the 30 ms.
  JoinHandle<absl::Duration> probe = s->Spawn([&s, &hs] {
    for (auto& h : hs) h.Join();
    return s->RecentQueueDelay();
  });
  ASSERT_TRUE(s->Start().ok());
  const absl::Duration seen = probe.Join().value();
  EXPECT_GT(seen, absl::Milliseconds(2)) << "backlog not reflected";
  EXPECT_TRUE(colony::testing::Eventually([&] {
    return s->Stats().workers[0].parked &&
           s->RecentQueueDelay() == absl::ZeroDuration();
  })) << "an idle worker still reports a queue delay";
  ASSERT_TRUE(s->Stop().ok());
}

// Work readied from inside a BlockingRegion (a spawn, a wake) goes where
// other workers can take it, not to the blocked worker's private LIFO
// slot: here the region waits (blocking its thread) for the very task it
// spawned, which only another worker can run.
TEST_P(SchedulerTest, WorkReadiedInBlockingRegionRunsElsewhere) {
  if (GetParam() < 2) GTEST_SKIP() << "needs a second worker";
  auto h = s_->Spawn([] {
    BlockingRegion region("wait_for_child");
    std::atomic<bool> child_ran{false};
    JoinHandle<void> child = Spawn([&] { child_ran = true; });
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (!child_ran.load() && absl::Now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    const bool ran = child_ran.load();
    child.Detach();
    return ran;
  });
  EXPECT_TRUE(h.Join().value())
      << "the child waited for the blocking region to end";
}

TEST(SchedulerLifecycleTest, StartTwiceFails) {
  auto s = StartScheduler({.workers = 1});
  EXPECT_EQ(s->Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SchedulerLifecycleTest, SpawnOutsideSchedulerFails) {
  auto h = Spawn([] { return 1; });
  TaskResult<int> r = h.Join();
  ASSERT_TRUE(r.failed());
  EXPECT_THAT(r.message(), HasSubstr("outside"));
}

TEST(SchedulerLifecycleTest, CancelBeforeStartNeverRuns) {
  auto s = Scheduler::Create({.workers = 2}).value();
  std::atomic<int> ran{0};
  std::atomic<int> drops{0};
  auto h = s->Spawn([&ran, d = DropCounter(&drops)] { ran = 1; });
  h.Cancel("never mind");
  ASSERT_TRUE(s->Start().ok());
  TaskResult<void> r = h.Join();
  EXPECT_TRUE(r.cancelled());
  EXPECT_EQ(r.message(), "never mind");
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(drops.load(), 1);
}

TEST(SchedulerLifecycleTest, SpawnAfterStopIsRefused) {
  auto s = StartScheduler({.workers = 2});
  ASSERT_TRUE(s->Stop().ok());
  std::atomic<int> drops{0};
  auto h = s->Spawn([d = DropCounter(&drops)] { return 1; });
  TaskResult<int> r = h.Join();
  EXPECT_TRUE(r.cancelled());
  EXPECT_THAT(r.message(), HasSubstr("stopping"));
  EXPECT_EQ(drops.load(), 1);
  EXPECT_EQ(s->Stats().rejected, 1u);
}

TEST(SchedulerLifecycleTest, DrainDeadlineNamesStragglers) {
  auto s = StartScheduler({.workers = 2});
  std::atomic<int> drops{0};
  s->Spawn(
       [&] {
         DropCounter guard(&drops);
         colony::SleepFor(absl::Seconds(600));
       },
       {.name = "straggler"})
      .Detach();
  s->Spawn([] { colony::SleepFor(absl::Milliseconds(1)); }, {.name = "quick"})
      .Detach();
  absl::Status st = s->Stop({.deadline = absl::Milliseconds(50)});
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(st.message(), HasSubstr("'straggler'"));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("'quick'")));
  EXPECT_EQ(drops.load(), 1);
}

TEST(SchedulerLifecycleTest, StopCancelUnwindsEveryTask) {
  auto s = StartScheduler({.workers = 2});
  std::atomic<int> drops{0};
  std::atomic<int> started{0};
  for (int i = 0; i < 100; ++i) {
    s->Spawn([&] {
       DropCounter guard(&drops);
       started.fetch_add(1);
       colony::SleepFor(absl::Seconds(600));
     }).Detach();
  }
  while (started.load() < 100) std::this_thread::yield();
  EXPECT_TRUE(s->Stop({.mode = StopMode::kCancel}).ok());
  EXPECT_EQ(drops.load(), 100);
}

TEST(SchedulerLifecycleTest, ForeverTaskCancelledAfterDrain) {
  auto s = StartScheduler({.workers = 2});
  std::atomic<int> drops{0};
  std::atomic<int> normal_done{0};
  s->SpawnForever([&] {
     DropCounter guard(&drops);
     for (;;) colony::SleepFor(absl::Milliseconds(1));
   }).Detach();
  s->Spawn([&] {
     colony::SleepFor(absl::Milliseconds(5));
     normal_done = 1;
   }).Detach();
  EXPECT_TRUE(s->Stop().ok());
  EXPECT_EQ(normal_done.load(), 1);
  EXPECT_EQ(drops.load(), 1);
}

// Spawns from plain threads racing Stop(): each either runs exactly once
// or is refused with a Cancelled result; nothing is lost.
TEST(SchedulerLifecycleTest, RemoteSpawnsRacingShutdown) {
  for (int round = 0; round < 5; ++round) {
    auto s = StartScheduler({.workers = 2});
    std::atomic<int> ran{0};
    std::atomic<bool> stop_spawning{false};
    std::vector<std::vector<JoinHandle<int>>> per_thread(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 3000 && !stop_spawning.load(); ++i) {
          per_thread[t].push_back(s->Spawn([&ran] {
            ran.fetch_add(1);
            return 1;
          }));
        }
      });
    }
    absl::SleepFor(absl::Microseconds(200 * round));
    ASSERT_TRUE(s->Stop().ok());
    stop_spawning = true;
    for (auto& t : threads) t.join();
    int completed = 0, refused = 0, total = 0;
    for (auto& hs : per_thread) {
      for (auto& h : hs) {
        ++total;
        TaskResult<int> r = h.Join();
        if (r.completed()) ++completed;
        if (r.cancelled()) ++refused;
      }
    }
    EXPECT_EQ(completed, ran.load());
    EXPECT_EQ(completed + refused, total);
    EXPECT_EQ(static_cast<uint64_t>(refused), s->Stats().rejected);
  }
}

TEST(SchedulerLifecycleTest, TwoSchedulersJoinAcross) {
  auto a = StartScheduler({.workers = 2, .name = "a"});
  auto b = StartScheduler({.workers = 2, .name = "b"});
  Scheduler* bp = b.get();
  auto h = a->Spawn([bp] {
    auto inner = bp->Spawn([] {
      colony::SleepFor(absl::Milliseconds(1));
      return Scheduler::Current();
    });
    return inner.Join().value();
  });
  EXPECT_EQ(h.Join().value(), b.get());
}

TEST(SchedulerLifecycleTest, DestructorCancels) {
  std::atomic<int> drops{0};
  std::atomic<bool> started{false};
  {
    auto s = StartScheduler({.workers = 2});
    s->Spawn([&] {
       DropCounter guard(&drops);
       started = true;
       colony::SleepFor(absl::Seconds(600));
     }).Detach();
    while (!started.load()) std::this_thread::yield();
  }
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace
}  // namespace colony
