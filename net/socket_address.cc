// Copyright 2026 The Colony Authors.

#include "net/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "scheduler/blocking.h"

namespace colony {
namespace {

constexpr absl::string_view kUnixPrefix = "unix:";

absl::StatusOr<uint16_t> ParsePort(absl::string_view text,
                                   absl::string_view whole) {
  uint32_t port = 0;
  if (text.empty() || !absl::SimpleAtoi(text, &port) || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", whole, "\": bad port \"", text, "\""));
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

absl::StatusOr<SocketAddress> SocketAddress::Parse(absl::string_view text) {
  if (text.substr(0, kUnixPrefix.size()) == kUnixPrefix) {
    return Unix(text.substr(kUnixPrefix.size()));
  }
  SocketAddress a;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "address \"", text, "\": expected \"[v6-address]:port\""));
    }
    const std::string host(text.substr(1, close - 1));
    absl::StatusOr<uint16_t> port = ParsePort(text.substr(close + 2), text);
    if (!port.ok()) return port.status();
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
    if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", text, "\": bad IPv6 address"));
    }
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(*port);
    a.length_ = sizeof(sockaddr_in6);
    return a;
  }
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address \"", text,
        "\": expected \"host:port\", \"[v6]:port\" or \"unix:path\""));
  }
  const std::string host(text.substr(0, colon));
  absl::StatusOr<uint16_t> port = ParsePort(text.substr(colon + 1), text);
  if (!port.ok()) return port.status();
  auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address \"", text,
        "\": not a numeric IPv4 address (use Resolve() for names)"));
  }
  sin->sin_family = AF_INET;
  sin->sin_port = htons(*port);
  a.length_ = sizeof(sockaddr_in);
  return a;
}

SocketAddress SocketAddress::Loopback4(uint16_t port) {
  SocketAddress a;
  auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.length_ = sizeof(sockaddr_in);
  return a;
}

SocketAddress SocketAddress::Loopback6(uint16_t port) {
  SocketAddress a;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  sin6->sin6_addr = in6addr_loopback;
  a.length_ = sizeof(sockaddr_in6);
  return a;
}

SocketAddress SocketAddress::Any4(uint16_t port) {
  SocketAddress a;
  auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  sin->sin_addr.s_addr = htonl(INADDR_ANY);
  a.length_ = sizeof(sockaddr_in);
  return a;
}

absl::StatusOr<SocketAddress> SocketAddress::Unix(absl::string_view path) {
  SocketAddress a;
  auto* sun = reinterpret_cast<sockaddr_un*>(&a.storage_);
  if (path.empty() || path.size() >= sizeof(sun->sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unix address \"", path, "\": length must be in [1, ",
                     sizeof(sun->sun_path) - 1, "]"));
  }
  sun->sun_family = AF_UNIX;
  std::memcpy(sun->sun_path, path.data(), path.size());
  const bool abstract = path.front() == '@';
  if (abstract) sun->sun_path[0] = '\0';
  // An abstract name is exactly its bytes; a path ends at its NUL.
  a.length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) +
                                     path.size() + (abstract ? 0 : 1));
  return a;
}

SocketAddress SocketAddress::FromSockaddr(const struct sockaddr* address,
                                          socklen_t length) {
  SocketAddress a;
  if (length > sizeof(a.storage_)) length = sizeof(a.storage_);
  std::memcpy(&a.storage_, address, length);
  a.length_ = length;
  return a;
}

SocketAddress::Family SocketAddress::family() const {
  if (length_ == 0) return Family::kNone;
  switch (storage_.ss_family) {
    case AF_INET:
      return Family::kIPv4;
    case AF_INET6:
      return Family::kIPv6;
    case AF_UNIX:
      return Family::kUnix;
    default:
      return Family::kNone;
  }
}

uint16_t SocketAddress::port() const {
  switch (family()) {
    case Family::kIPv4:
      return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    case Family::kIPv6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    default:
      return 0;
  }
}

SocketAddress SocketAddress::WithPort(uint16_t port) const {
  SocketAddress a = *this;
  if (family() == Family::kIPv4) {
    reinterpret_cast<sockaddr_in*>(&a.storage_)->sin_port = htons(port);
  } else if (family() == Family::kIPv6) {
    reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_port = htons(port);
  }
  return a;
}

std::string SocketAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  switch (family()) {
    case Family::kIPv4:
      inet_ntop(AF_INET,
                &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf,
                sizeof(buf));
      return absl::StrCat(buf, ":", port());
    case Family::kIPv6:
      inet_ntop(AF_INET6,
                &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr,
                buf, sizeof(buf));
      return absl::StrCat("[", buf, "]:", port());
    case Family::kUnix: {
      const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
      const size_t n = length_ - offsetof(sockaddr_un, sun_path);
      if (n == 0) return "unix:";  // unnamed (a socketpair end)
      if (sun->sun_path[0] == '\0') {
        return absl::StrCat("unix:@",
                            absl::string_view(sun->sun_path + 1, n - 1));
      }
      return absl::StrCat(
          "unix:", absl::string_view(sun->sun_path, strnlen(sun->sun_path, n)));
    }
    default:
      return "<none>";
  }
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  return a.length_ == b.length_ &&
         std::memcmp(&a.storage_, &b.storage_, a.length_) == 0;
}

absl::StatusOr<std::vector<SocketAddress>> Resolve(absl::string_view host,
                                                   uint16_t port) {
  const std::string name(host);
  // The blocking pool may be unable to start a thread: that is this
  // call's failure to report, not an exception for the caller.
  try {
    return SpawnBlocking([&]() -> absl::StatusOr<std::vector<SocketAddress>> {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* result = nullptr;
      const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &result);
      if (rc != 0) {
        const std::string message =
            absl::StrCat("resolve \"", name, "\": ", gai_strerror(rc));
        if (rc == EAI_NONAME || rc == EAI_NODATA) {
          return absl::NotFoundError(message);
        }
        return absl::UnavailableError(message);
      }
      std::vector<SocketAddress> out;
      for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        SocketAddress a =
            SocketAddress::FromSockaddr(ai->ai_addr, ai->ai_addrlen)
                .WithPort(port);
        bool seen = false;
        for (const SocketAddress& o : out) seen |= o == a;
        if (!seen) out.push_back(a);
      }
      freeaddrinfo(result);
      if (out.empty()) {
        return absl::NotFoundError(
            absl::StrCat("resolve \"", name, "\": no IPv4 or IPv6 address"));
      }
      return out;
    });
  } catch (const BlockingPoolError& e) {
    return e.status();
  }
}

}  // namespace colony
