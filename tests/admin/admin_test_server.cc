// Copyright 2026 The Colony Authors.
//
// Serves the admin endpoint of an AdminFixture (blocked tasks, a "demo"
// backend whose request counter reads 42) on an ephemeral loopback port for
// the dashboard's browser test. Prints "port N" on stdout once ready and
// runs until SIGTERM or SIGINT.

#include <signal.h>

#include <cstdio>

#include "tests/admin/admin_fixture.h"

int main() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked before any thread starts, so every thread inherits the mask and
  // sigwait() below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  colony::admin_test::AdminFixture fixture;
  fixture.demo_requests = 42;
  if (absl::Status s = fixture.Start(); !s.ok()) {
    std::fprintf(stderr, "admin_test_server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("port %u\n", static_cast<unsigned>(fixture.port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  fixture.Stop();
  return 0;
}
