// Copyright 2026 The Colony Authors.
//
// Every admin endpoint over real HTTP: an AdminServer served by an
// http::Server on an ephemeral loopback port, a scheduler with tasks
// blocked on a socket, a mutex, a channel and a sleep, and a plain socket
// client.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"
#include "tests/admin/admin_fixture.h"
#include "tests/admin/http_client.h"

namespace colony::admin_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class AdminServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new AdminFixture;
    ASSERT_TRUE(fixture_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  static HttpReply Get(std::string_view target) {
    return Fetch(fixture_->port(), "GET", target);
  }
  static HttpReply Post(std::string_view target, std::string_view body = "") {
    return Fetch(fixture_->port(), "POST", target, body);
  }
  static AdminFixture* fixture_;
};

AdminFixture* AdminServerTest::fixture_ = nullptr;

// The paragraph of the dump about the task named `name`.
std::string Paragraph(const std::string& dump, const std::string& name) {
  const size_t at = dump.find("name=\"" + name + "\"");
  if (at == std::string::npos) return "";
  const size_t begin = dump.rfind("task ", at);
  const size_t end = dump.find("\n\n", at);
  return dump.substr(begin, end - begin);
}

TEST_F(AdminServerTest, HealthAndReadiness) {
  HttpReply r = Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  r = Get("/readyz");
  EXPECT_EQ(r.status, 200);
  fixture_->ready = false;
  r = Get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready\n");
  fixture_->ready = true;
  EXPECT_EQ(Get("/readyz").status, 200);
}

TEST_F(AdminServerTest, MetricsInTheTextFormat) {
  fixture_->demo_requests = 17;
  HttpReply r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["content-type"],
              StartsWith("text/plain; version=0.0.4"));
  for (const char* family :
       {"colony_worker_busy_seconds_total", "colony_worker_queue_depth",
        "colony_scheduler_live_tasks", "colony_net_registered_fds",
        "process_resident_memory_bytes", "colonyd_build_info"}) {
    EXPECT_THAT(r.body, HasSubstr(std::string("# TYPE ") + family)) << family;
  }
  EXPECT_THAT(r.body, HasSubstr("colony_worker_steals_total{worker=\"1\"}"));
  EXPECT_THAT(r.body, HasSubstr("colonyd_build_info{version=\"test-1.0\""));
  EXPECT_THAT(r.body, HasSubstr("demo_requests_total{backend=\"demo\","
                                "code=\"200\"} 17\n"));
  EXPECT_THAT(r.body, HasSubstr("demo_request_duration_seconds_bucket{"
                                "backend=\"demo\",le=\"+Inf\"} 17\n"));
  // The blocked socket is registered with the poller.
  EXPECT_THAT(r.body, Not(HasSubstr("\ncolony_net_registered_fds 0\n")));
}

TEST_F(AdminServerTest, JsonPages) {
  HttpReply r = Get("/info");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["daemon"]["listeners"]["admin"], "127.0.0.1");
  EXPECT_EQ(j["scheduler"]["workers"], 2);
  EXPECT_EQ(j["version"], "test-1.0");

  r = Get("/debug/scheduler");
  ASSERT_EQ(r.status, 200);
  j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["worker_stats"].size(), 2u);
  EXPECT_GE(j["live_tasks"].get<int>(), 6);

  r = Get("/debug/config");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(r.body).is_object());
}

TEST_F(AdminServerTest, CoroutineDumpShowsWhatEachTaskWaitsOn) {
  HttpReply r = Get("/debug/coroutines");
  ASSERT_EQ(r.status, 200);
  const std::string& dump = r.body;
  int fd = -1;
  for (const TaskInfo& t : fixture_->scheduler().Dump()) {
    if (t.name == "socket-reader") fd = t.io_fd;
  }
  ASSERT_GE(fd, 0);
  const std::string socket = Paragraph(dump, "socket-reader");
  EXPECT_THAT(socket, HasSubstr("[io wait read fd=" + std::to_string(fd)))
      << dump;
  EXPECT_THAT(socket, HasSubstr("AdminFixtureReadSocket")) << dump;
  EXPECT_THAT(socket, HasSubstr("    0x")) << dump;
  const std::string mutex = Paragraph(dump, "mutex-waiter");
  EXPECT_THAT(mutex, HasSubstr("[mutex"));
  EXPECT_THAT(mutex, HasSubstr("AdminFixtureLockMutex"));
  const std::string channel = Paragraph(dump, "channel-receiver");
  EXPECT_THAT(channel, HasSubstr("[channel receive"));
  EXPECT_THAT(channel, HasSubstr("AdminFixtureRecvChannel"));
  const std::string sleeper = Paragraph(dump, "sleeper");
  EXPECT_THAT(sleeper, HasSubstr("[sleep"));
  EXPECT_THAT(sleeper, HasSubstr("AdminFixtureSleep"));
  // The request's own task is running while it dumps.
  EXPECT_THAT(dump, HasSubstr("[running]"));
}

TEST_F(AdminServerTest, CoroutineDumpGroupedAndLimited) {
  HttpReply r = Get("/debug/coroutines?group=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("1 task [mutex] ids "));
  EXPECT_THAT(r.body, HasSubstr("AdminFixtureLockMutex"));
  EXPECT_EQ(r.body.find("name=\""), std::string::npos);
  r = Get("/debug/coroutines?limit=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, StartsWith("1 tasks listed (of about "));
  r = Get("/debug/coroutines?limit=lots");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"lots\""));
}

TEST_F(AdminServerTest, MutationsArePostOnly) {
  for (const char* path : {"/loglevel", "/config", "/drain", "/quitquitquit"}) {
    HttpReply r = Get(path);
    EXPECT_EQ(r.status, 405) << path;
    EXPECT_THAT(r.headers["allow"], HasSubstr("POST")) << path;
  }
  EXPECT_EQ(fixture_->drains.load(), 0);
  EXPECT_EQ(fixture_->quits.load(), 0);
  EXPECT_EQ(Post("/metrics").status, 405);
  EXPECT_EQ(Get("/no/such/page").status, 404);
}

TEST_F(AdminServerTest, LogLevel) {
  const auto before = spdlog::get_level();
  HttpReply r = Post("/loglevel", "debug\n");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  r = Post("/loglevel?level=warn");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(spdlog::get_level(), spdlog::level::warn);
  r = Post("/loglevel", "loud");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("unknown log level \"loud\""));
  EXPECT_EQ(spdlog::get_level(), spdlog::level::warn);
  EXPECT_EQ(Post("/loglevel").status, 400);
  spdlog::set_level(before);
}

TEST_F(AdminServerTest, Config) {
  HttpReply r = Post("/config", "limit=5\n");
  EXPECT_EQ(r.status, 200) << r.body;
  {
    std::lock_guard<std::mutex> lock(fixture_->config_mu);
    EXPECT_EQ(fixture_->config["limit"], "5");
  }
  r = Post("/config", "nope=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("nope: unknown key"));
  r = Post("/config", "limit=many");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("limit wants a number"));
  r = Post("/config", "garbage");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("expected key=value"));
  EXPECT_THAT(Get("/debug/config").body, HasSubstr("\"limit\":\"5\""));
}

TEST_F(AdminServerTest, DashboardPage) {
  HttpReply r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["content-type"], StartsWith("text/html"));
  EXPECT_THAT(r.body, HasSubstr("<canvas id=\"chart-utilisation\""));
}

// Last: it changes readiness for good.
TEST_F(AdminServerTest, ZDrainAndQuit) {
  HttpReply r = Post("/drain");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(fixture_->drains.load(), 1);
  EXPECT_EQ(Get("/readyz").status, 503);
  r = Post("/quitquitquit");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(fixture_->quits.load(), 1);
}

}  // namespace
}  // namespace colony::admin_test
