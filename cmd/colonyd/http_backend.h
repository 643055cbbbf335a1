// Copyright 2026 The Colony Authors.
//
// HttpBackend: colonyd's built-in `http` backend (see http_backend.cc for
// its routes and config keys, docs/colonyd.md for the operator's view).
// Thread-safety and lifetime as for every Backend (daemon/backend.h).
#ifndef COLONY_CMD_COLONYD_HTTP_BACKEND_H_
#define COLONY_CMD_COLONYD_HTTP_BACKEND_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/backend.h"
#include "http/router.h"
#include "http/server.h"
#include "net/tcp.h"

namespace colony {
namespace daemon {

class HttpBackend : public Backend {
 public:
  HttpBackend();
  ~HttpBackend() override;

  std::string_view name() const override { return "http"; }
  std::vector<std::string> config_keys() const override;
  std::vector<std::string> mutable_config_keys() const override;
  bool enabled() const override;
  absl::Status Start(BackendContext& context) override;
  void StopAccepting() override;
  void Drain(Deadline deadline) override;
  void WriteMetrics(metrics::PrometheusWriter& writer) const override;
  std::string InfoJson() const override;
  void OnConfigChanged(std::string_view key) override;

  // Stats() are the server's counters (zero before Start()).
  http::ServerStats Stats() const;

 private:
  // AddRoutes() adds /plaintext, /json, /echo and /static/... .
  absl::Status AddRoutes(http::Router& router) const;
  // Options() builds the server's options from the flags.
  http::ServerOptions Options(BackendContext* context) const;

  BackendContext* context_ = nullptr;
  TcpListener listener_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_CMD_COLONYD_HTTP_BACKEND_H_
