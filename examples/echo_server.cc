// Copyright 2026 The Colony Authors.
//
// An echo server in about twenty lines: one task per connection.

#include "net/tcp.h"
#include "scheduler/scheduler.h"

int main() {
  auto scheduler = colony::Scheduler::Create({.workers = 4}).value();
  scheduler->Start().IgnoreError();
  auto address = colony::SocketAddress::Parse("127.0.0.1:7000").value();
  auto listener = colony::TcpListener::Bind(address).value();
  for (;;) {
    auto conn = listener.Accept();
    if (!conn.ok()) continue;
    scheduler
        ->Spawn([c = *std::move(conn)]() mutable {
          char buf[4096];
          for (;;) {
            auto n = c.Read(absl::MakeSpan(buf));
            if (!n.ok() || *n == 0) return;  // error or end of stream
            if (!c.WriteAll(absl::string_view(buf, *n)).ok()) return;
          }
        })
        .Detach();
  }
}
