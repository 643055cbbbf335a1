// Copyright 2026 The Colony Authors.

#include "net/internal/listen.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "coroutine/basic_coroutine.h"
#include "net/internal/errors.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"

namespace colony::net_internal {
namespace {

// The last time an EMFILE/ENFILE was logged (NowNanos()); a rate limit
// only, so relaxed.
std::atomic<int64_t> last_fd_log_ns{0};

void LogOutOfFds(int err) {
  const int64_t now = NowNanos();
  int64_t last = last_fd_log_ns.load(std::memory_order_relaxed);
  if (now - last < 1'000'000'000) return;
  if (!last_fd_log_ns.compare_exchange_strong(last, now,
                                              std::memory_order_relaxed)) {
    return;
  }
  spdlog::warn(
      "accept: {}: backing off before accepting again",
      std::string(ErrnoStatus(err, "out of file descriptors").message()));
}

}  // namespace

absl::StatusOr<Socket> Listen(const SocketAddress& address,
                              const ListenSpec& spec) {
  const std::string op = absl::StrCat("listen ", address.ToString());
  int domain;
  switch (address.family()) {
    case SocketAddress::Family::kIPv4:
      domain = AF_INET;
      break;
    case SocketAddress::Family::kIPv6:
      domain = AF_INET6;
      break;
    case SocketAddress::Family::kUnix:
      domain = AF_UNIX;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(op, ": no address"));
  }
  absl::StatusOr<Socket> socket = Socket::Open(domain, SOCK_STREAM, 0);
  if (!socket.ok()) return socket.status();
  if (domain != AF_UNIX) {
    if (spec.reuse_address) {
      if (absl::Status s =
              socket->SetOption(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
          !s.ok()) {
        return s;
      }
    }
    if (spec.reuse_port) {
      if (absl::Status s =
              socket->SetOption(SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
          !s.ok()) {
        return s;
      }
    }
    if (domain == AF_INET6) {
      if (absl::Status s = socket->SetOption(
              IPPROTO_IPV6, IPV6_V6ONLY, spec.ipv6_only ? 1 : 0, "IPV6_V6ONLY");
          !s.ok()) {
        return s;
      }
    }
  }
  absl::Status s = socket->WithFd(op, [&](int fd) {
    if (bind(fd, address.sockaddr(), address.length()) != 0) {
      return ErrnoStatus(LastErrno(),
                         absl::StrCat("bind ", address.ToString()));
    }
    if (listen(fd, spec.backlog) != 0) return ErrnoStatus(LastErrno(), op);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return socket;
}

absl::StatusOr<Socket> Accept(Socket& listener, Deadline deadline) {
  int64_t backoff_ns = 1'000'000;
  for (;;) {
    int err = 0;
    absl::StatusOr<size_t> fd =
        listener.Io(Direction::kRead, deadline, "accept", [&](int lfd) {
          const int n =
              accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (n < 0) err = LastErrno();
          return static_cast<ssize_t>(n);
        });
    if (fd.ok()) {
      // The connection belongs to the caller's poller (its scheduler's when
      // a task accepts), not necessarily the listener's: a listener bound
      // by main() still serves its connections from the workers.
      absl::StatusOr<std::shared_ptr<Poller>> poller = Poller::ForCaller();
      if (!poller.ok()) {
        close(static_cast<int>(*fd));
        return poller.status();
      }
      return Socket::Adopt(*std::move(poller), static_cast<int>(*fd));
    }
    if (err != EMFILE && err != ENFILE && err != ECONNABORTED) {
      return fd.status();
    }
    // The peer gave up before we took it: take the next one.
    if (err == ECONNABORTED) continue;
    // Out of descriptors: the connection stays queued and the listener
    // readable (edge-triggered, no new event), so back off rather than
    // wait for readiness.
    LogOutOfFds(err);
    const int64_t wake = std::min(NowNanos() + backoff_ns, deadline.nanos());
    if (NowNanos() >= deadline.nanos()) return TimeoutStatus("accept");
    colony::SleepFor(
        absl::Nanoseconds(wake - NowNanos()));  // cancellation point
    backoff_ns = std::min<int64_t>(backoff_ns * 2, 100'000'000);
  }
}

}  // namespace colony::net_internal
