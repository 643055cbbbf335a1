// Copyright 2026 The Colony Authors.
//
// The admin endpoint as a backend of the daemon: an http::Server on
// --admin_listen serving AdminServer's handler (daemon/admin/), with hooks
// into the Daemon (readiness, metrics of the daemon and its backends,
// /info, /config, log level, drain, quit). Linking this library installs
// it in every Daemon of the binary (Daemon::SetAdminFactory() at static
// initialization). Thread-safety and lifetime as for every Backend.
#ifndef COLONY_DAEMON_ADMIN_BACKEND_H_
#define COLONY_DAEMON_ADMIN_BACKEND_H_

#include "daemon/daemon.h"
#include "metrics/prometheus.h"

namespace colony {
namespace daemon {

// WriteDaemonMetrics() writes the daemon's own families (colonyd_*), then
// each started backend's.
void WriteDaemonMetrics(const Daemon& daemon, metrics::PrometheusWriter& w);

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_ADMIN_BACKEND_H_
