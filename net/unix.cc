// Copyright 2026 The Colony Authors.

#include "net/unix.h"

#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "net/internal/errors.h"
#include "net/internal/listen.h"
#include "net/internal/poller.h"

namespace colony {

absl::StatusOr<UnixStream> UnixStream::Connect(const SocketAddress& address,
                                               Deadline deadline) {
  if (address.family() != SocketAddress::Family::kUnix) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UnixStream::Connect(", address.ToString(), "): not a Unix address"));
  }
  absl::StatusOr<net_internal::Socket> socket =
      ConnectSocket(address, AF_UNIX, deadline);
  if (!socket.ok()) return socket.status();
  return UnixStream(*std::move(socket));
}

absl::StatusOr<std::pair<UnixStream, UnixStream>> UnixStream::Pair() {
  absl::StatusOr<std::shared_ptr<net_internal::Poller>> poller =
      net_internal::Poller::ForCaller();
  if (!poller.ok()) return poller.status();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) !=
      0) {
    return net_internal::ErrnoStatus(net_internal::LastErrno(), "socketpair");
  }
  absl::StatusOr<net_internal::Socket> a =
      net_internal::Socket::Adopt(*poller, fds[0]);
  if (!a.ok()) {
    close(fds[1]);
    return a.status();
  }
  absl::StatusOr<net_internal::Socket> b =
      net_internal::Socket::Adopt(*poller, fds[1]);
  if (!b.ok()) return b.status();
  return std::make_pair(UnixStream(*std::move(a)), UnixStream(*std::move(b)));
}

absl::StatusOr<UnixListener> UnixListener::Bind(const SocketAddress& address,
                                                int backlog) {
  if (address.family() != SocketAddress::Family::kUnix) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UnixListener::Bind(", address.ToString(), "): not a Unix address"));
  }
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Listen(address, {.backlog = backlog});
  if (!socket.ok()) return socket.status();
  UnixListener listener;
  listener.socket_ = *std::move(socket);
  return listener;
}

absl::StatusOr<UnixStream> UnixListener::Accept(Deadline deadline) {
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Accept(socket_, deadline);
  if (!socket.ok()) return socket.status();
  return UnixStream(*std::move(socket));
}

}  // namespace colony
