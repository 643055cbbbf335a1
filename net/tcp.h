// Copyright 2026 The Colony Authors.
//
// TCP: TcpListener accepts connections, TcpStream is one (see stream.h
// for reading, writing, deadlines and the thread-safety of streams).
//
//   auto listener = colony::TcpListener::Bind(
//       colony::SocketAddress::Parse("127.0.0.1:7000").value());
//   for (;;) {
//     auto conn = listener->Accept();
//     if (!conn.ok()) break;
//     scheduler->Spawn([c = *std::move(conn)]() mutable { Serve(c); });
//   }
//
// Sockets are non-blocking and close-on-exec. A socket opened by a task
// is polled by that task's scheduler; one opened by a plain thread by a
// process-wide poller thread. Either can be used from any task or thread
// afterwards. When the scheduler of a socket stops, waits on it fail with
// Cancelled.
//
// Cancellation: a task cancelled while it waits in Accept(), Connect(),
// Read() or Write() unwinds from the call at once (CoroutineCancelled);
// nothing is lost but the bytes the operation had not moved yet.
//
// Thread-safety: Accept() by one task or thread at a time; Close() and
// SetAcceptDeadline() from anywhere, anytime (a waiting Accept() then
// fails with IsClosed() or DeadlineExceeded).
//
// Lifetime: destroying a listener or stream closes it; it must not race
// with another caller's use of the same object.

#ifndef COLONY_NET_TCP_H_
#define COLONY_NET_TCP_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "net/internal/socket.h"
#include "net/socket_address.h"
#include "net/stream.h"
#include "time/deadline.h"

namespace colony {

struct TcpListenOptions {
  // listen()'s backlog (the kernel caps it at net.core.somaxconn).
  int backlog = 511;
  // SO_REUSEADDR: rebind a port whose old connections are in TIME_WAIT.
  bool reuse_address = true;
  // SO_REUSEPORT: several listeners on one port, the kernel spreads
  // connections between them.
  bool reuse_port = false;
  // IPV6_V6ONLY for an IPv6 address (false: also accept IPv4-mapped).
  bool ipv6_only = false;
};

// Options applied to every TcpStream (connected or accepted) unless
// changed later with the setters.
struct TcpOptions {
  // TCP_NODELAY: send small writes at once (no Nagle delay).
  bool no_delay = true;
};

class TcpStream : public Stream {
 public:
  TcpStream() = default;

  // Connect() connects to `address` (IPv4 or IPv6), waiting until
  // `deadline` at most. Refused is Unavailable (ECONNREFUSED).
  static absl::StatusOr<TcpStream> Connect(
      const SocketAddress& address, Deadline deadline = Deadline::Infinite(),
      TcpOptions options = {});

  // SetNoDelay() sets TCP_NODELAY.
  absl::Status SetNoDelay(bool on);
  // SetKeepAlive() turns keep-alive probes on after `idle` without traffic
  // (then every `idle`, 5 probes), or off for a zero or negative `idle`.
  absl::Status SetKeepAlive(absl::Duration idle);
  // SetUserTimeout() sets TCP_USER_TIMEOUT: the connection fails if sent
  // data stays unacknowledged that long (zero: the kernel's default).
  absl::Status SetUserTimeout(absl::Duration timeout);

 private:
  friend class TcpListener;
  explicit TcpStream(net_internal::Socket socket) : Stream(std::move(socket)) {
    tcp_ = true;
  }
};

class TcpListener {
 public:
  TcpListener() = default;
  TcpListener(TcpListener&&) = default;
  TcpListener& operator=(TcpListener&&) = default;

  // Bind() listens on `address` (port 0: the kernel picks one; see
  // LocalAddress()).
  static absl::StatusOr<TcpListener> Bind(const SocketAddress& address,
                                          TcpListenOptions options = {});

  // Accept() waits for a connection until `deadline` (or the accept
  // deadline, whichever is earlier). Out of file descriptors it backs off
  // and retries, logging at most once a second.
  absl::StatusOr<TcpStream> Accept(Deadline deadline = Deadline::Infinite());
  // SetAcceptDeadline() applies to the Accept() waiting now and later ones.
  void SetAcceptDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kRead, deadline);
  }
  // LocalAddress() is the bound address (with the port the kernel chose).
  absl::StatusOr<SocketAddress> LocalAddress() const {
    return socket_.LocalAddress();
  }
  // Close() stops listening; a waiting Accept() fails with IsClosed().
  absl::Status Close() { return socket_.Close(); }

 private:
  net_internal::Socket socket_;
  TcpOptions stream_options_;
};

}  // namespace colony

#endif  // COLONY_NET_TCP_H_
