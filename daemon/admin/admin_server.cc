// Copyright 2026 The Colony Authors.

#include "daemon/admin/admin_server.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "daemon/admin/internal/admin_pages.h"
#include "daemon/admin/internal/dashboard.h"
#include "metrics/prometheus.h"
#include "scheduler/blocking.h"
#include "scheduler/dump.h"
#include "spdlog/spdlog.h"

namespace colony::daemon {
namespace {

using admin_internal::QueryValue;

// /debug/coroutines lists at most this many tasks unless ?limit= says
// otherwise, and never more than kMaxDumpTasks: the page is built in memory.
constexpr size_t kDefaultDumpTasks = 10'000;
constexpr size_t kMaxDumpTasks = 200'000;

http::Response Status(int code, std::string text) {
  return http::Response::Text(code, std::move(text) + "\n");
}

http::Response NotHandled(const char* what) {
  return Status(501, std::string("this daemon does not support ") + what);
}

}  // namespace

struct AdminServer::State {
  Scheduler* scheduler;
  AdminHooks hooks;
};

AdminServer::AdminServer(Scheduler& scheduler, AdminHooks hooks)
    : state_(std::make_shared<State>(State{&scheduler, std::move(hooks)})) {
  const std::shared_ptr<State> st = state_;
  auto route = [&](std::string_view method, std::string_view path,
                   http::Handler handler) {
    const absl::Status s = router_.Handle(method, path, std::move(handler));
    if (!s.ok()) {
      spdlog::critical("admin: cannot route {} {}: {}", method, path,
                       s.ToString());
    }
  };

  route("GET", "/", [](http::RequestContext&) {
    http::Response r =
        http::Response::Text(200, std::string(admin_internal::DashboardHtml()));
    r.headers.clear();
    r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
  route("GET", "/metrics", [st](http::RequestContext&) {
    http::Response r = http::Response::Text(
        200, admin_internal::MetricsPage(*st->scheduler, st->hooks));
    r.headers.clear();
    r.headers.emplace_back(
        "Content-Type", std::string(metrics::PrometheusWriter::kContentType));
    return r;
  });
  route("GET", "/healthz",
        [](http::RequestContext&) { return Status(200, "ok"); });
  route("GET", "/readyz", [st](http::RequestContext&) {
    if (st->hooks.ready && !st->hooks.ready()) {
      return Status(503, "not ready");
    }
    return Status(200, "ready");
  });
  route("GET", "/info", [st](http::RequestContext&) {
    return http::Response::Json(
        200, admin_internal::InfoJson(*st->scheduler, st->hooks));
  });
  route("GET", "/debug/scheduler", [st](http::RequestContext&) {
    return http::Response::Json(200,
                                admin_internal::SchedulerJson(*st->scheduler));
  });
  route("GET", "/debug/config", [st](http::RequestContext&) {
    if (!st->hooks.config_json) return NotHandled("a configuration dump");
    return http::Response::Json(200, st->hooks.config_json() + "\n");
  });
  route("GET", "/debug/coroutines", [st](http::RequestContext& ctx) {
    const std::string_view query = ctx.request.query;
    const std::optional<std::string> group = QueryValue(query, "group");
    const bool grouped = group.has_value() && *group != "0";
    size_t limit = kDefaultDumpTasks;
    if (std::optional<std::string> l = QueryValue(query, "limit")) {
      if (!absl::SimpleAtoi(*l, &limit) || limit == 0) {
        return Status(400, "limit must be a positive integer, got \"" +
                               l->substr(0, 40) + "\"");
      }
      limit = std::min(limit, kMaxDumpTasks);
    }
    const size_t live = st->scheduler->Stats().live_tasks;
    std::vector<TaskInfo> tasks =
        st->scheduler->Dump({.backtraces = true, .max_tasks = limit});
    // Symbolizing reads the binary's symbol tables: off the worker.
    std::string text =
        SpawnBlocking([&] { return FormatTaskDump(tasks, grouped); });
    std::string head = std::to_string(tasks.size()) + " tasks listed";
    if (tasks.size() < live) {
      head += " (of about " + std::to_string(live) +
              " live; raise ?limit= to see more)";
    }
    return Status(200, head + "\n\n" + text);
  });

  route("POST", "/loglevel", [st](http::RequestContext& ctx) {
    std::string level;
    if (std::optional<std::string> q = QueryValue(ctx.request.query, "level")) {
      level = *q;
    } else {
      std::string_view body = ctx.body;
      if (body.substr(0, 6) == "level=") body.remove_prefix(6);
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r' ||
                               body.back() == ' ')) {
        body.remove_suffix(1);
      }
      level = std::string(body);
    }
    if (level.empty()) {
      return Status(400, "no level given (body or ?level=)");
    }
    const absl::Status s = st->hooks.set_log_level
                               ? st->hooks.set_log_level(level)
                               : admin_internal::SetLogLevel(level);
    if (!s.ok()) return Status(400, std::string(s.message()));
    return Status(200, "log level " + level);
  });
  route("POST", "/config", [st](http::RequestContext& ctx) {
    if (!st->hooks.set_config) return NotHandled("run-time configuration");
    auto entries = admin_internal::ParseKeyValues(ctx.body);
    if (!entries.ok())
      return Status(400, std::string(entries.status().message()));
    if (entries->empty()) return Status(400, "no key=value in the body");
    std::string done;
    for (const auto& [key, value] : *entries) {
      const absl::Status s = st->hooks.set_config(key, value);
      if (!s.ok()) {
        return Status(400,
                      done + "error: " + key + ": " + std::string(s.message()));
      }
      spdlog::info("admin: config {} = {}", key, value);
      done += key + " = " + value + "\n";
    }
    return http::Response::Text(200, done);
  });
  route("POST", "/drain", [st](http::RequestContext&) {
    if (!st->hooks.drain) return NotHandled("draining");
    spdlog::info("admin: drain requested");
    st->hooks.drain();
    return Status(202, "draining");
  });
  route("POST", "/quitquitquit", [st](http::RequestContext&) {
    if (!st->hooks.quit) return NotHandled("quitting");
    spdlog::info("admin: quit requested");
    st->hooks.quit();
    return Status(202, "quitting");
  });
}

AdminServer::~AdminServer() = default;

http::Handler AdminServer::handler() const { return router_.handler(); }

}  // namespace colony::daemon
