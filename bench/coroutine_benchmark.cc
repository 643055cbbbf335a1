// Copyright 2026 The Colony Authors.
//
// Microbenchmarks of the coroutine core (Google Benchmark).
//
//   BM_ResumeSuspend          Coroutine<void, void, void>: one Resume() and
//                             one Suspend() per iteration (a round trip, two
//                             switches).
//   BM_ResumeSuspendInt       the same with an int in each direction.
//   BM_RawContextSwitch       the bare assembly switch, no bookkeeping: the
//                             floor the two above are measured against.
//   BM_BoostContextPingPong   boost::context::fiber, one resume() into the
//                             fiber and one back per iteration: directly
//                             comparable with BM_ResumeSuspend.
//   BM_CreateRunDestroy       create a coroutine on a pooled stack, run it to
//                             completion, destroy it.
//   BM_BoostContextCreateRunDestroy  the same with a Boost fiber on a pooled
//                             stack, for reference.
//   BM_GeneratorNext          one step of a Generator<int>.
//
// The switch benchmarks report `ns_per_switch` (CPU time divided by the
// number of switches) and items_per_second counting switches.

#include <benchmark/benchmark.h>

#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <cstddef>
#include <memory>
#include <utility>

#include "coroutine/coroutine.h"
#include "coroutine/generator.h"
#include "coroutine/internal/context.h"

namespace {

namespace ctx = boost::context;
namespace ci = colony::coroutine_internal;

// Every round trip is two switches: into the coroutine and back out.
constexpr int kSwitchesPerRoundTrip = 2;

// SetSwitchCounters reports items_per_second and ns_per_switch for a
// benchmark whose iterations each perform `switches` context switches.
void SetSwitchCounters(benchmark::State& state, int switches) {
  state.SetItemsProcessed(state.iterations() * switches);
  // Iteration-invariant rate, inverted: cpu_time / (switches * iterations),
  // in seconds (shown with an SI prefix, e.g. "1.5n").
  state.counters["ns_per_switch"] = benchmark::Counter(
      switches, benchmark::Counter::kIsIterationInvariantRate |
                    benchmark::Counter::kInvert);
}

void BM_ResumeSuspend(benchmark::State& state) {
  using Co = colony::Coroutine<void, void, void>;
  Co co([](Co::Suspender& s) {
    for (;;) s.Suspend();
  });
  for (auto _ : state) {
    benchmark::DoNotOptimize(co.Resume());
  }
  SetSwitchCounters(state, kSwitchesPerRoundTrip);
}
BENCHMARK(BM_ResumeSuspend);

void BM_ResumeSuspendInt(benchmark::State& state) {
  using Co = colony::Coroutine<int, int, int>;
  Co co([](Co::Suspender& s, int in) {
    for (;;) in = s.Suspend(in + 1);
    return in;
  });
  int value = 0;
  for (auto _ : state) {
    value = co.Resume(value).yielded();
    benchmark::DoNotOptimize(value);
  }
  SetSwitchCounters(state, kSwitchesPerRoundTrip);
}
BENCHMARK(BM_ResumeSuspendInt);

// The bare switch: two contexts bouncing control with no state, no TLS and
// no errno or exception bookkeeping.
struct RawPingPong {
  ci::Context main;
  ci::Context co;
};

void RawEntry(void* /*transfer*/, void* user) {
  auto* p = static_cast<RawPingPong*>(user);
  for (;;) ci::colony_context_switch(&p->co, &p->main, nullptr);
}

void BM_RawContextSwitch(benchmark::State& state) {
  constexpr size_t kStackBytes = 64 * 1024;
  auto stack = std::make_unique<char[]>(kStackBytes);
  RawPingPong p;
  ci::MakeContext(&p.co, stack.get() + kStackBytes, &RawEntry, &p);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ci::colony_context_switch(&p.main, &p.co, &p));
  }
  // The coroutine side is abandoned while parked in its loop; nothing on its
  // stack needs destroying.
  SetSwitchCounters(state, kSwitchesPerRoundTrip);
}
BENCHMARK(BM_RawContextSwitch);

void BM_BoostContextPingPong(benchmark::State& state) {
  ctx::fiber fiber([](ctx::fiber&& main) {
    for (;;) main = std::move(main).resume();
    return std::move(main);
  });
  for (auto _ : state) {
    fiber = std::move(fiber).resume();
    benchmark::DoNotOptimize(fiber);
  }
  SetSwitchCounters(state, kSwitchesPerRoundTrip);
}
BENCHMARK(BM_BoostContextPingPong);

void BM_CreateRunDestroy(benchmark::State& state) {
  using Co = colony::Coroutine<void, void, void>;
  for (auto _ : state) {
    Co co([](Co::Suspender&) {});
    benchmark::DoNotOptimize(co.Resume());
  }
}
BENCHMARK(BM_CreateRunDestroy);

void BM_BoostContextCreateRunDestroy(benchmark::State& state) {
  ctx::pooled_fixedsize_stack salloc(colony::kDefaultStackSize);
  for (auto _ : state) {
    ctx::fiber fiber(std::allocator_arg, salloc,
                     [](ctx::fiber&& main) { return std::move(main); });
    fiber = std::move(fiber).resume();
    benchmark::DoNotOptimize(fiber);
  }
}
BENCHMARK(BM_BoostContextCreateRunDestroy);

void BM_GeneratorNext(benchmark::State& state) {
  colony::Generator<int> gen([](colony::Generator<int>::Yielder& y) {
    for (int i = 0;; ++i) y.Suspend(i);
  });
  auto it = gen.begin();
  for (auto _ : state) {
    benchmark::DoNotOptimize(*it);
    ++it;
  }
  SetSwitchCounters(state, kSwitchesPerRoundTrip);
}
BENCHMARK(BM_GeneratorNext);

}  // namespace
