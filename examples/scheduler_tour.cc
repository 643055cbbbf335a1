// Copyright 2026 The Colony Authors.
//
// A tour of the scheduler: a request handler spawns work in a TaskScope,
// carries a request id in an inherited CoroutineLocal, sleeps, offloads a
// blocking call, and runs at a priority; a background service loop runs
// forever until the scheduler stops. The program prints what happened and
// the scheduler's counters.

#include <atomic>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "local/coroutine_local.h"
#include "scheduler/blocking.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"

namespace {

colony::CoroutineLocal<std::string> request_id({.inherited = true});

int FetchPart(int part) {
  colony::SleepFor(absl::Milliseconds(1 + part % 3));
  return part * part;
}

int HandleRequest(int n) {
  request_id.Set("req-" + std::to_string(n));
  colony::TaskScope scope;  // children cannot outlive the request
  std::vector<colony::JoinHandle<int>> parts;
  for (int p = 0; p < 8; ++p) {
    parts.push_back(scope.Spawn([p] { return FetchPart(p); }));
  }
  // A blocking call runs on the blocking pool; this task suspends.
  const int disk = colony::SpawnBlocking([] { return 1000; });
  int sum = disk;
  for (auto& h : parts) sum += h.Join().value();
  return sum;
}

}  // namespace

int main() {
  auto created = colony::Scheduler::Create({.name = "tour"});
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
    return 1;
  }
  colony::Scheduler& scheduler = **created;
  if (absl::Status s = scheduler.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }

  std::atomic<int> ticks{0};
  scheduler
      .SpawnForever(
          [&] {
            for (;;) {
              colony::SleepFor(absl::Milliseconds(5));
              ticks.fetch_add(1);
            }
          },
          {.name = "background-ticker", .priority = 0})
      .Detach();

  const absl::Time start = absl::Now();
  std::vector<colony::JoinHandle<int>> requests;
  for (int i = 0; i < 1000; ++i) {
    requests.push_back(scheduler.Spawn([i] { return HandleRequest(i); },
                                       {.name = "request", .priority = 2}));
  }
  long long total = 0;
  for (auto& r : requests) total += r.Join().value();
  const absl::Duration took = absl::Now() - start;

  std::printf("1000 requests x 8 parts in %.1f ms; checksum %lld (want %d)\n",
              absl::ToDoubleMilliseconds(took), total, 1000 * (1000 + 140));
  std::printf("live tasks now (the ticker): %zu\n", scheduler.Dump().size());
  for (const colony::TaskInfo& t : scheduler.Dump()) {
    std::printf("  %s\n", (std::ostringstream() << t).str().c_str());
  }
  absl::Status stopped = scheduler.Stop(
      {.mode = colony::StopMode::kDrain, .deadline = absl::Seconds(5)});
  std::printf("stopped: %s; the ticker ticked %d times\n",
              stopped.ToString().c_str(), ticks.load());
  std::printf("%s", (std::ostringstream() << scheduler.Stats()).str().c_str());
  return stopped.ok() && total == 1000 * (1000 + 140) ? 0 : 1;
}
