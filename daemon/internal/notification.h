// Copyright 2026 The Colony Authors.
//
// Notification: a one-shot event for the daemon's plain threads (main, the
// watchdog), on std::mutex and std::condition_variable so that
// ThreadSanitizer sees its ordering (the system's Abseil is not built with
// it, so absl::Notification's would be invisible). Notify() may be called
// from any thread or task (it never blocks for long); the waits are for
// plain threads. Notify() happens-before every wait that returns true.
#ifndef COLONY_DAEMON_INTERNAL_NOTIFICATION_H_
#define COLONY_DAEMON_INTERNAL_NOTIFICATION_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace colony {
namespace daemon_internal {

class Notification {
 public:
  void Notify() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      notified_ = true;
    }
    cv_.notify_all();
  }
  bool HasBeenNotified() const {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_;
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return notified_; });
  }
  // WaitFor() is true if notified within `timeout`.
  bool WaitFor(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [this] { return notified_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
};

}  // namespace daemon_internal
}  // namespace colony

#endif  // COLONY_DAEMON_INTERNAL_NOTIFICATION_H_
