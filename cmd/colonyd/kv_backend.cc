// Copyright 2026 The Colony Authors.
//
// The built-in `kv` backend: a Redis-compatible key-value server
// (//kv:kv) on colonyd's scheduler, with the daemon's connection rules
// (maxclients with Redis' refusal, drain) from TcpService, and an active
// expiry task. See docs/kv.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "daemon/backend.h"
#include "daemon/tcp_service.h"
#include "kv/kv_server.h"
#include "metrics/prometheus.h"
#include "net/socket_address.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(bool, kv_enabled, true, "Serve the Redis-compatible kv backend.");
ABSL_FLAG(std::string, kv_listen, "127.0.0.1:6379",
          "Address of the kv backend (RESP).");
ABSL_FLAG(int32_t, kv_maxclients, 10000,
          "Most kv connections at once; past it new ones get Redis' 'max "
          "number of clients reached' error. Also CONFIG SET maxclients.");
ABSL_FLAG(std::string, kv_requirepass, "",
          "Password clients must AUTH with; empty: none. Also CONFIG SET "
          "requirepass.");
ABSL_FLAG(std::string, kv_notify_keyspace_events, "",
          "Keyspace notification classes, as Redis' notify-keyspace-events.");

namespace colony {
namespace daemon {
namespace {

class KvBackend : public Backend {
 public:
  std::string_view name() const override { return "kv"; }
  std::vector<std::string> config_keys() const override {
    return {"kv_enabled", "kv_listen", "kv_maxclients", "kv_requirepass",
            "kv_notify_keyspace_events"};
  }
  std::vector<std::string> mutable_config_keys() const override {
    return {"kv_maxclients", "kv_requirepass", "kv_notify_keyspace_events"};
  }
  bool enabled() const override { return absl::GetFlag(FLAGS_kv_enabled); }

  absl::Status Start(BackendContext& context) override {
    absl::StatusOr<TcpListener> listener =
        context.Listen("kv", absl::GetFlag(FLAGS_kv_listen));
    if (!listener.ok()) return listener.status();
    if (auto a = listener->LocalAddress(); a.ok()) server_.set_port(a->port());
    ApplyFlags();
    service_ = std::make_unique<TcpService>(
        TcpServiceOptions{.name = "kv",
                          .max_clients = absl::GetFlag(FLAGS_kv_maxclients),
                          .refusal = "-ERR max number of clients reached\r\n"},
        [this](TcpConnection& conn) {
          kv::ServeHooks hooks;
          hooks.wait_for_request = [&conn] { return conn.WaitForRequest(); };
          hooks.begin_request = [&conn](bool got) {
            return conn.BeginRequest(got);
          };
          conn.stream().SetNoDelay(true).IgnoreError();
          int keepalive = 0;
          absl::SimpleAtoi(server_.config().Value("tcp-keepalive"), &keepalive);
          if (keepalive > 0) {
            conn.stream().SetKeepAlive(absl::Seconds(keepalive)).IgnoreError();
          }
          server_.Serve(conn.stream(), hooks);
        });
    server_.config().OnChange("maxclients", [this](const std::string& v) {
      int n;
      if (service_ != nullptr && absl::SimpleAtoi(v, &n)) {
        service_->SetMaxClients(n);
      }
    });
    service_->Start(context.scheduler(), context.scope(), *std::move(listener));
    // Active expiry: every 1/hz seconds, delete what has expired.
    context.scope().Spawn(
        [this] {
          for (;;) {
            int hz = 10;
            absl::SimpleAtoi(server_.config().Value("hz"), &hz);
            colony::SleepFor(absl::Milliseconds(1000 / std::max(1, hz)));
            server_.ExpireCycle(kv::NowMs());
          }
        },
        {.name = "kv-active-expiry"});
    return absl::OkStatus();
  }

  void StopAccepting() override { service_->StopAccepting(); }
  void Drain(Deadline deadline) override { service_->Drain(deadline); }

  void OnConfigChanged(std::string_view key) override { ApplyFlags(); }

  void WriteMetrics(metrics::PrometheusWriter& w) const override {
    kv::KvStats& s = const_cast<kv::KvServer&>(server_).stats();
    using metrics::MetricType;
    w.Family("colonyd_kv_commands_total", MetricType::kCounter,
             "Commands executed.");
    w.Sample({}, static_cast<double>(s.commands_processed.load()));
    w.Family("colonyd_kv_connections_total", MetricType::kCounter,
             "Connections accepted.");
    w.Sample({}, static_cast<double>(s.connections_received.load()));
    w.Family("colonyd_kv_clients", MetricType::kGauge, "Connected clients.");
    w.Sample({}, static_cast<double>(s.connected_clients.load()));
    w.Family("colonyd_kv_blocked_clients", MetricType::kGauge,
             "Clients waiting in a blocking command.");
    w.Sample({}, static_cast<double>(s.blocked_clients.load()));
    w.Family("colonyd_kv_expired_keys_total", MetricType::kCounter,
             "Keys deleted because their time came.");
    w.Sample({}, static_cast<double>(s.expired_keys.load()));
    w.Family("colonyd_kv_protocol_errors_total", MetricType::kCounter,
             "Connections closed for breaking the protocol.");
    w.Sample({}, static_cast<double>(s.protocol_errors.load()));
  }

  std::string InfoJson() const override {
    TcpServiceStats t = service_ ? service_->Stats() : TcpServiceStats{};
    kv::KvStats& s = const_cast<kv::KvServer&>(server_).stats();
    return absl::StrCat("{\"accepted\": ", t.accepted,
                        ", \"refused\": ", t.refused,
                        ", \"active\": ", t.active,
                        ", \"commands\": ", s.commands_processed.load(), "}");
  }

 private:
  // ApplyFlags() copies the kv_ flags into the server's configuration.
  void ApplyFlags() {
    kv::KvConfig& c = server_.config();
    auto set = [&](const char* key, const std::string& value) {
      const absl::Status s = c.Set(key, value);
      if (!s.ok()) spdlog::error("kv: {}: {}", key, s.ToString());
    };
    set("maxclients", absl::StrCat(absl::GetFlag(FLAGS_kv_maxclients)));
    set("requirepass", absl::GetFlag(FLAGS_kv_requirepass));
    set("notify-keyspace-events",
        absl::GetFlag(FLAGS_kv_notify_keyspace_events));
  }

  kv::KvServer server_;
  std::unique_ptr<TcpService> service_;
};

COLONYD_REGISTER_BACKEND("kv", KvBackend);

}  // namespace
}  // namespace daemon
}  // namespace colony
