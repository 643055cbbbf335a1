// Copyright 2026 The Colony Authors.
//
// The Colony HTTP server bench/run_http_bench.sh drives: TechEmpower-style
// /plaintext and /json on //http:server with the built-in handlers.
//
//   http_hello_server --listen=127.0.0.1:8080 --workers=1
//
// Prints "listening on ADDR" (with the port the kernel chose for ":0") on
// stdout once bound, then serves until killed.

#include <cstdio>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "http/handlers.h"
#include "http/server.h"
#include "net/socket_address.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"

namespace {

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --listen=ADDR [--workers=N]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int workers = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, 9) == "--listen=") {
      listen = std::string(arg.substr(9));
    } else if (arg.substr(0, 10) == "--workers=") {
      if (!absl::SimpleAtoi(std::string(arg.substr(10)), &workers)) {
        return Usage(argv[0]);
      }
    } else {
      return Usage(argv[0]);
    }
  }
  auto address = colony::SocketAddress::Parse(listen);
  if (!address.ok()) {
    std::fprintf(stderr, "%s\n", address.status().ToString().c_str());
    return 2;
  }
  auto scheduler = colony::Scheduler::Create({.workers = workers});
  if (!scheduler.ok() || !(*scheduler)->Start().ok()) {
    std::fprintf(stderr, "could not start the scheduler\n");
    return 1;
  }
  colony::http::Router router;
  if (!router.Handle("GET", "/plaintext", colony::http::PlaintextHandler())
           .ok() ||
      !router.Handle("GET", "/json", colony::http::JsonHandler()).ok()) {
    return 1;
  }
  colony::http::Server server({}, router.handler());
  auto done = (*scheduler)->Spawn([&]() -> int {
    auto listener = colony::TcpListener::Bind(*address, {.backlog = 4096});
    if (!listener.ok()) {
      std::fprintf(stderr, "%s\n", listener.status().ToString().c_str());
      return 1;
    }
    std::printf("listening on %s\n",
                listener->LocalAddress()->ToString().c_str());
    std::fflush(stdout);
    absl::Status s = server.Serve(*listener);
    if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return s.ok() ? 0 : 1;
  });
  auto result = done.Join();
  return result.completed() ? result.value() : 1;
}
