// Copyright 2026 The Colony Authors.
//
// Stall detection: a task that runs past SchedulerOptions::stall_threshold
// without suspending is logged once (worker, task id and name) and counted,
// and the other workers take what its worker holds (its LIFO slot
// included); timers behind a long slice still fire.

#include <atomic>
#include <memory>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "tests/scheduler_test_util.h"

namespace colony {
namespace {

using ::colony::testing::StartScheduler;

// Spins until `done` or `limit` passes, never suspending.
bool SpinUntil(const std::atomic<bool>& done, absl::Duration limit) {
  const absl::Time end = absl::Now() + limit;
  while (!done.load() && absl::Now() < end) {
  }
  return done.load();
}

// Captures what the libraries log through spdlog's default logger.
class CapturedLog {
 public:
  CapturedLog()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)),
        saved_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink_));
  }
  ~CapturedLog() { spdlog::set_default_logger(saved_); }
  std::string Text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> saved_;
};

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(SchedulerStallTest, StalledWorkersLifoTaskRunsElsewhere) {
  CapturedLog log;
  auto s =
      StartScheduler({.workers = 2, .stall_threshold = absl::Milliseconds(50)});
  std::atomic<bool> child_ran{false};
  uint64_t hog_id = 0;
  auto hog = s->Spawn(
      [&] {
        hog_id = CurrentCoroutine()->id();
        // The child goes to this worker's LIFO slot, which no thief takes
        // unless the worker is found stalled.
        JoinHandle<void> child = Spawn([&] { child_ran = true; });
        const bool ran = SpinUntil(child_ran, absl::Seconds(20));
        child.Detach();
        return ran;
      },
      {.name = "cpu-hog"});
  EXPECT_TRUE(hog.Join().value())
      << "the child waited for the hog's slice to end";
  uint64_t stalls = 0;
  for (const WorkerStats& w : s->Stats().workers) stalls += w.stalls;
  EXPECT_EQ(stalls, 1u);
  ASSERT_TRUE(s->Stop().ok());
  const std::string text = log.Text();
  EXPECT_EQ(Count(text, "'cpu-hog'"), 1) << text;
  EXPECT_NE(text.find("task " + std::to_string(hog_id) + " "),
            std::string::npos)
      << text;
}

TEST(SchedulerStallTest, ShortSlicesAreNotStalls) {
  CapturedLog log;
  auto s =
      StartScheduler({.workers = 2, .stall_threshold = absl::Milliseconds(50)});
  auto h = s->Spawn([] {
    // 300 ms of work in 1 ms slices.
    for (int i = 0; i < 300; ++i) {
      const absl::Time end = absl::Now() + absl::Milliseconds(1);
      while (absl::Now() < end) {
      }
      Yield();
    }
  });
  h.Join();
  for (const WorkerStats& w : s->Stats().workers) EXPECT_EQ(w.stalls, 0u);
  ASSERT_TRUE(s->Stop().ok());
  EXPECT_EQ(log.Text().find("stall threshold"), std::string::npos);
}

TEST(SchedulerStallTest, DetectionCanBeTurnedOff) {
  CapturedLog log;
  auto s =
      StartScheduler({.workers = 1, .stall_threshold = absl::ZeroDuration()});
  s->Spawn([] {
     const absl::Time end = absl::Now() + absl::Milliseconds(150);
     while (absl::Now() < end) {
     }
   }).Join();
  EXPECT_EQ(s->Stats().workers[0].stalls, 0u);
  ASSERT_TRUE(s->Stop().ok());
}

// A sleeper whose timer sits on a worker stuck in a long slice wakes on
// time: another worker (or the monitor) takes the expired timer.
TEST(SchedulerStallTest, TimerBehindLongSliceFiresOnTime) {
  auto s = StartScheduler({.workers = 2});
  std::atomic<bool> stop_hog{false};
  auto sleeper = s->Spawn([&] {
    // The hog goes to this worker's LIFO slot and runs here once we sleep,
    // so our timer is in the heap of the worker the hog then holds.
    JoinHandle<void> hog =
        Spawn([&] { SpinUntil(stop_hog, absl::Seconds(3)); });
    // Long enough for the other worker to give up searching and park with
    // no timer to wake it.
    std::atomic<bool> never{false};
    SpinUntil(never, absl::Milliseconds(10));
    const absl::Time start = absl::Now();
    colony::SleepFor(absl::Milliseconds(20));
    const absl::Duration slept = absl::Now() - start;
    stop_hog = true;
    hog.Join();
    return slept;
  });
  const absl::Duration slept = sleeper.Join().value();
  EXPECT_GE(slept, absl::Milliseconds(20));
  EXPECT_LT(slept, absl::Milliseconds(1500))
      << "the timer waited for the long slice to end";
  ASSERT_TRUE(s->Stop().ok());
}

}  // namespace
}  // namespace colony
