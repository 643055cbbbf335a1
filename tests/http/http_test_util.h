// Copyright 2026 The Colony Authors.
//
// Helpers for the HTTP server tests: a server on an ephemeral loopback port
// run by its own scheduler, and a plain blocking-socket client (from the
// test's thread) that reads responses byte-exactly.

#ifndef COLONY_TESTS_HTTP_HTTP_TEST_UTIL_H_
#define COLONY_TESTS_HTTP_HTTP_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "http/server.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"

namespace colony::http::testing {

// A server listening on 127.0.0.1 (a port the kernel picks), served by a
// scheduler of its own.
class TestServer {
 public:
  TestServer(ServerOptions options, Handler handler, int workers = 2) {
    auto s = Scheduler::Create({.workers = workers});
    EXPECT_TRUE(s.ok()) << s.status();
    scheduler_ = std::move(*s);
    EXPECT_TRUE(scheduler_->Start().ok());
    server_ = std::make_unique<Server>(std::move(options), std::move(handler));
    auto l = TcpListener::Bind(SocketAddress::Loopback4(0));
    EXPECT_TRUE(l.ok()) << l.status();
    listener_ = std::move(*l);
    port_ = listener_.LocalAddress()->port();
    serve_ = scheduler_->Spawn([this] { return server_->Serve(listener_); });
  }
  ~TestServer() { Stop(); }

  uint16_t port() const { return port_; }
  Server& server() { return *server_; }
  Scheduler& scheduler() { return *scheduler_; }

  // Stop() stops accepting, drains with `drain` and stops the scheduler.
  void Stop(absl::Duration drain = absl::Seconds(10)) {
    if (stopped_) return;
    stopped_ = true;
    server_->StopAccepting();
    auto r = serve_.Join();
    EXPECT_TRUE(r.completed() && r.value().ok());
    server_->Drain(Deadline::After(drain));
    listener_.Close().IgnoreError();
    EXPECT_TRUE(scheduler_->Stop({.deadline = absl::Seconds(30)}).ok());
    server_.reset();
  }

 private:
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Server> server_;
  TcpListener listener_;
  uint16_t port_ = 0;
  JoinHandle<absl::Status> serve_;
  bool stopped_ = false;
};

struct ClientResponse {
  int status = 0;
  std::string version;
  // Names lower-cased; the last value of a repeated name.
  std::map<std::string, std::string> headers;
  std::string body;
  bool chunked = false;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A blocking client connection with a receive timeout.
class Client {
 public:
  explicit Client(uint16_t port, absl::Duration timeout = absl::Seconds(20)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    SetTimeout(timeout);
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  void SetTimeout(absl::Duration timeout) {
    timeval tv = absl::ToTimeval(timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // ReadResponse() reads one response; `head_request` when it answers a
  // HEAD (no body follows). nullopt on EOF, timeout or malformed input.
  std::optional<ClientResponse> ReadResponse(bool head_request = false) {
    ClientResponse r;
    std::string line;
    if (!ReadLine(&line)) return std::nullopt;
    // "HTTP/1.1 200 OK"
    if (line.size() < 12) return std::nullopt;
    r.version = line.substr(0, 8);
    if (!absl::SimpleAtoi(line.substr(9, 3), &r.status)) return std::nullopt;
    for (;;) {
      if (!ReadLine(&line)) return std::nullopt;
      if (line.empty()) break;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string name = absl::AsciiStrToLower(line.substr(0, colon));
      std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      r.headers[name] = value;
    }
    if (head_request || r.status < 200 || r.status == 204 || r.status == 304) {
      return r;
    }
    if (r.Header("transfer-encoding") == "chunked") {
      r.chunked = true;
      for (;;) {
        if (!ReadLine(&line)) return std::nullopt;
        size_t size = 0;
        if (!absl::SimpleHexAtoi(line, &size)) return std::nullopt;
        if (size == 0) {
          if (!ReadLine(&line) || !line.empty()) return std::nullopt;
          return r;
        }
        std::string piece;
        if (!ReadExactly(size, &piece)) return std::nullopt;
        r.body += piece;
        if (!ReadLine(&line) || !line.empty()) return std::nullopt;
      }
    }
    if (r.headers.count("content-length") != 0) {
      size_t n = 0;
      if (!absl::SimpleAtoi(r.Header("content-length"), &n)) {
        return std::nullopt;
      }
      if (!ReadExactly(n, &r.body)) return std::nullopt;
      return r;
    }
    // Delimited by the end of the connection.
    char buf[4096];
    for (;;) {
      const ssize_t n = Recv(buf, sizeof(buf));
      if (n < 0) return std::nullopt;
      if (n == 0) return r;
      r.body.append(buf, static_cast<size_t>(n));
    }
  }

  // AtEof() is true when the server closed the connection (or reset it)
  // with nothing more to read.
  bool AtEof() {
    char c;
    return Recv(&c, 1) <= 0 && !timed_out_;
  }
  bool timed_out() const { return timed_out_; }

 private:
  ssize_t Recv(char* out, size_t n) {
    if (pos_ < buf_.size()) {
      const size_t k = std::min(n, buf_.size() - pos_);
      std::memcpy(out, buf_.data() + pos_, k);
      pos_ += k;
      return static_cast<ssize_t>(k);
    }
    return RawRecv(out, n);
  }
  ssize_t RawRecv(char* out, size_t n) {
    for (;;) {
      const ssize_t r = ::recv(fd_, out, n, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) timed_out_ = errno == EAGAIN || errno == EWOULDBLOCK;
      return r;
    }
  }
  bool Fill() {
    buf_.erase(0, pos_);
    pos_ = 0;
    char tmp[4096];
    const ssize_t n = RawRecv(tmp, sizeof(tmp));
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool ReadLine(std::string* line) {
    line->clear();
    for (;;) {
      const size_t lf = buf_.find('\n', pos_);
      if (lf != std::string::npos) {
        line->assign(buf_, pos_, lf - pos_);
        pos_ = lf + 1;
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return true;
      }
      if (!Fill()) return false;
    }
  }
  bool ReadExactly(size_t n, std::string* out) {
    while (buf_.size() - pos_ < n) {
      if (!Fill()) return false;
    }
    out->append(buf_, pos_, n);
    pos_ += n;
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::string buf_;
  size_t pos_ = 0;
};

// Eventually() polls `done` every 5 ms for up to a minute.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 12000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// StatusCount() is how many responses had `status`.
inline uint64_t StatusCount(const ServerStats& s, int status) {
  for (const auto& [code, n] : s.requests_by_status) {
    if (code == status) return n;
  }
  return 0;
}

}  // namespace colony::http::testing

#endif  // COLONY_TESTS_HTTP_HTTP_TEST_UTIL_H_
