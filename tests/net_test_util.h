// Copyright 2026 The Colony Authors.
//
// Helpers shared by the net tests: a fixture parameterised over worker
// counts that checks no task leaked, and a loopback listener.

#ifndef COLONY_TESTS_NET_TEST_UTIL_H_
#define COLONY_TESTS_NET_TEST_UTIL_H_

#include <sys/resource.h>

#include <memory>
#include <utility>

#include "absl/base/config.h"
#include "gtest/gtest.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony::testing {

#if defined(ABSL_HAVE_ADDRESS_SANITIZER)
inline constexpr bool kAsanBuild = true;
#else
inline constexpr bool kAsanBuild = false;
#endif

class NetTest : public WorkersTest {
 protected:
  // Run() runs `fn` as a task and waits for it; false if it did not
  // complete.
  template <typename F>
  bool Run(F&& fn) {
    auto r = s_->Spawn(std::forward<F>(fn)).Join();
    EXPECT_TRUE(r.completed()) << r;
    return r.completed();
  }
};

// RaiseFdLimit() raises RLIMIT_NOFILE's soft limit to `want` (or the hard
// limit) and returns what it is now.
inline rlim_t RaiseFdLimit(rlim_t want) {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  if (r.rlim_cur < want) {
    r.rlim_cur = std::min(want, r.rlim_max);
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

}  // namespace colony::testing

#endif  // COLONY_TESTS_NET_TEST_UTIL_H_
