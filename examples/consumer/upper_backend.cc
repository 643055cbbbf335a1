// Copyright 2026 The Colony Authors.
//
// A backend of this workspace's own, hosted by a daemon built with
// colonyd_binary(): a line protocol that answers each line upper-cased.
// It owns its config keys (Abseil flags, so also config-file keys and
// COLONYD_UPPER_* variables) and uses colonyd's TcpService for the accept
// loop, maxclients and the drain.

#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "daemon/backend.h"
#include "daemon/tcp_service.h"
#include "net/buffered.h"

ABSL_FLAG(std::string, upper_listen, "127.0.0.1:7070",
          "Address of the upper-case echo backend.");
ABSL_FLAG(bool, upper_enabled, true, "Serve the upper-case echo backend.");
ABSL_FLAG(int32_t, upper_maxclients, 1000,
          "Most upper-case echo connections at once. Mutable.");

namespace consumer {

class UpperBackend : public colony::daemon::Backend {
 public:
  std::string_view name() const override { return "upper"; }
  std::vector<std::string> config_keys() const override {
    return {"upper_listen", "upper_enabled", "upper_maxclients"};
  }
  std::vector<std::string> mutable_config_keys() const override {
    return {"upper_maxclients"};
  }
  bool enabled() const override { return absl::GetFlag(FLAGS_upper_enabled); }

  absl::Status Start(colony::daemon::BackendContext& context) override {
    auto listener = context.Listen("upper", absl::GetFlag(FLAGS_upper_listen));
    if (!listener.ok()) return listener.status();
    service_ = std::make_unique<colony::daemon::TcpService>(
        colony::daemon::TcpServiceOptions{
            .name = "upper",
            .max_clients = absl::GetFlag(FLAGS_upper_maxclients),
            .refusal = "ERROR too many clients\n"},
        [](colony::daemon::TcpConnection& conn) { Serve(conn); });
    service_->Start(context.scheduler(), context.scope(), *std::move(listener));
    return absl::OkStatus();
  }

  void StopAccepting() override { service_->StopAccepting(); }
  void Drain(colony::Deadline deadline) override { service_->Drain(deadline); }

  void OnConfigChanged(std::string_view) override {
    if (service_)
      service_->SetMaxClients(absl::GetFlag(FLAGS_upper_maxclients));
  }

  std::string InfoJson() const override {
    auto s = service_ ? service_->Stats() : colony::daemon::TcpServiceStats{};
    return absl::StrCat("{\"accepted\": ", s.accepted,
                        ", \"active\": ", s.active, "}");
  }

 private:
  static void Serve(colony::daemon::TcpConnection& conn) {
    colony::BufferedReader in(conn.stream());
    while (conn.WaitForRequest()) {
      auto line = in.ReadLine(/*max=*/4096);
      if (!conn.BeginRequest(line.ok())) return;
      std::string reply = *line;
      for (char& c : reply) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      reply += '\n';
      if (!conn.stream().WriteAll(reply).ok()) return;
    }
  }

  std::unique_ptr<colony::daemon::TcpService> service_;
};

COLONYD_REGISTER_BACKEND("upper", UpperBackend);

}  // namespace consumer
