// Copyright 2026 The Colony Authors.
//
// Cancellation and destruction unwind a coroutine's stack so that its
// destructors (drop guards) run; swallowing the cancellation is reported.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "coroutine/coroutine.h"
#include "coroutine/generator.h"

namespace colony {
namespace {

using VoidCoroutine = Coroutine<void, void, void>;

// Counts its destructions.
struct DropGuard {
  explicit DropGuard(int* drops) : drops(drops) {}
  DropGuard(const DropGuard&) = delete;
  ~DropGuard() { ++*drops; }
  int* drops;
};

TEST(CancellationTest, CancelSuspendedRunsDropGuards) {
  int drops = 0;
  bool reached_end = false;
  VoidCoroutine co([&](auto& s) {
    DropGuard outer(&drops);
    {
      DropGuard inner(&drops);
      s.Suspend();
    }
    reached_end = true;
  });
  co.Resume();
  EXPECT_EQ(drops, 0);
  EXPECT_TRUE(co.Cancel("shutting down").ok());
  EXPECT_EQ(drops, 2);
  EXPECT_FALSE(reached_end);
  EXPECT_EQ(co.state(), CoroutineState::kCancelled);
  EXPECT_EQ(co.basic().cancel_reason(), "shutting down");
}

TEST(CancellationTest, DestroyingSuspendedCoroutineUnwinds) {
  int drops = 0;
  {
    VoidCoroutine co([&](auto& s) {
      DropGuard guard(&drops);
      for (;;) s.Suspend();
    });
    co.Resume();
    co.Resume();
  }
  EXPECT_EQ(drops, 1);
}

TEST(CancellationTest, CancelBeforeStartDropsCapturesWithoutRunning) {
  int drops = 0;
  bool ran = false;
  auto guard = std::make_shared<DropGuard>(&drops);
  VoidCoroutine co([&ran, guard = std::move(guard)](auto&) { ran = true; });
  EXPECT_EQ(drops, 0);
  EXPECT_TRUE(co.Cancel().ok());
  EXPECT_EQ(drops, 1);  // captures destroyed at cancellation
  EXPECT_FALSE(ran);
  EXPECT_EQ(co.state(), CoroutineState::kCancelled);
  EXPECT_FALSE(co.resumable());
}

TEST(CancellationTest, CancelAfterFinishIsANoOp) {
  Coroutine<void, void, int> co([](auto&) { return 3; });
  EXPECT_EQ(co.Resume(), Completed{3});
  EXPECT_TRUE(co.Cancel().ok());
  EXPECT_EQ(co.state(), CoroutineState::kCompleted);
}

TEST(CancellationTest, CancelFromInsideIsRefused) {
  absl::Status inner;
  VoidCoroutine* self = nullptr;
  VoidCoroutine co([&](auto&) { inner = self->Cancel(); });
  self = &co;
  co.Resume();
  EXPECT_EQ(inner.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CancellationTest, CancellationReasonReachesTheBody) {
  std::string seen;
  VoidCoroutine co([&](auto& s) {
    try {
      s.Suspend();
    } catch (const CoroutineCancelled& c) {
      seen = c.reason();
      throw;
    }
  });
  co.Resume();
  EXPECT_TRUE(co.Cancel("stop").ok());
  EXPECT_EQ(seen, "stop");
  EXPECT_TRUE(co.done());
}

TEST(CancellationTest, BodyMayCancelItself) {
  Coroutine<void, int, int> co([](Suspender<void, int>& s) -> int {
    s.Suspend(1);
    throw CoroutineCancelled("gave up");
  });
  EXPECT_EQ(co.Resume(), Suspended{1});
  auto r = co.Resume();
  ASSERT_TRUE(r.cancelled());
  EXPECT_EQ(r.message(), "gave up");
  EXPECT_EQ(co.state(), CoroutineState::kCancelled);
}

TEST(CancellationTest, StdExceptionHandlersDoNotCatchCancellation) {
  bool caught_as_std = false;
  VoidCoroutine co([&](auto& s) {
    try {
      s.Suspend();
    } catch (const std::exception&) {
      caught_as_std = true;
    }
  });
  co.Resume();
  EXPECT_TRUE(co.Cancel().ok());
  EXPECT_FALSE(caught_as_std);
}

TEST(CancellationTest, SwallowedCancellationIsReported) {
  int suspends_after_swallow = 0;
  VoidCoroutine co(
      [&](auto& s) {
        try {
          s.Suspend();
        } catch (...) {
          // Swallowed. Suspending again rethrows the cancellation...
          try {
            s.Suspend();
            ++suspends_after_swallow;
          } catch (...) {
          }
        }
        // ...and returning normally is reported.
      },
      {.name = "stubborn"});
  co.Resume();
  const absl::Status status = co.Cancel("test");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), testing::HasSubstr("'stubborn'"));
  EXPECT_THAT(std::string(status.message()),
              testing::HasSubstr("swallowed its cancellation"));
  EXPECT_EQ(suspends_after_swallow, 0);
  EXPECT_EQ(co.state(), CoroutineState::kCancelled);
}

TEST(CancellationTest, ReplacingCancellationWithAnotherExceptionIsReported) {
  VoidCoroutine co([](auto& s) {
    try {
      s.Suspend();
    } catch (const CoroutineCancelled&) {
      throw std::runtime_error("replaced");
    }
  });
  co.Resume();
  const absl::Status status = co.Cancel();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), testing::HasSubstr("another"));
}

// A destructor that suspends while the cancellation unwinds must not turn
// the unwind into std::terminate: the suspension returns at once.
TEST(CancellationTest, DestructorSuspendingDuringCancellationDoesNotTerminate) {
  int drops = 0;
  Coroutine<int, int, void> co([&](auto& s, int) {
    struct SuspendingGuard {
      Suspender<int, int>* s;
      int* drops;
      ~SuspendingGuard() {
        EXPECT_EQ(s->Suspend(99), 0);  // default input: no one resumes it
        ++*drops;
      }
    } guard{&s, &drops};
    s.Suspend(1);
  });
  EXPECT_EQ(co.Resume(0), Suspended{1});
  EXPECT_TRUE(co.Cancel().ok());
  EXPECT_EQ(drops, 1);
}

TEST(CancellationTest, DestroyingUnfinishedGeneratorRunsDestructors) {
  int drops = 0;
  {
    Generator<int> gen([&](Generator<int>::Yielder& y) {
      DropGuard guard(&drops);
      for (int i = 0;; ++i) y.Suspend(i);
    });
    for (int v : gen) {
      if (v == 3) break;
    }
  }
  EXPECT_EQ(drops, 1);
}

}  // namespace
}  // namespace colony
