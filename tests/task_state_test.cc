// Copyright 2026 The Colony Authors.
//
// TaskState (scheduler/internal/task_state.h): each transition on its own,
// and wakes racing with a worker's dispatch and park, counted.

#include "scheduler/internal/task_state.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace colony::scheduler_internal {
namespace {

// A spawned task: scheduled, two references.
void InitSpawned(TaskState& state) { state.InitScheduled(/*refs=*/2); }

// Spawned, run once and parked.
void InitParked(TaskState& state) {
  InitSpawned(state);
  EXPECT_FALSE(state.TakeNotified().is_notified());
  ASSERT_FALSE(state.TransitionToParked());
  ASSERT_FALSE(state.snapshot().is_scheduled());
}

TEST(TaskStateTest, InitScheduled) {
  TaskState state;
  InitSpawned(state);
  const TaskState::Snapshot s = state.snapshot();
  EXPECT_TRUE(s.is_scheduled());
  EXPECT_FALSE(s.is_notified());
  EXPECT_FALSE(s.is_finished());
  EXPECT_FALSE(s.cancel_requested());
  EXPECT_FALSE(s.has_join_waiter());
  EXPECT_EQ(s.refs(), 2u);
}

TEST(TaskStateTest, WakeOfParkedTaskMustQueue) {
  TaskState state;
  InitParked(state);
  EXPECT_TRUE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  EXPECT_FALSE(state.snapshot().is_notified());
}

TEST(TaskStateTest, WakeOfScheduledTaskNotifiesWithoutQueueing) {
  TaskState state;
  InitSpawned(state);
  EXPECT_FALSE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  EXPECT_TRUE(state.snapshot().is_notified());
  // A second wake changes nothing and queues nothing either.
  EXPECT_FALSE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.snapshot().is_notified());
}

TEST(TaskStateTest, TakeNotifiedClearsTheNotification) {
  TaskState state;
  InitSpawned(state);
  ASSERT_FALSE(state.TransitionToScheduledOrNotified());
  const TaskState::Snapshot before = state.TakeNotified();
  EXPECT_TRUE(before.is_notified());
  EXPECT_TRUE(before.is_scheduled());
  EXPECT_FALSE(state.snapshot().is_notified());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  EXPECT_FALSE(state.TakeNotified().is_notified());
}

TEST(TaskStateTest, ParkFailsWhenNotified) {
  TaskState state;
  InitSpawned(state);
  ASSERT_FALSE(state.TransitionToScheduledOrNotified());
  // The wake is taken instead: the task stays scheduled, to be queued again.
  EXPECT_TRUE(state.TransitionToParked());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  EXPECT_FALSE(state.snapshot().is_notified());
  // Without a wake, the next park clears the scheduled bit.
  EXPECT_FALSE(state.TransitionToParked());
  EXPECT_FALSE(state.snapshot().is_scheduled());
}

TEST(TaskStateTest, PinTakesOnlyParkedTasks) {
  TaskState state;
  InitSpawned(state);
  EXPECT_FALSE(state.TryPin());  // scheduled
  ASSERT_FALSE(state.TransitionToParked());
  EXPECT_TRUE(state.TryPin());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  // A wake while pinned only notifies; the unpin hands it to the caller.
  EXPECT_FALSE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.TransitionToParked());
  EXPECT_TRUE(state.snapshot().is_scheduled());
  // Unpinned without a wake: parked again.
  ASSERT_FALSE(state.TransitionToParked());
  ASSERT_TRUE(state.TryPin());
  EXPECT_FALSE(state.TransitionToParked());
  EXPECT_FALSE(state.snapshot().is_scheduled());
}

TEST(TaskStateTest, Refs) {
  TaskState state;
  InitSpawned(state);
  state.Ref();
  EXPECT_EQ(state.snapshot().refs(), 3u);
  EXPECT_FALSE(state.Unref());
  EXPECT_FALSE(state.Unref());
  EXPECT_EQ(state.snapshot().refs(), 1u);
  // The flags do not count as references.
  ASSERT_FALSE(state.TransitionToScheduledOrNotified());
  state.RequestCancel();
  EXPECT_TRUE(state.Unref());
  EXPECT_EQ(state.snapshot().refs(), 0u);
}

TEST(TaskStateTest, Finished) {
  TaskState state;
  InitSpawned(state);
  EXPECT_FALSE(state.is_finished());
  const TaskState::Snapshot before = state.SetFinished();
  EXPECT_FALSE(before.is_finished());
  EXPECT_TRUE(before.is_scheduled());
  EXPECT_FALSE(before.has_join_waiter());
  EXPECT_TRUE(state.is_finished());
  EXPECT_FALSE(state.snapshot().is_scheduled());
  EXPECT_EQ(state.snapshot().refs(), 2u);
  // A finished task is never queued by a wake, nor pinned.
  EXPECT_FALSE(state.TransitionToScheduledOrNotified());
  EXPECT_FALSE(state.TransitionToScheduledOrNotified());
  EXPECT_FALSE(state.TryPin());
  // A thread joiner returns at once.
  state.WaitFinished();
}

TEST(TaskStateTest, Cancel) {
  TaskState state;
  InitParked(state);
  EXPECT_FALSE(state.cancel_requested());
  const TaskState::Snapshot before = state.RequestCancel();
  EXPECT_FALSE(before.cancel_requested());
  EXPECT_FALSE(before.is_finished());
  EXPECT_TRUE(state.cancel_requested());
  EXPECT_TRUE(state.RequestCancel().cancel_requested());
  // The flag does not schedule: the caller's wake does.
  EXPECT_FALSE(state.snapshot().is_scheduled());
  EXPECT_TRUE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.TakeNotified().cancel_requested());
  // On a finished task the caller sees that and does not wake it.
  TaskState done;
  InitSpawned(done);
  done.SetFinished();
  EXPECT_TRUE(done.RequestCancel().is_finished());
}

TEST(TaskStateTest, JoinWaiter) {
  TaskState state;
  InitParked(state);
  EXPECT_TRUE(state.SetJoinWaiter());
  EXPECT_TRUE(state.snapshot().has_join_waiter());
  EXPECT_TRUE(state.ClearJoinWaiter());
  EXPECT_FALSE(state.snapshot().has_join_waiter());
  // Registered, then the task finishes: the finisher sees the joiner, and
  // a withdrawal comes too late.
  EXPECT_TRUE(state.SetJoinWaiter());
  ASSERT_TRUE(state.TransitionToScheduledOrNotified());
  EXPECT_TRUE(state.SetFinished().has_join_waiter());
  EXPECT_FALSE(state.ClearJoinWaiter());
  // Too late to register at all.
  EXPECT_FALSE(state.SetJoinWaiter());
}

TEST(TaskStateTest, ThreadJoinerWokenByFinish) {
  TaskState state;
  InitSpawned(state);
  ASSERT_TRUE(state.SetJoinWaiter());
  std::thread joiner([&] { state.WaitFinished(); });
  EXPECT_TRUE(state.SetFinished().has_join_waiter());
  state.WakeFinishedWaiters();
  joiner.join();
  EXPECT_TRUE(state.is_finished());
}

// Wakers race with one worker that runs and parks the task, as the
// scheduler does: every wake either queues the task (exactly one queued
// copy at a time: the worker owns it until it parks) or is seen as a
// notification by the worker's dispatch or park. Each waker publishes a
// count before its wake; whenever the worker consumes wakes (a park that
// finds no notification, after taking any at dispatch), it must see
// every count published before the wakes it consumed, so nothing is lost.
TEST(TaskStateTest, WakesAreQueuedOnceOrSeenAsNotified) {
  constexpr int kWakers = 3;
  constexpr int kWakesEach = 20000;
  TaskState state;
  InitParked(state);

  std::atomic<int> queued{0};     // copies in the "queue" (0 or 1)
  std::atomic<int> published{0};  // the wakers' condition
  std::atomic<int> queues{0};     // wakes that had to queue
  std::atomic<int> wakes_done{0};
  std::atomic<bool> failed{false};

  std::vector<std::thread> wakers;
  for (int w = 0; w < kWakers; ++w) {
    wakers.emplace_back([&] {
      for (int i = 0; i < kWakesEach; ++i) {
        published.fetch_add(1, std::memory_order_relaxed);
        if (state.TransitionToScheduledOrNotified()) {
          queues.fetch_add(1, std::memory_order_relaxed);
          if (queued.fetch_add(1, std::memory_order_release) != 0) {
            failed.store(true);  // queued twice
          }
        }
      }
      wakes_done.fetch_add(1, std::memory_order_release);
    });
  }

  // The worker: takes the queued copy, runs a slice (reads the condition),
  // parks; re-queues itself when the park finds a notification.
  int runs = 0;
  int seen = 0;
  for (;;) {
    const bool all_woken =
        wakes_done.load(std::memory_order_acquire) == kWakers;
    if (queued.load(std::memory_order_acquire) == 0) {
      if (all_woken && queued.load(std::memory_order_acquire) == 0) break;
      std::this_thread::yield();
      continue;
    }
    queued.store(0, std::memory_order_relaxed);
    for (;;) {  // one queued copy, run until it parks for good
      ++runs;
      const TaskState::Snapshot before = state.TakeNotified();
      if (!before.is_scheduled()) failed.store(true);  // ran unscheduled
      // The slice: whatever a wake it consumes published is visible.
      const int now = published.load(std::memory_order_relaxed);
      if (now < seen) failed.store(true);
      seen = now;
      if (!state.TransitionToParked()) break;  // parked
    }
  }
  for (std::thread& t : wakers) t.join();
  EXPECT_FALSE(failed.load());
  // Parked at the end, with every wake accounted for: the last wake either
  // queued the task (and the worker ran it after) or notified a scheduled
  // task (and the worker's park took it, running it again).
  EXPECT_FALSE(state.snapshot().is_scheduled());
  EXPECT_FALSE(state.snapshot().is_notified());
  EXPECT_EQ(seen, kWakers * kWakesEach);
  EXPECT_GE(runs, queues.load());
  EXPECT_GE(queues.load(), 1);
  EXPECT_LE(queues.load(), kWakers * kWakesEach);
}

}  // namespace
}  // namespace colony::scheduler_internal
