// Copyright 2026 The Colony Authors.
//
// AdminHooks: what the admin endpoint asks of the daemon that serves it.
//
// The admin endpoint (admin_server.h) writes the scheduler's, the net
// layer's and the process's metrics itself; everything that belongs to the
// daemon and its backends comes through these callbacks. Each may be left
// empty: the endpoint then answers with a sensible default (ready, no
// extra metrics, `{}`) or, for a mutation nobody handles, 501.
//
// Thread-safety: the callbacks are called from admin request handlers,
// which run as tasks on any worker, possibly several at once; they must be
// thread-safe and must not block a worker for long (a slow one should use
// SpawnBlocking() itself).

#ifndef COLONY_DAEMON_ADMIN_ADMIN_HOOKS_H_
#define COLONY_DAEMON_ADMIN_ADMIN_HOOKS_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "metrics/prometheus.h"

namespace colony::daemon {

struct AdminHooks {
  // ready() is false while the daemon should get no traffic (starting,
  // draining): `GET /readyz` then answers 503. Empty: always ready.
  std::function<bool()> ready;
  // write_metrics() appends the daemon's and the backends' families to the
  // `GET /metrics` page, after the admin's own.
  std::function<void(metrics::PrometheusWriter&)> write_metrics;
  // info_json() is a JSON object for `GET /info` (listeners, backends,
  // uptime, version...). It is embedded as the "daemon" member.
  std::function<std::string()> info_json;
  // config_json() is the effective configuration as a JSON object, for
  // `GET /debug/config`.
  std::function<std::string()> config_json;
  // set_config() changes one run-time key (`POST /config`); an error status
  // is sent back to the client as a 400 with its message.
  std::function<absl::Status(std::string_view key, std::string_view value)>
      set_config;
  // set_log_level() changes the log level (`POST /loglevel`). Empty: the
  // admin sets spdlog's default logger's level itself.
  std::function<absl::Status(std::string_view level)> set_log_level;
  // drain() starts the staged shutdown's drain (`POST /drain`); it must
  // return at once, the drain going on in the background.
  std::function<void()> drain;
  // quit() asks the daemon to shut down (`POST /quitquitquit`); it must
  // return at once.
  std::function<void()> quit;
  // The `version` label of `colonyd_build_info` (empty: "unknown").
  std::string version;
};

}  // namespace colony::daemon

#endif  // COLONY_DAEMON_ADMIN_ADMIN_HOOKS_H_
