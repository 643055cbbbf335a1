// Copyright 2026 The Colony Authors.
//
// Helpers shared by the scheduler tests.

#ifndef COLONY_TESTS_SCHEDULER_TEST_UTIL_H_
#define COLONY_TESTS_SCHEDULER_TEST_UTIL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/config.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"

namespace colony::testing {

// ThreadSanitizer treats every live coroutine as a thread and dies past
// 8128 of them, so tests keep fewer tasks alive at once under it.
#if defined(ABSL_HAVE_THREAD_SANITIZER)
inline constexpr bool kTsanBuild = true;
#else
inline constexpr bool kTsanBuild = false;
#endif

// Counts destructions: put one in a task's captures or on its stack.
class DropCounter {
 public:
  explicit DropCounter(std::atomic<int>* drops) : drops_(drops) {}
  DropCounter(DropCounter&& other) noexcept : drops_(other.drops_) {
    other.drops_ = nullptr;
  }
  DropCounter(const DropCounter&) = delete;
  ~DropCounter() {
    if (drops_ != nullptr) drops_->fetch_add(1);
  }

 private:
  std::atomic<int>* drops_;
};

inline std::unique_ptr<Scheduler> StartScheduler(SchedulerOptions options) {
  auto s = Scheduler::Create(std::move(options));
  EXPECT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE((*s)->Start().ok());
  return std::move(*s);
}

// Eventually() polls `done` every millisecond (sleeping the thread) until
// it holds, or gives up after a minute, generous enough for a loaded
// machine and sanitizers: no test relies on speed.
inline bool Eventually(const std::function<bool()>& done) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Spins for about `ns` nanoseconds of wall time.
inline void Spin(int64_t ns) {
  const int64_t end = NowNanos() + ns;
  while (NowNanos() < end) {
  }
}

// Watchdog bounds a part of a test that a regression would hang: if it is
// still alive after `timeout`, it prints `what` and aborts the test binary,
// so the test fails with a reason instead of running into the runner's
// timeout. Give it a generous timeout: it guards against hangs, not
// slowness.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds timeout, std::string what)
      : what_(std::move(what)), thread_([this, timeout] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: still waiting after %llds: %s\n",
                         static_cast<long long>(timeout.count()),
                         what_.c_str());
            std::abort();
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  const std::string what_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace colony::testing

#endif  // COLONY_TESTS_SCHEDULER_TEST_UTIL_H_
