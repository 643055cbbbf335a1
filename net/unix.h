// Copyright 2026 The Colony Authors.
//
// Unix-domain stream sockets: UnixListener and UnixStream, the same
// contract as TcpListener and TcpStream (see tcp.h and stream.h) on a
// filesystem path or a Linux abstract name ("unix:@name").
//
// Thread-safety and lifetime: as for TCP. Bind() does not remove a stale
// socket file; the caller decides (unlink) whether that is safe.

#ifndef COLONY_NET_UNIX_H_
#define COLONY_NET_UNIX_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/internal/socket.h"
#include "net/socket_address.h"
#include "net/stream.h"
#include "time/deadline.h"

namespace colony {

class UnixStream : public Stream {
 public:
  UnixStream() = default;

  // Connect() connects to a Unix `address`, waiting until `deadline` at
  // most (a listener with a full backlog makes it wait).
  static absl::StatusOr<UnixStream> Connect(
      const SocketAddress& address, Deadline deadline = Deadline::Infinite());
  // Pair() is two connected streams (socketpair).
  static absl::StatusOr<std::pair<UnixStream, UnixStream>> Pair();

 private:
  friend class UnixListener;
  explicit UnixStream(net_internal::Socket socket)
      : Stream(std::move(socket)) {}
};

class UnixListener {
 public:
  UnixListener() = default;
  UnixListener(UnixListener&&) = default;
  UnixListener& operator=(UnixListener&&) = default;

  // Bind() listens on a Unix `address` with listen()'s `backlog`.
  static absl::StatusOr<UnixListener> Bind(const SocketAddress& address,
                                           int backlog = 511);
  // Accept() waits for a connection until `deadline`.
  absl::StatusOr<UnixStream> Accept(Deadline deadline = Deadline::Infinite());
  // SetAcceptDeadline() applies to the Accept() waiting now and later ones.
  void SetAcceptDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kRead, deadline);
  }
  // LocalAddress() is the bound address.
  absl::StatusOr<SocketAddress> LocalAddress() const {
    return socket_.LocalAddress();
  }
  // Close() stops listening; a waiting Accept() fails with IsClosed().
  absl::Status Close() { return socket_.Close(); }

 private:
  net_internal::Socket socket_;
};

}  // namespace colony

#endif  // COLONY_NET_UNIX_H_
