// Copyright 2026 The Colony Authors.
//
// A line-protocol backend for the daemon's integration tests, linked into
// a daemon with colonyd_binary() as a user's backend would be. Each line
// gets a reply:
//   "SLEEP <ms>"  sleeps that long (a request in flight), then "slept <ms>"
//   anything else "echo: <line>"
// Over maxclients a connection gets "-ERR max number of clients reached".

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daemon/backend.h"
#include "daemon/tcp_service.h"
#include "net/buffered.h"
#include "scheduler/scheduler.h"

ABSL_FLAG(std::string, echo_listen, "127.0.0.1:0",
          "Address of the test echo backend.");
ABSL_FLAG(bool, echo_enabled, true, "Serve the test echo backend.");
ABSL_FLAG(int32_t, echo_maxclients, 1000,
          "Most echo connections at once. Mutable.");

namespace colony {
namespace daemon {
namespace {

class EchoBackend : public Backend {
 public:
  std::string_view name() const override { return "echo"; }
  std::vector<std::string> config_keys() const override {
    return {"echo_listen", "echo_enabled", "echo_maxclients"};
  }
  std::vector<std::string> mutable_config_keys() const override {
    return {"echo_maxclients"};
  }
  bool enabled() const override { return absl::GetFlag(FLAGS_echo_enabled); }

  absl::Status Start(BackendContext& context) override {
    absl::StatusOr<TcpListener> listener =
        context.Listen("echo", absl::GetFlag(FLAGS_echo_listen));
    if (!listener.ok()) return listener.status();
    service_ = std::make_unique<TcpService>(
        TcpServiceOptions{.name = "echo",
                          .max_clients = absl::GetFlag(FLAGS_echo_maxclients),
                          .refusal = "-ERR max number of clients reached\n"},
        [](TcpConnection& conn) { Serve(conn); });
    service_->Start(context.scheduler(), context.scope(), *std::move(listener));
    return absl::OkStatus();
  }

  void StopAccepting() override { service_->StopAccepting(); }
  void Drain(Deadline deadline) override { service_->Drain(deadline); }

  void OnConfigChanged(std::string_view key) override {
    if (service_ != nullptr) {
      service_->SetMaxClients(absl::GetFlag(FLAGS_echo_maxclients));
    }
  }

  std::string InfoJson() const override {
    TcpServiceStats s = service_ ? service_->Stats() : TcpServiceStats{};
    return absl::StrCat("{\"accepted\": ", s.accepted,
                        ", \"refused\": ", s.refused,
                        ", \"active\": ", s.active, "}");
  }

 private:
  static void Serve(TcpConnection& conn) {
    BufferedReader in(conn.stream());
    while (conn.WaitForRequest()) {
      absl::StatusOr<std::string> line = in.ReadLine(4096);
      if (!conn.BeginRequest(line.ok())) return;
      std::string reply;
      int64_t ms = 0;
      if (absl::StartsWith(*line, "SLEEP ") &&
          absl::SimpleAtoi(line->substr(6), &ms)) {
        colony::SleepFor(absl::Milliseconds(ms));
        reply = absl::StrCat("slept ", ms, "\n");
      } else {
        reply = absl::StrCat("echo: ", *line, "\n");
      }
      if (!conn.stream().WriteAll(reply).ok()) return;
    }
  }

  std::unique_ptr<TcpService> service_;
};

COLONYD_REGISTER_BACKEND("echo", EchoBackend);

}  // namespace
}  // namespace daemon
}  // namespace colony
