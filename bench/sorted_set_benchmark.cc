// Copyright 2026 The Colony Authors.
//
// The key-value backend's sorted set at a million members: building it by
// random inserts, and member, rank, rank-range and score-range queries on
// it. Members are "member:<random 64-bit number>" (about 27 bytes), scores
// random doubles in [0, 1e6). Queries pick their member or rank at random,
// so the set's memory accesses miss the caches as a large keyspace's would;
// the query arguments themselves are prepared in order, so reading them
// does not.
//
//   bazel run //bench:sorted_set_benchmark
//
// Per-operation figures: the Time/CPU columns of the query benchmarks, and
// ns_per_insert of BM_InsertMillion. bytes_per_member counts what
// MemoryUsage() reports; heap_bytes_per_member what malloc handed out for
// the set (glibc's mallinfo2, allocator overhead included).

#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "kv/types/sorted_set.h"

namespace colony::kv {
namespace {

constexpr size_t kMembers = 1 << 20;  // 1,048,576

struct Data {
  std::vector<std::string> members;  // in insertion order
  std::vector<double> scores;
  // Queries in a random order, laid out in the order they are read.
  std::vector<std::string> query_members;
  std::vector<double> query_scores;
  std::vector<uint32_t> query_ranks;
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
    std::vector<uint32_t> order(kMembers);
    for (size_t i = 0; i < kMembers; ++i) order[i] = static_cast<uint32_t>(i);
    std::shuffle(order.begin(), order.end(), rng);
    for (uint32_t i : order) {
      d->query_members.push_back(d->members[i]);
      d->query_scores.push_back(d->scores[i]);
    }
    std::shuffle(order.begin(), order.end(), rng);
    d->query_ranks = std::move(order);
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

size_t HeapInUse() { return mallinfo2().uordblks; }

// Builds a set of 1M members by inserts in random order; one iteration is
// the whole build.
void BM_InsertMillion(benchmark::State& state) {
  const Data& d = TestData();
  size_t bytes = 0;
  size_t heap = 0;
  for (auto _ : state) {
    const size_t heap_before = HeapInUse();
    SortedSet set;
    for (size_t i = 0; i < kMembers; ++i) set.Insert(d.members[i], d.scores[i]);
    state.PauseTiming();
    bytes = set.MemoryUsage();
    heap = HeapInUse() - heap_before;
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
  state.counters["heap_bytes_per_member"] =
      static_cast<double>(heap) / static_cast<double>(kMembers);
}
BENCHMARK(BM_InsertMillion)->Unit(benchmark::kMillisecond)->Iterations(3);

// Score() of a random member of the 1M set (ZSCORE).
void BM_Score(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Score(d.query_members[i]));
    if (++i == kMembers) i = 0;
  }
}
BENCHMARK(BM_Score);

// Rank() of a random member (ZRANK).
void BM_Rank(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Rank(d.query_members[i]));
    if (++i == kMembers) i = 0;
  }
}
BENCHMARK(BM_Rank);

// Nth() of a random rank (ZRANDMEMBER).
void BM_Nth(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Nth(d.query_ranks[i]));
    if (++i == kMembers) i = 0;
  }
}
BENCHMARK(BM_Nth);

// ByRank() of 100 members from a random rank (ZRANGE start start+99).
void BM_RangeOf100ByRank(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    const size_t start = d.query_ranks[i] % (kMembers - 100);
    if (++i == kMembers) i = 0;
    size_t bytes = 0;
    set.ByRank(
        start, start + 99, /*reverse=*/false,
        [&bytes](absl::string_view member, double) { bytes += member.size(); });
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_RangeOf100ByRank);

// CountInScoreRange() over a random interval holding about 1,000 members
// (ZCOUNT).
void BM_CountInScoreRange(benchmark::State& state) {
  const SortedSet& set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    const double a = d.query_scores[i];
    if (++i == kMembers) i = 0;
    benchmark::DoNotOptimize(set.CountInScoreRange({a, a + 1000, false, true}));
  }
}
BENCHMARK(BM_CountInScoreRange);

// Changing a random member's score to another random score (ZADD of an
// existing member: unlink and relink), on a private copy of the 1M set.
void BM_UpdateScore(benchmark::State& state) {
  SortedSet set = FullSet();
  const Data& d = TestData();
  size_t i = 0;
  for (auto _ : state) {
    set.Insert(d.query_members[i], d.scores[i]);
    if (++i == kMembers) i = 0;
  }
}
BENCHMARK(BM_UpdateScore);

}  // namespace
}  // namespace colony::kv
