// Copyright 2026 The Colony Authors.
//
// Signal<T>, Memo<T>, Effect and batches, from tasks, from threads and
// mixed, over several worker counts: versions and equality, atomic
// updates, waiting and coalescing, subscriptions, memo laziness and
// dependency tracking, effect scheduling and stopping, batching, fan-out to
// thousands of waiting tasks, and cancellation of waiters.

#include "sync/reactive/signal.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "coroutine/basic_coroutine.h"
#include "gtest/gtest.h"
#include "local/context.h"
#include "local/coroutine_local.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/memo.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::Eventually;
using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;

// A value type without operator==: every write counts.
struct Opaque {
  int v = 0;
};

class SignalTest : public testing::WorkersTest {};

// ---------------------------------------------------------------------------
// Signal

TEST(SignalBasicsTest, VersionsCountEffectiveWrites) {
  Signal<int> sig(5);
  EXPECT_EQ(sig.version(), 1u);
  EXPECT_EQ(sig.Get(), 5);
  EXPECT_EQ(sig.Set(6), 2u);
  EXPECT_EQ(sig.version(), 2u);
  // An equal value is a no-op.
  EXPECT_EQ(sig.Set(6), 2u);
  EXPECT_EQ(sig.version(), 2u);
  EXPECT_EQ(sig.Update([](int v) { return v + 1; }), 3u);
  EXPECT_EQ(sig.Update([](int& v) { v *= 10; }), 4u);
  EXPECT_EQ(sig.Get(), 70);
  EXPECT_EQ(sig.Update([](const int& v) { return v; }), 4u);  // equal
  Versioned<int> v = sig.GetVersioned();
  EXPECT_EQ(v.value, 70);
  EXPECT_EQ(v.version, 4u);
  EXPECT_EQ(*sig.Snapshot(), 70);
  EXPECT_EQ(sig.Peek(), 70);

  Signal<std::string> def;
  EXPECT_EQ(def.Get(), "");
  EXPECT_EQ(def.version(), 1u);
}

TEST(SignalBasicsTest, WithoutEqualityEveryWriteCounts) {
  Signal<Opaque> sig(Opaque{1});
  EXPECT_EQ(sig.Set(Opaque{1}), 2u);
  EXPECT_EQ(sig.Set(Opaque{1}), 3u);
  EXPECT_EQ(sig.Update([](Opaque& o) { ++o.v; }), 4u);
  EXPECT_EQ(sig.Get().v, 2);
}

TEST(SignalBasicsTest, SnapshotsAreImmutableAndShared) {
  Signal<std::vector<int>> sig(std::vector<int>{1, 2, 3});
  std::shared_ptr<const std::vector<int>> before = sig.Snapshot();
  sig.Update([](std::vector<int>& v) { v.push_back(4); });
  EXPECT_EQ(before->size(), 3u);  // the old snapshot is untouched
  EXPECT_EQ(sig.Snapshot()->size(), 4u);
}

TEST(SignalBasicsTest, WaitChangedFromAThread) {
  Signal<int> sig(0);
  EXPECT_FALSE(sig.WaitChangedFor(1, absl::Milliseconds(2)).has_value());
  // Already newer: returns at once.
  Versioned<int> now = sig.WaitChanged(0);
  EXPECT_EQ(now.value, 0);
  EXPECT_EQ(now.version, 1u);
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(5));
    sig.Set(42);
  });
  Versioned<int> v = sig.WaitChanged(1);
  EXPECT_EQ(v.value, 42);
  EXPECT_EQ(v.version, 2u);
  writer.join();
}

TEST_P(SignalTest, WaitChangedFromATask) {
  Signal<int> sig(0);
  std::atomic<bool> waiting{false};
  auto h = s_->Spawn([&] {
    waiting = true;
    return sig.WaitChanged(1);
  });
  while (!waiting.load()) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(2));
  sig.Set(7);
  Versioned<int> v = h.Join().value();
  EXPECT_EQ(v.value, 7);
  EXPECT_EQ(v.version, 2u);

  // Timed wait in a task.
  auto timed = s_->Spawn(
      [&] { return sig.WaitChangedFor(2, absl::Milliseconds(3)).has_value(); });
  EXPECT_FALSE(timed.Join().value());
}

// Update is an atomic read-modify-write: increments from many tasks and
// threads, with readers alongside, add up exactly.
TEST_P(SignalTest, ConcurrentUpdatesAreAtomic) {
  Signal<int64_t> counter(0);
  constexpr int kTasks = 32;
  constexpr int kThreads = 2;
  const int kIters = kTsanBuild ? 200 : 2000;
  std::atomic<bool> bad_read{false};
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t) {
    hs.push_back(s_->Spawn([&, t] {
      int64_t last = 0;
      for (int i = 0; i < kIters; ++i) {
        if (t % 2 == 0) {
          counter.Update([](int64_t v) { return v + 1; });
        } else {
          counter.Update([](int64_t& v) { ++v; });
        }
        const Versioned<int64_t> seen = counter.GetVersioned();
        // Every write adds one, so the value is version - 1, and never goes
        // back.
        if (seen.value != static_cast<int64_t>(seen.version) - 1 ||
            seen.value < last) {
          bad_read = true;
        }
        last = seen.value;
        if (i % 64 == 0) Yield();
      }
    }));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) {
        counter.Update([](int64_t v) { return v + 1; });
        (void)counter.Get();
      }
    });
  }
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  const int64_t total = int64_t{kTasks + kThreads} * kIters;
  EXPECT_EQ(counter.Get(), total);
  EXPECT_EQ(counter.version(), static_cast<uint64_t>(total) + 1);
  EXPECT_FALSE(bad_read.load());
}

// A slow reader skips intermediate values and, whenever it is woken, gets
// the latest value with its own version: never a stale one.
TEST_P(SignalTest, SlowReaderCoalescesToLatest) {
  const int kWrites = kTsanBuild ? 500 : 5000;
  Signal<int> sig(0);  // value i at version i + 1
  std::atomic<bool> bad{false};
  auto reader = [&](bool slow) {
    uint64_t since = 1;
    int wakeups = 0;
    for (;;) {
      const Versioned<int> v = sig.WaitChanged(since);
      ++wakeups;
      if (v.version <= since || v.value != static_cast<int>(v.version) - 1) {
        bad = true;
      }
      // Not older than what was current right after it returned.
      if (v.version + 1000000 < sig.version()) bad = true;
      since = v.version;
      if (v.value == kWrites) return wakeups;
      if (slow) colony::SleepFor(absl::Microseconds(200));
    }
  };
  auto slow_task = s_->Spawn([&] { return reader(true); });
  auto fast_task = s_->Spawn([&] { return reader(false); });
  int thread_wakeups = 0;
  std::thread slow_thread([&] { thread_wakeups = reader(true); });
  auto writer = s_->Spawn([&] {
    for (int i = 1; i <= kWrites; ++i) {
      sig.Set(i);
      if (i % 16 == 0) Yield();
    }
  });
  ASSERT_TRUE(writer.Join().completed());
  const int slow_wakeups = slow_task.Join().value();
  EXPECT_GE(fast_task.Join().value(), 1);
  slow_thread.join();
  EXPECT_FALSE(bad.load());
  EXPECT_EQ(sig.Get(), kWrites);
  EXPECT_LE(slow_wakeups, kWrites);
  EXPECT_LE(thread_wakeups, kWrites);
}

TEST_P(SignalTest, SubscriptionYieldsChangesAndEndsWithTheSignal) {
  auto sig = std::make_unique<Signal<int>>(0);
  Subscription<int> sub = sig->Subscribe();
  EXPECT_FALSE(sub.TryNext().has_value());
  sig->Set(1);
  sig->Set(2);
  // Coalesced: only the latest.
  std::optional<int> v = sub.TryNext();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 2);
  EXPECT_EQ(sub.version(), 3u);
  EXPECT_FALSE(sub.NextFor(absl::Milliseconds(2)).has_value());

  // A task iterating until the signal goes away sees the last value.
  auto h = s_->Spawn([sub = sig->Subscribe()]() mutable {
    std::vector<int> got;
    while (std::optional<int> x = sub.Next()) got.push_back(*x);
    return got;
  });
  for (int i = 3; i <= 10; ++i) {
    sig->Set(i);
    if (i % 3 == 0) absl::SleepFor(absl::Milliseconds(1));
  }
  sig.reset();  // ends the subscriptions after the last value
  std::vector<int> got = h.Join().value();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), 10);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1], got[i]);
  EXPECT_TRUE(sub.Next().has_value());  // 10, then the end
  EXPECT_FALSE(sub.Next().has_value());
  Subscription<int> empty;
  EXPECT_FALSE(empty.Next().has_value());
}

// Watch(): the callback runs as a task, never in the writer's thread, with
// at most one run pending, and never after its handle is dropped.
TEST_P(SignalTest, WatchRunsInTasksCoalescedAndStopsWhenDropped) {
  Signal<int> sig(0);
  std::atomic<int> calls{0};
  std::atomic<int> last{-1};
  std::atomic<bool> outside_task{false};
  Notification release;
  std::atomic<bool> first_started{false};
  Effect watch = sig.Watch(*s_, [&](const int& v) {
    if (!InTask()) outside_task = true;
    calls.fetch_add(1);
    last = v;
    if (!first_started.exchange(true)) release.WaitForNotification();
  });
  absl::SleepFor(absl::Milliseconds(2));
  EXPECT_EQ(calls.load(), 0);  // nothing before the first change
  sig.Set(1);
  ASSERT_TRUE(Eventually([&] { return first_started.load(); }));
  // The callback is held: a burst of writes coalesces into one more run.
  for (int i = 2; i <= 100; ++i) sig.Set(i);
  release.Notify();
  ASSERT_TRUE(Eventually([&] { return last.load() == 100; }));
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_FALSE(outside_task.load());

  // Dropping the handle unsubscribes: nothing runs afterwards.
  watch = Effect();
  const int before = calls.load();
  sig.Set(1000);
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(calls.load(), before);
  EXPECT_EQ(last.load(), 100);
}

// Destroying a signal that has subscriptions, watchers and dependent memos
// is safe.
TEST_P(SignalTest, SignalDestroyedBeforeItsObservers) {
  auto sig = std::make_unique<Signal<int>>(1);
  std::atomic<int> calls{0};
  Effect watch = sig->Watch(*s_, [&](const int&) { calls.fetch_add(1); });
  Subscription<int> sub = sig->Subscribe();
  Signal<int>* raw = sig.get();
  auto memo = std::make_unique<Memo<int>>([raw] { return raw->Get() * 2; });
  EXPECT_EQ(memo->Get(), 2);
  sig->Set(2);
  ASSERT_TRUE(Eventually([&] { return calls.load() == 1; }));
  sig.reset();
  EXPECT_TRUE(sub.Next().has_value());  // the 2
  EXPECT_FALSE(sub.Next().has_value());
  // The memo keeps its last value now that its input is gone (it is not
  // read again through the destroyed object).
  watch.Stop();
  EXPECT_FALSE(watch.active());
  memo.reset();
}

// ---------------------------------------------------------------------------
// Memo

TEST(MemoTest, LazyAndRecomputedOnlyWhenAnInputChanged) {
  Signal<int> a(1), b(2), unrelated(0);
  Memo<int> sum([&] { return a.Get() + b.Get(); });
  EXPECT_EQ(sum.recomputations(), 0u);  // lazy
  EXPECT_EQ(sum.version(), 1u);         // computed by this read
  EXPECT_EQ(sum.recomputations(), 1u);
  EXPECT_EQ(sum.Get(), 3);
  EXPECT_EQ(sum.Get(), 3);
  EXPECT_EQ(sum.recomputations(), 1u);
  unrelated.Set(5);
  EXPECT_EQ(sum.Get(), 3);
  EXPECT_EQ(sum.recomputations(), 1u);
  a.Set(1);  // equal: no change at all
  EXPECT_EQ(sum.Get(), 3);
  EXPECT_EQ(sum.recomputations(), 1u);
  a.Set(10);
  b.Set(20);
  EXPECT_EQ(sum.recomputations(), 1u);  // not until read
  EXPECT_EQ(sum.Get(), 30);
  EXPECT_EQ(sum.recomputations(), 2u);
  EXPECT_EQ(sum.version(), 2u);
  // A recomputation with an equal result keeps the version.
  a.Set(20);
  b.Set(10);
  EXPECT_EQ(sum.Get(), 30);
  EXPECT_EQ(sum.recomputations(), 3u);
  EXPECT_EQ(sum.version(), 2u);
  // Peek and Untracked read without recomputing needlessly.
  EXPECT_EQ(sum.Peek(), 30);
  EXPECT_EQ(sum.recomputations(), 3u);
}

TEST(MemoTest, DynamicDependencies) {
  Signal<bool> use_a(true);
  Signal<int> a(1), b(100);
  Memo<int> pick([&] { return use_a.Get() ? a.Get() : b.Get(); });
  EXPECT_EQ(pick.Get(), 1);
  b.Set(200);  // not read: no recomputation
  EXPECT_EQ(pick.Get(), 1);
  EXPECT_EQ(pick.recomputations(), 1u);
  use_a.Set(false);
  EXPECT_EQ(pick.Get(), 200);
  EXPECT_EQ(pick.recomputations(), 2u);
  a.Set(2);  // no longer read: unsubscribed
  EXPECT_EQ(pick.Get(), 200);
  EXPECT_EQ(pick.recomputations(), 2u);
  b.Set(300);
  EXPECT_EQ(pick.Get(), 300);
  EXPECT_EQ(pick.recomputations(), 3u);
}

TEST(MemoTest, DiamondRecomputesOncePerChange) {
  Signal<int> s(1);
  Memo<int> left([&] { return s.Get() + 1; });
  Memo<int> right([&] { return s.Get() * 2; });
  Memo<int> bottom([&] { return left.Get() + right.Get(); });
  EXPECT_EQ(bottom.Get(), 4);
  for (int i = 2; i <= 5; ++i) {
    s.Set(i);
    EXPECT_EQ(bottom.Get(), (i + 1) + 2 * i);
  }
  EXPECT_EQ(left.recomputations(), 5u);
  EXPECT_EQ(right.recomputations(), 5u);
  EXPECT_EQ(bottom.recomputations(), 5u);
}

TEST(MemoTest, EqualResultsStopPropagating) {
  Signal<int> s(2);
  Memo<bool> even([&] { return s.Get() % 2 == 0; });
  Memo<std::string> label([&] { return even.Get() ? "even" : "odd"; });
  EXPECT_EQ(label.Get(), "even");
  s.Set(4);
  EXPECT_EQ(label.Get(), "even");
  EXPECT_EQ(even.recomputations(), 2u);
  EXPECT_EQ(label.recomputations(), 1u);  // its input kept its version
  s.Set(5);
  EXPECT_EQ(label.Get(), "odd");
  EXPECT_EQ(label.recomputations(), 2u);
}

TEST(MemoTest, ExceptionLeavesTheMemoStale) {
  Signal<int> s(1);
  int runs = 0;
  Memo<int> m([&] {
    ++runs;
    if (s.Get() < 0) throw std::runtime_error("negative");
    return s.Get();
  });
  EXPECT_EQ(m.Get(), 1);
  s.Set(-1);
  EXPECT_THROW(m.Get(), std::runtime_error);
  EXPECT_THROW(m.Get(), std::runtime_error);  // retried
  s.Set(3);
  EXPECT_EQ(m.Get(), 3);
  EXPECT_EQ(runs, 4);
}

TEST_P(SignalTest, MemoWaitAndConcurrentReaders) {
  Signal<int> s(0);
  Memo<int> twice([&] { return s.Get() * 2; });
  // A task waits on the memo: it recomputes it itself when s changes.
  const uint64_t v0 = twice.version();
  auto waiter = s_->Spawn([&] { return twice.WaitChanged(v0); });
  absl::SleepFor(absl::Milliseconds(2));
  s.Set(21);
  Versioned<int> got = waiter.Join().value();
  EXPECT_EQ(got.value, 42);
  EXPECT_GT(got.version, v0);

  // Many readers and a writer: readers always see an even value matching
  // some write, and the memo never computes more often than s changes
  // (plus the first computation).
  const int kWrites = kTsanBuild ? 300 : 3000;
  constexpr int kFirst = 100;  // above every earlier value
  std::atomic<bool> bad{false};
  std::atomic<bool> done{false};
  std::vector<JoinHandle<void>> readers;
  for (int r = 0; r < 8; ++r) {
    readers.push_back(s_->Spawn([&] {
      int last = 0;
      while (!done.load()) {
        const int v = twice.Get();
        if (v % 2 != 0 || v < last) bad = true;
        last = v;
        Yield();
      }
    }));
  }
  // Subscribed before the writes start, so the last one is still ahead.
  std::thread thread_reader([&, sub = twice.Subscribe()]() mutable {
    while (std::optional<int> v = sub.Next()) {
      if (*v % 2 != 0) bad = true;
      if (*v == 2 * (kFirst + kWrites)) break;
    }
  });
  for (int i = 1; i <= kWrites; ++i) s.Set(kFirst + i);
  done = true;
  for (auto& h : readers) ASSERT_TRUE(h.Join().completed());
  thread_reader.join();
  EXPECT_EQ(twice.Get(), 2 * (kFirst + kWrites));
  EXPECT_LE(twice.recomputations(), static_cast<uint64_t>(kWrites) + 2);
  EXPECT_FALSE(bad.load());
}

// ---------------------------------------------------------------------------
// Effect

TEST_P(SignalTest, EffectRunsAgainOnlyWhenWhatItReadChanged) {
  Signal<int> a(1), unrelated(0);
  std::atomic<int> seen{0};
  std::atomic<int> runs{0};
  Effect e(*s_, [&] {
    seen = a.Get();
    runs.fetch_add(1);
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  EXPECT_EQ(seen.load(), 1);
  a.Set(2);  // from a plain thread
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  EXPECT_EQ(seen.load(), 2);
  a.Set(2);          // equal: nothing
  unrelated.Set(1);  // not read: nothing
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 2);
  // From a task.
  ASSERT_TRUE(s_->Spawn([&] { a.Set(3); }).Join().completed());
  ASSERT_TRUE(Eventually([&] { return seen.load() == 3; }));
  EXPECT_EQ(runs.load(), 3);
  EXPECT_EQ(e.runs(), 3u);
}

// An effect runs on behalf of the code that created it: every run sees the
// creator's inherited locals and contexts, never those of the writer whose
// change scheduled it.
TEST_P(SignalTest, EffectRunsSeeTheirCreatorsContextNotTheWriters) {
  static CoroutineLocal<std::string> request_id({.inherited = true});
  struct Tenant {
    std::string name;
  };
  Signal<int> sig(0);
  std::mutex mu;
  std::vector<std::string> seen;  // guarded by mu
  std::atomic<int> last{-1};
  auto creator = s_->Spawn([&] {
    request_id.Set("creator");
    ProvideContext(Tenant{"creator-tenant"});
    return Effect(*s_, [&] {
      const int v = sig.Get();
      std::shared_ptr<const Tenant> tenant = UseContext<Tenant>();
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(request_id.Get() + "/" +
                     (tenant != nullptr ? tenant->name : "none"));
      last.store(v);
    });
  });
  Effect effect = std::move(creator.Join().value());
  ASSERT_TRUE(Eventually([&] { return last.load() == 0; }));
  auto writer = s_->Spawn([&] {
    request_id.Set("writer");
    ProvideContext(Tenant{"writer-tenant"});
    sig.Set(1);
  });
  ASSERT_TRUE(writer.Join().completed());
  ASSERT_TRUE(Eventually([&] { return last.load() == 1; }));
  effect.Stop();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(seen.size(), 2u);
  for (const std::string& s : seen) EXPECT_EQ(s, "creator/creator-tenant");
}

TEST_P(SignalTest, EffectCoalescesChangesWhileItRuns) {
  Signal<int> a(0);
  std::atomic<int> runs{0};
  std::atomic<int> last{-1};
  Notification entered, release;
  Effect e(*s_, [&] {
    const int v = a.Get();
    const int n = runs.fetch_add(1) + 1;
    if (n == 2) {
      entered.Notify();
      release.WaitForNotification();
    }
    last = v;
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  a.Set(1);
  entered.WaitForNotification();
  // The second run is held; these all coalesce into one more run.
  for (int i = 2; i <= 200; ++i) a.Set(i);
  release.Notify();
  ASSERT_TRUE(Eventually([&] { return last.load() == 200; }));
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 3);
}

TEST_P(SignalTest, EffectRunsAtItsPriorityWithItsName) {
  Signal<int> a(0);
  std::atomic<int> priority{-1};
  std::atomic<int> runs{0};
  std::string name;
  Effect e(*s_,
           [&] {
             (void)a.Get();
             priority = CurrentCoroutine()->priority();
             if (runs.load() == 0) name = CurrentCoroutine()->name();
             runs.fetch_add(1);
           },
           {.name = "signal-effect", .priority = 2});
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  EXPECT_EQ(priority.load(), 2);
  EXPECT_EQ(name, "signal-effect");
  priority = -1;
  a.Set(1);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  EXPECT_EQ(priority.load(), 2);
}

TEST_P(SignalTest, EffectSkipsRunsWhenAMemoRecomputesEqual) {
  Signal<int> s(2);
  Memo<bool> even([&] { return s.Get() % 2 == 0; });
  std::atomic<int> runs{0};
  Effect e(*s_, [&] {
    (void)even.Get();
    runs.fetch_add(1);
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  s.Set(4);  // even stays true
  ASSERT_TRUE(Eventually([&] { return even.recomputations() == 2; }));
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 1);
  s.Set(5);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
}

TEST_P(SignalTest, EffectDynamicDependencies) {
  Signal<bool> use_a(true);
  Signal<int> a(0), b(0);
  std::atomic<int> runs{0};
  Effect e(*s_, [&] {
    (void)(use_a.Get() ? a.Get() : b.Get());
    runs.fetch_add(1);
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  b.Set(1);
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(runs.load(), 1);
  use_a.Set(false);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  a.Set(1);  // no longer read
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(runs.load(), 2);
  b.Set(2);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 3; }));
}

// Destroying an Effect waits for a run in progress, cancels a pending one,
// and nothing runs afterwards.
TEST_P(SignalTest, EffectStopsOnDestruction) {
  Signal<int> a(0);
  std::atomic<int> runs{0};
  std::atomic<bool> in_run{false};
  std::atomic<bool> finished_after_stop{false};
  auto e = std::make_unique<Effect>(*s_, [&] {
    (void)a.Get();
    if (runs.fetch_add(1) == 1) {
      in_run = true;
      colony::SleepFor(absl::Milliseconds(20));
      finished_after_stop = true;
    }
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  a.Set(1);
  ASSERT_TRUE(Eventually([&] { return in_run.load(); }));
  e.reset();  // waits for the sleeping run
  EXPECT_TRUE(finished_after_stop.load());
  a.Set(2);
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 2);
}

TEST(EffectStopTest, PendingRunIsCancelled) {
  auto s = StartScheduler({.workers = 1});
  Signal<int> a(0);
  std::atomic<int> runs{0};
  std::atomic<int> drops{0};
  auto e = std::make_unique<Effect>(
      *s, [&, guard = std::make_shared<DropCounter>(&drops)] {
        (void)a.Get();
        runs.fetch_add(1);
      });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  // Keep the only worker busy so that the next run stays pending.
  std::atomic<bool> hold{true};
  std::atomic<bool> holding{false};
  auto busy = s->Spawn([&] {
    holding = true;
    while (hold.load()) std::this_thread::yield();
  });
  ASSERT_TRUE(Eventually([&] { return holding.load(); }));
  a.Set(1);  // schedules a run that cannot start yet
  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(20));
    hold = false;
  });
  e.reset();                   // cancels the pending run, then returns
  EXPECT_EQ(drops.load(), 1);  // the function was destroyed
  releaser.join();
  ASSERT_TRUE(busy.Join().completed());
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(s->Stop({.deadline = absl::Seconds(60)}).ok());
}

TEST_P(SignalTest, EffectCanStopItself) {
  Signal<int> a(0);
  std::atomic<int> runs{0};
  Effect e;
  Notification made;
  e = Effect(*s_, [&] {
    const int v = a.Get();
    runs.fetch_add(1);
    made.WaitForNotification();
    if (v == 1) e.Stop();  // does not wait for itself
  });
  made.Notify();
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  a.Set(1);
  ASSERT_TRUE(Eventually([&] { return !e.active(); }));
  a.Set(2);
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 2);
}

TEST_P(SignalTest, EffectExceptionKeepsItActive) {
  Signal<int> a(0);
  std::atomic<int> runs{0};
  Effect e(*s_, [&] {
    const int v = a.Get();
    runs.fetch_add(1);
    if (v == 1) throw std::runtime_error("boom");
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  a.Set(1);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  a.Set(2);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 3; }));
  EXPECT_TRUE(e.active());
}

TEST_P(SignalTest, UntrackedReadsAreNotDependencies) {
  Signal<int> tracked(0), untracked(0);
  std::atomic<int> runs{0};
  std::atomic<int> seen_untracked{-1};
  Effect e(*s_, [&] {
    (void)tracked.Get();
    seen_untracked = Untracked([&] { return untracked.Get(); });
    (void)untracked.Peek();
    runs.fetch_add(1);
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  untracked.Set(5);
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(runs.load(), 1);
  tracked.Set(1);
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  EXPECT_EQ(seen_untracked.load(), 5);
}

// Writers on tasks and threads, memos chained on top, readers, waiters and
// effects all at once: once the writes stop, everything settles on the
// final values.
TEST_P(SignalTest, ReactiveGraphSettlesUnderConcurrentWrites) {
  const int kIters = kTsanBuild ? 200 : 2000;
  Signal<int64_t> a(0), b(0);
  Memo<int64_t> sum([&] { return a.Get() + b.Get(); });
  Memo<bool> even([&] { return sum.Get() % 2 == 0; });
  Memo<int64_t> shown([&] { return even.Get() ? sum.Get() : -sum.Get(); });
  std::atomic<int64_t> effect_saw{-1};
  Effect e(*s_, [&] { effect_saw = shown.Get(); }, {.priority = 0});
  std::atomic<int64_t> watch_saw{-1};
  Effect w = sum.Watch(*s_, [&](const int64_t& v) { watch_saw = v; });
  std::atomic<bool> done{false};
  // Subscribed before any write, so the final value is still ahead of it.
  Subscription<int64_t> sum_changes = sum.Subscribe();
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < 4; ++t) {
    hs.push_back(s_->Spawn([&, t] {
      for (int i = 0; i < kIters; ++i) {
        if (t % 2 == 0) {
          a.Update([](int64_t v) { return v + 1; });
        } else {
          Batch([&] {
            b.Update([](int64_t v) { return v + 1; });
            (void)shown.Get();
          });
        }
        if (i % 32 == 0) Yield();
      }
    }));
  }
  // Under racing writes a computation may combine inputs of different
  // moments (it is then stale at once); only the settled values are
  // checked.
  auto reader = s_->Spawn([&] {
    while (!done.load()) {
      (void)shown.Get();
      Yield();
    }
  });
  std::thread thread_writer([&] {
    for (int i = 0; i < kIters; ++i) a.Update([](int64_t v) { return v + 1; });
  });
  std::thread thread_waiter([&, sub = std::move(sum_changes)]() mutable {
    const int64_t final_sum = int64_t{5} * kIters;
    while (std::optional<int64_t> v = sub.Next()) {
      if (*v == final_sum) break;
    }
  });
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  thread_writer.join();
  thread_waiter.join();
  done = true;
  ASSERT_TRUE(reader.Join().completed());
  const int64_t final_sum = int64_t{5} * kIters;
  EXPECT_EQ(sum.Get(), final_sum);
  const int64_t final_shown = final_sum % 2 == 0 ? final_sum : -final_sum;
  EXPECT_EQ(shown.Get(), final_shown);
  EXPECT_TRUE(Eventually([&] { return effect_saw.load() == final_shown; }));
  EXPECT_TRUE(Eventually([&] { return watch_saw.load() == final_sum; }));
}

// ---------------------------------------------------------------------------
// Batch

TEST_P(SignalTest, BatchFiresEffectsOnce) {
  Signal<int> a(0), b(0);
  Memo<int> sum([&] { return a.Get() + b.Get(); });
  std::atomic<int> runs{0};
  std::atomic<int> last{-1};
  Effect e(*s_, [&] {
    last = a.Get() * 1000 + b.Get();
    runs.fetch_add(1);
  });
  std::atomic<int> memo_runs{0};
  Effect on_sum(*s_, [&] {
    (void)sum.Get();
    memo_runs.fetch_add(1);
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1 && memo_runs == 1; }));
  {
    BatchScope batch;
    a.Set(1);
    b.Set(2);
    {
      BatchScope inner;  // nested: still deferred when it closes
      a.Set(3);
    }
    // Writes apply at once; derived values follow them.
    EXPECT_EQ(a.Get(), 3);
    EXPECT_EQ(sum.Get(), 5);
    b.Set(4);
    absl::SleepFor(absl::Milliseconds(10));
    EXPECT_EQ(runs.load(), 1);  // nothing notified yet
  }
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2 && memo_runs == 2; }));
  EXPECT_EQ(last.load(), 3004);
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(memo_runs.load(), 2);

  // Batch(fn) from a task that suspends (and may migrate) inside it.
  ASSERT_TRUE(s_->Spawn([&] {
                  Batch([&] {
                    a.Set(10);
                    Yield();
                    b.Set(20);
                    colony::SleepFor(absl::Milliseconds(1));
                    a.Set(30);
                  });
                })
                  .Join()
                  .completed());
  ASSERT_TRUE(Eventually([&] { return runs.load() == 3; }));
  EXPECT_EQ(last.load(), 30020);
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(runs.load(), 3);
}

TEST_P(SignalTest, BatchDefersWaitersUntilItCloses) {
  Signal<int> a(0);
  std::atomic<bool> woke{false};
  std::atomic<bool> waiting{false};
  auto waiter = s_->Spawn([&] {
    waiting = true;
    const Versioned<int> v = a.WaitChanged(1);
    woke = true;
    return v.value;
  });
  ASSERT_TRUE(Eventually([&] { return waiting.load(); }));
  absl::SleepFor(absl::Milliseconds(5));  // into WaitChanged
  {
    BatchScope batch;
    a.Set(1);
    a.Set(2);
    absl::SleepFor(absl::Milliseconds(10));
    EXPECT_FALSE(woke.load());
  }
  EXPECT_EQ(waiter.Join().value(), 2);
}

// ---------------------------------------------------------------------------
// Fan-out and cancellation

// Thousands of tasks wait on one signal; after a burst of writes every one
// of them sees the final value.
TEST_P(SignalTest, FanOutEverySubscriberSeesTheFinalValue) {
  const int kSubscribers = kTsanBuild ? 2000 : 10000;
  constexpr int kWrites = 50;
  Signal<int> sig(0);
  std::atomic<int> ready{0};
  std::atomic<int> saw_final{0};
  std::vector<JoinHandle<void>> hs;
  hs.reserve(kSubscribers);
  for (int i = 0; i < kSubscribers; ++i) {
    hs.push_back(s_->Spawn([&] {
      uint64_t since = sig.version();
      ready.fetch_add(1);
      for (;;) {
        const Versioned<int> v = sig.WaitChanged(since);
        since = v.version;
        if (v.value == kWrites) break;
      }
      saw_final.fetch_add(1);
    }));
  }
  ASSERT_TRUE(Eventually([&] { return ready.load() == kSubscribers; }));
  std::thread writer([&] {
    for (int i = 1; i <= kWrites; ++i) sig.Set(i);
  });
  writer.join();
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  EXPECT_EQ(saw_final.load(), kSubscribers);
}

// Subscriptions and watchers in numbers: every one ends at the final
// value.
TEST_P(SignalTest, FanOutToSubscriptionsAndWatchers) {
  const int kSubscribers = kTsanBuild ? 500 : 2000;
  constexpr int kWrites = 20;
  Signal<int> sig(0);
  std::vector<std::atomic<int>> last(kSubscribers);
  std::vector<Effect> watchers;
  for (int i = 0; i < kSubscribers; ++i) {
    watchers.push_back(
        sig.Watch(*s_, [&last, i](const int& v) { last[i] = v; }));
  }
  std::atomic<int> subs_done{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kSubscribers; ++i) {
    hs.push_back(s_->Spawn([&, sub = sig.Subscribe()]() mutable {
      while (std::optional<int> v = sub.Next()) {
        if (*v == kWrites) break;
      }
      subs_done.fetch_add(1);
    }));
  }
  auto writer = s_->Spawn([&] {
    for (int i = 1; i <= kWrites; ++i) {
      sig.Set(i);
      if (i % 4 == 0) Yield();
    }
  });
  ASSERT_TRUE(writer.Join().completed());
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  EXPECT_EQ(subs_done.load(), kSubscribers);
  ASSERT_TRUE(Eventually([&] {
    for (auto& l : last) {
      if (l.load() != kWrites) return false;
    }
    return true;
  }));
  watchers.clear();
}

// Cancelling waiting tasks leaves the signal consistent: the others still
// get the next value, and later waits work.
TEST_P(SignalTest, CancellingWaitersLeavesTheSignalConsistent) {
  constexpr int kWaiters = 64;
  Signal<int> sig(0);
  std::atomic<int> ready{0};
  std::atomic<int> drops{0};
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < kWaiters; ++i) {
    hs.push_back(s_->Spawn([&] {
      DropCounter guard(&drops);
      ready.fetch_add(1);
      return sig.WaitChanged(1).value;
    }));
  }
  ASSERT_TRUE(Eventually([&] { return ready.load() == kWaiters; }));
  absl::SleepFor(absl::Milliseconds(2));
  for (int i = 0; i < kWaiters; i += 2) hs[i].Cancel("stop waiting");
  // Race some cancellations against the write.
  sig.Set(5);
  int completed = 0;
  for (int i = 0; i < kWaiters; ++i) {
    TaskResult<int> r = hs[i].Join();
    if (r.completed()) {
      EXPECT_EQ(r.value(), 5);
      ++completed;
    } else {
      EXPECT_TRUE(r.cancelled());
      EXPECT_EQ(i % 2, 0);
    }
  }
  EXPECT_GE(completed, kWaiters / 2);
  EXPECT_EQ(drops.load(), kWaiters);
  EXPECT_EQ(sig.version(), 2u);
  // The signal still works for new waiters.
  auto again = s_->Spawn([&] { return sig.WaitChanged(2).value; });
  absl::SleepFor(absl::Milliseconds(1));
  sig.Set(6);
  EXPECT_EQ(again.Join().value(), 6);
}

INSTANTIATE_TEST_SUITE_P(Workers, SignalTest, ::testing::Values(1, 2, 4),
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
