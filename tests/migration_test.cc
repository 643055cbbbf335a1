// Copyright 2026 The Colony Authors.
//
// A suspended coroutine resumed alternately from different threads keeps
// its own exception state and errno, and sees the thread it now runs on.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "coroutine/coroutine.h"

namespace colony {
namespace {

using VoidCoroutine = Coroutine<void, void, void>;

// pthread_self() and __errno_location() are declared `const`, so a compiler
// may reuse their result across a suspension in the same function, after
// the coroutine moved to another thread. Code that reads them after a
// suspension must do so through a call that is not inlined (see the
// migration rules in docs/coroutine.md).
// The barrier keeps the compiler from treating the helpers as pure.
__attribute__((noinline)) std::thread::id ThreadIdNow() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}
__attribute__((noinline)) void SetErrno(int value) {
  asm volatile("" ::: "memory");
  errno = value;
}
__attribute__((noinline)) int ErrnoNow() {
  asm volatile("" ::: "memory");
  return errno;
}

// Runs closures synchronously on one long-lived thread. (std::mutex, not
// absl::Mutex: the system Abseil is not instrumented for ThreadSanitizer.)
class Runner {
 public:
  Runner() : thread_([this] { Loop(); }) {}
  ~Runner() {
    Run(nullptr);
    thread_.join();
  }
  // Run() executes `fn` on the runner's thread and waits for it (a null fn
  // stops the thread).
  void Run(std::function<void()> fn) {
    std::unique_lock<std::mutex> lock(mu_);
    job_ = std::move(fn);
    has_job_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !has_job_; });
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void Loop() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return has_job_; });
      std::function<void()> job = std::move(job_);
      lock.unlock();
      if (job) job();
      lock.lock();
      has_job_ = false;
      cv_.notify_all();
      if (!job) return;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool has_job_ = false;
  std::thread thread_;
};

class MigrationTest : public testing::Test {
 protected:
  // Resume `co` on runner a, b, a, b... until it finishes.
  void ResumeAlternately(VoidCoroutine& co) {
    for (int i = 0; !co.done(); ++i) {
      (i % 2 == 0 ? a_ : b_).Run([&] { co.Resume(); });
    }
  }
  Runner a_, b_;
};

TEST_F(MigrationTest, SeesTheThreadItRunsOn) {
  std::vector<std::thread::id> ids;
  VoidCoroutine co([&](auto& s) {
    for (int i = 0; i < 4; ++i) {
      ids.push_back(ThreadIdNow());
      EXPECT_NE(CurrentCoroutine(), nullptr);
      s.Suspend();
    }
  });
  ResumeAlternately(co);
  EXPECT_THAT(ids, testing::ElementsAre(a_.id(), b_.id(), a_.id(), b_.id()));
}

TEST_F(MigrationTest, SuspendInsideCatchBlock) {
  std::string rethrown;
  int uncaught_inside = -1;
  bool resumer_saw_exception = false;
  VoidCoroutine co([&](auto& s) {
    try {
      throw std::runtime_error("caught before suspending");
    } catch (...) {
      s.Suspend();  // resumed on the other thread
      uncaught_inside = std::uncaught_exceptions();
      try {
        throw;  // needs this coroutine's caught-exception chain
      } catch (const std::exception& e) {
        rethrown = e.what();
      }
    }
  });
  a_.Run([&] { co.Resume(); });
  a_.Run([&] { resumer_saw_exception = std::current_exception() != nullptr; });
  b_.Run([&] {
    EXPECT_EQ(std::current_exception(), nullptr);
    co.Resume();
    EXPECT_EQ(std::current_exception(), nullptr);
  });
  EXPECT_FALSE(resumer_saw_exception);
  EXPECT_EQ(uncaught_inside, 0);
  EXPECT_EQ(rethrown, "caught before suspending");
  EXPECT_EQ(co.state(), CoroutineState::kCompleted);
}

TEST_F(MigrationTest, SuspendInsideDestructorDuringUnwinding) {
  std::vector<int> counts;
  std::string caught;
  VoidCoroutine co([&](Suspender<void, void>& s) {
    struct Unwinder {
      Suspender<void, void>& s;
      std::vector<int>& counts;
      ~Unwinder() {
        counts.push_back(std::uncaught_exceptions());
        s.Suspend();  // migrates while the exception is in flight
        counts.push_back(std::uncaught_exceptions());
      }
    };
    try {
      Unwinder u{s, counts};
      throw std::runtime_error("in flight");
    } catch (const std::exception& e) {
      caught = e.what();
    }
    counts.push_back(std::uncaught_exceptions());
  });
  a_.Run([&] { co.Resume(); });
  int resumer_count = -1;
  b_.Run([&] {
    resumer_count = std::uncaught_exceptions();
    co.Resume();
    EXPECT_EQ(std::uncaught_exceptions(), 0);
  });
  EXPECT_EQ(resumer_count, 0);
  EXPECT_THAT(counts, testing::ElementsAre(1, 1, 0));
  EXPECT_EQ(caught, "in flight");
}

TEST_F(MigrationTest, ErrnoTravelsWithTheCoroutine) {
  int seen = 0;
  VoidCoroutine co([&](auto& s) {
    SetErrno(ETIMEDOUT);
    s.Suspend();
    seen = ErrnoNow();
  });
  a_.Run([&] { co.Resume(); });
  b_.Run([&] {
    SetErrno(0);
    co.Resume();
    EXPECT_EQ(ErrnoNow(), 0);
  });
  a_.Run([&] { EXPECT_NE(ErrnoNow(), ETIMEDOUT); });
  EXPECT_EQ(seen, ETIMEDOUT);
}

// Many coroutines passed between threads through a shared queue: every
// coroutine is resumed exactly the number of times it suspends plus one.
TEST(MigrationStressTest, EveryResumeCounted) {
  constexpr int kCoroutines = 200;
  constexpr int kSuspends = 50;
  constexpr int kThreads = 4;
  std::atomic<long> steps{0};
  std::mutex mu;
  std::deque<VoidCoroutine*> queue;
  std::vector<std::unique_ptr<VoidCoroutine>> all;
  for (int i = 0; i < kCoroutines; ++i) {
    all.push_back(std::make_unique<VoidCoroutine>([&](auto& s) {
      thread_local int touched = 0;
      for (int k = 0; k < kSuspends; ++k) {
        ++touched;
        steps.fetch_add(1, std::memory_order_relaxed);
        s.Suspend();
      }
    }));
    queue.push_back(all.back().get());
  }
  int finished = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        VoidCoroutine* co;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (finished == kCoroutines) return;
          if (queue.empty()) continue;
          co = queue.front();
          queue.pop_front();
        }
        co->Resume();
        std::lock_guard<std::mutex> lock(mu);
        if (co->done()) {
          ++finished;
        } else {
          queue.push_back(co);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(steps.load(), long{kCoroutines} * kSuspends);
  for (auto& co : all) EXPECT_EQ(co->state(), CoroutineState::kCompleted);
}

}  // namespace
}  // namespace colony
