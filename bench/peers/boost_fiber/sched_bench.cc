// Copyright 2026 The Colony Authors.
//
// sched_bench (Boost.Fiber peer): the scheduler workloads of
// bench/run_scheduler_bench.sh on Boost.Fiber 1.74.
//
//   yield      100 fibers each call boost::this_fiber::yield() K times; ns
//              per yield (wall time / total yields).
//   spawn      the main fiber launches M detached fibers that count down a
//              latch it waits on (a WaitGroup); ns per fiber.
//   chain      each fiber launches (and detaches) the next, 1000 links; the
//              last sets an event the main fiber waits on; us per chain.
//   skynet     every fiber launches 10 children, joins them and sums their
//              results, 6 levels, 1,000,000 leaves (sum checked); ms per run
//              and peak RSS (VmHWM) in MiB.
//   imbalance  the main fiber launches 100,000 fibers that each spin about
//              1 us and count down a latch; makespan, the ideal (the same
//              spins run serially on one thread, divided by the workers),
//              their ratio, and the same spins split over plain threads.
//   latency    2 x workers fibers spin in 50 us chunks separated by yields;
//              a plain thread outside the pool wakes a waiting fiber every
//              1 ms through a fiber condition variable, taking a timestamp
//              just before; p50/p99 of wake-to-run in us. work_stealing has
//              no priorities: the woken fiber queues behind the load.
//
// The pool: with 2+ workers, the main thread and workers-1 helper threads
// each install boost::fibers::algo::work_stealing(workers) (idle threads
// spin looking for work: the algorithm's `suspend` is left false, since a
// suspended thread is only woken by fibers scheduled to it directly and
// would never steal again). With 1 worker the main thread runs round_robin:
// work_stealing(1) spins forever looking for a victim other than itself
// once its queue is empty. The main fiber is pinned to the main thread, so
// every fiber it launches starts on that thread's queue. Stacks are 64 KiB
// (Colony's default) from a thread-safe pool that reuses them (see
// StackPool), and fibers are launched with launch::post.
//
// Memory: a fiber touches about 8 KiB of its stack when created, so the
// workloads that keep a million fibers alive at once (spawn on 1 worker,
// where the main fiber runs nothing until it waits; skynet on 1 worker,
// where round_robin's FIFO runs the tree breadth first) peak near 8-9 GiB
// and their first repetition pays the page faults.
//
// Usage: sched_bench --workload=NAME --workers=N [--reps=5] [--<size>=N...]
//        [--fiber_stack_kib=64] [--fiber_launch=post|dispatch]

#include <sys/mman.h>

#include <atomic>
#include <boost/fiber/algo/round_robin.hpp>
#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/peers/peer_bench.h"

namespace {

namespace fibers = boost::fibers;
using peer_bench::Config;
using peer_bench::Field;
using peer_bench::NowNs;
using peer_bench::Report;

constexpr char kPeer[] = "fiber";
// Stack bytes of every fiber (--fiber_stack_kib).
size_t g_stack_size = 64 * 1024;

// StackPool hands out stacks of g_stack_size bytes carved from large
// MAP_NORESERVE slabs and keeps released ones for reuse, as Go's and
// Colony's runtimes do; Boost's pooled_fixedsize_stack would do the same but
// is not thread-safe, and work_stealing frees a stack on whichever thread
// the fiber ended. Memory is never returned (one workload per process).
class StackPool {
 public:
  void* Get() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) Grow();
    void* p = free_.back();
    free_.pop_back();
    return p;
  }
  void Put(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(p);
  }

 private:
  void Grow() {
    constexpr size_t kSlab = 256;
    void* slab = mmap(nullptr, kSlab * g_stack_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (slab == MAP_FAILED) throw std::bad_alloc();
    for (size_t i = kSlab; i-- > 0;) {
      free_.push_back(static_cast<char*>(slab) + i * g_stack_size);
    }
  }

  std::mutex mu_;
  std::vector<void*> free_;
};

StackPool& Stacks() {
  static StackPool* pool = new StackPool;
  return *pool;
}

// PooledStack is the Boost.Context StackAllocator over Stacks().
struct PooledStack {
  boost::context::stack_context allocate() {
    boost::context::stack_context sc;
    sc.size = g_stack_size;
    sc.sp = static_cast<char*>(Stacks().Get()) + g_stack_size;
    return sc;
  }
  void deallocate(boost::context::stack_context& sc) noexcept {
    Stacks().Put(static_cast<char*>(sc.sp) - sc.size);
  }
};

// Launch() starts `fn` as a fiber on a pooled stack. By default
// (launch::post) the new fiber is queued and the caller goes on, as with
// `go` and colony::Spawn; --fiber_launch=dispatch runs it at once instead.
fibers::launch g_launch = fibers::launch::post;

template <typename F>
fibers::fiber Launch(F&& fn) {
  return fibers::fiber(g_launch, std::allocator_arg, PooledStack{},
                       std::forward<F>(fn));
}

// Event is a one-shot flag a fiber waits on; Set() may come from any thread.
class Event {
 public:
  // Notifies under the lock: the waiter may destroy the event as soon as it
  // sees `set_`.
  void Set() {
    std::unique_lock<fibers::mutex> lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<fibers::mutex> lock(mu_);
    cv_.wait(lock, [this] { return set_; });
  }

 private:
  fibers::mutex mu_;
  fibers::condition_variable cv_;
  bool set_ = false;
};

// CountDown is a WaitGroup: Wait() returns once Done() was called `n` times.
class CountDown {
 public:
  explicit CountDown(int64_t n) : left_(n) {}
  void Done() {
    if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.Set();
  }
  void Wait() { done_.Wait(); }

 private:
  std::atomic<int64_t> left_;
  Event done_;
};

// Pool makes the calling (main) thread and workers-1 helpers one fiber pool.
class Pool {
 public:
  explicit Pool(int workers) {
    if (workers == 1) {
      fibers::use_scheduling_algorithm<fibers::algo::round_robin>();
      return;
    }
    for (int i = 1; i < workers; ++i) {
      helpers_.emplace_back([this, workers] {
        fibers::use_scheduling_algorithm<fibers::algo::work_stealing>(workers);
        done_.Wait();  // this thread's dispatcher runs stolen fibers meanwhile
      });
    }
    // The constructor waits until every helper has installed its own.
    fibers::use_scheduling_algorithm<fibers::algo::work_stealing>(workers);
  }
  ~Pool() {
    done_.Set();
    for (std::thread& t : helpers_) t.join();
  }

 private:
  Event done_;
  std::vector<std::thread> helpers_;
};

void JoinAll(std::vector<fibers::fiber>& fs) {
  for (fibers::fiber& f : fs) f.join();
  fs.clear();
}

void RunYield(const Config& c, int rep) {
  std::vector<fibers::fiber> fs;
  fs.reserve(c.yield_tasks);
  const int64_t yields = c.yields;
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.yield_tasks; ++i) {
    fs.push_back(Launch([yields] {
      for (int64_t j = 0; j < yields; ++j) boost::this_fiber::yield();
    }));
  }
  JoinAll(fs);
  const int64_t elapsed = NowNs() - t0;
  Report(kPeer, c, rep,
         static_cast<double>(elapsed) /
             static_cast<double>(c.yield_tasks * yields),
         "ns_per_op");
}

void RunSpawn(const Config& c, int rep) {
  CountDown wg(c.spawn_tasks);
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.spawn_tasks; ++i) {
    Launch([&wg] { wg.Done(); }).detach();
  }
  wg.Wait();
  const int64_t elapsed = NowNs() - t0;
  Report(kPeer, c, rep,
         static_cast<double>(elapsed) / static_cast<double>(c.spawn_tasks),
         "ns_per_task");
}

void Link(int64_t left, Event* done) {
  if (left == 1) {
    done->Set();
    return;
  }
  Launch([left, done] { Link(left - 1, done); }).detach();
}

void RunChain(const Config& c, int rep) {
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.chains; ++i) {
    Event done;
    const int64_t links = c.chain_links;
    Launch([links, &done] { Link(links, &done); }).detach();
    done.Wait();
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
  fibers::fiber children[10];
  for (int64_t i = 0; i < 10; ++i) {
    children[i] = Launch(
        [&results, i, num, sub] { results[i] = Skynet(num + i * sub, sub); });
  }
  int64_t sum = 0;
  for (int64_t i = 0; i < 10; ++i) {
    children[i].join();
    sum += results[i];
  }
  return sum;
}

void RunSkynet(const Config& c, int rep) {
  int64_t sum = 0;
  const int64_t leaves = c.skynet_leaves;
  const int64_t t0 = NowNs();
  Launch([&sum, leaves] { sum = Skynet(0, leaves); }).join();
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
  CountDown wg(c.imb_tasks);
  const int64_t t0 = NowNs();
  for (int64_t i = 0; i < c.imb_tasks; ++i) {
    Launch([&wg, iters] {
      peer_bench::SinkValue(peer_bench::Spin(iters));
      wg.Done();
    }).detach();
  }
  wg.Wait();
  const int64_t makespan = NowNs() - t0;
  Report(kPeer, c, rep, static_cast<double>(makespan) / 1e6, "ms",
         peer_bench::ImbalanceFields(c, base, makespan));
}

void RunLatency(const Config& c, int rep) {
  const uint64_t chunk = peer_bench::SpinIterationsFor(c.lat_chunk_us * 1000);
  const int64_t samples = c.lat_samples;
  std::atomic<bool> stop{false};
  std::vector<fibers::fiber> load;
  for (int i = 0; i < 2 * c.workers; ++i) {
    load.push_back(Launch([&stop, chunk] {
      while (!stop.load(std::memory_order_relaxed)) {
        peer_bench::SinkValue(peer_bench::Spin(chunk));
        boost::this_fiber::yield();
      }
    }));
  }

  // The waker stores the wake-up's timestamp, bumps `posted` and notifies;
  // the fiber records, for every wake-up it finds posted, the time from
  // that timestamp to now (a late fiber so pays for each one it missed).
  fibers::mutex mu;
  fibers::condition_variable cv;
  std::vector<int64_t> woken_at(samples), latency(samples);
  int64_t posted = 0;
  std::atomic<int64_t> seen{0};
  fibers::fiber waiter = Launch([&] {
    int64_t next = 0;
    while (next < samples) {
      std::unique_lock<fibers::mutex> lock(mu);
      cv.wait(lock, [&] { return posted > next; });
      const int64_t now = NowNs();
      for (; next < posted; ++next) latency[next] = now - woken_at[next];
      seen.store(next, std::memory_order_relaxed);
    }
  });
  std::thread waker([&] {
    const auto period = std::chrono::microseconds(c.lat_period_us);
    auto deadline = std::chrono::steady_clock::now() + 5 * period;
    for (int64_t i = 0; i < samples; ++i, deadline += period) {
      std::this_thread::sleep_until(deadline);
      {
        std::unique_lock<fibers::mutex> lock(mu);
        woken_at[i] = NowNs();
        posted = i + 1;
      }
      cv.notify_one();
    }
    // Stop the load once the waiter has caught up (or after a second, so
    // that a starved waiter still finishes).
    const int64_t give_up = NowNs() + 1000000000;
    while (seen.load(std::memory_order_relaxed) < samples &&
           NowNs() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    stop.store(true, std::memory_order_relaxed);
  });
  waiter.join();
  stop.store(true, std::memory_order_relaxed);
  JoinAll(load);
  waker.join();
  Report(kPeer, c, rep, peer_bench::Percentile(latency, 50) / 1e3, "us",
         Field("p99_us", peer_bench::Percentile(latency, 99) / 1e3) + " " +
             Field("max_us", peer_bench::Percentile(latency, 100) / 1e3) +
             " note=no_priorities");
}

}  // namespace

int main(int argc, char** argv) {
  const peer_bench::Flags flags(argc, argv);
  const Config c = Config::FromFlags(flags);
  g_stack_size = flags.Int("fiber_stack_kib", 64) * 1024;
  if (flags.Str("fiber_launch", "post") == "dispatch") {
    g_launch = fibers::launch::dispatch;
  }
  if (c.workload == "suspended") {
    peer_bench::ReportNA(kPeer, c, "not_measured");
    return 0;
  }
  peer_bench::ImbalanceBaseline base;
  if (c.workload == "imbalance") {
    // Before the pool exists, so that no spinning helper competes.
    base = peer_bench::MeasureImbalance(c);
  }
  Pool pool(c.workers);
  for (int rep = 0; rep < c.reps; ++rep) {
    if (c.workload == "yield") RunYield(c, rep);
    if (c.workload == "spawn") RunSpawn(c, rep);
    if (c.workload == "chain") RunChain(c, rep);
    if (c.workload == "skynet") RunSkynet(c, rep);
    if (c.workload == "imbalance") RunImbalance(c, rep, base);
    if (c.workload == "latency") RunLatency(c, rep);
  }
  return 0;
}
