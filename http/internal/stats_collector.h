// Copyright 2026 The Colony Authors.
//
// StatsCollector: the per-request counters of a Server (requests by status,
// bytes, the latency histogram), sharded by worker so that workers do not
// write one cache line. Connection-level counters live in ServerCore.
//
// Thread-safety: Record*() from any task or thread (relaxed atomic adds);
// Collect() sums the shards without stopping the writers, so a snapshot may
// be a few events apart between fields.

#ifndef COLONY_HTTP_INTERNAL_STATS_COLLECTOR_H_
#define COLONY_HTTP_INTERNAL_STATS_COLLECTOR_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "http/server.h"

namespace colony::http::http_internal {

// Latency bucket upper bounds, in seconds.
inline constexpr double kLatencyBounds[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
inline constexpr size_t kLatencyBuckets =
    sizeof(kLatencyBounds) / sizeof(kLatencyBounds[0]) + 1;

class StatsCollector {
 public:
  // RecordRequest() counts a response with `status` (100-599) that took
  // `latency_ns`.
  void RecordRequest(int status, int64_t latency_ns);
  void RecordBytesIn(uint64_t n);
  void RecordBytesOut(uint64_t n);
  // Collect() adds the request counters into `out`.
  void Collect(ServerStats* out) const;

 private:
  static constexpr size_t kShards = 16;
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;

  struct alignas(64) Shard {
    std::atomic<uint64_t> by_status[kMaxStatus - kMinStatus + 1];
    std::atomic<uint64_t> latency[kLatencyBuckets];
    std::atomic<uint64_t> latency_sum_ns;
    std::atomic<uint64_t> bytes_in;
    std::atomic<uint64_t> bytes_out;
  };

  Shard& Local();

  Shard shards_[kShards];
};

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_STATS_COLLECTOR_H_
