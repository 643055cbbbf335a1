// Copyright 2026 The Colony Authors.
//
// The key-value backend's sorted set at a million members: building it by
// random inserts, and rank, rank-range, score and score-range queries on it.
// Members are "member:<random 64-bit number>" (about 25 bytes), scores
// random doubles; each query picks its member or rank at random, so most
// of its memory accesses miss the caches, as a large keyspace's would.
//
//   bazel run //bench:sorted_set_benchmark

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "kv/types/sorted_set.h"

namespace colony::kv {
namespace {

constexpr size_t kMembers = 1 << 20;  // 1,048,576

struct Data {
  std::vector<std::string> members;
  std::vector<double> scores;
};

const Data& TestData() {
  static const Data* data = [] {
    auto* d = new Data;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> score(0, 1e6);
    d->members.reserve(kMembers);
    d->scores.reserve(kMembers);
    for (size_t i = 0; i < kMembers; ++i) {
      d->members.push_back("member:" + std::to_string(rng()));
      d->scores.push_back(score(rng));
    }
    return d;
  }();
  return *data;
}

const SortedSet& FullSet() {
  static const SortedSet* set = [] {
    auto* s = new SortedSet;
    const Data& d = TestData();
    for (size_t i = 0; i < kMembers; ++i) s->Insert(d.members[i], d.scores[i]);
    return s;
  }();
  return *set;
}

// Indexes in a random order, so that consecutive queries touch unrelated
// nodes.
const std::vector<uint32_t>& RandomOrder() {
  static const std::vector<uint32_t>* order = [] {
    auto* v = new std::vector<uint32_t>(kMembers);
    for (size_t i = 0; i < kMembers; ++i) (*v)[i] = static_cast<uint32_t>(i);
    std::shuffle(v->begin(), v->end(), std::mt19937_64(7));
    return v;
  }();
  return *order;
}

// Builds a set of 1M members by inserts in random order; one iteration is
// the whole build, and ns_per_insert is the figure to read.
void BM_InsertMillion(benchmark::State& state) {
  const Data& d = TestData();
  size_t bytes = 0;
  for (auto _ : state) {
    SortedSet set;
    for (size_t i = 0; i < kMembers; ++i) set.Insert(d.members[i], d.scores[i]);
    bytes = set.MemoryUsage();
    benchmark::DoNotOptimize(set);
    state.PauseTiming();
    {
      SortedSet gone = std::move(set);  // destruction is not timed
    }
    state.ResumeTiming();
  }
  state.counters["ns_per_insert"] =
      benchmark::Counter(static_cast<double>(kMembers) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
  state.counters["bytes_per_member"] =
      static_cast<double>(bytes) / static_cast<double>(kMembers);
}
BENCHMARK(BM_InsertMillion)->Unit(benchmark::kMillisecond)->Iterations(3);

// Score() of a random member of the 1M set (ZSCORE).
void BM_Score(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  const std::vector<uint32_t>& order = RandomOrder();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Score(d.members[order[i++ % kMembers]]));
  }
}
BENCHMARK(BM_Score);

// Rank() of a random member (ZRANK).
void BM_Rank(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  const std::vector<uint32_t>& order = RandomOrder();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Rank(d.members[order[i++ % kMembers]]));
  }
}
BENCHMARK(BM_Rank);

// ByRank() of 100 members from a random rank (ZRANGE start start+99).
void BM_RangeOf100ByRank(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const std::vector<uint32_t>& order = RandomOrder();
  size_t i = 0;
  for (auto _ : state) {
    const size_t start = order[i++ % kMembers] % (kMembers - 100);
    double sum = 0;
    set.ByRank(start, start + 99, /*reverse=*/false,
               [&sum](std::string_view, double score) { sum += score; });
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_RangeOf100ByRank);

// CountInScoreRange() over a random interval (ZCOUNT).
void BM_CountInScoreRange(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  const std::vector<uint32_t>& order = RandomOrder();
  size_t i = 0;
  for (auto _ : state) {
    const double a = d.scores[order[i++ % kMembers]];
    benchmark::DoNotOptimize(set.CountInScoreRange({a, a + 1000, false, true}));
  }
}
BENCHMARK(BM_CountInScoreRange);

// Changing a random member's score to another random score (ZADD of an
// existing member: unlink and relink), on a private copy of the 1M set.
void BM_UpdateScore(benchmark::State& state) {
  SortedSet set = FullSet();
  const Data& d = TestData();
  const std::vector<uint32_t>& order = RandomOrder();
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++;
    set.Insert(d.members[order[k % kMembers]],
               d.scores[order[(k + 1) % kMembers]]);
  }
}
BENCHMARK(BM_UpdateScore);

}  // namespace
}  // namespace colony::kv
