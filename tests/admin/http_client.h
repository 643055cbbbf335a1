// Copyright 2026 The Colony Authors.
//
// A minimal blocking HTTP/1.1 client for tests: one request per connection
// (Connection: close), plain POSIX sockets, so that the server under test
// is met by a separate, ordinary client.

#ifndef COLONY_TESTS_ADMIN_HTTP_CLIENT_H_
#define COLONY_TESTS_ADMIN_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace colony::admin_test {

struct HttpReply {
  int status = 0;  // 0: no reply (connection failed or garbled)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

// Fetch() sends `method target` with `body` to 127.0.0.1:`port`.
inline HttpReply Fetch(uint16_t port, std::string_view method,
                       std::string_view target, std::string_view body = "") {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return reply;
  }
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n <= 0) {
      close(fd);
      return reply;
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 9, "HTTP/1.1 ") != 0) {
    return reply;
  }
  reply.status = std::stoi(raw.substr(9, 3));
  size_t line = raw.find("\r\n") + 2;
  while (line < head_end) {
    const size_t end = raw.find("\r\n", line);
    const size_t colon = raw.find(':', line);
    if (colon < end) {
      std::string value = raw.substr(colon + 1, end - colon - 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      reply.headers[Lower(raw.substr(line, colon - line))] = value;
    }
    line = end + 2;
  }
  std::string rest = raw.substr(head_end + 4);
  if (Lower(reply.headers["transfer-encoding"]) == "chunked") {
    size_t at = 0;
    for (;;) {
      const size_t eol = rest.find("\r\n", at);
      if (eol == std::string::npos) break;
      const size_t size = std::stoul(rest.substr(at, eol - at), nullptr, 16);
      if (size == 0) break;
      reply.body += rest.substr(eol + 2, size);
      at = eol + 2 + size + 2;
    }
  } else {
    reply.body = std::move(rest);
  }
  return reply;
}

}  // namespace colony::admin_test

#endif  // COLONY_TESTS_ADMIN_HTTP_CLIENT_H_
