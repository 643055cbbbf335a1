// Copyright 2026 The Colony Authors.

#include "net/internal/socket.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace colony::net_internal {
namespace {

// OpRef holds an operation reference for a scope (also while a
// cancellation unwinds through it).
class OpRef {
 public:
  OpRef(PollDescriptor* pd, uint32_t generation)
      : pd_(pd != nullptr && pd->Acquire(generation) ? pd : nullptr) {}
  ~OpRef() {
    if (pd_ != nullptr) pd_->Release();
  }
  OpRef(const OpRef&) = delete;
  OpRef& operator=(const OpRef&) = delete;
  explicit operator bool() const { return pd_ != nullptr; }

 private:
  PollDescriptor* const pd_;
};

}  // namespace

absl::Status OutcomeStatus(WaitOutcome outcome, absl::string_view op) {
  switch (outcome) {
    case WaitOutcome::kReady:
      return absl::OkStatus();
    case WaitOutcome::kTimeout:
      return TimeoutStatus(op);
    case WaitOutcome::kClosed:
      return ClosedStatus(op);
    case WaitOutcome::kShutdown:
      return ShutdownStatus(op);
    case WaitOutcome::kBusy:
      break;
  }
  return absl::FailedPreconditionError(
      absl::StrCat(op,
                   ": another task or thread already waits in this "
                   "direction on this socket (EBUSY)"));
}

absl::StatusOr<Socket> Socket::Open(int domain, int type, int protocol) {
  absl::StatusOr<std::shared_ptr<Poller>> poller = Poller::ForCaller();
  if (!poller.ok()) return poller.status();
  const int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ErrnoStatus(LastErrno(), "socket");
  return Adopt(*std::move(poller), fd);
}

absl::StatusOr<Socket> Socket::Adopt(std::shared_ptr<Poller> poller, int fd) {
  absl::StatusOr<PollDescriptor*> pd = poller->Register(fd);
  if (!pd.ok()) return pd.status();
  Socket s;
  s.poller_ = std::move(poller);
  s.pd_ = *pd;
  s.generation_ = (*pd)->generation();
  return s;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close().IgnoreError();
    poller_ = std::move(other.poller_);
    pd_ = std::exchange(other.pd_, nullptr);
    generation_ = other.generation_;
  }
  return *this;
}

absl::Status Socket::Close() {
  if (pd_ == nullptr) return absl::OkStatus();
  // Only the first Close() of this generation does anything; later ones
  // (or the destructor after Close()) find it closing and return Ok.
  pd_->Close(generation_);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Socket::Io(Direction dir, Deadline deadline,
                                  absl::string_view op,
                                  absl::FunctionRef<ssize_t(int fd)> syscall) {
  OpRef ref(pd_, generation_);
  if (!ref) return ClosedStatus(op);
  // A deadline already past fails at once, even if data is waiting.
  if (deadline.IsReached() || pd_->deadline(dir).IsReached()) {
    return TimeoutStatus(op);
  }
  for (;;) {
    const ssize_t n = syscall(pd_->fd());
    if (n >= 0) return static_cast<size_t>(n);
    const int err = LastErrno();
    if (err == EINTR) continue;
    if (err != EAGAIN && err != EWOULDBLOCK) return ErrnoStatus(err, op);
    const WaitOutcome outcome = pd_->Wait(dir, deadline);
    if (outcome != WaitOutcome::kReady) return OutcomeStatus(outcome, op);
  }
}

absl::StatusOr<size_t> Socket::ReadStream(absl::Span<char> buffer,
                                          Deadline deadline, bool* drained) {
  OpRef ref(pd_, generation_);
  if (!ref) return ClosedStatus("read");
  if (deadline.IsReached() || pd_->deadline(Direction::kRead).IsReached()) {
    return TimeoutStatus("read");
  }
  bool wait_first = *drained && pd_->read_edges_complete();
  *drained = false;
  for (;;) {
    if (wait_first) {
      const WaitOutcome outcome = pd_->Wait(Direction::kRead, deadline);
      if (outcome != WaitOutcome::kReady) return OutcomeStatus(outcome, "read");
    }
    pd_->ClearReady(Direction::kRead);
    // recv(2): read(2)'s bytes without the VFS layer on the way.
    const ssize_t n = recv(pd_->fd(), buffer.data(), buffer.size(), 0);
    if (n >= 0) {
      *drained = n > 0 && static_cast<size_t>(n) < buffer.size();
      return static_cast<size_t>(n);
    }
    const int err = LastErrno();
    if (err == EINTR) {
      wait_first = false;
      continue;
    }
    if (err != EAGAIN && err != EWOULDBLOCK) return ErrnoStatus(err, "read");
    wait_first = true;
  }
}

absl::Status Socket::WithFd(absl::string_view op,
                            absl::FunctionRef<absl::Status(int fd)> fn) const {
  OpRef ref(pd_, generation_);
  if (!ref) return ClosedStatus(op);
  return fn(pd_->fd());
}

absl::Status Socket::WaitReady(Direction dir, Deadline deadline,
                               absl::string_view op) {
  return OutcomeStatus(pd_->Wait(dir, deadline), op);
}

void Socket::SetDeadline(Direction dir, Deadline deadline) {
  OpRef ref(pd_, generation_);
  if (ref) pd_->SetDeadline(dir, deadline);
}

absl::StatusOr<SocketAddress> Socket::LocalAddress() const {
  SocketAddress address;
  absl::Status s = WithFd("getsockname", [&](int fd) {
    sockaddr_storage storage{};
    socklen_t len = sizeof(storage);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) {
      return ErrnoStatus(LastErrno(), "getsockname");
    }
    address =
        SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return address;
}

absl::StatusOr<SocketAddress> Socket::PeerAddress() const {
  SocketAddress address;
  absl::Status s = WithFd("getpeername", [&](int fd) {
    sockaddr_storage storage{};
    socklen_t len = sizeof(storage);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) {
      return ErrnoStatus(LastErrno(), "getpeername");
    }
    address =
        SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return address;
}

absl::Status Socket::SetOption(int level, int name, int value,
                               absl::string_view what) {
  return WithFd(what, [&](int fd) {
    if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
      return ErrnoStatus(LastErrno(), what);
    }
    return absl::OkStatus();
  });
}

}  // namespace colony::net_internal
