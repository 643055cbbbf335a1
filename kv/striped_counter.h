// Copyright 2026 The Colony Authors.
//
// StripedCounter: a statistics counter that many threads bump without
// sharing a cache line: each thread adds to one of a few padded stripes,
// and a read sums them. For counters every command touches (calls,
// keyspace hits, bytes), where one shared atomic would bounce between the
// workers' cores.
//
// Thread-safety: every method may be called from any thread; a read is a
// sum of relaxed loads (not a snapshot across stripes).
#ifndef COLONY_KV_STRIPED_COUNTER_H_
#define COLONY_KV_STRIPED_COUNTER_H_

#include <atomic>
#include <cstdint>

namespace colony::kv {

namespace striped_internal {
// StripeOfThisThread() is the calling thread's stripe (fixed per thread).
int StripeOfThisThread();
inline constexpr int kStripes = 8;
}  // namespace striped_internal

class StripedCounter {
 public:
  // Add() adds `n`.
  void Add(uint64_t n = 1) {
    // fetch_add: two threads may share a stripe (more threads than
    // stripes); on its own cache line it costs little.
    stripes_[striped_internal::StripeOfThisThread()].v.fetch_add(
        n, std::memory_order_relaxed);
  }
  // Get() is the sum.
  uint64_t Get() const {
    uint64_t sum = 0;
    for (const Stripe& s : stripes_) sum += s.v.load(std::memory_order_relaxed);
    return sum;
  }
  // Reset() sets it to zero (CONFIG RESETSTAT; not atomic with Add()).
  void Reset() {
    for (Stripe& s : stripes_) s.v.store(0, std::memory_order_relaxed);
  }
  // The std::atomic spellings, so that it can stand in for one.
  void fetch_add(uint64_t n, std::memory_order = std::memory_order_relaxed) {
    Add(n);
  }
  uint64_t load(std::memory_order = std::memory_order_relaxed) const {
    return Get();
  }
  void store(uint64_t n, std::memory_order = std::memory_order_relaxed) {
    Reset();
    Add(n);
  }

 private:
  struct alignas(64) Stripe {
    std::atomic<uint64_t> v{0};
  };
  Stripe stripes_[striped_internal::kStripes];
};

}  // namespace colony::kv

#endif  // COLONY_KV_STRIPED_COUNTER_H_
