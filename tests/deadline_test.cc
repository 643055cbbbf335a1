// Copyright 2026 The Colony Authors.
//
// The time vocabulary: Deadline's conversions saturate, and every timed
// wait given an infinite (or absurdly long) timeout waits until it is
// satisfied, from a task and from a plain thread, instead of timing out at
// once through an overflowing deadline.

#include "time/deadline.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"
#include "sync/channel/channel.h"
#include "sync/channel/select.h"
#include "sync/locks/barrier.h"
#include "sync/locks/cond_var.h"
#include "sync/locks/event.h"
#include "sync/locks/mutex.h"
#include "sync/locks/semaphore.h"
#include "sync/locks/shared_mutex.h"
#include "sync/reactive/signal.h"
#include "time/clock.h"

namespace colony {
namespace {

using ::colony::testing::StartScheduler;

TEST(DeadlineTest, ConversionsSaturate) {
  EXPECT_TRUE(Deadline().IsInfinite());
  EXPECT_TRUE(Deadline::After(absl::InfiniteDuration()).IsInfinite());
  EXPECT_TRUE(Deadline::After(absl::Hours(24 * 365 * 400)).IsInfinite());
  EXPECT_TRUE(Deadline(absl::InfiniteFuture()).IsInfinite());
  EXPECT_TRUE(Deadline::After(std::chrono::nanoseconds::max()).IsInfinite() ||
              Deadline::After(std::chrono::nanoseconds::max()).nanos() >
                  NowNanos());
  EXPECT_TRUE(Deadline::After(std::chrono::hours::max()).IsInfinite());
  EXPECT_TRUE(
      Deadline::At(std::chrono::steady_clock::time_point::max()).IsInfinite());
  EXPECT_FALSE(Deadline::After(absl::InfiniteDuration()).IsReached());
  EXPECT_EQ(Deadline::Infinite().TimeLeft(), absl::InfiniteDuration());
  EXPECT_EQ(Deadline::Infinite().ToTime(), absl::InfiniteFuture());

  EXPECT_TRUE(Deadline::Passed().IsReached());
  EXPECT_TRUE(Deadline::After(-absl::InfiniteDuration()).IsReached());
  EXPECT_TRUE(Deadline::After(absl::ZeroDuration()).IsReached());
  EXPECT_TRUE(Deadline(absl::InfinitePast()).IsReached());
  EXPECT_TRUE(Deadline(absl::Now() - absl::Seconds(1)).IsReached());
  EXPECT_TRUE(Deadline::After(std::chrono::hours::min()).IsReached());
  EXPECT_EQ(Deadline::Passed().TimeLeft(), absl::ZeroDuration());
}

TEST(DeadlineTest, FiniteDeadlinesMeasureTheMonotonicClock) {
  const int64_t before = NowNanos();
  const Deadline d = Deadline::After(absl::Seconds(10));
  const int64_t after = NowNanos();
  EXPECT_GE(d.nanos(), before + 10'000'000'000);
  EXPECT_LE(d.nanos(), after + 10'000'000'000);
  EXPECT_FALSE(d.IsReached());
  EXPECT_GT(d.TimeLeft(), absl::Seconds(9));
  EXPECT_LE(d.TimeLeft(), absl::Seconds(10));

  const Deadline wall(absl::Now() + absl::Seconds(10));
  EXPECT_NEAR(static_cast<double>(wall.nanos() - d.nanos()), 0.0, 1e9);
  EXPECT_LT(Deadline::Earliest(d, Deadline::Infinite()), Deadline::Infinite());
  EXPECT_EQ(Deadline::Earliest(d, Deadline::Infinite()), d);
}

// A timed wait under test: `wait` blocks with an infinite timeout and
// returns whether it succeeded; `release` is what satisfies it.
struct InfiniteWait {
  std::string name;
  std::function<bool()> wait;
  std::function<void()> release;
};

// The primitives each case waits on; fresh for every run.
struct Objects {
  Channel<int> rendezvous;
  Channel<int> full{1};
  Semaphore semaphore{0};
  Mutex mutex;
  Mutex cv_mutex;
  CondVar cv;
  bool cv_ready = false;
  SharedMutex shared;
  Event event;
  Barrier barrier{2};
  Signal<int> signal{0};
  Subscription<int> subscription = signal.Subscribe();
};

std::vector<InfiniteWait> Cases(Objects& o, absl::Duration forever) {
  std::vector<InfiniteWait> cases;
  cases.push_back({"Channel::RecvFor",
                   [&o, forever] { return o.rendezvous.RecvFor(forever) == 7; },
                   [&o] { o.rendezvous.TrySend(7) || o.rendezvous.Send(7); }});
  cases.push_back({"Channel::SendFor",
                   [&o, forever] {
                     o.full.TrySend(1);
                     return o.full.SendFor(2, forever);
                   },
                   [&o] { o.full.Recv(); }});
  cases.push_back(
      {"Channel::RecvUntil(infinite)",
       [&o] { return o.rendezvous.RecvUntil(Deadline::Infinite()) == 7; },
       [&o] { o.rendezvous.Send(7); }});
  cases.push_back({"Select/OnTimeout",
                   [&o, forever] {
                     bool got = false;
                     Select(OnRecv(o.rendezvous,
                                   [&](std::optional<int> v) { got = v == 7; }),
                            OnTimeout(forever, [] {}));
                     return got;
                   },
                   [&o] { o.rendezvous.Send(7); }});
  cases.push_back({"Semaphore::TryAcquireFor",
                   [&o, forever] { return o.semaphore.TryAcquireFor(forever); },
                   [&o] { o.semaphore.Release(); }});
  cases.push_back({"Mutex::TryLockFor",
                   [&o, forever] {
                     const bool ok = o.mutex.TryLockFor(forever);
                     if (ok) o.mutex.unlock();
                     return ok;
                   },
                   [&o]()
                       ABSL_NO_THREAD_SAFETY_ANALYSIS { o.mutex.unlock(); }});
  cases.push_back(
      {"Mutex::try_lock_for(nanoseconds::max())",
       [&o] {
         const bool ok = o.mutex.try_lock_for(std::chrono::nanoseconds::max());
         if (ok) o.mutex.unlock();
         return ok;
       },
       [&o]() ABSL_NO_THREAD_SAFETY_ANALYSIS { o.mutex.unlock(); }});
  cases.push_back(
      {"Mutex::try_lock_for(hours::max())",
       [&o] {
         const bool ok = o.mutex.try_lock_for(std::chrono::hours::max());
         if (ok) o.mutex.unlock();
         return ok;
       },
       [&o]() ABSL_NO_THREAD_SAFETY_ANALYSIS { o.mutex.unlock(); }});
  cases.push_back({"SharedMutex::TryLockFor",
                   [&o, forever] {
                     const bool ok = o.shared.TryLockFor(forever);
                     if (ok) o.shared.unlock();
                     return ok;
                   },
                   [&o]()
                       ABSL_NO_THREAD_SAFETY_ANALYSIS { o.shared.unlock(); }});
  cases.push_back(
      {"SharedMutex::try_lock_shared_for(nanoseconds::max())",
       [&o] {
         const bool ok =
             o.shared.try_lock_shared_for(std::chrono::nanoseconds::max());
         if (ok) o.shared.unlock_shared();
         return ok;
       },
       [&o]() ABSL_NO_THREAD_SAFETY_ANALYSIS { o.shared.unlock(); }});
  cases.push_back({"CondVar::WaitFor",
                   [&o, forever] {
                     MutexLock lock(o.cv_mutex);
                     return o.cv.WaitFor(o.cv_mutex, forever,
                                         [&o] { return o.cv_ready; });
                   },
                   [&o] {
                     {
                       std::lock_guard<Mutex> lock(o.cv_mutex);
                       o.cv_ready = true;
                     }
                     o.cv.NotifyAll();
                   }});
  cases.push_back({"Event::WaitFor",
                   [&o, forever] { return o.event.WaitFor(forever); },
                   [&o] { o.event.Set(); }});
  cases.push_back({"Barrier::WaitFor",
                   [&o, forever] {
                     const uint64_t phase = o.barrier.Arrive();
                     return o.barrier.WaitFor(phase, forever);
                   },
                   [&o] { o.barrier.Arrive(); }});
  cases.push_back({"Signal::WaitChangedFor",
                   [&o, forever] {
                     auto v = o.signal.WaitChangedFor(
                         o.signal.GetVersioned().version, forever);
                     return v.has_value() && v->value == 5;
                   },
                   [&o] { o.signal.Set(5); }});
  cases.push_back(
      {"Subscription::NextFor",
       [&o, forever] { return o.subscription.NextFor(forever) == 5; },
       [&o] { o.signal.Set(5); }});
  return cases;
}

// Runs `c.wait` (on a task when `s` is given, else on a thread), checks it
// is still waiting well after an overflowing deadline would have expired,
// then releases it and checks it succeeded.
void ExpectWaitsUntilReleased(Scheduler* s, const InfiniteWait& c,
                              std::function<void()> pre_lock) {
  std::atomic<int> result{-1};  // -1: still waiting
  Event started;
  auto body = [&] {
    started.Set();
    result.store(c.wait() ? 1 : 0);
  };
  if (pre_lock) pre_lock();
  std::thread thread;
  std::optional<JoinHandle<void>> task;
  if (s != nullptr) {
    task.emplace(s->Spawn(body));
  } else {
    thread = std::thread(body);
  }
  ASSERT_TRUE(started.WaitFor(absl::Seconds(30))) << c.name;
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(result.load(), -1) << c.name << " returned before release";
  c.release();
  const int64_t give_up = NowNanos() + 30'000'000'000;
  while (result.load() == -1 && NowNanos() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(result.load(), 1) << c.name;
  if (task.has_value()) task->Join();
  if (thread.joinable()) thread.join();
}

class InfiniteTimeoutTest : public ::testing::TestWithParam<bool> {};

void RunAllCases(Scheduler* s, absl::Duration forever) {
  for (size_t i = 0;; ++i) {
    Objects o;
    std::vector<InfiniteWait> cases = Cases(o, forever);
    if (i >= cases.size()) break;
    const InfiniteWait& c = cases[i];
    std::function<void()> pre_lock;
    if (c.name.rfind("Mutex::", 0) == 0)
      pre_lock = [&o]() ABSL_NO_THREAD_SAFETY_ANALYSIS { o.mutex.lock(); };
    if (c.name.rfind("SharedMutex::", 0) == 0) {
      pre_lock = [&o]() ABSL_NO_THREAD_SAFETY_ANALYSIS { o.shared.lock(); };
    }
    ExpectWaitsUntilReleased(s, c, pre_lock);
  }
}

TEST_P(InfiniteTimeoutTest, InfiniteDurationWaits) {
  std::unique_ptr<Scheduler> s;
  if (GetParam()) s = StartScheduler({.workers = 2});
  RunAllCases(s.get(), absl::InfiniteDuration());
  if (s != nullptr) {
    ASSERT_TRUE(s->Stop().ok());
  }
}

TEST_P(InfiniteTimeoutTest, CenturiesLongDurationWaits) {
  std::unique_ptr<Scheduler> s;
  if (GetParam()) s = StartScheduler({.workers = 2});
  RunAllCases(s.get(), absl::Hours(24 * 365 * 300));
  if (s != nullptr) {
    ASSERT_TRUE(s->Stop().ok());
  }
}

INSTANTIATE_TEST_SUITE_P(TaskOrThread, InfiniteTimeoutTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "Task" : "Thread";
                         });

// An infinite sleep in a task sleeps until cancelled.
TEST(InfiniteSleepTest, TaskSleepsUntilCancelled) {
  auto s = StartScheduler({.workers = 1});
  std::atomic<bool> woke{false};
  JoinHandle<void> h = s->Spawn([&] {
    colony::SleepFor(absl::InfiniteDuration());
    woke = true;
  });
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(h.Done());
  h.Cancel();
  EXPECT_TRUE(h.Join().cancelled());
  EXPECT_FALSE(woke.load());

  JoinHandle<void> h2 = s->Spawn([&] {
    SleepUntil(absl::InfiniteFuture());
    woke = true;
  });
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(h2.Done());
  h2.Cancel();
  EXPECT_TRUE(h2.Join().cancelled());
  EXPECT_FALSE(woke.load());
  ASSERT_TRUE(s->Stop().ok());
}

// On a plain thread an infinite sleep does not return; the thread is left
// sleeping (detached) when the check is done.
TEST(InfiniteSleepTest, ThreadSleepDoesNotReturn) {
  auto woke = std::make_shared<std::atomic<bool>>(false);
  std::thread([woke] {
    colony::SleepFor(absl::InfiniteDuration());
    woke->store(true);
  }).detach();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(woke->load());
}

// A sleep of a finite deadline still ends on time.
TEST(InfiniteSleepTest, FiniteDeadlineSleepEnds) {
  auto s = StartScheduler({.workers = 1});
  const Deadline d = Deadline::After(absl::Milliseconds(20));
  JoinHandle<bool> h = s->Spawn([d] {
    SleepUntil(d);
    return d.IsReached();
  });
  EXPECT_TRUE(h.Join().value());
  ASSERT_TRUE(s->Stop().ok());
}

}  // namespace
}  // namespace colony
