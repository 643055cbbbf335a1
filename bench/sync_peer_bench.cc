// Copyright 2026 The Colony Authors.
//
// sync_peer_bench: the channel workloads of bench/run_sync_bench.sh on
// Colony, line for line comparable with the Go and Boost.Fiber peers in
// bench/peers/go/sync_bench.go and bench/peers/boost_fiber/sync_bench.cc
// (same sizes, same checks, same output; flags, clock and result lines from
// bench/peers/peer_bench.h). A plain program, not Google Benchmark, so that
// every peer is timed the same way.
//
//   pingpong       a root task and an echo task it spawns, two rendezvous
//                  (capacity 0) channels: the root sends i on the first,
//                  the echo task receives it and sends it back on the
//                  second, the root receives it; N round trips after one
//                  untimed warm-up; ns per round trip. Both sides check
//                  that every value arrives in order.
//   pingpong_buf1  the same over channels of capacity 1.
//   unbounded_1p   one producer task sends M values into an unbounded
//                  channel, one consumer task receives them; ns per
//                  message, from before the spawns to the last join.
//   unbounded_mp   the same with P producer tasks (--producers, default 4)
//                  sending M/P values each into one consumer.
//
// The unbounded consumer checks that it gets exactly M values, each
// producer's in the order sent, and that nothing is left afterwards. The
// scheduler has the default options but for the worker count.
//
// Usage: sync_peer_bench --workload=NAME --workers=N [--reps=5]
//        [--round_trips=500000] [--messages=2000000] [--producers=4]
//        (each flag also reads the environment variable of its upper-case
//        name)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/peers/peer_bench.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"

namespace {

using peer_bench::Fail;
using peer_bench::Field;
using peer_bench::NowNs;
using peer_bench::Report;

constexpr char kPeer[] = "colony";
constexpr const char* kSyncWorkloads[] = {"pingpong", "pingpong_buf1",
                                          "unbounded_1p", "unbounded_mp"};
// A message of the unbounded workloads: producer << kSeqBits | sequence.
constexpr int kSeqBits = 40;
constexpr int64_t kSeqMask = (int64_t{1} << kSeqBits) - 1;

// SyncConfig is the command line: `base` carries the workload, workers and
// reps that peer_bench::Report() prints.
struct SyncConfig {
  peer_bench::Config base;
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
                   "usage: sync_peer_bench --workload=pingpong|pingpong_buf1|"
                   "unbounded_1p|unbounded_mp --workers=N [--reps=N] "
                   "[--round_trips=N] [--messages=N] [--producers=N]\n");
      std::exit(2);
    }
    return c;
  }
};

template <typename T>
void Check(const colony::TaskResult<T>& result) {
  if (!result.completed()) {
    Fail(kPeer, "task did not complete: " + result.message());
  }
}

// RunInTask() runs `fn` as a task of `s` and waits for it from the main
// thread.
template <typename F>
void RunInTask(colony::Scheduler& s, F&& fn) {
  Check(s.Spawn(std::forward<F>(fn)).Join());
}

// RoundTrip() sends `i` on `ping` and expects it back on `pong`.
void RoundTrip(colony::Channel<int64_t>& ping, colony::Channel<int64_t>& pong,
               int64_t i) {
  if (!ping.Send(i)) Fail(kPeer, "ping channel closed");
  const std::optional<int64_t> back = pong.Recv();
  if (!back.has_value() || *back != i) {
    Fail(kPeer, "round trip " + std::to_string(i) + " came back as " +
                    (back ? std::to_string(*back) : "nothing"));
  }
}

void RunPingPong(colony::Scheduler& s, const SyncConfig& c, int rep,
                 size_t capacity) {
  const int64_t n = c.round_trips;
  int64_t elapsed = 0;
  RunInTask(s, [&elapsed, n, capacity] {
    colony::Channel<int64_t> ping(capacity);
    colony::Channel<int64_t> pong(capacity);
    colony::JoinHandle<int64_t> echo = colony::Spawn([&ping, &pong] {
      int64_t expected = 0;
      while (std::optional<int64_t> v = ping.Recv()) {
        if (*v != expected) {
          Fail(kPeer, "echo got " + std::to_string(*v) + ", expected " +
                          std::to_string(expected));
        }
        ++expected;
        if (!pong.Send(*v)) Fail(kPeer, "pong channel closed");
      }
      return expected;
    });
    RoundTrip(ping, pong, 0);  // warm-up: the echo task is running
    const int64_t t0 = NowNs();
    for (int64_t i = 1; i <= n; ++i) RoundTrip(ping, pong, i);
    elapsed = NowNs() - t0;
    ping.Close();
    colony::TaskResult<int64_t> echoed = echo.Join();
    Check(echoed);
    if (echoed.value() != n + 1) {
      Fail(kPeer, "echo saw " + std::to_string(echoed.value()) + " values");
    }
  });
  Report(kPeer, c.base, rep, static_cast<double>(elapsed) / n,
         "ns_per_round_trip");
}

void RunUnbounded(colony::Scheduler& s, const SyncConfig& c, int rep,
                  int64_t producers) {
  const int64_t m = c.messages;
  int64_t elapsed = 0;
  RunInTask(s, [&elapsed, m, producers] {
    colony::Channel<int64_t> ch(colony::kUnbounded);
    const int64_t t0 = NowNs();
    colony::JoinHandle<int64_t> consumer = colony::Spawn([&ch, m, producers] {
      std::vector<int64_t> next(producers, 0);
      for (int64_t k = 0; k < m; ++k) {
        const std::optional<int64_t> v = ch.Recv();
        if (!v.has_value()) Fail(kPeer, "channel closed early");
        const int64_t p = *v >> kSeqBits;
        if (p < 0 || p >= producers || (*v & kSeqMask) != next[p]) {
          Fail(kPeer, "out of order message " + std::to_string(*v));
        }
        ++next[p];
      }
      return m;
    });
    std::vector<colony::JoinHandle<void>> senders;
    for (int64_t p = 0; p < producers; ++p) {
      const int64_t count = m / producers + (p < m % producers ? 1 : 0);
      senders.push_back(colony::Spawn([&ch, p, count] {
        for (int64_t i = 0; i < count; ++i) {
          if (!ch.Send(p << kSeqBits | i)) Fail(kPeer, "channel closed");
        }
      }));
    }
    for (auto& h : senders) Check(h.Join());
    colony::TaskResult<int64_t> got = consumer.Join();
    elapsed = NowNs() - t0;
    Check(got);
    if (got.value() != m || ch.TryRecv().has_value()) {
      Fail(kPeer, "message count does not add up");
    }
  });
  const double ns = static_cast<double>(elapsed) / m;
  Report(kPeer, c.base, rep, ns, "ns_per_msg",
         Field("mmsgs_per_s", 1e3 / ns) +
             " producers=" + std::to_string(producers));
}

}  // namespace

int main(int argc, char** argv) {
  const SyncConfig c = SyncConfig::FromFlags(peer_bench::Flags(argc, argv));
  absl::StatusOr<std::unique_ptr<colony::Scheduler>> created =
      colony::Scheduler::Create({.workers = c.base.workers});
  if (!created.ok()) Fail(kPeer, created.status().ToString());
  colony::Scheduler& s = **created;
  if (absl::Status st = s.Start(); !st.ok()) Fail(kPeer, st.ToString());
  const std::string& w = c.base.workload;
  for (int rep = 0; rep < c.base.reps; ++rep) {
    if (w == "pingpong") RunPingPong(s, c, rep, 0);
    if (w == "pingpong_buf1") RunPingPong(s, c, rep, 1);
    if (w == "unbounded_1p") RunUnbounded(s, c, rep, 1);
    if (w == "unbounded_mp") RunUnbounded(s, c, rep, c.producers);
  }
  if (absl::Status st = s.Stop({.mode = colony::StopMode::kDrain}); !st.ok()) {
    Fail(kPeer, st.ToString());
  }
  return 0;
}
