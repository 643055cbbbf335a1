// Copyright 2026 The Colony Authors.
//
// The daemon's own config keys (the backends define theirs next to their
// code). Each is an Abseil flag, so also a config-file key and a
// COLONYD_<KEY> environment variable (daemon/config.h). Keys marked
// "mutable" change at run time (SIGHUP, POST /config).
#ifndef COLONY_DAEMON_DAEMON_FLAGS_H_
#define COLONY_DAEMON_DAEMON_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

// Scheduler.
ABSL_DECLARE_FLAG(int32_t, workers);
ABSL_DECLARE_FLAG(int64_t, stack_size);
ABSL_DECLARE_FLAG(int32_t, priority_bands);
ABSL_DECLARE_FLAG(int32_t, max_blocking_threads);
ABSL_DECLARE_FLAG(absl::Duration, stall_threshold);
ABSL_DECLARE_FLAG(absl::Duration, spin_before_park);

// Logging; log_level is mutable.
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, log_file);
ABSL_DECLARE_FLAG(int32_t, log_queue_size);

// The admin endpoint.
ABSL_DECLARE_FLAG(std::string, admin_listen);
ABSL_DECLARE_FLAG(bool, admin_enabled);
ABSL_DECLARE_FLAG(int32_t, admin_maxclients);

// Shutdown (mutable) and overload (mutable).
ABSL_DECLARE_FLAG(absl::Duration, shutdown_lameduck);
ABSL_DECLARE_FLAG(absl::Duration, shutdown_drain_timeout);
ABSL_DECLARE_FLAG(absl::Duration, overload_queue_delay);

// Where to write the bound listener addresses.
ABSL_DECLARE_FLAG(std::string, port_file);

#endif  // COLONY_DAEMON_DAEMON_FLAGS_H_
