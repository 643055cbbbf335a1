// Copyright 2026 The Colony Authors.
//
// Typed resume/suspend, states, failures and listeners.

#include "coroutine/coroutine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "coroutine/listener.h"

namespace colony {
namespace {

using IntCoroutine = Coroutine<int, int, int>;

TEST(CoroutineTest, OpenCoroutineSeedExample) {
  IntCoroutine co([](IntCoroutine::Suspender& s, int input) {
    EXPECT_EQ(input, 1);
    EXPECT_EQ(s.Suspend(2), 3);
    return 4;
  });
  EXPECT_EQ(co.state(), CoroutineState::kReady);
  EXPECT_EQ(co.Resume(1), Suspended{2});
  EXPECT_EQ(co.state(), CoroutineState::kSuspended);
  EXPECT_EQ(co.Resume(3), Completed{4});
  EXPECT_EQ(co.state(), CoroutineState::kCompleted);
  EXPECT_FALSE(co.resumable());
  EXPECT_TRUE(co.done());
}

TEST(CoroutineTest, CreateReportsBadStackSize) {
  auto co =
      IntCoroutine::Create([](IntCoroutine::Suspender&, int) { return 0; },
                           {.name = "huge", .stack_size = size_t{1} << 40});
  ASSERT_FALSE(co.ok());
  EXPECT_EQ(co.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(co.status().message()), testing::HasSubstr("huge"));
}

TEST(CoroutineTest, OptionsAreRecorded) {
  Coroutine<void, void, void> co(
      [](auto&) {},
      {.name = "worker", .priority = 7, .stack_size = 200 * 1024});
  EXPECT_EQ(co.name(), "worker");
  EXPECT_EQ(co.priority(), 7);
  EXPECT_EQ(co.basic().stack_size(), 256 * 1024);
  EXPECT_GT(co.id(), 0u);
}

TEST(CoroutineTest, VoidTypesAndMoveOnlyValues) {
  Coroutine<void, std::unique_ptr<int>, std::string> co(
      [](Suspender<void, std::unique_ptr<int>>& s) {
        s.Suspend(std::make_unique<int>(5));
        s.Suspend(std::make_unique<int>(6));
        return std::string("done");
      });
  auto r1 = co.Resume();
  ASSERT_TRUE(r1.suspended());
  EXPECT_EQ(*r1.yielded(), 5);
  auto r2 = co.Resume();
  EXPECT_EQ(*r2.yielded(), 6);
  auto r3 = co.Resume();
  ASSERT_TRUE(r3.completed());
  EXPECT_EQ(r3.returned(), "done");
}

TEST(CoroutineTest, SuspendUntilRecordsWakeTimestamp) {
  Coroutine<void, int, void> co([](Suspender<void, int>& s) {
    s.SuspendUntil(1, colony::Deadline::FromNanos(123456789));
    s.SuspendFor(2, absl::Milliseconds(5));
  });
  EXPECT_EQ(co.Resume(), (Suspended{1, int64_t{123456789}}));
  EXPECT_EQ(co.basic().wake_ns(), 123456789);
  const int64_t before = NowNanos();
  auto r = co.Resume();
  EXPECT_GE(r.wake_ns(), before + 5'000'000);
  EXPECT_TRUE(co.Resume().completed());
}

TEST(CoroutineTest, SuspendFromDeepInTheCallStack) {
  Coroutine<void, int, void> co([](Suspender<void, int>& s) {
    std::function<void(int)> down = [&](int depth) {
      if (depth == 0) {
        s.Suspend(42);
        return;
      }
      down(depth - 1);
    };
    down(50);
  });
  EXPECT_EQ(co.Resume(), Suspended{42});
  EXPECT_TRUE(co.Resume().completed());
}

TEST(CoroutineTest, ExceptionBecomesFailedState) {
  IntCoroutine co([](IntCoroutine::Suspender& s, int) -> int {
    s.Suspend(1);
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(co.Resume(0), Suspended{1});
  auto r = co.Resume(0);
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.message(), "boom");
  EXPECT_EQ(co.state(), CoroutineState::kFailed);
  EXPECT_THROW(std::rethrow_exception(r.error()), std::runtime_error);
  // The resumer's own exception state is untouched.
  EXPECT_EQ(std::uncaught_exceptions(), 0);
  EXPECT_EQ(std::current_exception(), nullptr);
}

TEST(CoroutineTest, NonStandardExceptionIsDescribed) {
  Coroutine<void, void, void> co([](auto&) { throw 17; });
  auto r = co.Resume();
  ASSERT_TRUE(r.failed());
  EXPECT_THAT(r.message(), testing::HasSubstr("exception of type"));
}

TEST(CoroutineTest, ErrnoIsPerCoroutine) {
  Coroutine<void, void, void> co([](auto& s) {
    errno = EAGAIN;
    s.Suspend();
    EXPECT_EQ(errno, EAGAIN);
    errno = EINTR;
    s.Suspend();
    EXPECT_EQ(errno, EINTR);
  });
  errno = ENOENT;
  co.Resume();
  EXPECT_EQ(errno, ENOENT);
  errno = EBADF;
  co.Resume();
  EXPECT_EQ(errno, EBADF);
  co.Resume();
  EXPECT_TRUE(co.done());
}

TEST(CoroutineTest, NestedCoroutines) {
  Coroutine<void, int, void> outer([](Suspender<void, int>& s) {
    Coroutine<void, int, void> inner([](Suspender<void, int>& t) {
      EXPECT_NE(CurrentCoroutine(), nullptr);
      t.Suspend(1);
      t.Suspend(2);
    });
    BasicCoroutine* self = CurrentCoroutine();
    while (true) {
      auto r = inner.Resume();
      EXPECT_EQ(CurrentCoroutine(), self);
      if (!r.suspended()) break;
      s.Suspend(r.yielded() * 10);
    }
  });
  EXPECT_EQ(CurrentCoroutine(), nullptr);
  EXPECT_EQ(outer.Resume(), Suspended{10});
  EXPECT_EQ(outer.Resume(), Suspended{20});
  EXPECT_TRUE(outer.Resume().completed());
  EXPECT_EQ(CurrentCoroutine(), nullptr);
}

TEST(CoroutineTest, MoveTransfersOwnership) {
  IntCoroutine a(
      [](IntCoroutine::Suspender& s, int x) { return s.Suspend(x) + 1; });
  EXPECT_EQ(a.Resume(5), Suspended{5});
  IntCoroutine b = std::move(a);
  EXPECT_EQ(b.Resume(9), Completed{10});
}

TEST(CoroutineTest, SyscallStateRoundTrip) {
  std::vector<CoroutineState> seen;
  Coroutine<void, void, void> co([&](auto& s) {
    {
      SyscallScope scope("read");
      seen.push_back(CurrentCoroutine()->state());
      EXPECT_EQ(CurrentCoroutine()->syscall(), "read");
    }
    seen.push_back(CurrentCoroutine()->state());
  });
  co.Resume();
  EXPECT_THAT(seen, testing::ElementsAre(CoroutineState::kSyscall,
                                         CoroutineState::kRunning));
}

TEST(CoroutineTest, StateTransitionTable) {
  using S = CoroutineState;
  EXPECT_TRUE(IsLegalTransition(S::kReady, S::kRunning));
  EXPECT_TRUE(IsLegalTransition(S::kReady, S::kCancelled));
  EXPECT_TRUE(IsLegalTransition(S::kRunning, S::kSyscall));
  EXPECT_TRUE(IsLegalTransition(S::kSyscall, S::kRunning));
  EXPECT_TRUE(IsLegalTransition(S::kSuspended, S::kRunning));
  EXPECT_FALSE(IsLegalTransition(S::kSuspended, S::kCompleted));
  EXPECT_FALSE(IsLegalTransition(S::kCompleted, S::kRunning));
  EXPECT_FALSE(IsLegalTransition(S::kSyscall, S::kSuspended));
  EXPECT_FALSE(IsLegalTransition(S::kReady, S::kSuspended));
  EXPECT_FALSE(IsLegalTransition(S::kCancelled, S::kReady));
}

TEST(CoroutineDeathTest, ResumingAFinishedCoroutineAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Coroutine<void, void, void> co([](auto&) {}, {.name = "finished"});
  co.Resume();
  EXPECT_DEATH(co.Resume(), "coroutine 'finished' .* resumed while Completed");
}

TEST(CoroutineDeathTest, SuspendingInSyscallStateAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Coroutine<void, void, void> co(
      [](auto& s) {
        SyscallScope scope("read");
        s.Suspend();
      },
      {.name = "in-syscall"});
  EXPECT_DEATH(co.Resume(), "illegal state change Syscall -> Suspended");
}

TEST(CoroutineDeathTest, IllegalTransitionAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Coroutine<void, void, void> co(
      [](auto&) { CurrentCoroutine()->ExitSyscall(); }, {.name = "bad"});
  EXPECT_DEATH(co.Resume(), "illegal state change Running -> Running");
}

// Records every transition it hears about.
class RecordingListener : public Listener {
 public:
  void OnStateChange(const BasicCoroutine& co, CoroutineState from,
                     CoroutineState to) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back({co.id(), from, to});
  }
  struct Event {
    uint64_t id;
    CoroutineState from, to;
    bool operator==(const Event&) const = default;
  };
  std::vector<Event> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

TEST(ListenerTest, PerCoroutineListenerSeesEveryChange) {
  using S = CoroutineState;
  RecordingListener listener;
  IntCoroutine co(
      [](IntCoroutine::Suspender& s, int) {
        { SyscallScope sc("write"); }
        return s.Suspend(1);
      },
      {.listener = &listener});
  co.Resume(0);
  co.Resume(2);
  const uint64_t id = co.id();
  using E = RecordingListener::Event;
  EXPECT_THAT(listener.events(),
              testing::ElementsAre(E{id, S::kReady, S::kRunning},
                                   E{id, S::kRunning, S::kSyscall},
                                   E{id, S::kSyscall, S::kRunning},
                                   E{id, S::kRunning, S::kSuspended},
                                   E{id, S::kSuspended, S::kRunning},
                                   E{id, S::kRunning, S::kCompleted}));
}

TEST(ListenerTest, GlobalListenerSeesAllCoroutinesUntilRemoved) {
  RecordingListener listener;
  AddGlobalListener(&listener);
  AddGlobalListener(&listener);  // idempotent
  {
    Coroutine<void, void, void> a([](auto&) {});
    Coroutine<void, void, void> b([](auto&) { throw std::logic_error("x"); });
    a.Resume();
    b.Resume();
  }
  RemoveGlobalListener(&listener);
  Coroutine<void, void, void> c([](auto&) {});
  c.Resume();
  const auto events = listener.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].to, CoroutineState::kCompleted);
  EXPECT_EQ(events[3].to, CoroutineState::kFailed);
}

}  // namespace
}  // namespace colony
