// Copyright 2026 The Colony Authors.
//
// Signal<T> costs: an uncontended write and read, and the latency of a
// write fanned out to many subscribers: from Set() until every subscriber
// (a task waiting in WaitChanged(), or a Watch() callback) has seen the new
// value, on a scheduler with two workers.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/memo.h"
#include "sync/reactive/signal.h"

namespace colony {
namespace {

std::unique_ptr<Scheduler> StartTwoWorkers() {
  auto s = Scheduler::Create({.workers = 2}).value();
  if (!s->Start().ok()) std::abort();
  return s;
}

void BM_SetGetUncontended(benchmark::State& state) {
  Signal<int64_t> sig(0);
  int64_t i = 0;
  for (auto _ : state) {
    sig.Set(++i);
    benchmark::DoNotOptimize(sig.Get());
  }
}
BENCHMARK(BM_SetGetUncontended);

void BM_GetUncontended(benchmark::State& state) {
  Signal<int64_t> sig(42);
  for (auto _ : state) benchmark::DoNotOptimize(sig.Get());
}
BENCHMARK(BM_GetUncontended);

void BM_UpdateUncontended(benchmark::State& state) {
  Signal<int64_t> sig(0);
  for (auto _ : state) sig.Update([](int64_t v) { return v + 1; });
}
BENCHMARK(BM_UpdateUncontended);

// A write, then a read of a memo that depends on it (one recomputation).
void BM_SetThenMemoGet(benchmark::State& state) {
  Signal<int64_t> sig(0);
  Memo<int64_t> twice([&] { return sig.Get() * 2; });
  int64_t i = 0;
  for (auto _ : state) {
    sig.Set(++i);
    benchmark::DoNotOptimize(twice.Get());
  }
}
BENCHMARK(BM_SetThenMemoGet);

// N tasks wait in WaitChanged(); each iteration is one Set() and ends when
// the last task has seen the new value.
void BM_FanOutToWaitingTasks(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto s = StartTwoWorkers();
  Signal<int64_t> sig(0);
  std::atomic<int> seen{0};
  Event all_seen;
  std::atomic<int> ready{0};
  std::vector<JoinHandle<void>> tasks;
  tasks.reserve(n);
  for (int i = 0; i < n; ++i) {
    tasks.push_back(s->Spawn([&] {
      uint64_t since = sig.version();
      ready.fetch_add(1);
      for (;;) {
        const Versioned<int64_t> v = sig.WaitChanged(since);
        since = v.version;
        if (v.value < 0) return;
        if (seen.fetch_add(1) + 1 == n) all_seen.Set();
      }
    }));
  }
  while (ready.load() < n) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(absl::Milliseconds(5));  // let them all queue
  int64_t value = 0;
  for (auto _ : state) {
    seen.store(0);
    all_seen.Reset();
    const absl::Time start = absl::Now();
    sig.Set(++value);
    all_seen.Wait();
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
  }
  sig.Set(-1);
  for (auto& t : tasks) t.Join();
  s->Stop().IgnoreError();
  state.counters["subscribers"] = n;
}
BENCHMARK(BM_FanOutToWaitingTasks)
    ->Arg(1000)
    ->Arg(10000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// N Watch() callbacks; each iteration is one Set() and ends when the last
// callback has run with the new value.
void BM_FanOutToWatchers(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto s = StartTwoWorkers();
  Signal<int64_t> sig(0);
  std::atomic<int> seen{0};
  Event all_seen;
  std::vector<Effect> watchers;
  watchers.reserve(n);
  for (int i = 0; i < n; ++i) {
    watchers.push_back(sig.Watch(*s, [&](const int64_t&) {
      if (seen.fetch_add(1) + 1 == n) all_seen.Set();
    }));
  }
  int64_t value = 0;
  for (auto _ : state) {
    seen.store(0);
    all_seen.Reset();
    const absl::Time start = absl::Now();
    sig.Set(++value);
    all_seen.Wait();
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
  }
  watchers.clear();
  s->Stop().IgnoreError();
  state.counters["subscribers"] = n;
}
BENCHMARK(BM_FanOutToWatchers)
    ->Arg(1000)
    ->Arg(10000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace colony
