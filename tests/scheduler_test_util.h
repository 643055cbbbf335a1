// Copyright 2026 The Colony Authors.
//
// Helpers shared by the scheduler tests.

#ifndef COLONY_TESTS_SCHEDULER_TEST_UTIL_H_
#define COLONY_TESTS_SCHEDULER_TEST_UTIL_H_

#include <atomic>
#include <memory>

#include "gtest/gtest.h"
#include "scheduler/scheduler.h"

namespace colony::testing {

// ThreadSanitizer treats every live coroutine as a thread and dies past
// 8128 of them, so tests keep fewer tasks alive at once under it.
#if defined(__SANITIZE_THREAD__)
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

// Spins for about `ns` nanoseconds of wall time.
inline void Spin(int64_t ns) {
  const int64_t end = NowNanos() + ns;
  while (NowNanos() < end) {
  }
}

}  // namespace colony::testing

#endif  // COLONY_TESTS_SCHEDULER_TEST_UTIL_H_
