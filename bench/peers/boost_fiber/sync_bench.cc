// Copyright 2026 The Colony Authors.
//
// sync_bench (Boost.Fiber peer): the channel workloads of
// bench/run_sync_bench.sh on Boost.Fiber 1.74.
//
//   pingpong       the main fiber and an echo fiber, two
//                  boost::fibers::unbuffered_channel: the main fiber pushes
//                  i into the first, the echo fiber pops it and pushes it
//                  back into the second, the main fiber pops it; N round
//                  trips after one untimed warm-up; ns per round trip. Both
//                  sides check the order.
//   pingpong_buf1  the same over buffered_channel(2), which holds one value
//                  (one slot of its ring always stays empty).
//   unbounded_1p   one producer fiber pushes M values into a channel, one
//                  consumer fiber pops them; ns per message, from before
//                  the fibers start to the last join. Boost.Fiber has no
//                  unbounded channel: a buffered_channel whose capacity is
//                  the power of two above M, so a push never waits, is the
//                  closest equivalent.
//   unbounded_mp   the same with P producers (--producers, default 4)
//                  pushing M/P values each into one consumer.
//
// The consumer checks that it gets exactly M values, each producer's in the
// order sent, and that nothing is left afterwards.
//
// The pool is the one of sched_bench.cc: with 2+ workers the main thread and
// workers-1 helper threads each install algo::work_stealing(workers), idle
// threads spinning; with 1 worker the main thread runs round_robin. Fibers
// get 64 KiB stacks (Colony's default) and are launched with launch::post.
//
// Usage: sync_bench --workload=NAME --workers=N [--reps=5]
//        [--round_trips=500000] [--messages=2000000] [--producers=4]

#include <boost/fiber/algo/round_robin.hpp>
#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/peers/peer_bench.h"

namespace {

namespace fibers = boost::fibers;
using peer_bench::Fail;
using peer_bench::Field;
using peer_bench::NowNs;
using peer_bench::Report;

constexpr char kPeer[] = "fiber";
constexpr size_t kStackSize = 64 * 1024;
constexpr const char* kSyncWorkloads[] = {"pingpong", "pingpong_buf1",
                                          "unbounded_1p", "unbounded_mp"};
// A message of the unbounded workloads: producer << kSeqBits | sequence.
constexpr int kSeqBits = 40;
constexpr int64_t kSeqMask = (int64_t{1} << kSeqBits) - 1;

struct SyncConfig {
  peer_bench::Config base;  // workload, workers, reps
  int64_t round_trips = 500000;
  int64_t messages = 2000000;
  int64_t producers = 4;

  static SyncConfig FromFlags(const peer_bench::Flags& f) {
    SyncConfig c;
    c.base.workload = f.Str("workload", "");
    c.base.workers = static_cast<int>(f.Int("workers", 1));
    c.base.reps = static_cast<int>(f.Int("reps", 5));
    c.round_trips = f.Int("round_trips", c.round_trips);
    c.messages = f.Int("messages", c.messages);
    c.producers = f.Int("producers", c.producers);
    bool known = false;
    for (const char* w : kSyncWorkloads) known = known || c.base.workload == w;
    if (!known || c.base.workers < 1 || c.base.reps < 1 || c.round_trips < 1 ||
        c.producers < 1 || c.messages < c.producers) {
      std::fprintf(stderr,
                   "usage: sync_bench --workload=pingpong|pingpong_buf1|"
                   "unbounded_1p|unbounded_mp --workers=N [--reps=N] "
                   "[--round_trips=N] [--messages=N] [--producers=N]\n");
      std::exit(2);
    }
    return c;
  }
};

template <typename F>
fibers::fiber Launch(F&& fn) {
  return fibers::fiber(fibers::launch::post, std::allocator_arg,
                       fibers::fixedsize_stack(kStackSize),
                       std::forward<F>(fn));
}

// Gate is a one-shot flag a fiber waits on; Open() may come from any thread.
class Gate {
 public:
  void Open() {
    std::unique_lock<fibers::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<fibers::mutex> lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  fibers::mutex mu_;
  fibers::condition_variable cv_;
  bool open_ = false;
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
        done_.Wait();  // the dispatcher runs stolen fibers meanwhile
      });
    }
    fibers::use_scheduling_algorithm<fibers::algo::work_stealing>(workers);
  }
  ~Pool() {
    done_.Open();
    for (std::thread& t : helpers_) t.join();
  }

 private:
  Gate done_;
  std::vector<std::thread> helpers_;
};

// RoundTrip() pushes `i` into `ping` and expects it back from `pong`.
template <typename Chan>
void RoundTrip(Chan& ping, Chan& pong, int64_t i) {
  if (ping.push(i) != fibers::channel_op_status::success) {
    Fail(kPeer, "ping channel closed");
  }
  int64_t back = -1;
  if (pong.pop(back) != fibers::channel_op_status::success || back != i) {
    Fail(kPeer, "round trip " + std::to_string(i) + " came back as " +
                    std::to_string(back));
  }
}

template <typename Chan>
void RunPingPong(const SyncConfig& c, int rep, Chan& ping, Chan& pong) {
  const int64_t n = c.round_trips;
  int64_t echoed = 0;
  fibers::fiber echo = Launch([&ping, &pong, &echoed] {
    int64_t v = 0;
    while (ping.pop(v) == fibers::channel_op_status::success) {
      if (v != echoed) {
        Fail(kPeer, "echo got " + std::to_string(v) + ", expected " +
                        std::to_string(echoed));
      }
      ++echoed;
      if (pong.push(v) != fibers::channel_op_status::success) {
        Fail(kPeer, "pong channel closed");
      }
    }
  });
  RoundTrip(ping, pong, 0);  // warm-up: the echo fiber is running
  const int64_t t0 = NowNs();
  for (int64_t i = 1; i <= n; ++i) RoundTrip(ping, pong, i);
  const int64_t elapsed = NowNs() - t0;
  ping.close();
  echo.join();
  if (echoed != n + 1) {
    Fail(kPeer, "echo saw " + std::to_string(echoed) + " values");
  }
  Report(kPeer, c.base, rep, static_cast<double>(elapsed) / n,
         "ns_per_round_trip");
}

void RunUnbounded(const SyncConfig& c, int rep, int64_t producers) {
  const int64_t m = c.messages;
  size_t capacity = 2;
  while (capacity < static_cast<size_t>(m) + 1) capacity *= 2;
  fibers::buffered_channel<int64_t> ch(capacity);  // never full
  int64_t got = 0;
  const int64_t t0 = NowNs();
  fibers::fiber consumer = Launch([&ch, &got, m, producers] {
    std::vector<int64_t> next(producers, 0);
    for (int64_t k = 0; k < m; ++k) {
      int64_t v = 0;
      if (ch.pop(v) != fibers::channel_op_status::success) {
        Fail(kPeer, "channel closed early");
      }
      const int64_t p = v >> kSeqBits;
      if (p < 0 || p >= producers || (v & kSeqMask) != next[p]) {
        Fail(kPeer, "out of order message " + std::to_string(v));
      }
      ++next[p];
    }
    got = m;
  });
  std::vector<fibers::fiber> senders;
  for (int64_t p = 0; p < producers; ++p) {
    const int64_t count = m / producers + (p < m % producers ? 1 : 0);
    senders.push_back(Launch([&ch, p, count] {
      for (int64_t i = 0; i < count; ++i) {
        if (ch.push(p << kSeqBits | i) != fibers::channel_op_status::success) {
          Fail(kPeer, "channel closed");
        }
      }
    }));
  }
  for (fibers::fiber& f : senders) f.join();
  consumer.join();
  const int64_t elapsed = NowNs() - t0;
  int64_t extra = 0;
  if (got != m || ch.try_pop(extra) == fibers::channel_op_status::success) {
    Fail(kPeer, "message count does not add up");
  }
  const double ns = static_cast<double>(elapsed) / m;
  Report(kPeer, c.base, rep, ns, "ns_per_msg",
         Field("mmsgs_per_s", 1e3 / ns) + " producers=" +
             std::to_string(producers) + " note=buffered_capacity_above_M");
}

}  // namespace

int main(int argc, char** argv) {
  const SyncConfig c = SyncConfig::FromFlags(peer_bench::Flags(argc, argv));
  Pool pool(c.base.workers);
  const std::string& w = c.base.workload;
  for (int rep = 0; rep < c.base.reps; ++rep) {
    if (w == "pingpong") {
      fibers::unbuffered_channel<int64_t> ping, pong;
      RunPingPong(c, rep, ping, pong);
    }
    if (w == "pingpong_buf1") {
      fibers::buffered_channel<int64_t> ping(2), pong(2);
      RunPingPong(c, rep, ping, pong);
    }
    if (w == "unbounded_1p") RunUnbounded(c, rep, 1);
    if (w == "unbounded_mp") RunUnbounded(c, rep, c.producers);
  }
  return 0;
}
