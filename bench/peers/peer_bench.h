// Copyright 2026 The Colony Authors.
//
// Shared plumbing of the C++ scheduler peer benchmarks (Colony, Boost.Fiber,
// oneTBB): flags, the clock, a calibrated busy loop, peak RSS, percentiles
// and the one-line result format that bench/run_scheduler_bench.sh parses.
// The Go peer (bench/peers/go/sched_bench.go) mirrors it by hand.
//
// Every program prints one line per repetition:
//
//   peer=go workload=yield workers=1 rep=0 value=61.2 unit=ns_per_op
//
// optionally followed by more `key=value` fields (rss_mib=, p99_us=, ...).
// A workload a peer cannot express prints `value=NA` with a `note=`.
//
// Header-only and free of any scheduler: the Boost.Fiber and oneTBB peers are
// built by the driver with a plain `g++ -I.` from the repository root, the
// Colony peer through Bazel (//bench:peer_bench_util).

#ifndef COLONY_BENCH_PEERS_PEER_BENCH_H_
#define COLONY_BENCH_PEERS_PEER_BENCH_H_

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace peer_bench {

// The workloads, in the order the driver runs them.
inline constexpr const char* kWorkloads[] = {
    "yield", "spawn", "chain", "skynet", "imbalance", "latency", "suspended"};

// Flags reads `--name=value` arguments, falling back to the environment
// variable NAME (upper case) and then to the default.
class Flags {
 public:
  Flags(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  std::string Str(std::string_view name, std::string_view def) const {
    const std::string prefix = "--" + std::string(name) + "=";
    for (const std::string& a : args_) {
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
    }
    std::string env(name);
    for (char& c : env) c = static_cast<char>(std::toupper(c));
    if (const char* v = std::getenv(env.c_str()); v != nullptr && *v != 0) {
      return v;
    }
    return std::string(def);
  }

  int64_t Int(std::string_view name, int64_t def) const {
    const std::string s = Str(name, "");
    if (s.empty()) return def;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != 0) {
      std::fprintf(stderr, "bad value for --%.*s: %s\n",
                   static_cast<int>(name.size()), name.data(), s.c_str());
      std::exit(2);
    }
    return v;
  }

 private:
  std::vector<std::string> args_;
};

// Workload sizes, identical across peers (see sched_bench.go's defaults).
struct Config {
  std::string workload;
  int workers = 1;
  int reps = 5;
  int64_t yield_tasks = 100;        // coroutines in the yield workload
  int64_t yields = 50000;           // yields per coroutine
  int64_t spawn_tasks = 1000000;    // empty tasks spawned then joined
  int64_t chain_links = 1000;       // tasks per chain
  int64_t chains = 300;             // chains per repetition
  int64_t skynet_leaves = 1000000;  // a power of 10
  int64_t imb_tasks = 100000;       // busy tasks spawned from one worker
  int64_t imb_task_ns = 1000;       // each task's busy time
  int64_t lat_samples = 500;        // high-priority wake-ups per repetition
  int64_t lat_period_us = 1000;     // between two wake-ups
  int64_t lat_chunk_us = 50;        // busy time between two yields of the load
  int64_t suspended_tasks = 1000000;  // tasks suspended at once

  static Config FromFlags(const Flags& f) {
    Config c;
    c.workload = f.Str("workload", "");
    c.workers = static_cast<int>(f.Int("workers", c.workers));
    c.reps = static_cast<int>(f.Int("reps", c.reps));
    c.yield_tasks = f.Int("yield_tasks", c.yield_tasks);
    c.yields = f.Int("yields", c.yields);
    c.spawn_tasks = f.Int("spawn_tasks", c.spawn_tasks);
    c.chain_links = f.Int("chain_links", c.chain_links);
    c.chains = f.Int("chains", c.chains);
    c.skynet_leaves = f.Int("skynet_leaves", c.skynet_leaves);
    c.imb_tasks = f.Int("imb_tasks", c.imb_tasks);
    c.imb_task_ns = f.Int("imb_task_ns", c.imb_task_ns);
    c.lat_samples = f.Int("lat_samples", c.lat_samples);
    c.lat_period_us = f.Int("lat_period_us", c.lat_period_us);
    c.lat_chunk_us = f.Int("lat_chunk_us", c.lat_chunk_us);
    c.suspended_tasks = f.Int("suspended_tasks", c.suspended_tasks);
    bool known = false;
    for (const char* w : kWorkloads) known = known || c.workload == w;
    if (!known || c.workers < 1 || c.reps < 1 || c.chain_links < 1) {
      std::fprintf(stderr,
                   "usage: sched_bench --workload=yield|spawn|chain|skynet|"
                   "imbalance|latency|suspended --workers=N [--reps=N] "
                   "[--<size>=N...]\n");
      std::exit(2);
    }
    int64_t leaves = 1;
    while (leaves < c.skynet_leaves) leaves *= 10;
    if (leaves != c.skynet_leaves) {
      std::fprintf(stderr, "--skynet_leaves must be a power of 10\n");
      std::exit(2);
    }
    return c;
  }
};

// NowNs() is the monotonic clock in nanoseconds.
inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Spin() burns `iters` steps of a dependent multiply-add chain that the
// compiler can neither vectorise nor drop; the result feeds SinkValue().
inline uint64_t Spin(uint64_t iters) {
  uint64_t x = iters | 1;
  for (uint64_t i = 0; i < iters; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));
  }
  return x;
}

// SinkValue() keeps a computed value alive.
inline void SinkValue(uint64_t v) { asm volatile("" : : "r"(v) : "memory"); }

// SpinIterationsFor() calibrates Spin() on the calling thread: the number of
// iterations that take about `ns` nanoseconds (best of several trials, so a
// preemption does not skew it).
inline uint64_t SpinIterationsFor(int64_t ns) {
  constexpr uint64_t kTrial = 1 << 20;
  int64_t best = INT64_MAX;
  for (int i = 0; i < 7; ++i) {
    const int64_t t0 = NowNs();
    SinkValue(Spin(kTrial));
    best = std::min(best, NowNs() - t0);
  }
  const double ns_per_iter = static_cast<double>(best) / kTrial;
  return std::max<uint64_t>(1, static_cast<uint64_t>(ns / ns_per_iter));
}

// SerialSpinNs() runs `tasks` spins of `iters` one after the other on the
// calling thread and returns the elapsed time: the single-thread work that
// the imbalance workload spreads over the workers.
inline int64_t SerialSpinNs(int64_t tasks, uint64_t iters) {
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < tasks; ++i) SinkValue(Spin(iters));
  return NowNs() - t0;
}

// ImbalanceBaseline is what the imbalance workload compares a scheduler's
// makespan with, measured before the scheduler starts (so that no idle
// worker competes for a core).
struct ImbalanceBaseline {
  uint64_t iters = 0;      // Spin() iterations of one task
  int64_t serial_ns = 0;   // all the tasks one after the other, one thread
  int64_t threads_ns = 0;  // the tasks split evenly over `workers` threads
};

// MeasureImbalance() calibrates the task and measures both baselines
// (medians of three runs). `threads_ns` shows what the machine itself
// allows: on a VM whose vCPUs share a core it is far above serial/workers.
inline ImbalanceBaseline MeasureImbalance(const Config& c) {
  ImbalanceBaseline b;
  b.iters = SpinIterationsFor(c.imb_task_ns);
  std::vector<int64_t> serial, threads;
  for (int round = 0; round < 3; ++round) {
    serial.push_back(SerialSpinNs(c.imb_tasks, b.iters));
    std::vector<std::thread> ts;
    const int64_t t0 = NowNs();
    for (int w = 0; w < c.workers; ++w) {
      const int64_t n =
          c.imb_tasks / c.workers + (w < c.imb_tasks % c.workers ? 1 : 0);
      ts.emplace_back([n, &b] { SerialSpinNs(n, b.iters); });
    }
    for (std::thread& t : ts) t.join();
    threads.push_back(NowNs() - t0);
  }
  std::sort(serial.begin(), serial.end());
  std::sort(threads.begin(), threads.end());
  b.serial_ns = serial[1];
  b.threads_ns = threads[1];
  return b;
}

// StatusKiB() is the field `name` ("VmRSS", "VmHWM") of /proc/self/status
// in KiB, or -1.
inline double StatusKiB(const char* name) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  const size_t n = std::strlen(name);
  double kib = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, name, n) == 0 && line[n] == ':') {
      kib = std::strtod(line + n + 1, nullptr);
      break;
    }
  }
  std::fclose(f);
  return kib;
}

// PeakRssMiB() is VmHWM in MiB, or -1.
inline double PeakRssMiB() {
  const double kib = StatusKiB("VmHWM");
  return kib < 0 ? -1 : kib / 1024;
}

// Percentile() is the nearest-rank percentile `p` (0..100) of `v`.
inline double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p / 100 * static_cast<double>(v.size()));
  if (rank >= v.size()) rank = v.size() - 1;
  return static_cast<double>(v[rank]);
}

// Report() prints one result line and flushes it.
inline void Report(const char* peer, const Config& c, int rep, double value,
                   const char* unit, const std::string& extra = "") {
  std::printf("peer=%s workload=%s workers=%d rep=%d value=%.3f unit=%s%s%s\n",
              peer, c.workload.c_str(), c.workers, rep, value, unit,
              extra.empty() ? "" : " ", extra.c_str());
  std::fflush(stdout);
}

// ReportNA() prints a line saying that `peer` cannot run this workload.
inline void ReportNA(const char* peer, const Config& c, const char* note) {
  for (int rep = 0; rep < c.reps; ++rep) {
    std::printf("peer=%s workload=%s workers=%d rep=%d value=NA note=%s\n",
                peer, c.workload.c_str(), c.workers, rep, note);
  }
  std::fflush(stdout);
}

// Field() formats a `key=value` pair for Report()'s `extra`.
inline std::string Field(const char* key, double value) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%s=%.3f", key, value);
  return buf;
}

// ImbalanceFields() formats the imbalance workload's extra fields for a
// measured `makespan_ns`: ideal_ms (serial / workers), efficiency
// (ideal / makespan), threads_ms and threads_efficiency (against the even
// split over plain threads) and task_ns (one task's serial cost).
inline std::string ImbalanceFields(const Config& c, const ImbalanceBaseline& b,
                                   int64_t makespan_ns) {
  const double ideal = static_cast<double>(b.serial_ns) / c.workers;
  const double makespan = static_cast<double>(makespan_ns);
  return Field("ideal_ms", ideal / 1e6) + " " +
         Field("efficiency", ideal / makespan) + " " +
         Field("threads_ms", static_cast<double>(b.threads_ns) / 1e6) + " " +
         Field("threads_efficiency",
               static_cast<double>(b.threads_ns) / makespan) +
         " " +
         Field("task_ns", static_cast<double>(b.serial_ns) /
                              static_cast<double>(c.imb_tasks));
}

// Fail() reports a broken invariant (a wrong sum, a failed task) and exits.
[[noreturn]] inline void Fail(const char* peer, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", peer, what.c_str());
  std::exit(1);
}

}  // namespace peer_bench

#endif  // COLONY_BENCH_PEERS_PEER_BENCH_H_
