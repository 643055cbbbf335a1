// Copyright 2026 The Colony Authors.

#include "net/udp.h"

#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "net/internal/errors.h"

namespace colony {

using net_internal::Direction;

absl::StatusOr<UdpSocket> UdpSocket::Bind(const SocketAddress& address) {
  int domain;
  if (address.family() == SocketAddress::Family::kIPv4) {
    domain = AF_INET;
  } else if (address.family() == SocketAddress::Family::kIPv6) {
    domain = AF_INET6;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "UdpSocket::Bind(", address.ToString(), "): not an IP address"));
  }
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Socket::Open(domain, SOCK_DGRAM, 0);
  if (!socket.ok()) return socket.status();
  absl::Status s = socket->WithFd("bind", [&](int fd) {
    if (bind(fd, address.sockaddr(), address.length()) != 0) {
      return net_internal::ErrnoStatus(
          net_internal::LastErrno(), absl::StrCat("bind ", address.ToString()));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  UdpSocket u;
  u.socket_ = *std::move(socket);
  return u;
}

absl::Status UdpSocket::SendTo(absl::string_view data, const SocketAddress& to,
                               Deadline deadline) {
  absl::StatusOr<size_t> n =
      socket_.Io(Direction::kWrite, deadline, "sendto", [&](int fd) {
        return sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, to.sockaddr(),
                      to.length());
      });
  return n.status();
}

absl::StatusOr<Datagram> UdpSocket::RecvFrom(absl::Span<char> buffer,
                                             Deadline deadline) {
  sockaddr_storage from{};
  socklen_t from_len = 0;
  bool truncated = false;
  absl::StatusOr<size_t> n =
      socket_.Io(Direction::kRead, deadline, "recvfrom", [&](int fd) {
        iovec iov{buffer.data(), buffer.size()};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof(from);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        const ssize_t r = recvmsg(fd, &msg, 0);
        from_len = msg.msg_namelen;
        truncated = (msg.msg_flags & MSG_TRUNC) != 0;
        return r;
      });
  if (!n.ok()) return n.status();
  Datagram d;
  d.size = *n;
  d.truncated = truncated;
  d.from =
      SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&from), from_len);
  return d;
}

}  // namespace colony
