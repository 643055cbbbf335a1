// Copyright 2026 The Colony Authors.
//
// The cost of the counting malloc family (kv/memory_usage.h): malloc/free
// pairs of a few sizes, operator new/delete through std::string, and a
// hash map's churn, each with a fixed iteration count so that instruction
// counts under callgrind divide evenly (valgrind --tool=callgrind
// --toggle-collect='*BM_*' bazel-bin/kv/memory_usage_benchmark: the
// instructions of the loops, over 10^6 iterations each).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "kv/memory_usage.h"

namespace {

constexpr int kIterations = 1'000'000;

void BM_MallocFree(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(n);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}
BENCHMARK(BM_MallocFree)->Arg(16)->Arg(256)->Arg(4096)->Iterations(kIterations);

void BM_Realloc(benchmark::State& state) {
  for (auto _ : state) {
    void* p = std::malloc(24);
    benchmark::DoNotOptimize(p);
    p = std::realloc(p, 200);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}
BENCHMARK(BM_Realloc)->Iterations(kIterations);

void BM_StringNewDelete(benchmark::State& state) {
  for (auto _ : state) {
    std::string s(40, 'x');
    benchmark::DoNotOptimize(s.data());
  }
}
BENCHMARK(BM_StringNewDelete)->Iterations(kIterations);

void BM_MapChurn(benchmark::State& state) {
  std::unordered_map<int, std::string> map;
  int i = 0;
  for (auto _ : state) {
    map.emplace(i, std::string(32, 'v'));
    map.erase(i - 1000);
    ++i;
  }
  benchmark::DoNotOptimize(colony::kv::AllocatedBytes());
}
BENCHMARK(BM_MapChurn)->Iterations(kIterations);

}  // namespace

BENCHMARK_MAIN();
