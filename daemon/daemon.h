// Copyright 2026 The Colony Authors.
//
// Daemon: colonyd's lifecycle, reusable by any workspace that builds its
// own daemon (see colonyd.bzl's colonyd_binary and docs/colonyd.md).
//
//   int main(int argc, char** argv) {
//     return colony::daemon::Daemon().Run(argc, argv);
//   }
//
// Run() loads the configuration (daemon/config.h), sets up logging, starts
// the scheduler, the signal thread and every registered, enabled backend,
// then reports ready (sd_notify READY=1, --port_file) and serves until
// asked to stop. The staged shutdown (SIGTERM, SIGINT, POST /quitquitquit):
//   1. readiness fails (/readyz 503), STOPPING=1 to systemd;
//   2. the listeners keep accepting for --shutdown_lameduck;
//   3. every backend stops accepting and drains: in-flight requests get
//      until --shutdown_drain_timeout, then are cancelled (destructors run);
//   4. the remaining tasks are cancelled, the scheduler stops, the logs
//      are flushed; Run() returns 0.
// A second SIGTERM/SIGINT during it exits at once with status 1 (logs
// flushed first).
//
// Exit statuses: 0 after a clean shutdown (and for --help,
// --check-config, --print-config), 1 when the daemon could not start or
// was forced out, 2 for a configuration error.
//
// Thread-safety: the hooks (ready(), InfoJson(), SetConfig(), ...) may be
// called from any task or thread while Run() runs. Lifetime: one Daemon
// per process; it must outlive Run().
#ifndef COLONY_DAEMON_DAEMON_H_
#define COLONY_DAEMON_DAEMON_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/backend.h"
#include "daemon/config.h"
#include "daemon/internal/notification.h"
#include "daemon/sd_notify.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"

namespace colony {
namespace daemon {

struct DaemonOptions {
  // Name in messages, --help and /info.
  std::string program = "colonyd";
  // Version in /info and the build-info metric.
  std::string version = "0.1.0";
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options = {});
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();

  // Run() is the whole life of the daemon (see the banner); returns the
  // exit status. Call it once, from main().
  int Run(int argc, char** argv);

  // ready() is true from the moment every listener is bound until the
  // shutdown (or a drain) begins: /readyz.
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // InfoJson() is /info: version, pid, uptime, scheduler, listeners and
  // each backend's section.
  std::string InfoJson() const;

  // ConfigJson() is every config key with its value and source.
  std::string ConfigJson() const;

  // SetConfig() changes a mutable key (POST /config).
  absl::Status SetConfig(std::string_view key, std::string_view value);

  // SetLogLevel() changes the log level (POST /loglevel).
  absl::Status SetLogLevel(std::string_view level);

  // RequestDrain() makes readiness fail and drains every backend (after
  // the lame-duck interval), leaving the process up (POST /drain).
  void RequestDrain();

  // RequestShutdown() starts the staged shutdown (SIGTERM,
  // POST /quitquitquit).
  void RequestShutdown();

  // version() is DaemonOptions::version.
  const std::string& version() const { return options_.version; }

  // DumpTasks() is the task dump that SIGQUIT writes to the log.
  std::string DumpTasks() const;

  // backends() are the started backends (for metrics).
  const std::vector<std::unique_ptr<Backend>>& backends() const {
    return backends_;
  }

  // scheduler() is the daemon's scheduler (null before Run() created it).
  Scheduler* scheduler() const { return scheduler_.get(); }

  // Overloaded() is the overload sensor (see BackendContext::Overloaded()).
  bool Overloaded() const;

  // RecentQueueDelay() is what the sensor reads.
  absl::Duration RecentQueueDelay() const;

  // An AdminFactory makes the admin endpoint as a backend of its own
  // (named "admin"): started after the others, drained after them so that
  // /readyz answers 503 during the lame-duck interval.
  using AdminFactory = std::function<std::unique_ptr<Backend>(Daemon&)>;

  // SetAdminFactory() installs the admin endpoint of every daemon of this
  // binary (daemon/admin_backend.cc does, at static initialization).
  static void SetAdminFactory(AdminFactory factory);

  // config_reloads() counts SIGHUP reloads, and failed ones.
  uint64_t config_reloads() const { return reloads_.load(); }
  uint64_t config_reload_failures() const { return reload_failures_.load(); }

 private:
  class Context;
  friend class Context;

  int Serve();
  absl::Status StartBackends();
  void StagedShutdown();
  void DrainBackends();
  void Reload();
  void WritePortFile();
  void RecordListener(std::string_view name, std::string address);

  const DaemonOptions options_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::unique_ptr<Backend> admin_;  // null when disabled or not linked
  bool admin_started_ = false;
  std::vector<Backend*> started_;  // backends whose Start() succeeded
  SdNotifier notifier_{""};
  std::unique_ptr<Watchdog> watchdog_;
  std::unique_ptr<TaskScope> daemon_scope_;

  // The release stores in Run(), DrainBackends() and StagedShutdown() pair
  // with the acquire load in ready(); nothing else is read through it.
  std::atomic<bool> ready_{false};
  daemon_internal::Notification stop_requested_;
  std::atomic<int> drain_started_{0};
  daemon_internal::Notification drained_;
  std::thread drain_thread_;
  const absl::Time start_time_ = absl::Now();
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> reload_failures_{0};

  mutable std::mutex mu_;
  std::map<std::string, std::string> listeners_;  // guarded by mu_
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_DAEMON_H_
