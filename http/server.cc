// Copyright 2026 The Colony Authors.

#include "http/server.h"

#include <utility>

#include "http/internal/server_core.h"

namespace colony::http {

Server::Server(ServerOptions options, Handler handler)
    : core_(std::make_unique<http_internal::ServerCore>(std::move(options),
                                                        std::move(handler))) {}

Server::~Server() = default;

absl::Status Server::Serve(TcpListener& listener) {
  return core_->Serve(listener);
}

void Server::StopAccepting() { core_->StopAccepting(); }

void Server::Drain(Deadline deadline) { core_->Drain(deadline); }

ServerStats Server::Stats() const { return core_->Stats(); }

void Server::SetOptions(ServerOptions options) {
  core_->SetOptions(std::move(options));
}

ServerOptions Server::options() const { return core_->options(); }

bool Server::draining() const { return core_->draining(); }

}  // namespace colony::http
