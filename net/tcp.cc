// Copyright 2026 The Colony Authors.

#include "net/tcp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "net/internal/listen.h"

namespace colony {

absl::StatusOr<TcpStream> TcpStream::Connect(const SocketAddress& address,
                                             Deadline deadline,
                                             TcpOptions options) {
  int domain;
  if (address.family() == SocketAddress::Family::kIPv4) {
    domain = AF_INET;
  } else if (address.family() == SocketAddress::Family::kIPv6) {
    domain = AF_INET6;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "TcpStream::Connect(", address.ToString(), "): not an IP address"));
  }
  absl::StatusOr<net_internal::Socket> socket =
      ConnectSocket(address, domain, deadline);
  if (!socket.ok()) return socket.status();
  TcpStream stream(*std::move(socket));
  if (options.no_delay) {
    if (absl::Status s = stream.SetNoDelay(true); !s.ok()) return s;
  }
  return stream;
}

absl::Status TcpStream::SetNoDelay(bool on) {
  return socket_.SetOption(IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, "TCP_NODELAY");
}

absl::Status TcpStream::SetKeepAlive(absl::Duration idle) {
  if (idle <= absl::ZeroDuration()) {
    return socket_.SetOption(SOL_SOCKET, SO_KEEPALIVE, 0, "SO_KEEPALIVE");
  }
  const int seconds =
      static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(idle)));
  if (absl::Status s =
          socket_.SetOption(IPPROTO_TCP, TCP_KEEPIDLE, seconds, "TCP_KEEPIDLE");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = socket_.SetOption(IPPROTO_TCP, TCP_KEEPINTVL, seconds,
                                         "TCP_KEEPINTVL");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          socket_.SetOption(IPPROTO_TCP, TCP_KEEPCNT, 5, "TCP_KEEPCNT");
      !s.ok()) {
    return s;
  }
  return socket_.SetOption(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
}

absl::Status TcpStream::SetUserTimeout(absl::Duration timeout) {
  const int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout));
  return socket_.SetOption(IPPROTO_TCP, TCP_USER_TIMEOUT,
                           static_cast<int>(std::min<int64_t>(ms, INT32_MAX)),
                           "TCP_USER_TIMEOUT");
}

absl::StatusOr<TcpListener> TcpListener::Bind(const SocketAddress& address,
                                              TcpListenOptions options) {
  if (address.family() != SocketAddress::Family::kIPv4 &&
      address.family() != SocketAddress::Family::kIPv6) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TcpListener::Bind(", address.ToString(), "): not an IP address"));
  }
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Listen(address, {.backlog = options.backlog,
                                     .reuse_address = options.reuse_address,
                                     .reuse_port = options.reuse_port,
                                     .ipv6_only = options.ipv6_only});
  if (!socket.ok()) return socket.status();
  TcpListener listener;
  listener.socket_ = *std::move(socket);
  return listener;
}

absl::StatusOr<TcpStream> TcpListener::Accept(Deadline deadline) {
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Accept(socket_, deadline);
  if (!socket.ok()) return socket.status();
  TcpStream stream(*std::move(socket));
  if (stream_options_.no_delay) {
    if (absl::Status s = stream.SetNoDelay(true); !s.ok()) return s;
  }
  return stream;
}

}  // namespace colony
