// Copyright 2026 The Colony Authors.

#include "tests/admin/admin_fixture.h"

#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "metrics/prometheus.h"
#include "net/socket_address.h"

namespace colony::admin_test {
namespace {

// The functions the blocked tasks park in; the dump's backtraces must name
// them. Never inlined.
__attribute__((noinline)) void AdminFixtureReadSocket(TcpStream* stream) {
  char buf[64];
  stream->Read(absl::MakeSpan(buf)).IgnoreError();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void AdminFixtureLockMutex(Mutex* mu) {
  mu->lock();
  mu->unlock();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void AdminFixtureRecvChannel(Channel<int>* ch) {
  ch->Recv();
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void AdminFixtureSleep() {
  colony::SleepFor(absl::Hours(1));
  asm volatile("" ::: "memory");
}

bool Eventually(const std::function<bool()>& done) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

}  // namespace

AdminFixture::~AdminFixture() { Stop(); }

daemon::AdminHooks AdminFixture::Hooks() {
  daemon::AdminHooks hooks;
  hooks.version = "test-1.0";
  hooks.ready = [this] { return ready.load(); };
  hooks.write_metrics = [this](metrics::PrometheusWriter& w) {
    const double n = demo_requests.load();
    w.Family("demo_requests_total", metrics::MetricType::kCounter,
             "Requests answered by the demo backend.");
    w.Sample({{"backend", "demo"}, {"code", "200"}}, n);
    w.Family("demo_connections_active", metrics::MetricType::kGauge,
             "Open connections of the demo backend.");
    w.Sample({{"backend", "demo"}}, 3);
    w.Family("demo_request_duration_seconds", metrics::MetricType::kHistogram,
             "Latency of the demo backend.");
    const std::vector<double> bounds = {0.001, 0.01, 0.1};
    const std::vector<uint64_t> counts = {static_cast<uint64_t>(n), 0, 0, 0};
    w.Histogram({{"backend", "demo"}}, bounds, counts, n * 0.0005);
  };
  hooks.info_json = [] {
    return std::string(R"({"listeners": {"admin": "127.0.0.1"}})");
  };
  hooks.config_json = [this] {
    std::lock_guard<std::mutex> lock(config_mu);
    std::string out = "{";
    for (const auto& [k, v] : config) {
      if (out.size() > 1) out += ",";
      out += "\"" + k + "\":\"" + v + "\"";
    }
    return out + "}";
  };
  hooks.set_config = [this](std::string_view key,
                            std::string_view value) -> absl::Status {
    if (key != "limit") {
      return absl::NotFoundError("unknown key \"" + std::string(key) + "\"");
    }
    if (value.empty() ||
        value.find_first_not_of("0123456789") != std::string_view::npos) {
      return absl::InvalidArgumentError("limit wants a number");
    }
    std::lock_guard<std::mutex> lock(config_mu);
    config[std::string(key)] = std::string(value);
    return absl::OkStatus();
  };
  hooks.drain = [this] {
    ++drains;
    ready = false;
  };
  hooks.quit = [this] { ++quits; };
  return hooks;
}

// Start() leaves mu_ held and Stop() releases it: a lock held across calls,
// and only on Start()'s successful path, which the analysis cannot follow.
absl::Status AdminFixture::Start() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto scheduler = Scheduler::Create({.workers = 2});
  if (!scheduler.ok()) return scheduler.status();
  scheduler_ = std::move(*scheduler);
  if (absl::Status s = scheduler_->Start(); !s.ok()) return s;
  started_ = true;

  auto listener = TcpListener::Bind(SocketAddress::Loopback4(0));
  if (!listener.ok()) return listener.status();
  listener_ = std::move(*listener);
  auto local = listener_.LocalAddress();
  if (!local.ok()) return local.status();
  port_ = local->port();

  admin_ = std::make_unique<daemon::AdminServer>(*scheduler_, Hooks());
  server_ =
      std::make_unique<http::Server>(http::ServerOptions{}, admin_->handler());
  scheduler_->Spawn([this] { server_->Serve(listener_).IgnoreError(); },
                    {.name = "admin-accept"});

  // A task blocked reading a socket nobody writes to.
  auto peer = TcpListener::Bind(SocketAddress::Loopback4(0));
  if (!peer.ok()) return peer.status();
  peer_listener_ = std::move(*peer);
  const SocketAddress peer_address = peer_listener_.LocalAddress().value();
  scheduler_->Spawn(
      [this] {
        auto conn = peer_listener_.Accept();
        if (!conn.ok()) return;
        colony::SleepFor(absl::Hours(1));  // holds the connection open
      },
      {.name = "peer-holder"});
  scheduler_->Spawn(
      [peer_address] {
        auto stream = TcpStream::Connect(peer_address);
        if (!stream.ok()) return;
        AdminFixtureReadSocket(&*stream);
      },
      {.name = "socket-reader"});

  mu_.lock();  // held by this thread until Stop()
  scheduler_->Spawn([this] { AdminFixtureLockMutex(&mu_); },
                    {.name = "mutex-waiter"});
  scheduler_->Spawn([this] { AdminFixtureRecvChannel(&channel_); },
                    {.name = "channel-receiver"});
  scheduler_->Spawn([] { AdminFixtureSleep(); }, {.name = "sleeper"});

  const bool parked = Eventually([&] {
    int n = 0;
    for (const TaskInfo& t : scheduler_->Dump()) {
      if ((t.name == "socket-reader" && t.io_wait == IoWait::kRead) ||
          (t.name == "mutex-waiter" && t.wait_reason == "mutex") ||
          (t.name == "channel-receiver" &&
           t.wait_reason == "channel receive") ||
          (t.name == "sleeper" && t.wait_reason == "sleep")) {
        ++n;
      }
    }
    return n == 4;
  });
  if (!parked) return absl::DeadlineExceededError("tasks did not block");
  return absl::OkStatus();
}

void AdminFixture::Stop() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (!started_) return;
  started_ = false;
  mu_.unlock();
  channel_.Close();
  if (server_ != nullptr) server_->StopAccepting();
  scheduler_->Stop({.mode = StopMode::kCancel}).IgnoreError();
}

}  // namespace colony::admin_test
