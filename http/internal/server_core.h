// Copyright 2026 The Colony Authors.
//
// ServerCore: the state behind http::Server shared by its accept loops,
// connection tasks and reaper: the options (replaceable at run time,
// versioned), the registry of open connections (for Drain()), the counters, and
// the scope that owns every connection task.
//
// Drain protocol:
//   1. Drain() sets draining_ (seq_cst), then, under mu_, asks every
//      registered connection to wake if it waits idle (Connection::
//      WakeIfIdle()).
//   2. A connection about to wait idle publishes kWaitingIdle (seq_cst), then
//      reads draining_: by the order of these seq_cst operations, either it
//      sees draining_ and closes, or Drain() sees it idle and wakes it.
//   3. A busy connection reads draining_ after each response and closes
//      after it (the response says "Connection: close").
//   4. Drain() waits for the accept loops to end, then for active_ to reach
//      zero (the last connection to end while draining sets all_closed_),
//      until the deadline; then cancels the scope's tasks, stops the reaper
//      and waits for them.
//
// The reaper (Reap()) walks the registry every 100 ms and wakes the reads
// whose published deadline passed (Connection::WakeIfExpired()).
//
// Thread-safety: as documented per member; mu_ guards the options, the
// listeners and the registry.

#ifndef COLONY_HTTP_INTERNAL_SERVER_CORE_H_
#define COLONY_HTTP_INTERNAL_SERVER_CORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/internal/thread_mutex.h"
#include "http/handler.h"
#include "http/internal/log_limiter.h"
#include "http/internal/stats_collector.h"
#include "http/server.h"
#include "net/tcp.h"
#include "scheduler/task_scope.h"
#include "sync/locks/event.h"
#include "time/deadline.h"

namespace colony::http::http_internal {

class Connection;

class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler);
  ~ServerCore();

  absl::Status Serve(TcpListener& listener);
  void StopAccepting();
  void Drain(Deadline deadline);
  ServerStats Stats() const;
  void SetOptions(ServerOptions options);
  ServerOptions options() const;

  // For connections.
  bool draining() const { return draining_.load(); }
  // options_version() pairs with the release fetch_add in SetOptions();
  // the options themselves are copied under mu_ (CopyOptions()).
  uint64_t options_version() const {
    return version_.load(std::memory_order_acquire);
  }
  // CopyOptions() copies the options and their version.
  void CopyOptions(ServerOptions* out, uint64_t* version) const;
  const Handler& handler() const { return handler_; }
  StatsCollector& stats() { return stats_; }
  void CountTimeout() { timed_out_.fetch_add(1, std::memory_order_relaxed); }
  void CountShed() { shed_.fetch_add(1, std::memory_order_relaxed); }
  void CountException() { exceptions_.fetch_add(1, std::memory_order_relaxed); }
  LogLimiter& error_log() { return error_log_; }
  LogLimiter& exception_log() { return exception_log_; }
  // Register() adds a connection to the registry; Unregister() removes it
  // and, as the connection's last act, counts it closed.
  void Register(Connection* c);
  void Unregister(Connection* c);

 private:
  // Refuse() answers a connection past max_connections with a 503.
  void Refuse(TcpStream stream);
  // Reap() wakes, every kReapInterval, the reads whose deadline passed.
  void Reap();
  TaskScope& scope();

  const Handler handler_;
  mutable base_internal::ThreadMutex mu_;
  ServerOptions options_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> version_{1};  // read relaxed under mu_
  // Settings read relaxed: plain numbers, nothing read through them.
  std::atomic<size_t> max_connections_;
  std::atomic<int64_t> retry_after_seconds_;

  std::vector<TcpListener*> listeners_ ABSL_GUARDED_BY(mu_);
  int serving_ ABSL_GUARDED_BY(mu_) = 0;
  Event serve_loops_done_;
  Connection* connections_ ABSL_GUARDED_BY(mu_) = nullptr;  // a list

  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> active_{0};
  Event all_closed_;
  std::atomic<int> refusing_{0};

  // Statistics (relaxed): Stats() wants a snapshot.
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> timed_out_{0};
  std::atomic<uint64_t> shed_{0};
  std::atomic<uint64_t> exceptions_{0};
  StatsCollector stats_;
  LogLimiter error_log_;
  LogLimiter refuse_log_;
  LogLimiter exception_log_;

  std::atomic<bool> reaper_stop_{false};
  std::once_flag reaper_once_;
  std::once_flag scope_once_;
  // Last: destroyed first, cancelling the tasks that use the rest.
  std::unique_ptr<TaskScope> scope_;
};

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_SERVER_CORE_H_
