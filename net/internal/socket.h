// Copyright 2026 The Colony Authors.
//
// Socket: the owning handle of one registered fd, shared by every socket
// type of net/. It holds the poller (shared), the descriptor and the
// generation it was given, and runs every operation as
//
//   take an operation reference (fails "closed" once Close() began)
//   loop: system call; on EAGAIN wait for readiness (PollDescriptor::Wait)
//   drop the reference (the last one after Close() closes the fd)
//
// Thread-safety: a Socket may be used by several tasks and threads at
// once (one reader and one writer waiting at a time, plus Close() and
// deadline changes from anyone); moving or destroying it must not race
// with its use.

#ifndef COLONY_NET_INTERNAL_SOCKET_H_
#define COLONY_NET_INTERNAL_SOCKET_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/internal/errors.h"
#include "net/internal/poll_descriptor.h"
#include "net/internal/poller.h"
#include "net/socket_address.h"
#include "time/deadline.h"

namespace colony::net_internal {

class Socket {
 public:
  Socket() = default;
  // Open() creates a socket (non-blocking, close-on-exec) and registers
  // it with the caller's poller.
  static absl::StatusOr<Socket> Open(int domain, int type, int protocol);
  // Adopt() registers `fd` (non-blocking already) with `poller`; on
  // failure `fd` is closed.
  static absl::StatusOr<Socket> Adopt(std::shared_ptr<Poller> poller, int fd);

  Socket(Socket&& other) noexcept { *this = std::move(other); }
  Socket& operator=(Socket&& other) noexcept;
  ~Socket() { Close().IgnoreError(); }

  bool valid() const { return pd_ != nullptr; }
  const std::shared_ptr<Poller>& poller() const { return poller_; }

  // Close() closes the socket; waiters fail "closed". The fd is closed
  // when the last operation in flight ends. Closing twice returns Ok.
  absl::Status Close();

  // Io() runs `syscall(fd)` (a -1/errno style call) until it succeeds,
  // fails with something else than EAGAIN, or the wait fails.
  absl::StatusOr<size_t> Io(Direction dir, Deadline deadline,
                            absl::string_view op,
                            absl::FunctionRef<ssize_t(int fd)> syscall);
  // ReadStream() is Io(kRead, read(2)) for a TCP byte stream, less one
  // system call per message: a read that returned less than asked found
  // the kernel's queue empty, so any later byte brings an edge-triggered
  // event. `*drained` remembers such a read between calls (the caller
  // keeps it, one per reader), and the next call waits for readiness
  // before reading rather than after an EAGAIN. The latched readiness is
  // dropped before every read, whose result covers it. Not for datagrams
  // or Unix sockets (a short read there proves nothing).
  absl::StatusOr<size_t> ReadStream(absl::Span<char> buffer, Deadline deadline,
                                    bool* drained);
  // ReadWouldWait() is true when a ReadStream() with `drained` now would
  // wait for readiness before reading: the last read was short, the
  // descriptor's edges are complete and no readiness is latched. A hint.
  bool ReadWouldWait(bool drained) const {
    return drained && pd_ != nullptr && pd_->read_edges_complete() &&
           !pd_->ready(Direction::kRead);
  }
  // WithFd() runs `fn(fd)` under an operation reference (no waiting).
  absl::Status WithFd(absl::string_view op,
                      absl::FunctionRef<absl::Status(int fd)> fn) const;
  // Wait() waits for readiness (connect's completion) under a reference
  // the caller already holds through WithFd().
  absl::Status WaitReady(Direction dir, Deadline deadline,
                         absl::string_view op);

  void SetDeadline(Direction dir, Deadline deadline);

  // LocalAddress() and PeerAddress() ask the kernel.
  absl::StatusOr<SocketAddress> LocalAddress() const;
  absl::StatusOr<SocketAddress> PeerAddress() const;
  // SetOption() is setsockopt() with an int value.
  absl::Status SetOption(int level, int name, int value,
                         absl::string_view what);

 private:
  std::shared_ptr<Poller> poller_;
  PollDescriptor* pd_ = nullptr;
  uint32_t generation_ = 0;
};

// OutcomeStatus() is the status of a failed wait.
absl::Status OutcomeStatus(WaitOutcome outcome, absl::string_view op);

}  // namespace colony::net_internal

#endif  // COLONY_NET_INTERNAL_SOCKET_H_
