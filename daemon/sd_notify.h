// Copyright 2026 The Colony Authors.
//
// systemd's notification protocol without libsystemd: each message is one
// datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@').
//
//   SdNotifier notifier = SdNotifier::FromEnvironment();
//   notifier.Notify("READY=1\nSTATUS=serving");
//
// Without $NOTIFY_SOCKET every call does nothing, so the daemon runs the
// same outside systemd.
//
// Watchdog: with $WATCHDOG_USEC set (WatchdogSec= in the unit; and
// $WATCHDOG_PID, if set, equal to our pid) Watchdog sends WATCHDOG=1
// every WATCHDOG_USEC/2, but only while a heartbeat task on the scheduler
// keeps ticking: a wedged scheduler stops the pings and systemd restarts
// the daemon.
//
// Thread-safety: Notify() may be called from any thread at any time.
#ifndef COLONY_DAEMON_SD_NOTIFY_H_
#define COLONY_DAEMON_SD_NOTIFY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/internal/notification.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"

namespace colony {
namespace daemon {

class SdNotifier {
 public:
  // FromEnvironment() reads $NOTIFY_SOCKET.
  static SdNotifier FromEnvironment();
  explicit SdNotifier(std::string socket_path)
      : path_(std::move(socket_path)) {}

  // enabled() is true when there is a socket to notify.
  bool enabled() const { return !path_.empty(); }

  // Notify() sends `state` ("READY=1", "STATUS=...", several joined by
  // '\n') as one datagram. Ok without a socket.
  absl::Status Notify(std::string_view state) const;

 private:
  std::string path_;
};

// WatchdogInterval() is $WATCHDOG_USEC as a duration when it applies to
// this process (zero otherwise).
absl::Duration WatchdogInterval();

class Watchdog {
 public:
  // Watchdog() pings through `notifier` every `interval / 2` while a task
  // spawned into `scope` ticks (it sleeps interval / 8 between ticks).
  Watchdog(const SdNotifier& notifier, absl::Duration interval);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog();

  // Start() spawns the heartbeat task into `scope` and starts the pinging
  // thread.
  void Start(TaskScope& scope);

  // Stop() ends the thread (the task ends with its scope).
  void Stop();

  // pings() counts WATCHDOG=1 messages sent.
  uint64_t pings() const { return pings_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const SdNotifier& notifier_;
  const absl::Duration interval_;
  // Relaxed: ticks_ is a liveness count compared between checks, pings_ a
  // statistic; nothing is read through either.
  std::atomic<uint64_t> ticks_{0};
  std::atomic<uint64_t> pings_{0};
  daemon_internal::Notification stop_;
  std::thread thread_;
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_SD_NOTIFY_H_
