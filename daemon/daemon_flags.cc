// Copyright 2026 The Colony Authors.

#include "daemon/daemon_flags.h"

#include "absl/flags/flag.h"
#include "coroutine/basic_coroutine.h"

ABSL_FLAG(int32_t, workers, 0,
          "Scheduler worker threads; 0 means one per hardware thread.");
ABSL_FLAG(int64_t, stack_size, static_cast<int64_t>(colony::kDefaultStackSize),
          "Stack bytes of each task (connection handlers included).");
ABSL_FLAG(int32_t, priority_bands, 3, "Scheduler priority bands (1..8).");
ABSL_FLAG(int32_t, max_blocking_threads, 64,
          "Upper bound of the blocking pool (file reads, SpawnBlocking).");
ABSL_FLAG(absl::Duration, stall_threshold, absl::Milliseconds(100),
          "A task running this long without suspending is logged as a "
          "stall; 0 turns detection off.");
ABSL_FLAG(absl::Duration, spin_before_park, absl::Microseconds(50),
          "How long a worker that ran out of work keeps looking (other "
          "workers' queues, the poller) before it sleeps; 0 sleeps at "
          "once.");

ABSL_FLAG(std::string, log_level, "info",
          "Log level: trace, debug, info, warn, error, critical or off. "
          "Mutable.");
ABSL_FLAG(std::string, log_file, "",
          "Log file (appended to; SIGUSR1 reopens it); empty or '-' for "
          "stderr.");
ABSL_FLAG(int32_t, log_queue_size, 8192,
          "Log lines queued for the writer thread; past it the oldest are "
          "dropped and counted, never waited for.");

ABSL_FLAG(std::string, admin_listen, "127.0.0.1:9090",
          "Address of the admin endpoint (metrics, health, dumps, "
          "dashboard); keep it on loopback.");
ABSL_FLAG(bool, admin_enabled, true, "Serve the admin endpoint.");
ABSL_FLAG(int32_t, admin_maxclients, 64, "Most admin connections at once.");

ABSL_FLAG(absl::Duration, shutdown_lameduck, absl::Seconds(1),
          "On SIGTERM: how long /readyz fails while the listeners still "
          "accept, so load balancers move away. Mutable.");
ABSL_FLAG(absl::Duration, shutdown_drain_timeout, absl::Seconds(10),
          "On SIGTERM, after the lame-duck interval: how long in-flight "
          "requests may take before they are cancelled. Mutable.");
ABSL_FLAG(absl::Duration, overload_queue_delay, absl::Milliseconds(50),
          "Backends shed load (HTTP 503) while ready tasks wait longer than "
          "this in the run queues; 0 disables. Mutable.");

ABSL_FLAG(std::string, port_file, "",
          "Once every listener is bound, write 'name address' lines here "
          "(for scripts that start the daemon on port 0).");
