// Copyright 2026 The Colony Authors.
//
// The admin endpoint's page bodies, without a server: /metrics families,
// the JSON pages, query and config parsing, the embedded dashboard.

#include "daemon/admin/internal/admin_pages.h"

#include <string>
#include <vector>

#include "daemon/admin/internal/dashboard.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"
#include "sync/locks/event.h"

namespace colony::daemon::admin_internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AdminPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scheduler_ = Scheduler::Create({.workers = 3, .priority_bands = 2}).value();
    ASSERT_TRUE(scheduler_->Start().ok());
  }
  void TearDown() override {
    ASSERT_TRUE(scheduler_->Stop({.mode = StopMode::kCancel}).ok());
  }
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(AdminPagesTest, MetricsPageHasEveryFamilyAndTheHooks) {
  AdminHooks hooks;
  hooks.version = "1.2.3";
  hooks.write_metrics = [](metrics::PrometheusWriter& w) {
    w.Family("http_requests_total", metrics::MetricType::kCounter, "R.");
    w.Sample({{"backend", "http"}, {"code", "200"}}, 5);
  };
  const std::string page = MetricsPage(*scheduler_, hooks);
  for (const char* family :
       {"colony_worker_busy_seconds_total", "colony_worker_tasks_run_total",
        "colony_worker_steals_total", "colony_worker_parks_total",
        "colony_worker_queue_depth", "colony_scheduler_live_tasks",
        "colony_blocking_threads", "colony_stacks",
        "colony_stack_reserved_bytes", "colony_net_registered_fds",
        "colony_net_polls_total", "colony_net_ready_events_total",
        "process_cpu_seconds_total", "process_open_fds", "colonyd_build_info",
        "http_requests_total"}) {
    EXPECT_THAT(page, HasSubstr(std::string("# TYPE ") + family + " "))
        << family;
  }
  // Three workers, two bands: six queue depth samples, one per pair.
  for (const char* sample :
       {"colony_worker_queue_depth{worker=\"2\",band=\"1\"}",
        "colony_worker_steals_total{worker=\"0\"}",
        "colony_net_polls_total{kind=\"monitor\"}"}) {
    EXPECT_THAT(page, HasSubstr(sample)) << sample;
  }
  EXPECT_THAT(page, Not(HasSubstr("worker=\"3\"")));
  EXPECT_THAT(page, HasSubstr("colonyd_build_info{version=\"1.2.3\""));
  EXPECT_THAT(
      page, HasSubstr("http_requests_total{backend=\"http\",code=\"200\"} 5"));
  // The hook's families come last.
  EXPECT_GT(page.find("http_requests_total"), page.find("colonyd_build_info"));
}

TEST_F(AdminPagesTest, LiveTasksAreCounted) {
  auto h = scheduler_->Spawn([] { colony::SleepFor(absl::Hours(1)); });
  const std::string page = MetricsPage(*scheduler_, {});
  EXPECT_THAT(page, HasSubstr("\ncolony_scheduler_live_tasks 1\n"));
}

TEST_F(AdminPagesTest, StacksAreCounted) {
  Notification started;
  auto h = scheduler_->Spawn([&] {
    started.Notify();
    colony::SleepFor(absl::Hours(1));
  });
  started.WaitForNotification();
  const std::string page = MetricsPage(*scheduler_, {});
  // The sleeping task holds a stack: at least one is in use.
  const std::string in_use = "\ncolony_stacks{state=\"in_use\"} ";
  const size_t at = page.find(in_use);
  ASSERT_NE(at, std::string::npos) << page;
  EXPECT_GE(std::stod(page.substr(at + in_use.size())), 1.0);
  EXPECT_THAT(page, HasSubstr("\ncolony_stacks{state=\"warm\"} "));
  EXPECT_THAT(page, HasSubstr("\ncolony_stacks{state=\"cold\"} "));
  const nlohmann::json j = nlohmann::json::parse(SchedulerJson(*scheduler_));
  EXPECT_GE(j["stacks"]["in_use"].get<size_t>(), 1u);
  EXPECT_GT(j["stacks"]["reserved_bytes"].get<size_t>(), 0u);
}

TEST_F(AdminPagesTest, SchedulerJsonListsEveryWorker) {
  const nlohmann::json j = nlohmann::json::parse(SchedulerJson(*scheduler_));
  EXPECT_EQ(j["workers"], 3);
  EXPECT_EQ(j["priority_bands"], 2);
  ASSERT_EQ(j["worker_stats"].size(), 3u);
  EXPECT_EQ(j["worker_stats"][0]["queue_depth"].size(), 2u);
  EXPECT_TRUE(j["io"].contains("registered_fds"));
}

TEST_F(AdminPagesTest, InfoJsonEmbedsTheDaemonsInfo) {
  AdminHooks hooks;
  hooks.info_json = [] { return std::string(R"({"listeners": ["a"]})"); };
  nlohmann::json j = nlohmann::json::parse(InfoJson(*scheduler_, hooks));
  EXPECT_EQ(j["daemon"]["listeners"][0], "a");
  EXPECT_EQ(j["scheduler"]["workers"], 3);
  hooks.info_json = [] { return std::string("{not json"); };
  j = nlohmann::json::parse(InfoJson(*scheduler_, hooks));
  EXPECT_EQ(j["daemon_error"], "{not json");
  EXPECT_FALSE(j.contains("daemon"));
}

TEST(QueryValueTest, FindsAndDecodes) {
  EXPECT_EQ(QueryValue("group=1&limit=5", "group"), "1");
  EXPECT_EQ(QueryValue("group=1&limit=5", "limit"), "5");
  EXPECT_EQ(QueryValue("a=x%20y+z", "a"), "x y z");
  EXPECT_EQ(QueryValue("flag&b=2", "flag"), "");
  EXPECT_EQ(QueryValue("a=1", "b"), std::nullopt);
  EXPECT_EQ(QueryValue("", "a"), std::nullopt);
  EXPECT_EQ(QueryValue("a=%zz", "a"), "%zz");
}

TEST(ParseKeyValuesTest, LinesAndForms) {
  auto kv = ParseKeyValues("log_level = debug\n\nmax_connections=10\r\n");
  ASSERT_TRUE(kv.ok()) << kv.status();
  ASSERT_EQ(kv->size(), 2u);
  EXPECT_EQ((*kv)[0].first, "log_level");
  EXPECT_EQ((*kv)[0].second, "debug");
  EXPECT_EQ((*kv)[1].first, "max_connections");
  EXPECT_EQ((*kv)[1].second, "10");
  kv = ParseKeyValues("a=1&b=x%2By");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ((*kv)[1].second, "x+y");
}

TEST(ParseKeyValuesTest, ErrorsNameTheEntry) {
  auto kv = ParseKeyValues("a=1\nnonsense\n");
  ASSERT_FALSE(kv.ok());
  EXPECT_THAT(std::string(kv.status().message()), HasSubstr("nonsense"));
  EXPECT_FALSE(ParseKeyValues("=5").ok());
  std::string many;
  for (int i = 0; i < 65; ++i) many += "k" + std::to_string(i) + "=1\n";
  kv = ParseKeyValues(many);
  ASSERT_FALSE(kv.ok());
  EXPECT_THAT(std::string(kv.status().message()), HasSubstr("more than 64"));
}

TEST(SetLogLevelTest, ChangesTheDefaultLoggersLevel) {
  const auto before = spdlog::get_level();
  ASSERT_TRUE(SetLogLevel("debug").ok());
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  const absl::Status bad = SetLogLevel("loud");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), HasSubstr("\"loud\""));
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  spdlog::set_level(before);
}

TEST(DashboardTest, PageIsSelfContained) {
  const std::string_view html = DashboardHtml();
  EXPECT_THAT(std::string(html.substr(0, 15)), HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(std::string(html), HasSubstr("</html>"));
  EXPECT_THAT(std::string(html), HasSubstr("<canvas"));
  // No external assets: nothing is fetched from another origin.
  EXPECT_THAT(std::string(html), Not(HasSubstr("http://")));
  EXPECT_THAT(std::string(html), Not(HasSubstr("https://")));
  EXPECT_THAT(std::string(html), Not(HasSubstr("src=")));
}

}  // namespace
}  // namespace colony::daemon::admin_internal
