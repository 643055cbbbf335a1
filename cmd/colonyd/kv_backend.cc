// Copyright 2026 The Colony Authors.
//
// The built-in `kv` backend: a Redis-compatible key-value server
// (//kv:kv) on colonyd's scheduler, with the daemon's connection rules
// (maxclients with Redis' refusal, drain) from TcpService, and an active
// expiry task. See docs/kv.md.
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/backend.h"
#include "daemon/tcp_service.h"
#include "kv/kv_server.h"
#include "metrics/prometheus.h"
#include "net/socket_address.h"
#include "scheduler/blocking.h"
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

ABSL_FLAG(bool, kv_appendonly, false,
          "Keep the kv data in an append-only file (Redis' appendonly): "
          "loaded at start, written as commands execute.");
ABSL_FLAG(std::string, kv_appendfsync, "everysec",
          "When the append-only file is fsynced: always (before each reply), "
          "everysec, no. Also CONFIG SET appendfsync.");
ABSL_FLAG(std::string, kv_dir, ".",
          "Directory of the append-only file (Redis' dir).");
ABSL_FLAG(std::string, kv_appendfilename, "appendonly.aof",
          "Name of the append-only file in --kv_dir.");
ABSL_FLAG(bool, kv_aof_load_truncated, true,
          "Start when the append-only file ends inside a command (a crash "
          "during a write), dropping that command (Redis' "
          "aof-load-truncated).");
ABSL_FLAG(bool, kv_aof_load_corrupt, false,
          "Start even when the append-only file is corrupt in the middle, "
          "dropping everything from the corrupt part on (otherwise the "
          "start fails naming the offset).");
ABSL_FLAG(int32_t, kv_auto_aof_rewrite_percentage, 100,
          "Rewrite the append-only file when it grew this many percent over "
          "its size after the last rewrite; 0: never. Also CONFIG SET.");
ABSL_FLAG(std::string, kv_auto_aof_rewrite_min_size, "64mb",
          "Smallest append-only file that is rewritten automatically.");

namespace colony {
namespace daemon {
namespace {

class KvBackend : public Backend {
 public:
  std::string_view name() const override { return "kv"; }
  std::vector<std::string> config_keys() const override {
    return {"kv_enabled",
            "kv_listen",
            "kv_maxclients",
            "kv_requirepass",
            "kv_notify_keyspace_events",
            "kv_appendonly",
            "kv_appendfsync",
            "kv_dir",
            "kv_appendfilename",
            "kv_aof_load_truncated",
            "kv_aof_load_corrupt",
            "kv_auto_aof_rewrite_percentage",
            "kv_auto_aof_rewrite_min_size"};
  }
  std::vector<std::string> mutable_config_keys() const override {
    return {"kv_maxclients",
            "kv_requirepass",
            "kv_notify_keyspace_events",
            "kv_appendfsync",
            "kv_auto_aof_rewrite_percentage",
            "kv_auto_aof_rewrite_min_size"};
  }
  bool enabled() const override { return absl::GetFlag(FLAGS_kv_enabled); }

  absl::Status Start(BackendContext& context) override {
    absl::StatusOr<TcpListener> listener =
        context.Listen("kv", absl::GetFlag(FLAGS_kv_listen));
    if (!listener.ok()) return listener.status();
    if (auto a = listener->LocalAddress(); a.ok()) server_.set_port(a->port());
    ApplyFlags();
    {
      // The data first: nothing is accepted until it is loaded.
      kv::KvConfig& c = server_.config();
      for (const auto& [key, value] :
           {std::pair<const char*, std::string>{
                "appendonly",
                absl::GetFlag(FLAGS_kv_appendonly) ? "yes" : "no"},
            {"dir", absl::GetFlag(FLAGS_kv_dir)},
            {"appendfilename", absl::GetFlag(FLAGS_kv_appendfilename)},
            {"aof-load-truncated",
             absl::GetFlag(FLAGS_kv_aof_load_truncated) ? "yes" : "no"}}) {
        if (absl::Status s = c.Set(key, value); !s.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("kv: ", key, ": ", s.message()));
        }
      }
      kv::AofLoadOptions load;
      load.load_truncated = absl::GetFlag(FLAGS_kv_aof_load_truncated);
      load.load_corrupt = absl::GetFlag(FLAGS_kv_aof_load_corrupt);
      // On the blocking pool: file I/O, and a deep stack for the replay.
      if (absl::Status s =
              SpawnBlocking([this, &load] { return StartPersistence(load); });
          !s.ok()) {
        return absl::FailedPreconditionError(absl::StrCat("kv: ", s.message()));
      }
    }
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
          // An unparsable value reads as 0: keep-alive off.
          static_cast<void>(absl::SimpleAtoi(
              server_.config().Value("tcp-keepalive"), &keepalive));
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
            // An unparsable value reads as 0: once a second, as below.
            static_cast<void>(
                absl::SimpleAtoi(server_.config().Value("hz"), &hz));
            colony::SleepFor(absl::Milliseconds(1000 / std::max(1, hz)));
            server_.ExpireCycle(kv::NowMs());
            server_.MaybeAutoRewrite();
          }
        },
        {.name = "kv-active-expiry"});
    return absl::OkStatus();
  }

  void StopAccepting() override { service_->StopAccepting(); }
  void Drain(Deadline deadline) override {
    service_->Drain(deadline);
    // After the last client: with appendonly off, a snapshot if SHUTDOWN
    // SAVE or the save points ask for one and something changed since
    // the last; with appendonly on, what is buffered goes to disk.
    if (server_.aof() == nullptr) {
      const kv::KvServer::StopSave policy = server_.stop_save();
      const bool save = policy == kv::KvServer::StopSave::kSave ||
                        (policy == kv::KvServer::StopSave::kByConfig &&
                         !server_.config().Value("save").empty());
      if (save && server_.stats().dirty.load() != server_.dirty_at_save()) {
        spdlog::info("kv: writing a snapshot before exit");
        absl::Status s = SpawnBlocking([this] { return Snapshot(); });
        if (!s.ok()) spdlog::error("kv: snapshot at exit: {}", s.ToString());
      }
    }
    server_.StopPersistence();
  }

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
  // StartPersistence() loads the data: the append-only file with
  // appendonly on; with it off, a snapshot that SAVE, BGSAVE or SHUTDOWN
  // SAVE left at the same path, if there is one (as Redis loads its RDB
  // file).
  absl::Status StartPersistence(const kv::AofLoadOptions& load) {
    if (server_.config().Value("appendonly") == "yes") {
      return server_.StartPersistence(load);
    }
    const std::string path = server_.aof_path();
    if (::access(path.c_str(), F_OK) != 0) return absl::OkStatus();
    absl::StatusOr<kv::AofLoadResult> loaded = kv::LoadAof(server_, path, load);
    if (!loaded.ok()) return loaded.status();
    spdlog::info("kv: loaded {} commands ({} bytes) from the snapshot {}",
                 loaded->commands, loaded->size, path);
    return absl::OkStatus();
  }

  // Snapshot() writes a snapshot, waiting for one under way to end.
  absl::Status Snapshot() {
    for (;;) {
      absl::Status s = server_.Rewrite();
      if (!absl::IsAlreadyExists(s)) return s;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

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
    set("appendfsync", absl::GetFlag(FLAGS_kv_appendfsync));
    set("auto-aof-rewrite-percentage",
        absl::StrCat(absl::GetFlag(FLAGS_kv_auto_aof_rewrite_percentage)));
    set("auto-aof-rewrite-min-size",
        absl::GetFlag(FLAGS_kv_auto_aof_rewrite_min_size));
  }

  kv::KvServer server_;
  std::unique_ptr<TcpService> service_;
};

COLONYD_REGISTER_BACKEND("kv", KvBackend);

}  // namespace
}  // namespace daemon
}  // namespace colony
