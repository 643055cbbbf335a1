// Copyright 2026 The Colony Authors.
//
// Helpers shared by the tests of sync/ primitives.
#ifndef COLONY_TESTS_SYNC_TEST_UTIL_H_
#define COLONY_TESTS_SYNC_TEST_UTIL_H_

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "scheduler/scheduler.h"

namespace colony::testing {

// YieldUntil() yields (a task to its worker's other tasks, a thread to the
// OS) until `pred` holds; false if it still does not after a minute.
template <typename Pred>
bool YieldUntil(Pred pred) {
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (!pred()) {
    if (absl::Now() > give_up) return false;
    Yield();
  }
  return true;
}

// EventLog: an ordered log of events shared by tasks and threads.
class EventLog {
 public:
  void Add(std::string event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

}  // namespace colony::testing

#endif  // COLONY_TESTS_SYNC_TEST_UTIL_H_
