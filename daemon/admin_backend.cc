// Copyright 2026 The Colony Authors.

#include "daemon/admin_backend.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "daemon/admin/admin_server.h"
#include "daemon/daemon_flags.h"
#include "daemon/logging.h"
#include "http/server.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {
namespace {

class AdminBackend : public Backend {
 public:
  explicit AdminBackend(Daemon& daemon) : daemon_(daemon) {}

  std::string_view name() const override { return "admin"; }
  std::vector<std::string> config_keys() const override {
    return {"admin_listen", "admin_enabled", "admin_maxclients"};
  }

  absl::Status Start(BackendContext& context) override {
    absl::StatusOr<TcpListener> listener =
        context.Listen("admin", absl::GetFlag(FLAGS_admin_listen));
    if (!listener.ok()) return listener.status();
    listener_ = *std::move(listener);
    Daemon& d = daemon_;
    AdminHooks hooks;
    hooks.ready = [&d] { return d.ready(); };
    hooks.write_metrics = [&d](metrics::PrometheusWriter& w) {
      WriteDaemonMetrics(d, w);
    };
    hooks.info_json = [&d] { return d.InfoJson(); };
    hooks.config_json = [&d] { return d.ConfigJson(); };
    hooks.set_config = [&d](std::string_view key, std::string_view value) {
      return d.SetConfig(key, value);
    };
    hooks.set_log_level = [&d](std::string_view level) {
      return d.SetLogLevel(level);
    };
    hooks.drain = [&d] { d.RequestDrain(); };
    hooks.quit = [&d] { d.RequestShutdown(); };
    hooks.version = d.version();
    admin_ =
        std::make_unique<AdminServer>(context.scheduler(), std::move(hooks));
    http::ServerOptions options;
    options.name = "admin";
    options.max_connections =
        static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_admin_maxclients)));
    server_ = std::make_unique<http::Server>(options, admin_->handler());
    http::Server* server = server_.get();
    TcpListener* l = &listener_;
    context.scope().Spawn(
        [server, l] {
          absl::Status s = server->Serve(*l);
          if (!s.ok()) spdlog::error("admin: serve: {}", s.ToString());
        },
        {.name = "admin-accept"});
    return absl::OkStatus();
  }

  void StopAccepting() override {
    if (server_ == nullptr) return;
    server_->StopAccepting();
    listener_.Close().IgnoreError();
  }

  void Drain(Deadline deadline) override {
    if (server_ != nullptr) server_->Drain(deadline);
  }

 private:
  Daemon& daemon_;
  TcpListener listener_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<http::Server> server_;
};

const bool kInstalled = [] {
  Daemon::SetAdminFactory([](Daemon& d) -> std::unique_ptr<Backend> {
    return std::make_unique<AdminBackend>(d);
  });
  return true;
}();

}  // namespace

void WriteDaemonMetrics(const Daemon& daemon, metrics::PrometheusWriter& w) {
  using metrics::MetricType;
  w.Family("colonyd_ready", MetricType::kGauge,
           "1 while the daemon is ready (/readyz), 0 while starting or "
           "draining.");
  w.Sample({}, daemon.ready() ? 1 : 0);
  w.Family("colonyd_log_dropped_total", MetricType::kCounter,
           "Log lines dropped because the log queue was full.");
  w.Sample({}, static_cast<double>(DroppedLogLines()));
  w.Family("colonyd_config_reloads_total", MetricType::kCounter,
           "Config file reloads (SIGHUP), by result.");
  w.Sample({{"result", "ok"}}, static_cast<double>(daemon.config_reloads()));
  w.Sample({{"result", "failed"}},
           static_cast<double>(daemon.config_reload_failures()));
  w.Family("colonyd_run_queue_delay_seconds", MetricType::kGauge,
           "How long ready tasks recently waited in the run queues (the "
           "overload sensor's input).");
  w.Sample({}, absl::ToDoubleSeconds(daemon.RecentQueueDelay()));
  w.Family("colonyd_overloaded", MetricType::kGauge,
           "1 while the run-queue delay exceeds --overload_queue_delay "
           "(backends shed load).");
  w.Sample({}, daemon.Overloaded() ? 1 : 0);
  for (const auto& b : daemon.backends()) {
    if (b->enabled()) b->WriteMetrics(w);
  }
}

}  // namespace daemon
}  // namespace colony
