// Copyright 2026 The Colony Authors.

#include "http/internal/server_core.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/thread_mutex.h"
#include "http/internal/connection.h"
#include "net/errors.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"
#include "time/clock.h"

namespace colony::http::http_internal {
namespace {

// Refusals answered at once at most; past it, extra connections are closed
// without a response.
constexpr int kMaxRefusing = 64;
// How often the reaper looks for reads past their deadline.
constexpr absl::Duration kReapInterval = absl::Milliseconds(100);

int64_t RetryAfterSeconds(absl::Duration d) {
  return std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1))));
}

}  // namespace

ServerCore::ServerCore(ServerOptions options, Handler handler)
    : handler_(std::move(handler)),
      options_(std::move(options)),
      max_connections_(options_.max_connections),
      retry_after_seconds_(RetryAfterSeconds(options_.retry_after)),
      refuse_log_(2) {}

ServerCore::~ServerCore() { scope_.reset(); }

TaskScope& ServerCore::scope() {
  std::call_once(scope_once_, [&] { scope_ = std::make_unique<TaskScope>(); });
  return *scope_;
}

void ServerCore::CopyOptions(ServerOptions* out, uint64_t* version) const {
  base_internal::ThreadMutexLock lock(mu_);
  *out = options_;
  *version = version_.load(std::memory_order_relaxed);
}

void ServerCore::SetOptions(ServerOptions options) {
  base_internal::ThreadMutexLock lock(mu_);
  max_connections_.store(options.max_connections);
  retry_after_seconds_.store(RetryAfterSeconds(options.retry_after));
  options_ = std::move(options);
  version_.fetch_add(1, std::memory_order_release);
}

ServerOptions ServerCore::options() const {
  base_internal::ThreadMutexLock lock(mu_);
  return options_;
}

absl::Status ServerCore::Serve(TcpListener& listener) {
  if (!InTask()) {
    return absl::FailedPreconditionError(
        "http::Server::Serve() must be called from a task");
  }
  TaskScope& tasks = scope();
  std::call_once(reaper_once_, [&] {
    tasks.Spawn([this] { Reap(); }, {.name = "http-reaper"}).Detach();
  });
  std::string name;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (stopping_.load()) return absl::OkStatus();
    listeners_.push_back(&listener);
    if (serving_++ == 0) serve_loops_done_.Reset();
    name = options_.name;
  }
  const std::string task_name = absl::StrCat(name, "-conn");
  absl::Status result = absl::OkStatus();
  LogLimiter accept_log(2);
  while (!stopping_.load()) {
    absl::StatusOr<TcpStream> conn = listener.Accept();
    if (!conn.ok()) {
      if (stopping_.load()) break;
      if (IsClosed(conn.status()) || absl::IsCancelled(conn.status())) {
        result = conn.status();
        break;
      }
      uint64_t dropped = 0;
      if (accept_log.Allow(&dropped)) {
        spdlog::warn("{}: accept failed: {} ({} similar lines not logged)",
                     name, conn.status().ToString(), dropped);
      }
      colony::SleepFor(absl::Milliseconds(1));
      continue;
    }
    accepted_.fetch_add(1, std::memory_order_relaxed);
    const size_t max = max_connections_.load(std::memory_order_relaxed);
    if (max != 0 && active_.load() >= max) {
      Refuse(*std::move(conn));
      continue;
    }
    active_.fetch_add(1);
    const int64_t now = NowNanos();
    tasks
        .Spawn(
            [this, stream = *std::move(conn), now]() mutable {
              Connection c(*this, std::move(stream), now);
              c.Run();
            },
            {.name = task_name})
        .Detach();
  }
  {
    base_internal::ThreadMutexLock lock(mu_);
    listeners_.erase(
        std::find(listeners_.begin(), listeners_.end(), &listener));
    if (--serving_ == 0) serve_loops_done_.Set();
  }
  listener.SetAcceptDeadline(Deadline::Infinite());
  return result;
}

void ServerCore::Refuse(TcpStream stream) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  uint64_t dropped = 0;
  if (refuse_log_.Allow(&dropped)) {
    spdlog::warn(
        "http: refused a connection: {} connections open, max_connections "
        "is {} ({} similar lines not logged)",
        active_.load(), max_connections_.load(), dropped);
  }
  if (refusing_.fetch_add(1) >= kMaxRefusing) {
    refusing_.fetch_sub(1);
    return;  // closed by the destructor
  }
  const int64_t retry = retry_after_seconds_.load(std::memory_order_relaxed);
  scope()
      .Spawn(
          [this, s = std::move(stream), retry]() mutable {
            const std::string body =
                "Service Unavailable: too many connections\n";
            const std::string reply = absl::StrCat(
                "HTTP/1.1 503 Service Unavailable\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Length: ",
                body.size(), "\r\nRetry-After: ", retry,
                "\r\nConnection: close\r\n\r\n", body);
            const Deadline deadline = Deadline::After(absl::Seconds(1));
            if (s.WriteAll(reply, deadline).ok() && s.ShutdownWrite().ok()) {
              // Read what the client sent until it closes (bounded), so the
              // kernel does not reset the connection under the reply.
              char buf[4096];
              for (int i = 0; i < 16; ++i) {
                auto n = s.Read(absl::MakeSpan(buf), deadline);
                if (!n.ok() || *n == 0) break;
              }
            }
            refusing_.fetch_sub(1);
          },
          {.name = "http-refuse"})
      .Detach();
}

void ServerCore::Reap() {
  while (!reaper_stop_.load()) {
    colony::SleepFor(kReapInterval);
    const int64_t now = NowNanos();
    base_internal::ThreadMutexLock lock(mu_);
    for (Connection* c = connections_; c != nullptr; c = c->next) {
      c->WakeIfExpired(now);
    }
  }
}

void ServerCore::StopAccepting() {
  base_internal::ThreadMutexLock lock(mu_);
  stopping_.store(true);
  for (TcpListener* l : listeners_) l->SetAcceptDeadline(Deadline::Passed());
}

void ServerCore::Drain(Deadline deadline) {
  StopAccepting();
  draining_.store(true);
  {
    base_internal::ThreadMutexLock lock(mu_);
    for (Connection* c = connections_; c != nullptr; c = c->next) {
      c->WakeIfIdle();
    }
  }
  bool serving;
  {
    base_internal::ThreadMutexLock lock(mu_);
    serving = serving_ > 0;
  }
  if (serving) serve_loops_done_.WaitUntil(deadline);
  bool done = active_.load() == 0 || all_closed_.WaitUntil(deadline);
  if (!done) {
    const uint64_t left = active_.load();
    spdlog::warn(
        "http: drain deadline reached with {} connections open; "
        "cancelling them",
        left);
  }
  reaper_stop_.store(true);
  if (scope_ != nullptr) {
    if (!done) scope_->CancelAll("http server drain deadline");
    scope_->Wait();
  }
}

void ServerCore::Register(Connection* c) {
  base_internal::ThreadMutexLock lock(mu_);
  c->next = connections_;
  if (connections_ != nullptr) connections_->prev = c;
  connections_ = c;
}

void ServerCore::Unregister(Connection* c) {
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (c->prev != nullptr) {
      c->prev->next = c->next;
    } else {
      connections_ = c->next;
    }
    if (c->next != nullptr) c->next->prev = c->prev;
  }
  if (active_.fetch_sub(1) == 1 && draining_.load()) all_closed_.Set();
}

ServerStats ServerCore::Stats() const {
  ServerStats s;
  s.connections_accepted = accepted_.load(std::memory_order_relaxed);
  s.connections_active = active_.load(std::memory_order_relaxed);
  s.connections_refused = refused_.load(std::memory_order_relaxed);
  s.connections_timed_out = timed_out_.load(std::memory_order_relaxed);
  s.requests_shed = shed_.load(std::memory_order_relaxed);
  s.handler_exceptions = exceptions_.load(std::memory_order_relaxed);
  stats_.Collect(&s);
  return s;
}

}  // namespace colony::http::http_internal
