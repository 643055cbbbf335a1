// Copyright 2026 The Colony Authors.
//
// SocketAddress: an IPv4 or IPv6 address with a port, or a Unix socket
// path (or a Linux abstract name), as a value.
//
//   auto a = colony::SocketAddress::Parse("127.0.0.1:6379");
//   auto b = colony::SocketAddress::Parse("[::1]:80");
//   auto c = colony::SocketAddress::Parse("unix:/run/colony.sock");
//   auto d = colony::SocketAddress::Parse("unix:@colony");  // abstract
//   a->ToString();  // "127.0.0.1:6379": Parse(ToString()) gives it back
//
// Parse() takes numeric addresses only; Resolve() looks names up.
//
// Thread-safety: a value type; Resolve() may be called from any task or
// thread.

#ifndef COLONY_NET_SOCKET_ADDRESS_H_
#define COLONY_NET_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace colony {

class SocketAddress {
 public:
  enum class Family { kNone, kIPv4, kIPv6, kUnix };

  // SocketAddress() is empty (Family::kNone).
  SocketAddress() = default;

  // Parse() reads "a.b.c.d:port", "[v6]:port" or "unix:path" ("unix:@name"
  // for an abstract name). Fails with InvalidArgument naming the problem.
  static absl::StatusOr<SocketAddress> Parse(absl::string_view text);
  // Loopback4() is 127.0.0.1:port; Loopback6() is [::1]:port; Any4() is
  // 0.0.0.0:port.
  static SocketAddress Loopback4(uint16_t port);
  static SocketAddress Loopback6(uint16_t port);
  static SocketAddress Any4(uint16_t port);
  // Unix() is a Unix socket path, or an abstract name if `path` starts
  // with '@'. Fails if it does not fit in sockaddr_un.
  static absl::StatusOr<SocketAddress> Unix(absl::string_view path);
  // FromSockaddr() copies a kernel address (as getsockname() returns it).
  static SocketAddress FromSockaddr(const sockaddr* address, socklen_t length);

  // family() is which kind of address it is.
  Family family() const;
  // port() is the port of an IP address, 0 otherwise.
  uint16_t port() const;
  // WithPort() is the same IP address with another port.
  SocketAddress WithPort(uint16_t port) const;
  // ToString() prints it in the form Parse() reads.
  std::string ToString() const;

  // sockaddr() and length() are what bind() and connect() take.
  const struct sockaddr* sockaddr() const {
    return reinterpret_cast<const struct sockaddr*>(&storage_);
  }
  socklen_t length() const { return length_; }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);
  friend bool operator!=(const SocketAddress& a, const SocketAddress& b) {
    return !(a == b);
  }

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

// Resolve() looks `host` up (getaddrinfo on the scheduler's blocking pool
// from a task, in place on a plain thread) and returns its addresses with
// `port`, IPv4 and IPv6, in the resolver's order. A numeric host needs no
// lookup. NotFound if the name has no address.
absl::StatusOr<std::vector<SocketAddress>> Resolve(absl::string_view host,
                                                   uint16_t port);

}  // namespace colony

#endif  // COLONY_NET_SOCKET_ADDRESS_H_
