// Copyright 2026 The Colony Authors.
//
// UdpSocket: datagrams over IPv4 or IPv6.
//
//   auto sock = colony::UdpSocket::Bind(colony::SocketAddress::Loopback4(0));
//   sock->SendTo("ping", peer);
//   char buf[1500];
//   auto got = sock->RecvFrom(absl::MakeSpan(buf));  // size and sender
//
// Calls wait like stream calls (see stream.h): from a task the task
// suspends, from a thread the thread blocks; deadlines and cancellation
// behave the same. A datagram longer than the buffer is truncated and
// Datagram::truncated says so.
//
// Thread-safety: one sender and one receiver at a time, from any tasks or
// threads; Close() from anywhere.

#ifndef COLONY_NET_UDP_H_
#define COLONY_NET_UDP_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/internal/socket.h"
#include "net/socket_address.h"
#include "time/deadline.h"

namespace colony {

// What RecvFrom() received.
struct Datagram {
  size_t size = 0;         // bytes stored in the buffer
  bool truncated = false;  // the datagram was longer than the buffer
  SocketAddress from;
};

class UdpSocket {
 public:
  UdpSocket() = default;
  UdpSocket(UdpSocket&&) = default;
  UdpSocket& operator=(UdpSocket&&) = default;

  // Bind() opens a socket bound to `address` (port 0: any free port).
  static absl::StatusOr<UdpSocket> Bind(const SocketAddress& address);

  // SendTo() sends `data` as one datagram to `to`.
  absl::Status SendTo(absl::string_view data, const SocketAddress& to,
                      Deadline deadline = Deadline::Infinite());
  // RecvFrom() waits for one datagram.
  absl::StatusOr<Datagram> RecvFrom(absl::Span<char> buffer,
                                    Deadline deadline = Deadline::Infinite());
  // SetReadDeadline() and SetWriteDeadline() apply to waiting and later
  // calls.
  void SetReadDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kRead, deadline);
  }
  void SetWriteDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kWrite, deadline);
  }
  // LocalAddress() is the bound address.
  absl::StatusOr<SocketAddress> LocalAddress() const {
    return socket_.LocalAddress();
  }
  // Close() closes it; waiting calls fail with IsClosed().
  absl::Status Close() { return socket_.Close(); }

 private:
  net_internal::Socket socket_;
};

}  // namespace colony

#endif  // COLONY_NET_UDP_H_
