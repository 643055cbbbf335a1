// Copyright 2026 The Colony Authors.
//
// AdminFixture: an AdminServer served by an http::Server on 127.0.0.1 with
// an ephemeral port, over a scheduler whose tasks sit blocked on a socket,
// a mutex, a channel and a sleep, and hooks that record what they were
// asked (drain, quit, config) and write a "demo" backend's families. Used
// by the endpoint test and by the dashboard's headless Chromium test.

#ifndef COLONY_TESTS_ADMIN_ADMIN_FIXTURE_H_
#define COLONY_TESTS_ADMIN_ADMIN_FIXTURE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "daemon/admin/admin_server.h"
#include "http/server.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"
#include "sync/locks/mutex.h"

namespace colony::admin_test {

class AdminFixture {
 public:
  AdminFixture() = default;
  AdminFixture(const AdminFixture&) = delete;
  AdminFixture& operator=(const AdminFixture&) = delete;
  ~AdminFixture();

  // Start() starts everything and returns once the blocked tasks are
  // parked where they should be.
  absl::Status Start();
  // Stop() releases the blocked tasks and stops the server and scheduler.
  void Stop();

  uint16_t port() const { return port_; }
  Scheduler& scheduler() { return *scheduler_; }

  // What the hooks saw.
  std::atomic<bool> ready{true};
  std::atomic<int> drains{0};
  std::atomic<int> quits{0};
  std::atomic<int> demo_requests{0};
  std::mutex config_mu;
  std::map<std::string, std::string> config;  // guarded by config_mu

 private:
  daemon::AdminHooks Hooks();

  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<daemon::AdminServer> admin_;
  std::unique_ptr<http::Server> server_;
  TcpListener listener_;
  TcpListener peer_listener_;
  Mutex mu_;
  Channel<int> channel_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace colony::admin_test

#endif  // COLONY_TESTS_ADMIN_ADMIN_FIXTURE_H_
