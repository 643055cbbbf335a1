// Copyright 2026 The Colony Authors.
//
// Logging: the daemon's spdlog set-up, installed as spdlog's default logger
// so that the libraries' own spdlog::info()/warn() calls reach it.
//
// Lines are formatted on the calling thread and written by one background
// thread from a bounded queue: a worker that logs never blocks on the disk
// or the terminal. When the queue is full the oldest queued line is
// dropped and counted (DroppedLogLines()); nothing waits.
//
// Every line names where it was logged from: "w3 t42:http-conn" from task
// 42 (named "http-conn") on worker 3, "-" from a plain thread; any spdlog
// call carries it.
//
// Thread-safety: every function may be called from any thread or task.
// Lifetime: InitLogging() once, early; ShutdownLogging() flushes and ends
// the background thread (spdlog calls after it go to stderr).
#ifndef COLONY_DAEMON_LOGGING_H_
#define COLONY_DAEMON_LOGGING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace colony {
namespace daemon {

struct LoggingOptions {
  // "" or "-" logs to stderr; otherwise the file is appended to (and
  // reopened by ReopenLogFile()).
  std::string file;
  // "trace", "debug", "info", "warn", "error", "critical" or "off".
  std::string level = "info";
  // Lines the queue holds before the oldest are dropped.
  size_t queue_size = 8192;
  // Name shown in each line.
  std::string name = "colonyd";
};

// ValidateLogLevel() accepts the level names above.
absl::Status ValidateLogLevel(std::string_view level);

// InitLogging() creates the asynchronous logger and installs it as
// spdlog's default logger. Fails if the file cannot be opened.
absl::Status InitLogging(const LoggingOptions& options);

// SetLogLevel() changes the level at once.
absl::Status SetLogLevel(std::string_view level);

// LogLevel() is the current level's name.
std::string LogLevel();

// ReopenLogFile() closes and reopens the log file (after logrotate moved
// it); nothing for stderr.
absl::Status ReopenLogFile();

// FlushLogs() writes out every queued line and waits until it is written.
void FlushLogs();

// DroppedLogLines() counts lines dropped because the queue was full.
uint64_t DroppedLogLines();

// ShutdownLogging() flushes, then stops the background thread; later
// spdlog calls go to a plain stderr logger.
void ShutdownLogging();

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_LOGGING_H_
