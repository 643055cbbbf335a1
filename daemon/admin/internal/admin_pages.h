// Copyright 2026 The Colony Authors.
//
// The bodies of the admin endpoint's pages, as pure functions of the
// scheduler and the hooks, so that they can be tested without a server.
// AdminServer (admin_server.h) wires them to HTTP routes.
//
// Thread-safety: every function may be called from any thread or task.

#ifndef COLONY_DAEMON_ADMIN_INTERNAL_ADMIN_PAGES_H_
#define COLONY_DAEMON_ADMIN_INTERNAL_ADMIN_PAGES_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/admin/admin_hooks.h"
#include "metrics/prometheus.h"
#include "scheduler/scheduler.h"

namespace colony::daemon::admin_internal {

// WriteSchedulerMetrics() writes the scheduler's families (per worker:
// busy seconds, tasks run, steals, parks, queue depth per band, queue
// delay; live tasks; the injection queue; the blocking pool) and the net
// layer's (registered descriptors, polls, ready events, I/O waiters).
void WriteSchedulerMetrics(const Scheduler& scheduler,
                           metrics::PrometheusWriter& writer);

// WriteBuildInfo() writes colonyd_build_info (always 1) with the version,
// compiler and build mode as labels.
void WriteBuildInfo(std::string_view version,
                    metrics::PrometheusWriter& writer);

// MetricsPage() is the whole `GET /metrics` page: the scheduler's and net
// families, process_*, colonyd_build_info, then the hook's families.
std::string MetricsPage(const Scheduler& scheduler, const AdminHooks& hooks);

// SchedulerJson() is `GET /debug/scheduler`: options, every counter of
// SchedulerStats per worker, and the live-task count.
std::string SchedulerJson(const Scheduler& scheduler);

// InfoJson() is `GET /info`: {"daemon": <hooks.info_json()>, "scheduler":
// a summary}. A hook that returns invalid JSON shows up as a string under
// "daemon_error" rather than breaking the page.
std::string InfoJson(const Scheduler& scheduler, const AdminHooks& hooks);

// QueryValue() is the decoded value of `name` in a URL query string
// ("a=1&b=x%20y"), or nullopt when absent. A name without '=' has the
// value "".
std::optional<std::string> QueryValue(std::string_view query,
                                      std::string_view name);

// ParseKeyValues() reads `POST /config` bodies: one `key=value` per line or
// '&'-separated (form encoding, percent-decoded); blank lines are skipped.
// Fails naming the first entry that has no '=' or an empty key, and past
// 64 entries.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseKeyValues(
    std::string_view body);

// SetLogLevel() sets spdlog's default logger's level by name ("trace",
// "debug", "info", "warn", "error", "critical", "off"); InvalidArgument
// listing the names otherwise.
absl::Status SetLogLevel(std::string_view level);

}  // namespace colony::daemon::admin_internal

#endif  // COLONY_DAEMON_ADMIN_INTERNAL_ADMIN_PAGES_H_
