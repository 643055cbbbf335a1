// Copyright 2026 The Colony Authors.

#include "net/stream.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "net/internal/errors.h"

namespace colony {

using net_internal::Direction;

absl::StatusOr<size_t> Stream::Read(absl::Span<char> buffer,
                                    Deadline deadline) {
  if (buffer.empty()) return 0;
  if (tcp_) return socket_.ReadStream(buffer, deadline, &read_drained_);
  return socket_.Io(Direction::kRead, deadline, "read", [&](int fd) {
    return read(fd, buffer.data(), buffer.size());
  });
}

absl::Status Stream::ReadFull(absl::Span<char> buffer, Deadline deadline) {
  size_t done = 0;
  while (done < buffer.size()) {
    absl::StatusOr<size_t> n = Read(buffer.subspan(done), deadline);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      return net_internal::EndOfStreamStatus(absl::StrCat(
          "read full: got ", done, " of ", buffer.size(), " bytes"));
    }
    done += *n;
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> Stream::Write(absl::string_view data,
                                     Deadline deadline) {
  if (data.empty()) return 0;
  return socket_.Io(Direction::kWrite, deadline, "write", [&](int fd) {
    // MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE.
    return send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  });
}

absl::Status Stream::WriteAll(absl::string_view data, Deadline deadline) {
  while (!data.empty()) {
    absl::StatusOr<size_t> n = Write(data, deadline);
    if (!n.ok()) return n.status();
    data.remove_prefix(*n);
  }
  return absl::OkStatus();
}

absl::Status Stream::Writev(absl::Span<const absl::string_view> buffers,
                            Deadline deadline) {
  constexpr size_t kMaxBuffers = 1024;
  if (buffers.size() > kMaxBuffers) {
    return absl::InvalidArgumentError(absl::StrCat(
        "writev: ", buffers.size(), " buffers, at most ", kMaxBuffers));
  }
  std::vector<iovec> iov;
  iov.reserve(buffers.size());
  for (absl::string_view b : buffers) {
    if (!b.empty()) {
      iov.push_back({const_cast<char*>(b.data()), b.size()});
    }
  }
  size_t first = 0;
  while (first < iov.size()) {
    absl::StatusOr<size_t> n =
        socket_.Io(Direction::kWrite, deadline, "writev", [&](int fd) {
          msghdr msg{};
          msg.msg_iov = iov.data() + first;
          msg.msg_iovlen = iov.size() - first;
          return sendmsg(fd, &msg, MSG_NOSIGNAL);
        });
    if (!n.ok()) return n.status();
    size_t left = *n;
    while (first < iov.size() && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return absl::OkStatus();
}

bool Stream::PeerGone() const {
  bool gone = false;
  const absl::Status s = socket_.WithFd("peek", [&gone](int fd) {
    char c;
    const ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) {
      gone = true;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
               errno != EINTR) {
      gone = true;
    }
    return absl::OkStatus();
  });
  return gone || !s.ok();
}

absl::Status Stream::ShutdownWrite() {
  return socket_.WithFd("shutdown", [](int fd) {
    if (shutdown(fd, SHUT_WR) != 0) {
      return net_internal::ErrnoStatus(net_internal::LastErrno(), "shutdown");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<net_internal::Socket> Stream::ConnectSocket(
    const SocketAddress& address, int domain, Deadline deadline) {
  const std::string op = absl::StrCat("connect ", address.ToString());
  absl::StatusOr<net_internal::Socket> socket =
      net_internal::Socket::Open(domain, SOCK_STREAM, 0);
  if (!socket.ok()) return socket.status();
  if (deadline.IsReached()) return net_internal::TimeoutStatus(op);
  absl::Status status = socket->WithFd(op, [&](int fd) -> absl::Status {
    if (connect(fd, address.sockaddr(), address.length()) == 0) {
      return absl::OkStatus();
    }
    int err = net_internal::LastErrno();
    if (err != EINPROGRESS && err != EINTR && err != EAGAIN) {
      return net_internal::ErrnoStatus(err, op);
    }
    // Unix sockets answer EAGAIN when the listener's backlog is full; TCP
    // answers EINPROGRESS. Either way writability says it finished.
    for (;;) {
      absl::Status ready = socket->WaitReady(Direction::kWrite, deadline, op);
      if (!ready.ok()) return ready;
      if (err == EAGAIN) {
        if (connect(fd, address.sockaddr(), address.length()) == 0) {
          return absl::OkStatus();
        }
        err = net_internal::LastErrno();
        if (err == EAGAIN || err == EINPROGRESS || err == EALREADY) continue;
        if (err == EISCONN) return absl::OkStatus();
        return net_internal::ErrnoStatus(err, op);
      }
      int so_error = 0;
      socklen_t len = sizeof(so_error);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
        return net_internal::ErrnoStatus(net_internal::LastErrno(), op);
      }
      if (so_error == EINPROGRESS || so_error == EALREADY ||
          so_error == EINTR) {
        continue;
      }
      if (so_error != 0) return net_internal::ErrnoStatus(so_error, op);
      sockaddr_storage peer;
      socklen_t peer_len = sizeof(peer);
      if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
        return absl::OkStatus();
      }
      // Spurious readiness: not connected yet (ENOTCONN); wait again.
    }
  });
  if (!status.ok()) return status;
  return socket;
}

}  // namespace colony
