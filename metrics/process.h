// Copyright 2026 The Colony Authors.
//
// The standard `process_*` metrics of a Prometheus client, read from
// /proc/self (Linux): CPU seconds, resident and virtual memory, open and
// maximum file descriptors, start time.
//
//   metrics::PrometheusWriter w;
//   metrics::WriteProcessMetrics(w);
//
// Thread-safety: both functions may be called from any thread at once.
// They read files with plain blocking reads of /proc, which never wait on
// disk. A figure that cannot be read is left out (and logged at debug
// level) rather than written as zero.

#ifndef COLONY_METRICS_PROCESS_H_
#define COLONY_METRICS_PROCESS_H_

#include <cstdint>
#include <optional>

#include "metrics/prometheus.h"

namespace colony::metrics {

// What ReadProcessStats() found; each field unset when it could not be read.
struct ProcessStats {
  std::optional<double> cpu_seconds;         // user + system CPU time
  std::optional<double> resident_bytes;      // resident set size
  std::optional<double> virtual_bytes;       // virtual memory size
  std::optional<double> open_fds;            // entries of /proc/self/fd
  std::optional<double> max_fds;             // RLIMIT_NOFILE soft limit
  std::optional<double> start_time_seconds;  // since the Unix epoch
};

// ReadProcessStats() reads the calling process's figures.
ProcessStats ReadProcessStats();

// WriteProcessMetrics() writes the families process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds, as the
// official Prometheus clients name them.
void WriteProcessMetrics(PrometheusWriter& writer);

}  // namespace colony::metrics

#endif  // COLONY_METRICS_PROCESS_H_
