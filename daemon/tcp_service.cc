// Copyright 2026 The Colony Authors.

#include "daemon/tcp_service.h"

#include <cstdint>
#include <utility>

#include "daemon/rate_limited_log.h"
#include "net/errors.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {

namespace {

// Connections accepted in a row before the accept loop yields.
constexpr uint32_t kAcceptBurst = 32;

}  // namespace

bool TcpConnection::WaitForRequest() {
  std::lock_guard<std::mutex> lock(service_->mu_);
  idle_ = true;
  return !service_->draining_;
}

bool TcpConnection::BeginRequest(bool got_request) {
  std::lock_guard<std::mutex> lock(service_->mu_);
  idle_ = false;
  return got_request;
}

TcpService::TcpService(TcpServiceOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      max_clients_(options_.max_clients) {}

TcpService::~TcpService() {
  listener_.Close().IgnoreError();
  connections_.reset();  // cancels and awaits what is left
}

void TcpService::Start(Scheduler& scheduler, TaskScope& scope,
                       TcpListener listener) {
  listener_ = std::move(listener);
  connections_ = std::make_unique<TaskScope>(scheduler);
  scope.Spawn([this] { AcceptLoop(); }, {.name = options_.name + "-accept"});
}

void TcpService::SetMaxClients(int max_clients) {
  max_clients_.store(max_clients, std::memory_order_relaxed);
}

void TcpService::StopAccepting() { listener_.Close().IgnoreError(); }

void TcpService::AcceptLoop() {
  static LogRateLimiter refusals(absl::Seconds(1));
  static LogRateLimiter errors(absl::Seconds(1));
  for (uint32_t accepts = 0;; ++accepts) {
    // A burst of connections is accepted without the listener ever waiting:
    // step aside now and then, so that the connections spawned so far (and
    // everything else on this worker) run before the rest of the backlog.
    if (accepts % kAcceptBurst == kAcceptBurst - 1) Yield();
    absl::StatusOr<TcpStream> conn = listener_.Accept();
    if (!conn.ok()) {
      if (IsClosed(conn.status()) || CancellationRequested()) return;
      errors.Warn("{}: accept: {}", options_.name, conn.status().ToString());
      continue;
    }
    const int limit = max_clients_.load(std::memory_order_relaxed);
    if (limit > 0 && active_.load(std::memory_order_relaxed) >=
                         static_cast<uint64_t>(limit)) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      refusals.Warn("{}: connection refused: {} clients (maxclients {})",
                    options_.name, active_.load(std::memory_order_relaxed),
                    limit);
      if (!options_.refusal.empty()) {
        conn->WriteAll(options_.refusal, Deadline::After(absl::Seconds(1)))
            .IgnoreError();
      }
      continue;  // the destructor closes it
    }
    accepted_.fetch_add(1, std::memory_order_relaxed);
    active_.fetch_add(1, std::memory_order_relaxed);
    connections_->Spawn(
        [this, c = *std::move(conn)]() mutable { Serve(std::move(c)); },
        {.name = options_.name + "-conn"});
  }
}

void TcpService::Serve(TcpStream stream) {
  TcpConnection conn(this, std::move(stream));
  {
    std::lock_guard<std::mutex> lock(mu_);
    live_.insert(&conn);
  }
  struct Done {
    TcpService* service;
    TcpConnection* conn;
    ~Done() {
      std::lock_guard<std::mutex> lock(service->mu_);
      service->live_.erase(conn);
      service->active_.fetch_sub(1, std::memory_order_relaxed);
    }
  } done{this, &conn};
  handler_(conn);
}

void TcpService::Drain(Deadline deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    // Idle connections: their pending read fails now; the handler sees the
    // error (or WaitForRequest() false) and returns.
    for (TcpConnection* c : live_) {
      if (c->idle_) c->stream_.SetReadDeadline(Deadline::Passed());
    }
  }
  if (connections_ == nullptr) return;
  while (active_.load(std::memory_order_relaxed) > 0) {
    if (deadline.IsReached()) {
      uint64_t left = active_.load(std::memory_order_relaxed);
      cancelled_.fetch_add(left, std::memory_order_relaxed);
      spdlog::warn("{}: drain deadline reached; cancelling {} connections",
                   options_.name, left);
      connections_->CancelAll("drain deadline");
      break;
    }
    if (InTask()) {
      colony::SleepFor(absl::Milliseconds(5));
    } else {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  connections_->Wait();
}

TcpServiceStats TcpService::Stats() const {
  TcpServiceStats s;
  s.accepted = accepted_.load(std::memory_order_relaxed);
  s.refused = refused_.load(std::memory_order_relaxed);
  s.active = active_.load(std::memory_order_relaxed);
  s.cancelled = cancelled_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace daemon
}  // namespace colony
