// Copyright 2026 The Colony Authors.
//
// The server's limits and timeouts over real sockets: each limit's status,
// the slowloris header timeout, the body and idle timeouts, the write
// timeout, max_connections, the overload hook, options changed at run time
// and clients that vanish mid-request.

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/server.h"
#include "scheduler/scheduler.h"
#include "tests/http/http_test_util.h"

namespace colony::http {
namespace {

using testing::Client;
using testing::Eventually;
using testing::StatusCount;
using testing::TestServer;

Handler Hello() {
  return [](RequestContext& ctx) {
    return Response::Text(
        200, absl::StrCat("Hello, World! body=",
                          std::string(ctx.body.size(), 'x').size()));
  };
}

// Sends `request` on a fresh connection and returns the response status,
// checking that the server then closes.
int StatusOf(uint16_t port, const std::string& request) {
  Client c(port);
  EXPECT_TRUE(c.Send(request));
  auto r = c.ReadResponse();
  if (!r.has_value()) return -1;
  EXPECT_EQ(r->Header("connection"), "close") << r->status;
  EXPECT_TRUE(c.AtEof()) << r->status;
  return r->status;
}

TEST(HttpLimitsTest, EachLimitHasItsStatus) {
  ServerOptions o;
  o.parser.max_request_line_bytes = 256;
  o.parser.max_header_section_bytes = 512;
  o.parser.max_headers = 8;
  o.parser.max_body_bytes = 1024;
  TestServer ts(o, Hello());
  const uint16_t port = ts.port();
  EXPECT_EQ(StatusOf(port, absl::StrCat("GET /", std::string(400, 'a'),
                                        " HTTP/1.1\r\nHost: x\r\n\r\n")),
            414);
  EXPECT_EQ(StatusOf(port, absl::StrCat("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ",
                                        std::string(600, 'b'), "\r\n\r\n")),
            431);
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10; ++i) absl::StrAppend(&many, "X-", i, ": v\r\n");
  EXPECT_EQ(StatusOf(port, many + "\r\n"), 431);
  EXPECT_EQ(StatusOf(port,
                     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                     "5000\r\n\r\n"),
            413);
  EXPECT_EQ(
      StatusOf(port, absl::StrCat("POST / HTTP/1.1\r\nHost: x\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n"
                                  "800\r\n",
                                  std::string(0x800, 'c'), "\r\n0\r\n\r\n")),
      413);
  EXPECT_EQ(StatusOf(port, "GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(StatusOf(port, "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"),
            400);
  EXPECT_EQ(StatusOf(port, "GET / HTTP/1.1\nHost: x\n\n"), 400);
  ServerStats s = ts.server().Stats();
  EXPECT_EQ(StatusCount(s, 414), 1u);
  EXPECT_EQ(StatusCount(s, 431), 2u);
  EXPECT_EQ(StatusCount(s, 413), 2u);
  EXPECT_EQ(StatusCount(s, 505), 1u);
  EXPECT_EQ(StatusCount(s, 400), 2u);
}

TEST(HttpLimitsTest, SlowHeadersGet408AndClose) {
  ServerOptions o;
  o.header_read_timeout = absl::Milliseconds(300);
  TestServer ts(o, Hello());
  // A slowloris client: a byte every 50 ms never finishes its head in time.
  Client slow(ts.port());
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaa";
  bool cut_off = false;
  for (char ch : head) {
    if (!slow.Send(std::string(1, ch))) {
      cut_off = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto r = slow.ReadResponse();
  ASSERT_TRUE(r.has_value()) << cut_off;
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(slow.AtEof());
  // Normal clients were served meanwhile and still are.
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto ok = c.ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_GE(ts.server().Stats().connections_timed_out, 1u);
}

TEST(HttpLimitsTest, SilentConnectionAndIdleKeepAliveAreClosed) {
  ServerOptions o;
  o.header_read_timeout = absl::Milliseconds(200);
  o.idle_timeout = absl::Milliseconds(200);
  TestServer ts(o, Hello());
  Client silent(ts.port());
  EXPECT_TRUE(silent.AtEof());  // closed without a response
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.ReadResponse().has_value());
  EXPECT_TRUE(c.AtEof());  // idle past idle_timeout
  EXPECT_EQ(ts.server().Stats().connections_timed_out, 2u);
}

TEST(HttpLimitsTest, StalledBodyGets408) {
  ServerOptions o;
  o.body_read_timeout = absl::Milliseconds(200);
  TestServer ts(o, Hello());
  Client c(ts.port());
  ASSERT_TRUE(
      c.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.AtEof());
}

TEST(HttpLimitsTest, ClientThatDoesNotReadHitsWriteTimeout) {
  ServerOptions o;
  o.write_timeout = absl::Milliseconds(200);
  TestServer ts(o, [](RequestContext&) {
    return Response::Stream(200, "application/octet-stream", [](BodyWriter& w) {
      const std::string piece(64 * 1024, 'z');
      for (int i = 0; i < 4096; ++i) {  // 256 MiB: more than any socket buffer
        absl::Status s = w.Write(piece);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    });
  });
  Client c(ts.port());
  const int small = 4096;
  setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(Eventually([&] {
    const ServerStats s = ts.server().Stats();
    return s.connections_accepted == 1 && s.connections_active == 0;
  }));
  EXPECT_EQ(ts.server().Stats().connections_timed_out, 1u);
}

TEST(HttpLimitsTest, MaxConnectionsRefusesWith503) {
  ServerOptions o;
  o.max_connections = 2;
  TestServer ts(o, Hello());
  Client a(ts.port()), b(ts.port());
  for (Client* c : {&a, &b}) {
    ASSERT_TRUE(c->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c->ReadResponse().has_value());
  }
  Client extra(ts.port());
  auto r = extra.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(r->Header("retry-after"), "1");
  EXPECT_TRUE(extra.AtEof());
  EXPECT_EQ(ts.server().Stats().connections_refused, 1u);
  // Room again once one closes.
  ::shutdown(a.fd(), SHUT_RDWR);
  ASSERT_TRUE(
      Eventually([&] { return ts.server().Stats().connections_active == 1; }));
  Client later(ts.port());
  ASSERT_TRUE(later.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = later.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(HttpLimitsTest, OverloadHookSheds503WithRetryAfter) {
  std::atomic<bool> overloaded{false};
  std::atomic<int> calls{0};
  ServerOptions o;
  o.overloaded = [&] { return overloaded.load(); };
  o.retry_after = absl::Seconds(3);
  TestServer ts(o, [&](RequestContext&) {
    calls.fetch_add(1);
    return Response::Text(200, "ok");
  });
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  overloaded = true;
  ASSERT_TRUE(
      c.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("retry-after"), "3");
  // The connection stays usable (the body was read and dropped).
  overloaded = false;
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(ts.server().Stats().requests_shed, 1u);
}

TEST(HttpLimitsTest, OptionsChangeAtRunTime) {
  TestServer ts({}, Hello());
  Client c(ts.port());
  const std::string post =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
      std::string(100, 'p');
  ASSERT_TRUE(c.Send(post));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  ServerOptions o = ts.server().options();
  o.parser.max_body_bytes = 10;
  o.server_header = "";
  ts.server().SetOptions(o);
  // The open connection uses the new limits from its next request.
  ASSERT_TRUE(c.Send(post));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("server"), "");
}

TEST(HttpLimitsTest, ClientsVanishingMidRequestLeaveNothingBehind) {
  TestServer ts({}, Hello());
  for (int i = 0; i < 20; ++i) {
    Client c(ts.port());
    if (i % 2 == 0) {
      ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHo"));
    } else {
      ASSERT_TRUE(c.Send(
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"));
    }
    if (i % 4 < 2) {
      linger l{1, 0};  // reset instead of a clean close
      setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
  }
  EXPECT_TRUE(Eventually([&] {
    const ServerStats s = ts.server().Stats();
    return s.connections_accepted == 20 && s.connections_active == 0;
  }));
  EXPECT_EQ(ts.server().Stats().requests, 0u);
}

}  // namespace
}  // namespace colony::http
