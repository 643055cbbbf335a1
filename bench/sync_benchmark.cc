// Copyright 2026 The Colony Authors.
//
// sync_benchmark: Colony's sync/ primitives in Google Benchmark, with
// std::mutex and absl::Mutex as the baselines of the mutex rows.
//
//   BM_ChannelPingPong/workers:W/capacity:C
//       two tasks, two channels of capacity C (0: rendezvous): one sends i,
//       the other sends it back; a batch of 10,000 round trips per
//       iteration on a W-worker scheduler. ns_per_round_trip.
//   BM_ChannelUnbounded/producers:P
//       P producer tasks send 200,000 values in all into an unbounded
//       channel that one consumer task drains, 2 workers. ns_per_msg.
//   BM_{Colony,Std,Absl}MutexContended/contenders:C
//       C contenders each lock, increment a shared counter and unlock K
//       times (C * K = 200,000 per iteration): Colony's Mutex with the
//       contenders as tasks on a 2-worker scheduler; std::mutex and
//       absl::Mutex with C plain threads. ns_per_lock is the batch's wall
//       time over C * K.
//   BM_{Colony,Std,Absl}MutexUncontended
//       lock and unlock from the benchmark thread alone.
//
// Every batch checks its result (values in order, message counts, the
// counter equal to C * K) and fails the benchmark otherwise. Batches are
// timed by hand (UseManualTime): the Colony ones from the first spawn to the
// last join, the thread ones from the moment every thread is ready to the
// last join. The per-operation counters are plain averages over all batches,
// so `--benchmark_repetitions=3 --benchmark_report_aggregates_only=true`
// gives their median directly. bench/run_sync_bench.sh runs the mutex rows
// and tabulates them with the channel peers.

#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"
#include "sync/locks/mutex.h"

namespace {

constexpr int64_t kRoundTripsPerBatch = 10000;
constexpr int64_t kMessagesPerBatch = 200000;
constexpr int64_t kLocksPerBatch = 200000;
constexpr int kSeqBits = 40;
constexpr int64_t kSeqMask = (int64_t{1} << kSeqBits) - 1;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Started is a running scheduler with `workers` workers, stopped (drained)
// when it goes out of scope.
class Started {
 public:
  explicit Started(int workers) {
    scheduler_ = colony::Scheduler::Create({.workers = workers}).value();
    scheduler_->Start().IgnoreError();
  }
  ~Started() {
    scheduler_->Stop({.mode = colony::StopMode::kDrain}).IgnoreError();
  }
  colony::Scheduler& operator*() { return *scheduler_; }

 private:
  std::unique_ptr<colony::Scheduler> scheduler_;
};

// Batches accumulates hand-timed batches and sets the per-operation counter.
class Batches {
 public:
  explicit Batches(benchmark::State& state) : state_(state) {}
  // Add() records one batch of `ops` operations that took `ns`.
  void Add(int64_t ns, int64_t ops) {
    state_.SetIterationTime(static_cast<double>(ns) / 1e9);
    ns_ += ns;
    ops_ += ops;
  }
  void Finish(const char* counter) {
    if (ops_ > 0) {
      state_.counters[counter] = static_cast<double>(ns_) / ops_;
      state_.SetItemsProcessed(ops_);
    }
  }

 private:
  benchmark::State& state_;
  int64_t ns_ = 0;
  int64_t ops_ = 0;
};

// RunInTask() runs `fn` as a task of `s`, waits for it and says whether it
// completed and returned true.
template <typename F>
bool RunInTask(colony::Scheduler& s, F&& fn) {
  colony::TaskResult<bool> r = s.Spawn(std::forward<F>(fn)).Join();
  return r.completed() && r.value();
}

void BM_ChannelPingPong(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  const size_t capacity = static_cast<size_t>(state.range(1));
  Started s(workers);
  Batches batches(state);
  for (auto _ : state) {
    int64_t elapsed = 0;
    const bool ok = RunInTask(*s, [&elapsed, capacity] {
      colony::Channel<int64_t> ping(capacity);
      colony::Channel<int64_t> pong(capacity);
      colony::JoinHandle<int64_t> echo = colony::Spawn([&ping, &pong] {
        int64_t expected = 0;
        while (std::optional<int64_t> v = ping.Recv()) {
          if (*v != expected++ || !pong.Send(*v)) {
            pong.Close();  // the sender's Recv() ends instead of waiting
            return int64_t{-1};
          }
        }
        return expected;
      });
      bool in_order = true;
      const int64_t t0 = NowNs();
      for (int64_t i = 0; i < kRoundTripsPerBatch && in_order; ++i) {
        in_order = ping.Send(i) && pong.Recv() == std::optional<int64_t>(i);
      }
      elapsed = NowNs() - t0;
      ping.Close();
      colony::TaskResult<int64_t> echoed = echo.Join();
      return in_order && echoed.completed() &&
             echoed.value() == kRoundTripsPerBatch;
    });
    if (!ok) {
      state.SkipWithError("ping-pong values out of order");
      break;
    }
    batches.Add(elapsed, kRoundTripsPerBatch);
  }
  batches.Finish("ns_per_round_trip");
}
BENCHMARK(BM_ChannelPingPong)
    ->ArgNames({"workers", "capacity"})
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

void BM_ChannelUnbounded(benchmark::State& state) {
  const int64_t producers = state.range(0);
  Started s(2);
  Batches batches(state);
  for (auto _ : state) {
    int64_t elapsed = 0;
    const bool ok = RunInTask(*s, [&elapsed, producers] {
      colony::Channel<int64_t> ch(colony::kUnbounded);
      const int64_t t0 = NowNs();
      colony::JoinHandle<bool> consumer = colony::Spawn([&ch, producers] {
        std::vector<int64_t> next(producers, 0);
        for (int64_t k = 0; k < kMessagesPerBatch; ++k) {
          const std::optional<int64_t> v = ch.Recv();
          if (!v.has_value()) return false;
          const int64_t p = *v >> kSeqBits;
          if (p >= producers || (*v & kSeqMask) != next[p]++) return false;
        }
        return true;
      });
      std::vector<colony::JoinHandle<bool>> senders;
      for (int64_t p = 0; p < producers; ++p) {
        const int64_t count = kMessagesPerBatch / producers +
                              (p < kMessagesPerBatch % producers ? 1 : 0);
        senders.push_back(colony::Spawn([&ch, p, count] {
          for (int64_t i = 0; i < count; ++i) {
            if (!ch.Send(p << kSeqBits | i)) return false;
          }
          return true;
        }));
      }
      bool sent = true;
      for (auto& h : senders) {
        colony::TaskResult<bool> r = h.Join();
        sent = sent && r.completed() && r.value();
      }
      if (!sent) ch.Close();  // lets the consumer end
      colony::TaskResult<bool> got = consumer.Join();
      elapsed = NowNs() - t0;
      return sent && got.completed() && got.value() &&
             !ch.TryRecv().has_value();
    });
    if (!ok) {
      state.SkipWithError("messages lost, duplicated or out of order");
      break;
    }
    batches.Add(elapsed, kMessagesPerBatch);
  }
  batches.Finish("ns_per_msg");
}
BENCHMARK(BM_ChannelUnbounded)
    ->ArgName("producers")
    ->Arg(1)
    ->Arg(4)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Lock()/Unlock() adapt the three mutexes to one spelling.
void Lock(colony::Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) { mu.lock(); }
void Unlock(colony::Mutex& mu) ABSL_UNLOCK_FUNCTION(mu) { mu.unlock(); }
void Lock(std::mutex& mu) { mu.lock(); }
void Unlock(std::mutex& mu) { mu.unlock(); }
void Lock(absl::Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) { mu.Lock(); }
void Unlock(absl::Mutex& mu) ABSL_UNLOCK_FUNCTION(mu) { mu.Unlock(); }

// Contend() takes `mu` `k` times, incrementing `*counter` under it.
template <typename M>
void Contend(M& mu, int64_t* counter, int64_t k) {
  for (int64_t i = 0; i < k; ++i) {
    Lock(mu);
    ++*counter;
    Unlock(mu);
  }
}

void BM_ColonyMutexContended(benchmark::State& state) {
  const int64_t contenders = state.range(0);
  const int64_t k = kLocksPerBatch / contenders;
  Started s(2);
  Batches batches(state);
  for (auto _ : state) {
    colony::Mutex mu;
    int64_t counter = 0;
    int64_t elapsed = 0;
    const bool ok = RunInTask(*s, [&] {
      std::vector<colony::JoinHandle<void>> tasks;
      tasks.reserve(contenders);
      const int64_t t0 = NowNs();
      for (int64_t c = 0; c < contenders; ++c) {
        tasks.push_back(
            colony::Spawn([&mu, &counter, k] { Contend(mu, &counter, k); }));
      }
      bool all = true;
      for (auto& h : tasks) all = h.Join().completed() && all;
      elapsed = NowNs() - t0;
      return all;
    });
    if (!ok || counter != contenders * k) {
      state.SkipWithError("counter does not add up");
      break;
    }
    batches.Add(elapsed, contenders * k);
  }
  batches.Finish("ns_per_lock");
}

// ThreadsContended() is the plain-thread version for std::mutex and
// absl::Mutex: the clock starts once all `contenders` threads are ready.
template <typename M>
void ThreadsContended(benchmark::State& state) {
  const int64_t contenders = state.range(0);
  const int64_t k = kLocksPerBatch / contenders;
  Batches batches(state);
  for (auto _ : state) {
    M mu;
    int64_t counter = 0;
    std::latch ready(contenders + 1);
    std::vector<std::thread> threads;
    threads.reserve(contenders);
    for (int64_t c = 0; c < contenders; ++c) {
      threads.emplace_back([&mu, &counter, &ready, k] {
        ready.arrive_and_wait();
        Contend(mu, &counter, k);
      });
    }
    ready.arrive_and_wait();
    const int64_t t0 = NowNs();
    for (std::thread& t : threads) t.join();
    const int64_t elapsed = NowNs() - t0;
    if (counter != contenders * k) {
      state.SkipWithError("counter does not add up");
      break;
    }
    batches.Add(elapsed, contenders * k);
  }
  batches.Finish("ns_per_lock");
}

void BM_StdMutexContended(benchmark::State& state) {
  ThreadsContended<std::mutex>(state);
}
void BM_AbslMutexContended(benchmark::State& state) {
  ThreadsContended<absl::Mutex>(state);
}

void ContendedArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("contenders")->Arg(2)->Arg(8)->Arg(64);
  b->UseManualTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_ColonyMutexContended)->Apply(ContendedArgs);
BENCHMARK(BM_StdMutexContended)->Apply(ContendedArgs);
BENCHMARK(BM_AbslMutexContended)->Apply(ContendedArgs);

template <typename M>
void Uncontended(benchmark::State& state) {
  M mu;
  int64_t counter = 0;
  for (auto _ : state) {
    Lock(mu);
    ++counter;
    Unlock(mu);
  }
  benchmark::DoNotOptimize(counter);
  if (counter != state.iterations()) state.SkipWithError("counter is off");
}

void BM_ColonyMutexUncontended(benchmark::State& state) {
  Uncontended<colony::Mutex>(state);
}
void BM_StdMutexUncontended(benchmark::State& state) {
  Uncontended<std::mutex>(state);
}
void BM_AbslMutexUncontended(benchmark::State& state) {
  Uncontended<absl::Mutex>(state);
}
BENCHMARK(BM_ColonyMutexUncontended);
BENCHMARK(BM_StdMutexUncontended);
BENCHMARK(BM_AbslMutexUncontended);

}  // namespace
