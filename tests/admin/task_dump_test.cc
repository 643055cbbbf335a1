// Copyright 2026 The Colony Authors.
//
// Scheduler::Dump() with wait reasons and backtraces of parked tasks, the
// frame walk's bounds, and the Go-style text of scheduler/dump.h.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "coroutine/internal/backtrace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/dump.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"
#include "sync/locks/event.h"
#include "sync/locks/mutex.h"

namespace colony {
namespace {

using ::testing::HasSubstr;

bool Eventually(const std::function<bool()>& done) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// ---- The frame walk on a fake stack ----

TEST(WalkFramesTest, FollowsChainInsideRange) {
  alignas(16) uintptr_t stack[64] = {};
  const auto base = reinterpret_cast<uintptr_t>(stack);
  // Records at words 4, 10 and 20; the last links to 0 (end).
  stack[4] = base + 10 * 8;
  stack[5] = 0x1111;
  stack[10] = base + 20 * 8;
  stack[11] = 0x2222;
  stack[20] = 0;
  stack[21] = 0x3333;
  const coroutine_internal::StackRange range{base, base + sizeof(stack)};
  uintptr_t pcs[16];
  const size_t n = coroutine_internal::WalkFrames(
      0x9999, base + 4 * 8, absl::MakeConstSpan(&range, 1), pcs);
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(pcs[0], 0x9999u);
  EXPECT_EQ(pcs[1], 0x1111u);
  EXPECT_EQ(pcs[2], 0x2222u);
  EXPECT_EQ(pcs[3], 0x3333u);
}

TEST(WalkFramesTest, StopsAtLoopsWildPointersAndTheLimit) {
  alignas(16) uintptr_t stack[64] = {};
  const auto base = reinterpret_cast<uintptr_t>(stack);
  const coroutine_internal::StackRange range{base, base + sizeof(stack)};
  uintptr_t pcs[16];
  // A record pointing to itself: the chain must climb, so one frame.
  stack[8] = base + 8 * 8;
  stack[9] = 0xaaaa;
  EXPECT_EQ(coroutine_internal::WalkFrames(1, base + 8 * 8,
                                           absl::MakeConstSpan(&range, 1), pcs),
            2u);
  // A record pointing outside the stack (a wild frame pointer): its
  // return address is kept, the pointer is not followed.
  stack[8] = 0x10;
  EXPECT_EQ(coroutine_internal::WalkFrames(1, base + 8 * 8,
                                           absl::MakeConstSpan(&range, 1), pcs),
            2u);
  // A start outside the stack, or misaligned, or in its last 8 bytes.
  EXPECT_EQ(coroutine_internal::WalkFrames(1, 0x10,
                                           absl::MakeConstSpan(&range, 1), pcs),
            1u);
  EXPECT_EQ(coroutine_internal::WalkFrames(1, base + 3,
                                           absl::MakeConstSpan(&range, 1), pcs),
            1u);
  EXPECT_EQ(coroutine_internal::WalkFrames(1, base + sizeof(stack) - 8,
                                           absl::MakeConstSpan(&range, 1), pcs),
            1u);
  // A long climbing chain is cut at the size of the output.
  for (int i = 0; i < 30; ++i) {
    stack[2 * i] = base + static_cast<uintptr_t>(2 * (i + 1)) * 8;
    stack[2 * i + 1] = 0x100 + static_cast<uintptr_t>(i);
  }
  EXPECT_EQ(
      coroutine_internal::WalkFrames(1, base, absl::MakeConstSpan(&range, 1),
                                     absl::MakeSpan(pcs, 5)),
      5u);
  // No room at all.
  EXPECT_EQ(
      coroutine_internal::WalkFrames(1, base, absl::MakeConstSpan(&range, 1),
                                     absl::Span<uintptr_t>()),
      0u);
}

// ---- Formatting ----

TaskInfo Parked(uint64_t id, std::string_view reason) {
  TaskInfo t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.state = CoroutineState::kSuspended;
  t.wait_reason = reason;
  t.worker = 1;
  return t;
}

TEST(DumpFormatTest, StatusNamesWhatTheTaskWaitsOn) {
  TaskInfo io = Parked(1, "io");
  io.io_wait = IoWait::kRead;
  io.io_fd = 7;
  EXPECT_EQ(TaskStatus(io), "io wait read fd=7");
  io.io_wait = IoWait::kWrite;
  EXPECT_EQ(TaskStatus(io), "io wait write fd=7");
  EXPECT_EQ(TaskStatus(Parked(2, "mutex")), "mutex");
  EXPECT_EQ(TaskStatus(Parked(3, "")), "parked");
  TaskInfo running = Parked(4, "");
  running.state = CoroutineState::kRunning;
  EXPECT_EQ(TaskStatus(running), "running");
  running.runnable = true;
  EXPECT_EQ(TaskStatus(running), "runnable");
  TaskInfo fresh;
  EXPECT_EQ(TaskStatus(fresh), "not started");
}

TEST(DumpFormatTest, Durations) {
  EXPECT_EQ(FormatWaitDuration(0), "");
  EXPECT_EQ(FormatWaitDuration(999'000'000), "");
  EXPECT_EQ(FormatWaitDuration(1'000'000'000), "1 second");
  EXPECT_EQ(FormatWaitDuration(59'000'000'000), "59 seconds");
  EXPECT_EQ(FormatWaitDuration(int64_t{3} * 60 * 1'000'000'000 + 5),
            "3 minutes");
  EXPECT_EQ(FormatWaitDuration(int64_t{2} * 3600 * 1'000'000'000), "2 hours");
}

TEST(DumpFormatTest, HeaderAndFrames) {
  TaskInfo t = Parked(42, "io");
  t.name = "conn";
  t.io_wait = IoWait::kRead;
  t.io_fd = 7;
  t.wait_ns = int64_t{180} * 1'000'000'000;
  t.parent_id = 3;
  t.scope = 0x1200;
  t.backtrace = {reinterpret_cast<uintptr_t>(&FormatTaskDump) + 1};
  const std::string text = FormatTaskDump({t});
  EXPECT_THAT(text, HasSubstr("task 42 [io wait read fd=7, 3 minutes] "
                              "name=\"conn\" worker=1 priority=0 parent=3 "
                              "scope=0x1200\n"));
  EXPECT_THAT(text, HasSubstr("FormatTaskDump"));
}

TEST(DumpFormatTest, GroupsIdenticalStacks) {
  std::vector<TaskInfo> tasks;
  for (uint64_t id = 1; id <= 3; ++id) {
    tasks.push_back(Parked(id, "mutex"));
    tasks.back().backtrace = {0x10, 0x20};
  }
  tasks.push_back(Parked(4, "mutex"));
  tasks.back().backtrace = {0x10, 0x30};
  tasks.push_back(Parked(5, "sleep"));
  tasks.back().backtrace = {0x10, 0x20};
  const std::string text = FormatTaskDump(tasks, /*group=*/true);
  // The biggest group first, then the singletons.
  EXPECT_EQ(text.find("3 tasks [mutex] ids 1 2 3\n"), 0u) << text;
  EXPECT_THAT(text, HasSubstr("1 task [mutex] ids 4\n"));
  EXPECT_THAT(text, HasSubstr("1 task [sleep] ids 5\n"));
  EXPECT_EQ(text.find("task 1 ["), std::string::npos);
}

// ---- Dump() of a live scheduler ----

// Distinct, never-inlined functions each task parks in, so that the
// backtraces must name them.
__attribute__((noinline)) void DumpTestLockMutex(Mutex* mu) {
  mu->lock();
  mu->unlock();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void DumpTestRecvChannel(Channel<int>* ch) {
  ch->Recv();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void DumpTestWaitEvent(Event* ev) {
  ev->Wait();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void DumpTestSleep() {
  colony::SleepFor(absl::Hours(1));
  asm volatile("" ::: "memory");
}

const TaskInfo* Find(const std::vector<TaskInfo>& tasks,
                     std::string_view name) {
  for (const TaskInfo& t : tasks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string Symbols(const TaskInfo& t) {
  std::string out;
  for (uintptr_t pc : t.backtrace) out += SymbolizePc(pc) + "\n";
  return out;
}

TEST(SchedulerDumpTest, ParkedTasksShowReasonAndBacktrace) {
  auto scheduler = Scheduler::Create({.workers = 2}).value();
  ASSERT_TRUE(scheduler->Start().ok());
  Mutex mu;
  Channel<int> ch;
  Event ev;
  // Held by this thread: the task blocks on it (released early too if an
  // assertion below returns).
  std::unique_lock<Mutex> hold(mu);
  auto h1 =
      scheduler->Spawn([&] { DumpTestLockMutex(&mu); }, {.name = "on-mutex"});
  auto h2 = scheduler->Spawn([&] { DumpTestRecvChannel(&ch); },
                             {.name = "on-channel"});
  auto h3 =
      scheduler->Spawn([&] { DumpTestWaitEvent(&ev); }, {.name = "on-event"});
  auto h4 = scheduler->Spawn([] { DumpTestSleep(); }, {.name = "sleeper"});
  auto h5 = scheduler->Spawn(
      [&] {
        auto child = Spawn([&] { DumpTestWaitEvent(&ev); }, {.name = "child"});
        child.Join();
      },
      {.name = "joiner"});

  std::vector<TaskInfo> tasks;
  ASSERT_TRUE(Eventually([&] {
    tasks = scheduler->Dump({.backtraces = true});
    int parked = 0;
    for (const TaskInfo& t : tasks) {
      if (!t.wait_reason.empty() && !t.backtrace.empty()) ++parked;
    }
    return parked == 6;
  }));
  struct Expect {
    const char* name;
    const char* reason;
    const char* function;
  };
  for (const Expect& e :
       {Expect{"on-mutex", "mutex", "DumpTestLockMutex"},
        Expect{"on-channel", "channel receive", "DumpTestRecvChannel"},
        Expect{"on-event", "event", "DumpTestWaitEvent"},
        Expect{"sleeper", "sleep", "DumpTestSleep"},
        Expect{"child", "event", "DumpTestWaitEvent"},
        Expect{"joiner", "join", "AwaitCompletion"}}) {
    const TaskInfo* t = Find(tasks, e.name);
    ASSERT_NE(t, nullptr) << e.name;
    EXPECT_EQ(t->wait_reason, e.reason) << e.name;
    EXPECT_EQ(TaskStatus(*t), e.reason) << e.name;
    EXPECT_THAT(Symbols(*t), HasSubstr(e.function)) << e.name;
  }
  EXPECT_EQ(Find(tasks, "child")->parent_id, Find(tasks, "joiner")->id);
  EXPECT_EQ(Find(tasks, "joiner")->parent_id, 0u);
  const std::string text = FormatTaskDump(tasks);
  EXPECT_THAT(text, HasSubstr("[mutex] name=\"on-mutex\""));
  EXPECT_THAT(text, HasSubstr("DumpTestRecvChannel"));
  // Without the option, no walk.
  for (const TaskInfo& t : scheduler->Dump()) EXPECT_TRUE(t.backtrace.empty());

  // Everything dumped still runs to the end: pins gave every task back.
  hold.unlock();
  ch.Send(1);
  ev.Set();
  EXPECT_TRUE(h1.Join().completed());
  EXPECT_TRUE(h2.Join().completed());
  EXPECT_TRUE(h3.Join().completed());
  EXPECT_TRUE(h5.Join().completed());
  ASSERT_TRUE(scheduler->Stop({.mode = StopMode::kCancel}).ok());
  (void)h4;
}

// Dumps with backtraces, from a plain thread and from a task, while tasks
// park and wake all the time (channel ping-pong, a contended mutex, short
// sleeps): every wake that lands during a walk must still be delivered
// (otherwise the ping-pong stalls), and under ThreadSanitizer the walk must
// be race-free against the tasks running on the stacks it reads.
TEST(SchedulerDumpTest, DumpsWhileTasksParkAndWake) {
  auto scheduler = Scheduler::Create({.workers = 2}).value();
  ASSERT_TRUE(scheduler->Start().ok());
  constexpr int kRounds = 3000;
  Channel<int> ping, pong;
  Mutex mu;
  int shared = 0;
  std::atomic<bool> done{false};
  // Dumps finished by the plain thread; the ping-pong goes on until a few
  // have overlapped it, however slowly that thread gets started.
  std::atomic<size_t> dumps{0};
  auto pinger = scheduler->Spawn(
      [&] {
        for (int i = 0; i < kRounds || dumps.load() < 3; ++i) {
          ping.Send(i);
          pong.Recv();
        }
        ping.Send(-1);
      },
      {.name = "pinger"});
  auto ponger = scheduler->Spawn(
      [&] {
        for (;;) {
          const std::optional<int> v = ping.Recv();
          if (!v.has_value() || *v < 0) break;
          pong.Send(*v);
        }
      },
      {.name = "ponger"});
  std::vector<JoinHandle<void>> lockers;
  for (int k = 0; k < 4; ++k) {
    lockers.push_back(scheduler->Spawn(
        [&] {
          while (!done.load(std::memory_order_relaxed)) {
            std::lock_guard<Mutex> lock(mu);
            ++shared;
            colony::SleepFor(absl::Microseconds(50));
          }
        },
        {.name = "locker"}));
  }
  auto task_dumper = scheduler->Spawn(
      [&] {
        size_t walked = 0;
        while (!done.load(std::memory_order_relaxed)) {
          for (const TaskInfo& t : scheduler->Dump({.backtraces = true})) {
            walked += t.backtrace.size();
          }
          Yield();
        }
        return walked;
      },
      {.name = "dumper"});
  size_t walked = 0;
  std::thread thread_dumper([&] {
    while (!done.load(std::memory_order_relaxed)) {
      for (const TaskInfo& t : scheduler->Dump({.backtraces = true})) {
        walked += t.backtrace.size();
      }
      dumps.fetch_add(1);
    }
  });
  EXPECT_TRUE(pinger.Join().completed());
  EXPECT_TRUE(ponger.Join().completed());
  done.store(true);
  thread_dumper.join();
  for (auto& h : lockers) EXPECT_TRUE(h.Join().completed());
  auto from_task = task_dumper.Join();
  ASSERT_TRUE(from_task.completed());
  EXPECT_GE(dumps.load(), 3u);
  // Some walk found a parked task with frames.
  EXPECT_GT(walked + from_task.value(), 0u);
  EXPECT_GT(shared, 0);
  ASSERT_TRUE(scheduler->Stop({.mode = StopMode::kDrain}).ok());
}

}  // namespace
}  // namespace colony
