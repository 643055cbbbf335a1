// Copyright 2026 The Colony Authors.
//
// Server::Drain(): idle keep-alive connections close at once, busy ones
// finish their current response (with "Connection: close"), a connection
// whose first request is on its way is answered, and what is still running
// at the deadline is cancelled, its destructors run.

#include <atomic>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "http/server.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"
#include "tests/http/http_test_util.h"

namespace colony::http {
namespace {

using testing::Client;
using testing::Eventually;
using testing::TestServer;

struct Flag {
  std::atomic<int>* n;
  ~Flag() { n->fetch_add(1); }
};

TEST(HttpDrainTest, IdleClosedBusyFinishedRestCancelled) {
  std::atomic<int> in_slow{0};
  std::atomic<int> in_stuck{0};
  std::atomic<int> stuck_unwound{0};
  Router router;
  ASSERT_TRUE(
      router
          .Handle("GET", "/fast",
                  [](RequestContext&) { return Response::Text(200, "fast"); })
          .ok());
  ASSERT_TRUE(router
                  .Handle("GET", "/slow",
                          [&](RequestContext&) {
                            in_slow.fetch_add(1);
                            colony::SleepFor(absl::Milliseconds(400));
                            return Response::Text(200, "slow");
                          })
                  .ok());
  ASSERT_TRUE(router
                  .Handle("GET", "/stuck",
                          [&](RequestContext&) {
                            Flag f{&stuck_unwound};
                            in_stuck.fetch_add(1);
                            colony::SleepFor(absl::InfiniteDuration());
                            return Response::Text(200, "never");
                          })
                  .ok());
  TestServer ts({}, router.handler());

  Client idle(ts.port());
  ASSERT_TRUE(idle.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  Client busy(ts.port());
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  Client stuck(ts.port());
  ASSERT_TRUE(stuck.Send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(Eventually([&] { return in_slow == 1 && in_stuck == 1; }));

  ts.server().StopAccepting();
  std::atomic<bool> drained{false};
  std::thread drainer([&] {
    ts.server().Drain(Deadline::After(absl::Seconds(2)));
    drained = true;
  });
  // The idle connection closes at once, without a response.
  EXPECT_TRUE(idle.AtEof());
  // The busy one gets its response, then the close.
  auto r = busy.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "slow");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(busy.AtEof());
  EXPECT_FALSE(drained.load());  // the stuck one holds the drain
  // At the deadline the stuck handler is cancelled and unwinds.
  drainer.join();
  EXPECT_TRUE(drained.load());
  EXPECT_EQ(stuck_unwound.load(), 1);
  EXPECT_TRUE(stuck.AtEof());
  EXPECT_EQ(ts.server().Stats().connections_active, 0u);
}

TEST(HttpDrainTest, DrainWithNothingOpenReturnsAtOnce) {
  TestServer ts({}, [](RequestContext&) { return Response::Text(200, "x"); });
  Client c(ts.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(c.ReadResponse().has_value());
  ASSERT_TRUE(c.AtEof());
  ASSERT_TRUE(
      Eventually([&] { return ts.server().Stats().connections_active == 0; }));
  ts.server().StopAccepting();
  const absl::Time start = absl::Now();
  ts.server().Drain(Deadline::After(absl::Seconds(30)));
  // Not a timing assertion: only that it did not wait for the deadline.
  EXPECT_LT(absl::Now() - start, absl::Seconds(25));
}

}  // namespace
}  // namespace colony::http
