// Copyright 2026 The Colony Authors.
//
// SignalThread: the daemon's signals, handled on one dedicated thread
// with sigwaitinfo() instead of in signal handlers, so the handlers are
// ordinary code (they may lock, log and allocate).
//
// BlockDaemonSignals() must run in main() before any other thread starts:
// threads inherit the mask, so the signals stay pending until the signal
// thread takes them. SIGPIPE is ignored (a write to a closed socket fails
// with EPIPE instead of killing the process).
//
//   SIGTERM, SIGINT   on_terminate(count): 1 for the first (start the
//                     staged shutdown), 2 and more for later ones (force a
//                     fast exit)
//   SIGHUP            on_reload
//   SIGUSR1           on_reopen_logs
//   SIGQUIT           on_dump
//
// Thread-safety: the callbacks run on the signal thread, one at a time.
// Lifetime: Stop() (or the destructor) ends the thread; callbacks are not
// called after it returns.
#ifndef COLONY_DAEMON_SIGNALS_H_
#define COLONY_DAEMON_SIGNALS_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/status/status.h"

namespace colony {
namespace daemon {

// BlockDaemonSignals() blocks SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT
// (and the wake-up signal SignalThread uses) in the calling thread and
// ignores SIGPIPE. Call it from main() before starting threads.
absl::Status BlockDaemonSignals();

struct SignalHandlers {
  std::function<void(int count)> on_terminate;
  std::function<void()> on_reload;
  std::function<void()> on_reopen_logs;
  std::function<void()> on_dump;
};

class SignalThread {
 public:
  explicit SignalThread(SignalHandlers handlers);
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;
  ~SignalThread();

  // Start() starts the thread. The signals must be blocked already.
  absl::Status Start();

  // Stop() ends the thread and waits for it.
  void Stop();

 private:
  void Run();

  const SignalHandlers handlers_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_SIGNALS_H_
