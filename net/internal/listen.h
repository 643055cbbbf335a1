// Copyright 2026 The Colony Authors.
//
// What TcpListener and UnixListener share: bind + listen, and the accept
// loop with its back-off on EMFILE/ENFILE.

#ifndef COLONY_NET_INTERNAL_LISTEN_H_
#define COLONY_NET_INTERNAL_LISTEN_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/internal/socket.h"
#include "net/socket_address.h"
#include "time/deadline.h"

namespace colony::net_internal {

struct ListenSpec {
  int backlog = 511;
  bool reuse_address = false;
  bool reuse_port = false;
  bool ipv6_only = false;
};

// Listen() opens, binds and listens.
absl::StatusOr<Socket> Listen(const SocketAddress& address,
                              const ListenSpec& spec);

// Accept() takes one connection (accept4, non-blocking, close-on-exec)
// and registers it with the caller's poller (Poller::ForCaller()). Out of
// descriptors (EMFILE/ENFILE) it logs (at most once a second, spdlog's default
// logger) and sleeps, doubling from 1 ms to 100 ms, then tries again: it never
// spins, and the deadline, Close() and cancellation still apply.
absl::StatusOr<Socket> Accept(Socket& listener, Deadline deadline);

}  // namespace colony::net_internal

#endif  // COLONY_NET_INTERNAL_LISTEN_H_
