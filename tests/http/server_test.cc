// Copyright 2026 The Colony Authors.
//
// The HTTP/1.1 server over real loopback sockets: keep-alive, pipelining,
// split requests, chunked bodies both ways, 100-continue, HEAD, HTTP/1.0,
// Connection: close, exceptions and the router behind a server.

#include "http/server.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "tests/http/http_test_util.h"

namespace colony::http {
namespace {

using testing::Client;
using testing::ClientResponse;
using testing::Eventually;
using testing::StatusCount;
using testing::TestServer;

std::string Str(std::string_view s) { return std::string(s); }

Handler TestRoutes() {
  Router router;
  EXPECT_TRUE(router
                  .Handle("GET", "/hello",
                          [](RequestContext&) {
                            return Response::Text(200, "Hello, World!");
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("*", "/echo/{rest...}",
                          [](RequestContext& ctx) {
                            return Response::Text(
                                200, absl::StrCat(Str(ctx.request.method), " ",
                                                  Str(ctx.request.target), " ",
                                                  Str(ctx.body)));
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("GET", "/throw",
                          [](RequestContext&) -> Response {
                            throw std::runtime_error("boom");
                          })
                  .ok());
  EXPECT_TRUE(
      router
          .Handle(
              "GET", "/stream/{n}",
              [](RequestContext& ctx) {
                int n = 0;
                EXPECT_TRUE(absl::SimpleAtoi(Str(ctx.Param("n")), &n));
                return Response::Stream(200, "text/plain", [n](BodyWriter& w) {
                  for (int i = 0; i < n; ++i) {
                    absl::Status s = w.Write(absl::StrCat("piece", i, ";"));
                    if (!s.ok()) return s;
                  }
                  return absl::OkStatus();
                });
              })
          .ok());
  EXPECT_TRUE(router
                  .Handle("GET", "/users/{id}/posts/{post}",
                          [](RequestContext& ctx) {
                            return Response::Text(
                                200, absl::StrCat(Str(ctx.Param("id")), ":",
                                                  Str(ctx.Param("post"))));
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("GET", "/users/me/posts/{post}",
                          [](RequestContext& ctx) {
                            return Response::Text(
                                200,
                                absl::StrCat("me:", Str(ctx.Param("post"))));
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("POST", "/users/{id}/posts/{post}",
                          [](RequestContext&) {
                            return Response::Text(201, "created");
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("GET", "/nocontent",
                          [](RequestContext&) {
                            Response r;
                            r.status = 204;
                            return r;
                          })
                  .ok());
  EXPECT_TRUE(router
                  .Handle("GET", "/close",
                          [](RequestContext&) {
                            Response r = Response::Text(200, "bye");
                            r.AddHeader("Connection", "close");
                            return r;
                          })
                  .ok());
  return router.handler();
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "Hello, World!");
    EXPECT_EQ(r->Header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r->Header("server"), "colony");
    EXPECT_EQ(r->Header("date").size(), 29u) << r->Header("date");
    EXPECT_EQ(r->Header("connection"), "");
  }
  ServerStats s = ts.server().Stats();
  EXPECT_EQ(s.connections_accepted, 1u);
  EXPECT_EQ(StatusCount(s, 200), 5u);
}

TEST(HttpServerTest, PipelinedRequestsInOneWriteAreAnsweredInOrder) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  std::string batch;
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    absl::StrAppend(&batch, "GET /echo/", i, " HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  ASSERT_TRUE(c.Send(batch));
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body, absl::StrCat("GET /echo/", i, " ")) << i;
  }
}

TEST(HttpServerTest, RequestSplitAtEveryByteBoundary) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  const std::string request =
      "POST /echo/split?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n"
      "X-A: b\r\n\r\nhello world";
  for (size_t i = 1; i < request.size(); ++i) {
    ASSERT_TRUE(c.Send(request.substr(0, i)));
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    ASSERT_TRUE(c.Send(request.substr(i)));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "split at " << i;
    EXPECT_EQ(r->body, "POST /echo/split?q=1 hello world") << "split at " << i;
  }
  // And byte by byte, chunked.
  const std::string chunked =
      "POST /echo/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
  for (char ch : chunked) ASSERT_TRUE(c.Send(std::string(1, ch)));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST /echo/c hello world");
}

TEST(HttpServerTest, ChunkedResponseStreamsPieces) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET /stream/3 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->body, "piece0;piece1;piece2;");
  // The connection goes on after the last chunk.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "Hello, World!");
  // HTTP/1.0: raw bytes, ended by the close.
  Client old(ts.port());
  ASSERT_TRUE(
      old.Send("GET /stream/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = old.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(r->body, "piece0;piece1;");
}

TEST(HttpServerTest, ExpectContinueGetsInterimResponseBeforeBody) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  ASSERT_TRUE(
      c.Send("PUT /echo/up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("data"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PUT /echo/up data");
}

TEST(HttpServerTest, HeadSendsHeadersWithoutBody) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  ASSERT_TRUE(c.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "13");
  // No body bytes came: the next response starts right after the head.
  ASSERT_TRUE(c.Send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->Header("content-length"), "");
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "Hello, World!");
}

TEST(HttpServerTest, ConnectionCloseAndHttp10) {
  TestServer ts({}, TestRoutes());
  {
    Client c(ts.port());
    ASSERT_TRUE(
        c.Send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
               "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.AtEof());  // the second request is not answered
  }
  {
    Client c(ts.port());
    ASSERT_TRUE(c.Send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "bye");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.AtEof());
  }
  {
    Client c(ts.port());
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "Hello, World!");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.AtEof());
  }
  {
    Client c(ts.port());
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(
          c.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      auto r = c.ReadResponse();
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->Header("connection"), "keep-alive");
    }
  }
}

TEST(HttpServerTest, HandlerExceptionIs500AndConnectionGoesOn) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(ts.server().Stats().handler_exceptions, 1u);
}

TEST(HttpServerTest, RouterParamsNotFoundAndMethodNotAllowed) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  struct Case {
    std::string request;
    int status;
    std::string body;
    std::string allow;
  };
  const std::vector<Case> cases = {
      {"GET /users/42/posts/7", 200, "42:7", ""},
      {"GET /users/me/posts/7", 200, "me:7", ""},
      {"POST /users/me/posts/7", 201, "created", ""},
      {"DELETE /users/42/posts/7", 405, "Method Not Allowed\n",
       "GET, HEAD, POST"},
      {"GET /users/42/posts", 404, "Not Found\n", ""},
      {"GET /users//posts/7", 404, "Not Found\n", ""},
      {"GET /nowhere", 404, "Not Found\n", ""},
  };
  for (const Case& k : cases) {
    ASSERT_TRUE(
        c.Send(absl::StrCat(k.request, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << k.request;
    EXPECT_EQ(r->status, k.status) << k.request;
    EXPECT_EQ(r->body, k.body) << k.request;
    EXPECT_EQ(r->Header("allow"), k.allow) << k.request;
  }
  ASSERT_TRUE(c.Send("HEAD /users/1/posts/2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "3");
}

TEST(HttpServerTest, RouterRejectsBadPatterns) {
  Router router;
  auto h = [](RequestContext&) { return Response::Text(200, ""); };
  EXPECT_FALSE(router.Handle("GET", "nope", h).ok());
  EXPECT_FALSE(router.Handle("GET", "/a/{}", h).ok());
  EXPECT_FALSE(router.Handle("GET", "/a/{x", h).ok());
  EXPECT_FALSE(router.Handle("GET", "/a/{x}/{x}", h).ok());
  EXPECT_FALSE(router.Handle("GET", "/a/{x...}/b", h).ok());
  EXPECT_TRUE(router.Handle("GET", "/a/{x}", h).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(router.Handle("GET", "/a/{x}", h)));
}

TEST(HttpServerTest, StatsCountBytesAndLatency) {
  TestServer ts({}, TestRoutes());
  Client c(ts.port());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c.ReadResponse().has_value());
  }
  ServerStats s = ts.server().Stats();
  EXPECT_EQ(s.requests, 10u);
  EXPECT_EQ(s.connections_active, 1u);
  EXPECT_EQ(s.bytes_in, 10u * 32u);  // the request is 32 bytes
  EXPECT_GT(s.bytes_out, 10u * 13u);
  ASSERT_EQ(s.latency_counts.size(), s.latency_bounds_seconds.size() + 1);
  uint64_t total = 0;
  for (uint64_t n : s.latency_counts) total += n;
  EXPECT_EQ(total, 10u);
  EXPECT_GT(s.latency_sum_seconds, 0.0);
}

}  // namespace
}  // namespace colony::http
