// Copyright 2026 The Colony Authors.
//
// The built-in `http` backend: //http:server with the built-in handlers
// of //http:handlers (TechEmpower-style plaintext and JSON hellos, a
// request echo, static files), the daemon's overload sensor, maxclients
// and run-time limits.

#include "cmd/colonyd/http_backend.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "daemon/backend.h"
#include "daemon/config.h"
#include "http/handlers.h"
#include "http/server.h"
#include "metrics/prometheus.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(bool, http_enabled, true, "Serve the HTTP backend.");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:8080",
          "Address of the HTTP backend.");
ABSL_FLAG(int32_t, http_maxclients, 10000,
          "Most HTTP connections at once; past it new ones get 503 and are "
          "closed. Mutable.");
ABSL_FLAG(std::string, http_static_dir, "",
          "Serve the files under this directory at /static/; empty: no "
          "static files.");
ABSL_FLAG(absl::Duration, http_header_read_timeout, absl::Seconds(10),
          "Time allowed for a request head (408 past it; slowloris). "
          "Mutable.");
ABSL_FLAG(absl::Duration, http_idle_timeout, absl::Seconds(60),
          "Idle keep-alive connections are closed after this. Mutable.");
ABSL_FLAG(absl::Duration, http_write_timeout, absl::Seconds(30),
          "Time allowed for writing a response. Mutable.");
ABSL_FLAG(int64_t, http_max_body_bytes, 1 << 20,
          "Largest request body (413 past it). Mutable.");

namespace colony {
namespace daemon {

HttpBackend::HttpBackend() = default;
HttpBackend::~HttpBackend() = default;

std::vector<std::string> HttpBackend::config_keys() const {
  return {"http_enabled",
          "http_listen",
          "http_maxclients",
          "http_static_dir",
          "http_header_read_timeout",
          "http_idle_timeout",
          "http_write_timeout",
          "http_max_body_bytes"};
}

std::vector<std::string> HttpBackend::mutable_config_keys() const {
  return {"http_maxclients", "http_header_read_timeout", "http_idle_timeout",
          "http_write_timeout", "http_max_body_bytes"};
}

bool HttpBackend::enabled() const { return absl::GetFlag(FLAGS_http_enabled); }

http::ServerOptions HttpBackend::Options(BackendContext* context) const {
  http::ServerOptions o = server_ ? server_->options() : http::ServerOptions{};
  o.name = "http";
  o.max_connections =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_maxclients)));
  o.header_read_timeout = absl::GetFlag(FLAGS_http_header_read_timeout);
  o.idle_timeout = absl::GetFlag(FLAGS_http_idle_timeout);
  o.write_timeout = absl::GetFlag(FLAGS_http_write_timeout);
  o.parser.max_body_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_http_max_body_bytes)));
  if (context != nullptr) {
    o.overloaded = [context] { return context->Overloaded(); };
  }
  return o;
}

absl::Status HttpBackend::AddRoutes(http::Router& router) const {
  for (absl::Status s : {
           router.Handle("GET", "/plaintext", http::PlaintextHandler()),
           router.Handle("GET", "/json", http::JsonHandler()),
           router.Handle("*", "/echo", http::EchoHandler()),
           router.Handle("*", "/echo/{rest...}", http::EchoHandler()),
       }) {
    if (!s.ok()) return s;
  }
  const std::string dir = absl::GetFlag(FLAGS_http_static_dir);
  if (dir.empty()) return absl::OkStatus();
  absl::StatusOr<http::Handler> files = http::StaticFilesHandler(dir);
  if (!files.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_static_dir ", dir, ": ", files.status().message()));
  }
  spdlog::info("http: serving {} at /static/", dir);
  return router.Handle("GET", "/static/{path...}", *std::move(files));
}

absl::Status HttpBackend::Start(BackendContext& context) {
  absl::StatusOr<TcpListener> listener =
      context.Listen("http", absl::GetFlag(FLAGS_http_listen));
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);

  http::Router router;
  absl::Status routes = AddRoutes(router);
  if (!routes.ok()) return routes;
  server_ = std::make_unique<http::Server>(Options(&context), router.handler());
  context_ = &context;
  http::Server* server = server_.get();
  TcpListener* l = &listener_;
  context.scope().Spawn(
      [server, l] {
        absl::Status s = server->Serve(*l);
        if (!s.ok()) spdlog::error("http: serve: {}", s.ToString());
      },
      {.name = "http-accept"});
  return absl::OkStatus();
}

void HttpBackend::StopAccepting() {
  if (server_ == nullptr) return;
  server_->StopAccepting();
  listener_.Close().IgnoreError();
}

void HttpBackend::Drain(Deadline deadline) {
  if (server_ != nullptr) server_->Drain(deadline);
}

void HttpBackend::OnConfigChanged(std::string_view key) {
  if (server_ != nullptr) server_->SetOptions(Options(context_));
}

http::ServerStats HttpBackend::Stats() const {
  return server_ ? server_->Stats() : http::ServerStats{};
}

std::string HttpBackend::InfoJson() const {
  http::ServerStats s = Stats();
  std::string by_status = "{";
  for (size_t i = 0; i < s.requests_by_status.size(); ++i) {
    absl::StrAppend(&by_status, i ? ", " : "", "\"",
                    s.requests_by_status[i].first,
                    "\": ", s.requests_by_status[i].second);
  }
  by_status += "}";
  return absl::StrCat(
      "{\"listen\": ", JsonString(absl::GetFlag(FLAGS_http_listen)),
      ", \"connections_accepted\": ", s.connections_accepted,
      ", \"connections_active\": ", s.connections_active,
      ", \"connections_refused\": ", s.connections_refused,
      ", \"connections_timed_out\": ", s.connections_timed_out,
      ", \"requests\": ", s.requests, ", \"requests_shed\": ", s.requests_shed,
      ", \"requests_by_status\": ", by_status, "}");
}

void HttpBackend::WriteMetrics(metrics::PrometheusWriter& w) const {
  using metrics::MetricType;
  const http::ServerStats s = Stats();
  auto counter = [&w](const char* name, const char* help, uint64_t v) {
    w.Family(name, MetricType::kCounter, help);
    w.Sample({}, static_cast<double>(v));
  };
  counter("colonyd_http_connections_accepted_total",
          "HTTP connections accepted.", s.connections_accepted);
  w.Family("colonyd_http_connections_active", MetricType::kGauge,
           "HTTP connections open now.");
  w.Sample({}, static_cast<double>(s.connections_active));
  counter("colonyd_http_connections_refused_total",
          "HTTP connections refused at http_maxclients (503).",
          s.connections_refused);
  counter("colonyd_http_connections_timed_out_total",
          "HTTP connections closed by a header, body, idle or write "
          "timeout.",
          s.connections_timed_out);
  w.Family("colonyd_http_requests_total", MetricType::kCounter,
           "HTTP requests answered, by status code.");
  for (const auto& [code, count] : s.requests_by_status) {
    const std::string text = std::to_string(code);
    w.Sample({{"code", text}}, static_cast<double>(count));
  }
  counter("colonyd_http_requests_shed_total",
          "HTTP requests answered 503 by the overload sensor.",
          s.requests_shed);
  counter("colonyd_http_received_bytes_total", "Bytes read from clients.",
          s.bytes_in);
  counter("colonyd_http_sent_bytes_total", "Bytes written to clients.",
          s.bytes_out);
  w.Family("colonyd_http_request_duration_seconds", MetricType::kHistogram,
           "Time from a request's first byte to its response.");
  w.Histogram({}, s.latency_bounds_seconds, s.latency_counts,
              s.latency_sum_seconds);
}

COLONYD_REGISTER_BACKEND("http", HttpBackend);

}  // namespace daemon
}  // namespace colony
