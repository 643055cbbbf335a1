// Copyright 2026 The Colony Authors.

#include "http/internal/stats_collector.h"

#include "scheduler/scheduler.h"

namespace colony::http::http_internal {

StatsCollector::Shard& StatsCollector::Local() {
  // Threads that are not workers (-1) share the last shard.
  return shards_[static_cast<size_t>(CurrentWorkerIndex()) % kShards];
}

void StatsCollector::RecordRequest(int status, int64_t latency_ns) {
  Shard& s = Local();
  if (status >= kMinStatus && status <= kMaxStatus) {
    s.by_status[status - kMinStatus].fetch_add(1, std::memory_order_relaxed);
  }
  if (latency_ns < 0) latency_ns = 0;
  const double seconds = static_cast<double>(latency_ns) * 1e-9;
  size_t bucket = 0;
  while (bucket + 1 < kLatencyBuckets && seconds > kLatencyBounds[bucket]) {
    ++bucket;
  }
  s.latency[bucket].fetch_add(1, std::memory_order_relaxed);
  s.latency_sum_ns.fetch_add(static_cast<uint64_t>(latency_ns),
                             std::memory_order_relaxed);
}

void StatsCollector::RecordBytesIn(uint64_t n) {
  Local().bytes_in.fetch_add(n, std::memory_order_relaxed);
}

void StatsCollector::RecordBytesOut(uint64_t n) {
  Local().bytes_out.fetch_add(n, std::memory_order_relaxed);
}

void StatsCollector::Collect(ServerStats* out) const {
  uint64_t by_status[kMaxStatus - kMinStatus + 1] = {};
  out->latency_bounds_seconds.assign(std::begin(kLatencyBounds),
                                     std::end(kLatencyBounds));
  out->latency_counts.assign(kLatencyBuckets, 0);
  uint64_t sum_ns = 0;
  for (const Shard& s : shards_) {
    for (int i = 0; i <= kMaxStatus - kMinStatus; ++i) {
      by_status[i] += s.by_status[i].load(std::memory_order_relaxed);
    }
    for (size_t b = 0; b < kLatencyBuckets; ++b) {
      out->latency_counts[b] += s.latency[b].load(std::memory_order_relaxed);
    }
    sum_ns += s.latency_sum_ns.load(std::memory_order_relaxed);
    out->bytes_in += s.bytes_in.load(std::memory_order_relaxed);
    out->bytes_out += s.bytes_out.load(std::memory_order_relaxed);
  }
  out->requests_by_status.clear();
  for (int i = 0; i <= kMaxStatus - kMinStatus; ++i) {
    if (by_status[i] == 0) continue;
    out->requests_by_status.emplace_back(i + kMinStatus, by_status[i]);
    out->requests += by_status[i];
  }
  out->latency_sum_seconds = static_cast<double>(sum_ns) * 1e-9;
}

}  // namespace colony::http::http_internal
