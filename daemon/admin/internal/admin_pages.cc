// Copyright 2026 The Colony Authors.

#include "daemon/admin/internal/admin_pages.h"

#include <cctype>
#include <string>

#include "absl/time/time.h"
#include "metrics/process.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace colony::daemon::admin_internal {
namespace {

using metrics::Label;
using metrics::MetricType;
using metrics::PrometheusWriter;

// The most `POST /config` entries one request may carry.
constexpr size_t kMaxConfigEntries = 64;

constexpr const char* kBandNames[] = {"0",  "1",  "2",  "3", "4",  "5",
                                      "6",  "7",  "8",  "9", "10", "11",
                                      "12", "13", "14", "15"};

std::string Band(size_t band) {
  return band < std::size(kBandNames) ? kBandNames[band] : std::to_string(band);
}

// Writes one family with a sample per worker of `value(stats)`.
template <typename F>
void PerWorker(PrometheusWriter& w, const SchedulerStats& s, const char* name,
               MetricType type, const char* help, F value) {
  w.Family(name, type, help);
  for (size_t i = 0; i < s.workers.size(); ++i) {
    const std::string worker = std::to_string(i);
    w.Sample({{"worker", worker}}, value(s.workers[i]));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form decoding: '+' is a space, %XX a byte; a malformed escape is kept.
std::string Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexDigit(in[i + 1]) >= 0 &&
               HexDigit(in[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(in[i + 1]) * 16 + HexDigit(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

#if defined(__clang__)
constexpr const char* kCompiler = "clang " __clang_version__;
#elif defined(__GNUC__)
constexpr const char* kCompiler = "gcc " __VERSION__;
#else
constexpr const char* kCompiler = "unknown";
#endif

#if defined(NDEBUG) || defined(__OPTIMIZE__)
constexpr const char* kBuildMode = "opt";
#else
constexpr const char* kBuildMode = "dbg";
#endif

nlohmann::json SchedulerSummary(const Scheduler& scheduler,
                                const SchedulerStats& s) {
  nlohmann::json j;
  j["name"] = scheduler.options().name;
  j["workers"] = scheduler.workers();
  j["priority_bands"] = scheduler.options().priority_bands;
  j["live_tasks"] = s.live_tasks;
  j["recent_queue_delay_seconds"] =
      absl::ToDoubleSeconds(scheduler.RecentQueueDelay());
  j["blocking_threads"] = s.blocking_threads;
  j["blocking_queued"] = s.blocking_queued;
  j["stacks"] = {{"in_use", s.stacks.in_use},
                 {"warm", s.stacks.warm},
                 {"cold", s.stacks.cold},
                 {"reserved_bytes", s.stacks.reserved_bytes}};
  return j;
}

}  // namespace

void WriteSchedulerMetrics(const Scheduler& scheduler, PrometheusWriter& w) {
  const SchedulerStats s = scheduler.Stats();
  PerWorker(w, s, "colony_worker_busy_seconds_total", MetricType::kCounter,
            "Time the worker was not parked (running tasks, polling, "
            "searching), in seconds.",
            [](const WorkerStats& ws) { return ws.busy_ns / 1e9; });
  PerWorker(w, s, "colony_worker_tasks_run_total", MetricType::kCounter,
            "Slices run: resumes of a task by the worker.",
            [](const WorkerStats& ws) { return double(ws.switches); });
  PerWorker(w, s, "colony_worker_tasks_completed_total", MetricType::kCounter,
            "Tasks that finished on the worker.",
            [](const WorkerStats& ws) { return double(ws.completed); });
  PerWorker(w, s, "colony_worker_steals_total", MetricType::kCounter,
            "Steal attempts that took at least one task.",
            [](const WorkerStats& ws) { return double(ws.steals); });
  PerWorker(w, s, "colony_worker_stolen_tasks_total", MetricType::kCounter,
            "Tasks taken from other workers by steals.",
            [](const WorkerStats& ws) { return double(ws.stolen_tasks); });
  PerWorker(w, s, "colony_worker_parks_total", MetricType::kCounter,
            "Times the worker went to sleep for lack of work.",
            [](const WorkerStats& ws) { return double(ws.parks); });
  PerWorker(w, s, "colony_worker_stalls_total", MetricType::kCounter,
            "Slices that ran past the stall threshold.",
            [](const WorkerStats& ws) { return double(ws.stalls); });
  PerWorker(w, s, "colony_worker_queue_delay_seconds", MetricType::kGauge,
            "Moving average of how long the tasks the worker ran waited in "
            "a queue, in seconds.",
            [](const WorkerStats& ws) { return ws.queue_delay_ns / 1e9; });
  PerWorker(w, s, "colony_worker_parked", MetricType::kGauge,
            "1 while the worker is parked.",
            [](const WorkerStats& ws) { return ws.parked ? 1.0 : 0.0; });
  w.Family("colony_worker_queue_depth", MetricType::kGauge,
           "Ready tasks in the worker's run queue, per priority band.");
  for (size_t i = 0; i < s.workers.size(); ++i) {
    const std::string worker = std::to_string(i);
    for (size_t b = 0; b < s.workers[i].queue_depth.size(); ++b) {
      const std::string band = Band(b);
      w.Sample({{"worker", worker}, {"band", band}},
               double(s.workers[i].queue_depth[b]));
    }
  }
  w.Family("colony_scheduler_global_queue_depth", MetricType::kGauge,
           "Ready tasks in the injection queue, per priority band.");
  for (size_t b = 0; b < s.global_queue_depth.size(); ++b) {
    const std::string band = Band(b);
    w.Sample({{"band", band}}, double(s.global_queue_depth[b]));
  }
  w.Family("colony_scheduler_live_tasks", MetricType::kGauge,
           "Tasks spawned and not yet finished.");
  w.Sample({}, double(s.live_tasks));
  w.Family("colony_scheduler_spawned_remote_total", MetricType::kCounter,
           "Tasks spawned from outside the workers.");
  w.Sample({}, double(s.spawned_remote));
  w.Family("colony_scheduler_rejected_total", MetricType::kCounter,
           "Spawns refused because the scheduler was stopping.");
  w.Sample({}, double(s.rejected));
  w.Family("colony_scheduler_recent_queue_delay_seconds", MetricType::kGauge,
           "How long ready tasks recently waited before running (the "
           "largest worker average), in seconds.");
  w.Sample({}, absl::ToDoubleSeconds(scheduler.RecentQueueDelay()));
  w.Family("colony_stacks", MetricType::kGauge,
           "Coroutine stacks of the process, by state: in use, pooled with "
           "their pages resident (warm), pooled with their pages given back "
           "(cold).");
  w.Sample({{"state", "in_use"}}, double(s.stacks.in_use));
  w.Sample({{"state", "warm"}}, double(s.stacks.warm));
  w.Sample({{"state", "cold"}}, double(s.stacks.cold));
  w.Family("colony_stack_reserved_bytes", MetricType::kGauge,
           "Address space reserved for pooled coroutine stacks, in bytes.");
  w.Sample({}, double(s.stacks.reserved_bytes));
  w.Family("colony_blocking_threads", MetricType::kGauge,
           "Threads in the blocking pool.");
  w.Sample({}, double(s.blocking_threads));
  w.Family("colony_blocking_queued", MetricType::kGauge,
           "SpawnBlocking calls waiting for a thread.");
  w.Sample({}, double(s.blocking_queued));

  w.Family("colony_net_registered_fds", MetricType::kGauge,
           "Descriptors registered with the I/O poller.");
  w.Sample({}, double(s.io.registered_fds));
  w.Family("colony_net_io_waiters", MetricType::kGauge,
           "Tasks and threads waiting on I/O.");
  w.Sample({}, double(s.io.io_waiters));
  w.Family("colony_net_polls_total", MetricType::kCounter,
           "Polls of the I/O poller, by who polled.");
  w.Sample({{"kind", "blocking"}}, double(s.io.polls_blocking));
  w.Sample({{"kind", "busy"}}, double(s.io.polls_busy));
  w.Sample({{"kind", "monitor"}}, double(s.io.polls_monitor));
  w.Family("colony_net_ready_events_total", MetricType::kCounter,
           "Readiness events that woke or latched a direction.");
  w.Sample({}, double(s.io.ready_events));
  w.Family("colony_net_stale_events_total", MetricType::kCounter,
           "Readiness events dropped because their descriptor was reused.");
  w.Sample({}, double(s.io.stale_events));
}

void WriteBuildInfo(std::string_view version, PrometheusWriter& w) {
  w.Family("colonyd_build_info", MetricType::kGauge,
           "Always 1; the labels describe the build.");
  w.Sample({{"version", version.empty() ? "unknown" : version},
            {"compiler", kCompiler},
            {"mode", kBuildMode}},
           1);
}

std::string MetricsPage(const Scheduler& scheduler, const AdminHooks& hooks) {
  PrometheusWriter w;
  WriteSchedulerMetrics(scheduler, w);
  metrics::WriteProcessMetrics(w);
  WriteBuildInfo(hooks.version, w);
  if (hooks.write_metrics) hooks.write_metrics(w);
  return w.text();
}

std::string SchedulerJson(const Scheduler& scheduler) {
  const SchedulerStats s = scheduler.Stats();
  nlohmann::json j = SchedulerSummary(scheduler, s);
  j["spawned_remote"] = s.spawned_remote;
  j["rejected"] = s.rejected;
  j["monitor_wakes"] = s.monitor_wakes;
  j["global_queue_depth"] = s.global_queue_depth;
  nlohmann::json workers = nlohmann::json::array();
  for (const WorkerStats& ws : s.workers) {
    workers.push_back({
        {"spawned", ws.spawned},
        {"completed", ws.completed},
        {"switches", ws.switches},
        {"steal_attempts", ws.steal_attempts},
        {"steals", ws.steals},
        {"stolen_tasks", ws.stolen_tasks},
        {"parks", ws.parks},
        {"unparks", ws.unparks},
        {"stalls", ws.stalls},
        {"global_pops", ws.global_pops},
        {"overflows", ws.overflows},
        {"timers_fired", ws.timers_fired},
        {"timers", ws.timers},
        {"queue_depth", ws.queue_depth},
        {"busy_seconds", ws.busy_ns / 1e9},
        {"queue_delay_seconds", ws.queue_delay_ns / 1e9},
        {"parked", ws.parked},
        {"stalled", ws.stalled},
        {"searching", ws.searching},
    });
  }
  j["worker_stats"] = std::move(workers);
  j["io"] = {
      {"registered_fds", s.io.registered_fds},
      {"ready_events", s.io.ready_events},
      {"stale_events", s.io.stale_events},
      {"polls_blocking", s.io.polls_blocking},
      {"polls_busy", s.io.polls_busy},
      {"polls_monitor", s.io.polls_monitor},
      {"breaks", s.io.breaks},
      {"io_waiters", s.io.io_waiters},
  };
  return j.dump(2) + "\n";
}

std::string InfoJson(const Scheduler& scheduler, const AdminHooks& hooks) {
  nlohmann::json j;
  j["scheduler"] = SchedulerSummary(scheduler, scheduler.Stats());
  j["version"] = hooks.version.empty() ? "unknown" : hooks.version;
  if (hooks.info_json) {
    const std::string daemon = hooks.info_json();
    nlohmann::json parsed = nlohmann::json::parse(daemon, nullptr,
                                                  /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      spdlog::warn("admin: the daemon's info is not valid JSON");
      j["daemon_error"] = daemon;
    } else {
      j["daemon"] = std::move(parsed);
    }
  }
  return j.dump(2) + "\n";
}

std::optional<std::string> QueryValue(std::string_view query,
                                      std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (Decode(pair.substr(0, eq)) != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return Decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseKeyValues(
    std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    const size_t end = body.find_first_of("\n&");
    const std::string_view entry = Trim(body.substr(0, end));
    body = end == std::string_view::npos ? std::string_view()
                                         : body.substr(end + 1);
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    std::string key = Decode(Trim(entry.substr(0, std::min(eq, entry.size()))));
    if (eq == std::string_view::npos || key.empty()) {
      return absl::InvalidArgumentError("expected key=value, got \"" +
                                        std::string(entry.substr(0, 80)) +
                                        "\"");
    }
    if (out.size() == kMaxConfigEntries) {
      return absl::InvalidArgumentError("more than " +
                                        std::to_string(kMaxConfigEntries) +
                                        " entries in one request");
    }
    out.emplace_back(std::move(key), Decode(Trim(entry.substr(eq + 1))));
  }
  return out;
}

absl::Status SetLogLevel(std::string_view level) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum>
      kLevels[] = {{"trace", spdlog::level::trace},
                   {"debug", spdlog::level::debug},
                   {"info", spdlog::level::info},
                   {"warn", spdlog::level::warn},
                   {"warning", spdlog::level::warn},
                   {"error", spdlog::level::err},
                   {"critical", spdlog::level::critical},
                   {"off", spdlog::level::off}};
  for (const auto& [name, value] : kLevels) {
    if (name == level) {
      spdlog::set_level(value);
      spdlog::info("admin: log level set to {}", name);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      "unknown log level \"" + std::string(level.substr(0, 40)) +
      "\" (want trace, debug, info, warn, error, critical or off)");
}

}  // namespace colony::daemon::admin_internal
