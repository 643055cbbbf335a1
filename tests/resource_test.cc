// Copyright 2026 The Colony Authors.
//
// Resource<T>: the outcome of an asynchronous call that restarts when its
// inputs change; cancelled calls unwind exactly once and never publish.

#include "sync/reactive/resource.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/memo.h"
#include "sync/reactive/signal.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::Eventually;
using ::colony::testing::StartScheduler;

class ResourceTest : public testing::WorkersTest {};

TEST_P(ResourceTest, FollowsItsInput) {
  Signal<int> input(1);
  Resource<int> r(*s_,
                  [&]() -> absl::StatusOr<int> { return input.Get() * 2; });
  EXPECT_EQ(r.Wait().value(), 2);
  EXPECT_FALSE(r.Pending());
  input.Set(5);
  ASSERT_TRUE(Eventually([&] {
    auto v = r.Value();
    return !r.Pending() && v.has_value() && v->ok() && **v == 10;
  }));
  EXPECT_EQ(r.Wait().value(), 10);
  EXPECT_EQ(r.runs(), 2u);
}

TEST_P(ResourceTest, PendingKeepsThePreviousOutcome) {
  Signal<int> input(1);
  Event release;
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> {
    const int v = input.Get();
    if (v == 2) release.Wait();
    return v;
  });
  EXPECT_EQ(r.Wait().value(), 1);
  input.Set(2);
  // The change publishes pending before the writer returns.
  ResourceState<int> st = r.State();
  EXPECT_TRUE(st.pending);
  ASSERT_TRUE(st.result.has_value());
  EXPECT_EQ(st.result->value(), 1);
  EXPECT_FALSE(r.WaitFor(absl::Milliseconds(20)).has_value());
  release.Set();
  EXPECT_EQ(r.Wait().value(), 2);
}

TEST_P(ResourceTest, ErrorsAndExceptionsAreOutcomes) {
  Signal<int> mode(0);
  Resource<std::string> r(*s_, [&]() -> absl::StatusOr<std::string> {
    switch (mode.Get()) {
      case 0:
        return absl::NotFoundError("no such thing");
      case 1:
        throw std::runtime_error("backend exploded");
      default:
        return std::string("fine");
    }
  });
  EXPECT_EQ(r.Wait().status(), absl::NotFoundError("no such thing"));
  mode.Set(1);
  ASSERT_TRUE(Eventually([&] {
    auto v = r.Value();
    return !r.Pending() && v.has_value() &&
           v->status().code() == absl::StatusCode::kUnknown;
  }));
  EXPECT_EQ(r.Wait().status().message(), "backend exploded");
  mode.Set(2);
  ASSERT_TRUE(Eventually([&] {
    auto v = r.Value();
    return !r.Pending() && v.has_value() && v->ok();
  }));
  EXPECT_EQ(r.Wait().value(), "fine");
}

// The seed's cancel-safety example: a call registers itself in a global set
// and a drop guard takes it out again, whether the call returns or is
// cancelled; after the dust settles the set is empty.
struct InFlight {
  std::mutex mu;
  std::set<int> ids;
  std::atomic<int> guards_dropped{0};
};

class InFlightGuard {
 public:
  InFlightGuard(InFlight* f, int id) : f_(f), id_(id) {
    std::lock_guard<std::mutex> lock(f_->mu);
    f_->ids.insert(id_);
  }
  InFlightGuard(const InFlightGuard&) = delete;
  ~InFlightGuard() {
    {
      std::lock_guard<std::mutex> lock(f_->mu);
      f_->ids.erase(id_);
    }
    f_->guards_dropped.fetch_add(1);
  }

 private:
  InFlight* f_;
  int id_;
};

TEST_P(ResourceTest, CancelledCallRunsItsDropGuard) {
  InFlight in_flight;
  Signal<int> query(0);
  std::atomic<int> calls{0};
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> {
    const int q = query.Get();
    InFlightGuard guard(&in_flight, calls.fetch_add(1));
    colony::SleepFor(q == 0 ? absl::Hours(1) : absl::Milliseconds(1));
    return q;
  });
  ASSERT_TRUE(Eventually([&] { return calls.load() == 1; }));
  {
    std::lock_guard<std::mutex> lock(in_flight.mu);
    EXPECT_EQ(in_flight.ids.size(), 1u);
  }
  query.Set(7);  // the hour-long call is cancelled at its sleep
  EXPECT_EQ(r.Wait().value(), 7);
  EXPECT_EQ(r.runs(), 2u);
  EXPECT_EQ(r.cancelled_runs(), 1u);
  EXPECT_EQ(in_flight.guards_dropped.load(), 2);
  std::lock_guard<std::mutex> lock(in_flight.mu);
  EXPECT_TRUE(in_flight.ids.empty());
}

// A burst of changes: every call but the last is cancelled, each unwinds
// exactly once, and the only outcome ever published is the last value.
TEST_P(ResourceTest, RapidChangesPublishOnlyTheLast) {
  constexpr int kChanges = 200;
  InFlight in_flight;
  Signal<int> input(0);
  std::atomic<int> calls{0};
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> {
    const int v = input.Get();
    InFlightGuard guard(&in_flight, calls.fetch_add(1));
    colony::SleepFor(absl::Milliseconds(v == kChanges ? 1 : 200));
    return v;
  });
  ASSERT_TRUE(Eventually([&] { return calls.load() >= 1; }));
  std::vector<int> published;
  std::mutex published_mu;
  Subscription<ResourceState<int>> sub = r.state().Subscribe();
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      auto st = sub.NextFor(absl::Milliseconds(5));
      if (st.has_value() && !st->pending && st->result.has_value()) {
        std::lock_guard<std::mutex> lock(published_mu);
        published.push_back(st->result->value());
      }
    }
  });
  for (int i = 1; i <= kChanges; ++i) input.Set(i);
  EXPECT_EQ(r.Wait().value(), kChanges);
  done = true;
  watcher.join();
  {
    std::lock_guard<std::mutex> lock(published_mu);
    for (int v : published) EXPECT_EQ(v, kChanges);
  }
  // Calls cancelled before they started never ran the function; every one
  // that ran was either cancelled (and unwound once) or is the last.
  EXPECT_EQ(r.runs(), static_cast<uint64_t>(calls.load()));
  EXPECT_EQ(r.cancelled_runs() + 1, r.runs());
  EXPECT_EQ(in_flight.guards_dropped.load(), calls.load());
  std::lock_guard<std::mutex> lock(in_flight.mu);
  EXPECT_TRUE(in_flight.ids.empty());
}

// Changes made from many threads and tasks at once settle on a value the
// function saw last, and no two calls ever overlap.
TEST_P(ResourceTest, CallsNeverOverlap) {
  Signal<int> input(0);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> {
    const int v = input.Get();
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    struct Leave {
      std::atomic<int>* n;
      ~Leave() { n->fetch_sub(1); }
    } leave{&inside};
    Yield();
    colony::SleepFor(absl::Microseconds(200));
    return v;
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        input.Update([](int x) { return x + 1; });
        if (i % 10 == 0) absl::SleepFor(absl::Microseconds(300));
      }
    });
  }
  std::vector<JoinHandle<void>> tasks;
  for (int t = 0; t < 3; ++t) {
    tasks.push_back(s_->Spawn([&] {
      for (int i = 0; i < 100; ++i) {
        input.Update([](int x) { return x + 1; });
        if (i % 10 == 0) colony::SleepFor(absl::Microseconds(300));
      }
    }));
  }
  for (auto& w : writers) w.join();
  for (auto& t : tasks) t.Join();
  EXPECT_EQ(r.Wait().value(), 600);
  EXPECT_EQ(overlaps.load(), 0);
}

// A memo that recomputes to an equal value does not call the function again.
TEST_P(ResourceTest, EqualMemoDoesNotRecall) {
  Signal<int> n(2);
  Memo<int> half([&] { return n.Get() / 2; });
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> { return half.Get(); });
  EXPECT_EQ(r.Wait().value(), 1);
  n.Set(3);  // half stays 1
  ASSERT_TRUE(Eventually([&] { return !r.Pending(); }));
  EXPECT_EQ(r.Wait().value(), 1);
  EXPECT_EQ(r.runs(), 1u);
  n.Set(4);  // half becomes 2
  ASSERT_TRUE(Eventually([&] {
    auto v = r.Value();
    return !r.Pending() && v.has_value() && **v == 2;
  }));
  EXPECT_EQ(r.runs(), 2u);
}

// A resource is an input like any signal: an effect that reads it re-runs
// when it settles.
TEST_P(ResourceTest, EffectsReadResources) {
  Signal<int> input(1);
  Resource<int> r(*s_,
                  [&]() -> absl::StatusOr<int> { return input.Get() + 100; });
  std::atomic<int> seen{0};
  Effect e(*s_, [&] {
    ResourceState<int> st = r.State();
    if (!st.pending && st.result.has_value() && st.result->ok()) {
      seen.store(**st.result);
    }
  });
  ASSERT_TRUE(Eventually([&] { return seen.load() == 101; }));
  input.Set(2);
  ASSERT_TRUE(Eventually([&] { return seen.load() == 102; }));
  e.Stop();
}

TEST_P(ResourceTest, StopCancelsAndSettles) {
  std::atomic<int> dropped{0};
  auto r = std::make_unique<Resource<int>>(*s_, [&]() -> absl::StatusOr<int> {
    struct Drop {
      std::atomic<int>* n;
      ~Drop() { n->fetch_add(1); }
    } drop{&dropped};
    colony::SleepFor(absl::Hours(1));
    return 0;
  });
  ASSERT_TRUE(Eventually([&] { return r->runs() == 1; }));
  std::atomic<bool> waiter_done{false};
  absl::Status waited;
  std::thread waiter([&] {
    waited = r->Wait().status();
    waiter_done = true;
  });
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_FALSE(waiter_done.load());
  r->Stop();
  EXPECT_EQ(dropped.load(), 1);
  waiter.join();
  EXPECT_EQ(waited.code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(r->Pending());
  r->Restart();  // after Stop(): nothing
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(r->runs(), 1u);
  r.reset();
}

TEST_P(ResourceTest, RestartRunsAgain) {
  std::atomic<int> calls{0};
  Resource<int> r(*s_, [&]() -> absl::StatusOr<int> { return ++calls; });
  EXPECT_EQ(r.Wait().value(), 1);
  r.Restart();
  ASSERT_TRUE(Eventually([&] {
    auto v = r.Value();
    return !r.Pending() && v.has_value() && **v == 2;
  }));
}

INSTANTIATE_TEST_SUITE_P(Workers, ResourceTest, ::testing::Values(1, 2, 4),
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
