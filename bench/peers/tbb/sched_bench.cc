// Copyright 2026 The Colony Authors.
//
// sched_bench (oneTBB peer): the scheduler workloads of
// bench/run_scheduler_bench.sh on oneTBB's task_group. TBB tasks are run-to-
// completion closures, not coroutines, so this peer shows what a scheduler
// without stacks costs.
//
//   yield      not applicable: a TBB task cannot suspend and resume; NA.
//   spawn      the main thread runs M empty tasks in one task_group and
//              waits for it (helping to run them); ns per task.
//   chain      each task runs the next in the same task_group, 1000 links;
//              the group's wait() returning is the completion; us per chain.
//   skynet     every task runs 10 children in its own task_group, waits and
//              sums their results, 6 levels, 1,000,000 leaves (sum checked);
//              ms per run and peak RSS (VmHWM) in MiB.
//   imbalance  the main thread runs 100,000 tasks that each spin about
//              1 us in one task_group; makespan, the ideal (the same spins
//              run serially on one thread, divided by the workers), their
//              ratio, and the same spins split over plain threads.
//   latency    a low-priority task_arena runs 2 x workers load tasks that
//              spin 50 us and re-enqueue themselves (TBB's way to yield);
//              every 1 ms the main thread, outside both arenas, takes a
//              timestamp and enqueues a task into a high-priority
//              task_arena; p50/p99 of wake-to-run in us. Here the main
//              thread only wakes, so the workers are `workers` TBB threads
//              (max_allowed_parallelism = workers + 1).
//
// Threads: tbb::global_control caps the parallelism at `workers`; the main
// thread counts as one of them when it waits on a task_group.
//
// Usage: sched_bench --workload=NAME --workers=N [--reps=5] [--<size>=N...]

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/peers/peer_bench.h"

namespace {

using peer_bench::Config;
using peer_bench::Field;
using peer_bench::NowNs;
using peer_bench::Report;

constexpr char kPeer[] = "tbb";

void RunSpawn(const Config& c, int rep) {
  tbb::task_group tg;
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.spawn_tasks; ++i) tg.run([] {});
  tg.wait();
  const int64_t elapsed = NowNs() - t0;
  Report(kPeer, c, rep,
         static_cast<double>(elapsed) / static_cast<double>(c.spawn_tasks),
         "ns_per_task");
}

void Link(tbb::task_group* tg, int64_t left) {
  if (left == 1) return;
  tg->run([tg, left] { Link(tg, left - 1); });
}

void RunChain(const Config& c, int rep) {
  const int64_t links = c.chain_links;
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.chains; ++i) {
    tbb::task_group tg;
    tg.run([&tg, links] { Link(&tg, links); });
    tg.wait();
  }
  const int64_t elapsed = NowNs() - t0;
  Report(kPeer, c, rep,
         static_cast<double>(elapsed) / static_cast<double>(c.chains) / 1e3 *
             1000.0 / static_cast<double>(c.chain_links),
         "us_per_1000_links");
}

int64_t Skynet(int64_t num, int64_t size) {
  if (size == 1) return num;
  const int64_t sub = size / 10;
  int64_t results[10];
  tbb::task_group tg;
  for (int64_t i = 0; i < 10; ++i) {
    tg.run(
        [&results, i, num, sub] { results[i] = Skynet(num + i * sub, sub); });
  }
  tg.wait();
  int64_t sum = 0;
  for (int64_t r : results) sum += r;
  return sum;
}

void RunSkynet(const Config& c, int rep) {
  const int64_t leaves = c.skynet_leaves;
  int64_t sum = 0;
  const int64_t t0 = NowNs();
  {
    tbb::task_group tg;
    tg.run([&sum, leaves] { sum = Skynet(0, leaves); });
    tg.wait();
  }
  const int64_t elapsed = NowNs() - t0;
  if (sum != leaves * (leaves - 1) / 2) {
    peer_bench::Fail(kPeer, "skynet sum " + std::to_string(sum));
  }
  Report(kPeer, c, rep, static_cast<double>(elapsed) / 1e6, "ms",
         Field("rss_mib", peer_bench::PeakRssMiB()));
}

void RunImbalance(const Config& c, int rep,
                  const peer_bench::ImbalanceBaseline& base) {
  const uint64_t iters = base.iters;
  tbb::task_group tg;
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.imb_tasks; ++i) {
    tg.run([iters] { peer_bench::SinkValue(peer_bench::Spin(iters)); });
  }
  tg.wait();
  const int64_t makespan = NowNs() - t0;
  Report(kPeer, c, rep, static_cast<double>(makespan) / 1e6, "ms",
         peer_bench::ImbalanceFields(c, base, makespan));
}

// LoadStep is one 50 us slice of a low-priority load task; it re-enqueues
// itself until `stop`, and counts itself out of `live` when it ends.
struct Load {
  tbb::task_arena* arena;
  uint64_t chunk;
  std::atomic<bool> stop{false};
  std::atomic<int> live{0};

  void Step() {
    peer_bench::SinkValue(peer_bench::Spin(chunk));
    if (stop.load(std::memory_order_relaxed)) {
      live.fetch_sub(1, std::memory_order_release);
      return;
    }
    arena->enqueue([this] { Step(); });
  }
};

void RunLatency(const Config& c, int rep) {
  const int64_t samples = c.lat_samples;
  tbb::task_arena low(c.workers, 0, tbb::task_arena::priority::low);
  tbb::task_arena high(c.workers, 0, tbb::task_arena::priority::high);
  Load load;
  load.arena = &low;
  load.chunk = peer_bench::SpinIterationsFor(c.lat_chunk_us * 1000);
  load.live.store(2 * c.workers);
  for (int i = 0; i < 2 * c.workers; ++i) low.enqueue([&load] { load.Step(); });

  std::vector<int64_t> woken_at(samples), latency(samples);
  std::atomic<int64_t> ran{0};
  const auto period = std::chrono::microseconds(c.lat_period_us);
  auto deadline = std::chrono::steady_clock::now() + 5 * period;
  for (int64_t i = 0; i < samples; ++i, deadline += period) {
    std::this_thread::sleep_until(deadline);
    woken_at[i] = NowNs();
    high.enqueue([&, i] {
      latency[i] = NowNs() - woken_at[i];
      ran.fetch_add(1, std::memory_order_release);
    });
  }
  // Wait for the last high-priority tasks (a second at most, so that a
  // starved arena still ends the run), then stop the load.
  const int64_t give_up = NowNs() + 1000000000;
  while (ran.load(std::memory_order_acquire) < samples && NowNs() < give_up) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  load.stop.store(true, std::memory_order_relaxed);
  while (load.live.load(std::memory_order_acquire) > 0 ||
         ran.load(std::memory_order_acquire) < samples) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  Report(kPeer, c, rep, peer_bench::Percentile(latency, 50) / 1e3, "us",
         Field("p99_us", peer_bench::Percentile(latency, 99) / 1e3) + " " +
             Field("max_us", peer_bench::Percentile(latency, 100) / 1e3) +
             " note=arena_priorities");
}

}  // namespace

int main(int argc, char** argv) {
  const Config c = Config::FromFlags(peer_bench::Flags(argc, argv));
  if (c.workload == "yield") {
    peer_bench::ReportNA(kPeer, c, "tasks_cannot_yield");
    return 0;
  }
  if (c.workload == "suspended") {
    peer_bench::ReportNA(kPeer, c, "tasks_cannot_suspend");
    return 0;
  }
  peer_bench::ImbalanceBaseline base;
  if (c.workload == "imbalance") base = peer_bench::MeasureImbalance(c);
  // For latency the main thread is the external waker and stays out of the
  // arenas, so one more thread is allowed to give `workers` TBB workers.
  const int threads = c.workload == "latency" ? c.workers + 1 : c.workers;
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            threads);
  for (int rep = 0; rep < c.reps; ++rep) {
    if (c.workload == "spawn") RunSpawn(c, rep);
    if (c.workload == "chain") RunChain(c, rep);
    if (c.workload == "skynet") RunSkynet(c, rep);
    if (c.workload == "imbalance") RunImbalance(c, rep, base);
    if (c.workload == "latency") RunLatency(c, rep);
  }
  return 0;
}
