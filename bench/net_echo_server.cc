// Copyright 2026 The Colony Authors.
//
// The Colony echo server the network benchmarks drive: every byte a client
// sends comes back, one task per connection.
//
//   net_echo_server --listen=127.0.0.1:7000 --workers=4
//
// Prints "listening on ADDR" (with the port the kernel chose for ":0") on
// stdout once bound, then serves until killed.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "net/socket_address.h"
#include "net/tcp.h"
#include "net/unix.h"
#include "scheduler/scheduler.h"

namespace {

void Serve(colony::Stream& conn) {
  char buf[16 * 1024];
  for (;;) {
    absl::StatusOr<size_t> n = conn.Read(absl::MakeSpan(buf));
    if (!n.ok() || *n == 0) return;
    if (!conn.WriteAll(absl::string_view(buf, *n)).ok()) return;
  }
}

template <typename Listener>
void AcceptLoop(Listener& listener) {
  for (;;) {
    auto conn = listener.Accept();
    if (!conn.ok()) {
      std::fprintf(stderr, "accept: %s\n", conn.status().ToString().c_str());
      continue;
    }
    colony::Spawn([c = *std::move(conn)]() mutable { Serve(c); }).Detach();
  }
}

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --listen=ADDR [--workers=N]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int workers = 0;
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
  absl::StatusOr<colony::SocketAddress> address =
      colony::SocketAddress::Parse(listen);
  if (!address.ok()) {
    std::fprintf(stderr, "%s\n", address.status().ToString().c_str());
    return 2;
  }
  auto scheduler = colony::Scheduler::Create({.workers = workers});
  if (!scheduler.ok() || !(*scheduler)->Start().ok()) {
    std::fprintf(stderr, "could not start the scheduler\n");
    return 1;
  }
  auto server = (*scheduler)->Spawn([&]() -> int {
    if (address->family() == colony::SocketAddress::Family::kUnix) {
      auto listener = colony::UnixListener::Bind(*address, 4096);
      if (!listener.ok()) {
        std::fprintf(stderr, "%s\n", listener.status().ToString().c_str());
        return 1;
      }
      std::printf("listening on %s\n",
                  listener->LocalAddress()->ToString().c_str());
      std::fflush(stdout);
      AcceptLoop(*listener);
    } else {
      auto listener = colony::TcpListener::Bind(*address, {.backlog = 4096});
      if (!listener.ok()) {
        std::fprintf(stderr, "%s\n", listener.status().ToString().c_str());
        return 1;
      }
      std::printf("listening on %s\n",
                  listener->LocalAddress()->ToString().c_str());
      std::fflush(stdout);
      AcceptLoop(*listener);
    }
    return 0;
  });
  auto result = server.Join();
  return result.completed() ? result.value() : 1;
}
