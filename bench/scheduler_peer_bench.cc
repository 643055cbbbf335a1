// Copyright 2026 The Colony Authors.
//
// scheduler_peer_bench: the scheduler workloads of
// bench/run_scheduler_bench.sh on Colony, line for line comparable with the
// Go, Boost.Fiber and oneTBB peers in bench/peers/ (same sizes, same output,
// same clock and busy loop from bench/peers/peer_bench.h). A plain program,
// not Google Benchmark, so that every peer is timed the same way.
//
//   yield      a root task spawns 100 tasks that each call colony::Yield()
//              K times and joins them; ns per yield (wall / total yields).
//   spawn      a root task spawns M empty tasks, then joins every handle;
//              ns per task.
//   chain      each task spawns the next (dropping its handle), 1000 links;
//              the last one publishes a counter the main thread waits on
//              (std::atomic wait); us per chain.
//   skynet     every task spawns 10 children, joins them and sums their
//              results, 6 levels, 1,000,000 leaves (sum checked); ms per run
//              and peak RSS (VmHWM) in MiB.
//   imbalance  a root task spawns 100,000 tasks that each spin about 1 us and
//              joins them; makespan, the ideal (the same spins run serially
//              on one thread, divided by the workers), their ratio, and the
//              same spins split over plain threads.
//   latency    2 x workers tasks at priority 0 spin in 50 us chunks
//              separated by Yield(); every 1 ms the main thread takes a
//              timestamp and spawns a priority-2 task (the wake), which
//              records how long it took to start; p50/p99 in us.
//   suspended  a root task spawns 1,000,000 tasks that each count
//              themselves and wait on one Event, yields until all have
//              counted, sets the Event and joins them all; seconds in all,
//              create_s (until every task waits), release_s (the rest:
//              waking, finishing and freeing them) and the resident memory
//              per waiting task above the process's size before the first
//              repetition (kib_per_task).
//
// The scheduler has the default options (3 priority bands) but for the
// worker count. Tasks spawned from a task take the local fast path; only
// each chain's first link and the latency workload's load and wakes are
// spawned from the main thread (through the injection queue).
//
// Usage: scheduler_peer_bench --workload=NAME --workers=N [--reps=5]
//        [--<size>=N...]   (each flag also reads the environment variable
//        of its upper-case name)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/peers/peer_bench.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"

namespace {

using peer_bench::Config;
using peer_bench::Field;
using peer_bench::NowNs;
using peer_bench::Report;

constexpr char kPeer[] = "colony";
// Wake/park counts of the scheduler under test, appended to every result
// line as the change over that repetition (summed over the workers):
// parks (times a worker went to sleep) and unparks (sleeps another thread
// ended), and both per 1,000 tasks spawned.
colony::Scheduler* g_scheduler = nullptr;

struct WakeCounts {
  uint64_t parks = 0;
  uint64_t unparks = 0;
  uint64_t spawned = 0;
};

WakeCounts ReadWakeCounts() {
  WakeCounts w;
  if (g_scheduler == nullptr) return w;
  const colony::SchedulerStats st = g_scheduler->Stats();
  for (const colony::WorkerStats& ws : st.workers) {
    w.parks += ws.parks;
    w.unparks += ws.unparks;
    w.spawned += ws.spawned;
  }
  w.spawned += st.spawned_remote;
  return w;
}

WakeCounts g_before;

void ReportColony(const Config& c, int rep, double value, const char* unit,
                  const std::string& extra = "") {
  const WakeCounts now = ReadWakeCounts();
  const double parks = static_cast<double>(now.parks - g_before.parks);
  const double unparks = static_cast<double>(now.unparks - g_before.unparks);
  const double ktasks =
      std::max(1.0, static_cast<double>(now.spawned - g_before.spawned) / 1e3);
  std::string fields = extra.empty() ? "" : extra + " ";
  fields += Field("parks", parks) + " " + Field("unparks", unparks) + " " +
            Field("parks_per_ktask", parks / ktasks);
  peer_bench::Report(kPeer, c, rep, value, unit, fields);
  g_before = ReadWakeCounts();
}

constexpr int kLowPriority = 0;
constexpr int kHighPriority = 2;

// Check() ends the program unless `result` is a completion.
template <typename T>
void Check(const colony::TaskResult<T>& result) {
  if (!result.completed()) {
    peer_bench::Fail(kPeer, "task did not complete: " + result.message());
  }
}

// RunInTask() runs `fn` as a task of `s` and waits for it from the calling
// (plain) thread.
template <typename F>
void RunInTask(colony::Scheduler& s, F&& fn) {
  Check(s.Spawn(std::forward<F>(fn)).Join());
}

void RunYield(colony::Scheduler& s, const Config& c, int rep) {
  const int64_t tasks = c.yield_tasks;
  const int64_t yields = c.yields;
  int64_t elapsed = 0;
  RunInTask(s, [&elapsed, tasks, yields] {
    std::vector<colony::JoinHandle<void>> handles;
    handles.reserve(tasks);
    const int64_t t0 = NowNs();
    for (int64_t i = 0; i < tasks; ++i) {
      handles.push_back(colony::Spawn([yields] {
        for (int64_t j = 0; j < yields; ++j) colony::Yield();
      }));
    }
    for (auto& h : handles) Check(h.Join());
    elapsed = NowNs() - t0;
  });
  ReportColony(
      c, rep,
      static_cast<double>(elapsed) / static_cast<double>(tasks * yields),
      "ns_per_op");
}

void RunSpawn(colony::Scheduler& s, const Config& c, int rep) {
  const int64_t tasks = c.spawn_tasks;
  int64_t elapsed = 0;
  RunInTask(s, [&elapsed, tasks] {
    std::vector<colony::JoinHandle<void>> handles;
    handles.reserve(tasks);
    const int64_t t0 = NowNs();
    for (int64_t i = 0; i < tasks; ++i) {
      handles.push_back(colony::Spawn([] {}));
    }
    for (auto& h : handles) Check(h.Join());
    elapsed = NowNs() - t0;
  });
  ReportColony(c, rep,
               static_cast<double>(elapsed) / static_cast<double>(tasks),
               "ns_per_task");
}

// Link() is one link of a chain: it spawns the rest of the chain and ends;
// the last link stores `chain` into `done` and wakes the waiting thread.
void Link(int64_t left, int64_t chain, std::atomic<int64_t>* done) {
  if (left == 1) {
    done->store(chain, std::memory_order_release);
    done->notify_one();
    return;
  }
  colony::Spawn([left, chain, done] { Link(left - 1, chain, done); }).Detach();
}

// The chains' completion counter. Static, so that it outlives the last
// link's notify_one() even after the main thread has seen the store.
std::atomic<int64_t> g_chains_done{0};

void RunChain(colony::Scheduler& s, const Config& c, int rep) {
  const int64_t links = c.chain_links;
  std::atomic<int64_t>& done = g_chains_done;
  done.store(0);
  const int64_t t0 = NowNs();
  for (int64_t chain = 1; chain <= c.chains; ++chain) {
    s.Spawn([links, chain] { Link(links, chain, &g_chains_done); }).Detach();
    for (int64_t seen = done.load(std::memory_order_acquire); seen != chain;
         seen = done.load(std::memory_order_acquire)) {
      done.wait(seen, std::memory_order_acquire);
    }
  }
  const int64_t elapsed = NowNs() - t0;
  ReportColony(c, rep,
               static_cast<double>(elapsed) / static_cast<double>(c.chains) /
                   1e3 * 1000.0 / static_cast<double>(links),
               "us_per_1000_links");
}

int64_t Skynet(int64_t num, int64_t size) {
  if (size == 1) return num;
  const int64_t sub = size / 10;
  colony::JoinHandle<int64_t> children[10];
  for (int64_t i = 0; i < 10; ++i) {
    children[i] =
        colony::Spawn([num, sub, i] { return Skynet(num + i * sub, sub); });
  }
  int64_t sum = 0;
  for (auto& child : children) {
    colony::TaskResult<int64_t> r = child.Join();
    Check(r);
    sum += r.value();
  }
  return sum;
}

void RunSkynet(colony::Scheduler& s, const Config& c, int rep) {
  const int64_t leaves = c.skynet_leaves;
  const int64_t t0 = NowNs();
  colony::TaskResult<int64_t> r =
      s.Spawn([leaves] { return Skynet(0, leaves); }).Join();
  const int64_t elapsed = NowNs() - t0;
  Check(r);
  if (r.value() != leaves * (leaves - 1) / 2) {
    peer_bench::Fail(kPeer, "skynet sum " + std::to_string(r.value()));
  }
  ReportColony(c, rep, static_cast<double>(elapsed) / 1e6, "ms",
               Field("rss_mib", peer_bench::PeakRssMiB()));
}

void RunImbalance(colony::Scheduler& s, const Config& c, int rep,
                  const peer_bench::ImbalanceBaseline& base) {
  const int64_t tasks = c.imb_tasks;
  const uint64_t iters = base.iters;
  int64_t makespan = 0;
  RunInTask(s, [&makespan, tasks, iters] {
    std::vector<colony::JoinHandle<void>> handles;
    handles.reserve(tasks);
    const int64_t t0 = NowNs();
    for (int64_t i = 0; i < tasks; ++i) {
      handles.push_back(colony::Spawn(
          [iters] { peer_bench::SinkValue(peer_bench::Spin(iters)); }));
    }
    for (auto& h : handles) Check(h.Join());
    makespan = NowNs() - t0;
  });
  ReportColony(c, rep, static_cast<double>(makespan) / 1e6, "ms",
               peer_bench::ImbalanceFields(c, base, makespan));
}

void RunLatency(colony::Scheduler& s, const Config& c, int rep) {
  const uint64_t chunk = peer_bench::SpinIterationsFor(c.lat_chunk_us * 1000);
  const int64_t samples = c.lat_samples;
  std::atomic<bool> stop{false};
  std::vector<colony::JoinHandle<void>> load;
  for (int i = 0; i < 2 * c.workers; ++i) {
    load.push_back(s.Spawn(
        [&stop, chunk] {
          while (!stop.load(std::memory_order_relaxed)) {
            peer_bench::SinkValue(peer_bench::Spin(chunk));
            colony::Yield();
          }
        },
        {.priority = kLowPriority}));
  }

  std::vector<int64_t> woken_at(samples), latency(samples);
  std::atomic<int64_t> ran{0};
  const auto period = std::chrono::microseconds(c.lat_period_us);
  auto deadline = std::chrono::steady_clock::now() + 5 * period;
  for (int64_t i = 0; i < samples; ++i, deadline += period) {
    std::this_thread::sleep_until(deadline);
    woken_at[i] = NowNs();
    s.Spawn(
         [&woken_at, &latency, &ran, i] {
           latency[i] = NowNs() - woken_at[i];
           ran.fetch_add(1, std::memory_order_release);
         },
         {.priority = kHighPriority})
        .Detach();
  }
  // Wait for the last wakes (a second at most, so that a starved band still
  // ends the run), stop the load, then wait for every wake to have run.
  const int64_t give_up = NowNs() + 1000000000;
  while (ran.load(std::memory_order_acquire) < samples && NowNs() < give_up) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  stop.store(true, std::memory_order_relaxed);
  for (auto& h : load) Check(h.Join());
  while (ran.load(std::memory_order_acquire) < samples) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  ReportColony(c, rep, peer_bench::Percentile(latency, 50) / 1e3, "us",
               Field("p99_us", peer_bench::Percentile(latency, 99) / 1e3) +
                   " " +
                   Field("max_us", peer_bench::Percentile(latency, 100) / 1e3) +
                   " note=priority_bands_spawn_wake");
}

void RunSuspended(colony::Scheduler& s, const Config& c, int rep,
                  double base_kib) {
  const int64_t tasks = c.suspended_tasks;
  int64_t created = 0;
  int64_t total = 0;
  double waiting_kib = 0;
  RunInTask(s, [&] {
    colony::Event gate;
    std::atomic<int64_t> waiting{0};
    std::vector<colony::JoinHandle<void>> handles;
    handles.reserve(tasks);
    const int64_t t0 = NowNs();
    for (int64_t i = 0; i < tasks; ++i) {
      handles.push_back(colony::Spawn([&gate, &waiting] {
        waiting.fetch_add(1, std::memory_order_relaxed);
        gate.Wait();
      }));
    }
    while (waiting.load(std::memory_order_relaxed) < tasks) colony::Yield();
    created = NowNs() - t0;
    waiting_kib = peer_bench::StatusKiB("VmRSS");
    gate.Set();
    for (auto& h : handles) Check(h.Join());
    total = NowNs() - t0;
  });
  ReportColony(
      c, rep, static_cast<double>(total) / 1e9, "s",
      Field("create_s", static_cast<double>(created) / 1e9) + " " +
          Field("release_s", static_cast<double>(total - created) / 1e9) + " " +
          Field("kib_per_task",
                (waiting_kib - base_kib) / static_cast<double>(tasks)));
}

}  // namespace

int main(int argc, char** argv) {
  const Config c = Config::FromFlags(peer_bench::Flags(argc, argv));
  peer_bench::ImbalanceBaseline base;
  // Before the workers exist, so that none competes for a core.
  if (c.workload == "imbalance") base = peer_bench::MeasureImbalance(c);

  colony::SchedulerOptions options{.workers = c.workers};
  // COLONY_SPIN_BEFORE_PARK_US overrides SchedulerOptions::spin_before_park,
  // to compare spinning policies in one build.
  if (const char* spin = std::getenv("COLONY_SPIN_BEFORE_PARK_US")) {
    options.spin_before_park = absl::Microseconds(std::atoi(spin));
  }
  absl::StatusOr<std::unique_ptr<colony::Scheduler>> created =
      colony::Scheduler::Create(std::move(options));
  if (!created.ok()) peer_bench::Fail(kPeer, created.status().ToString());
  colony::Scheduler& s = **created;
  g_scheduler = &s;
  if (absl::Status st = s.Start(); !st.ok()) {
    peer_bench::Fail(kPeer, st.ToString());
  }
  g_before = ReadWakeCounts();
  const double base_kib = peer_bench::StatusKiB("VmRSS");
  for (int rep = 0; rep < c.reps; ++rep) {
    if (c.workload == "yield") RunYield(s, c, rep);
    if (c.workload == "spawn") RunSpawn(s, c, rep);
    if (c.workload == "chain") RunChain(s, c, rep);
    if (c.workload == "skynet") RunSkynet(s, c, rep);
    if (c.workload == "imbalance") RunImbalance(s, c, rep, base);
    if (c.workload == "latency") RunLatency(s, c, rep);
    if (c.workload == "suspended") RunSuspended(s, c, rep, base_kib);
  }
  if (absl::Status st = s.Stop({.mode = colony::StopMode::kDrain}); !st.ok()) {
    peer_bench::Fail(kPeer, st.ToString());
  }
  return 0;
}
