// Copyright 2026 The Colony Authors.
//
// WorkersTest: the one fixture for tests that run on a scheduler,
// parameterised over the number of workers (as marl's tests are). SetUp()
// starts a scheduler with GetParam() workers; TearDown() stops it and checks
// that the test leaked nothing: no live task, every coroutine stack back in
// the pool, no coroutine's locals table left behind.
//
// A suite derives its own fixture name from it and instantiates it over
// the worker counts it wants:
//
//   class ChannelTest : public colony::testing::WorkersTest {};
//   TEST_P(ChannelTest, ...) { s_->Spawn(...); }
//   INSTANTIATE_TEST_SUITE_P(Workers, ChannelTest, kWorkerCounts,
//                            WorkersTest::Name);
//
// The target that includes it also depends on the scheduler it tests
// (//scheduler, or a variant of it), which this header does not name.
#ifndef COLONY_TESTS_WORKERS_FIXTURE_H_
#define COLONY_TESTS_WORKERS_FIXTURE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "coroutine/internal/stack.h"
#include "gtest/gtest.h"
#include "local/internal/slot_table.h"
#include "scheduler/scheduler.h"
#include "tests/scheduler_test_util.h"

namespace colony::testing {

// The worker counts most suites run on.
inline const auto kWorkerCounts = ::testing::Values(1, 2, 4, 8);

class WorkersTest : public ::testing::TestWithParam<int> {
 public:
  // Name() names an instantiation "w<workers>".
  static std::string Name(const ::testing::TestParamInfo<int>& info) {
    return "w" + std::to_string(info.param);
  }

 protected:
  void SetUp() override {
    stacks_before_ = StacksInUse();
    tables_before_ = local_internal::LiveCoroutineTables();
    s_ = StartScheduler({.workers = GetParam()});
  }

  void TearDown() override {
    // A test may stop (and reset) the scheduler itself.
    if (s_ != nullptr) {
      EXPECT_TRUE(s_->Stop({.deadline = absl::Seconds(60)}).ok());
      EXPECT_EQ(s_->Stats().live_tasks, 0u) << "tasks outlived Stop()";
      s_.reset();
    }
    EXPECT_EQ(StacksInUse(), stacks_before_)
        << "coroutine stacks were not returned to the pool";
    EXPECT_EQ(local_internal::LiveCoroutineTables(), tables_before_)
        << "an ended coroutine kept its locals";
  }

  static size_t StacksInUse() {
    return coroutine_internal::StackPool::Default().stats().stacks_in_use;
  }

  std::unique_ptr<Scheduler> s_;

 private:
  size_t stacks_before_ = 0;
  size_t tables_before_ = 0;
};

}  // namespace colony::testing

#endif  // COLONY_TESTS_WORKERS_FIXTURE_H_
