// Copyright 2026 The Colony Authors.

#include "daemon/logging.h"

#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/internal/async_sink.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {
namespace {

// 2026-12-02 08:21:00.123 info [w3 t42:http-conn] text
constexpr char kPattern[] = "%Y-%m-%d %H:%M:%S.%e %l [%W] %v";

struct State {
  std::mutex mu;
  std::shared_ptr<daemon_internal::AsyncWriterSink> sink;
  std::shared_ptr<spdlog::logger> logger;
};

State& GetState() {
  static State* state = new State;  // never destroyed: used until exit
  return *state;
}

std::shared_ptr<daemon_internal::AsyncWriterSink> CurrentSink() {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  return state.sink;
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

absl::Status ValidateLogLevel(std::string_view level) {
  spdlog::level::level_enum parsed =
      spdlog::level::from_str(std::string(level));
  // from_str() maps unknown names to "off"; only "off" itself means it.
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(
        "unknown log level " + Quoted(level) +
        " (trace, debug, info, warn, error, critical, off)");
  }
  return absl::OkStatus();
}

absl::Status InitLogging(const LoggingOptions& options) {
  absl::Status valid = ValidateLogLevel(options.level);
  if (!valid.ok()) return valid;
  if (options.queue_size == 0) {
    return absl::InvalidArgumentError("log queue size must be positive");
  }
  std::shared_ptr<daemon_internal::AsyncWriterSink> sink;
  try {
    sink = std::make_shared<daemon_internal::AsyncWriterSink>(
        options.file == "-" ? "" : options.file, options.queue_size);
  } catch (const spdlog::spdlog_ex& e) {
    return absl::UnavailableError(std::string("log file: ") + e.what());
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<daemon_internal::ContextFlag>('W');
  formatter->set_pattern(kPattern);
  sink->set_formatter(std::move(formatter));
  // A synchronous logger whose only sink queues: formatting happens on the
  // caller's thread, writing on the sink's.
  auto logger = std::make_shared<spdlog::logger>(options.name, sink);
  logger->set_level(spdlog::level::from_str(options.level));
  spdlog::set_default_logger(logger);
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sink = std::move(sink);
  state.logger = std::move(logger);
  return absl::OkStatus();
}

absl::Status SetLogLevel(std::string_view level) {
  absl::Status valid = ValidateLogLevel(level);
  if (!valid.ok()) return valid;
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  return absl::OkStatus();
}

std::string LogLevel() {
  auto name = spdlog::level::to_string_view(spdlog::get_level());
  return std::string(name.data(), name.size());
}

absl::Status ReopenLogFile() {
  auto sink = CurrentSink();
  if (sink == nullptr) return absl::OkStatus();
  std::string error;
  if (!sink->Reopen(&error)) return absl::UnavailableError(error);
  return absl::OkStatus();
}

void FlushLogs() {
  auto sink = CurrentSink();
  if (sink != nullptr) {
    sink->flush();
  } else {
    spdlog::default_logger()->flush();
  }
}

uint64_t DroppedLogLines() {
  auto sink = CurrentSink();
  return sink == nullptr ? 0 : sink->dropped();
}

void ShutdownLogging() {
  FlushLogs();
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.logger == nullptr) return;
  // A plain stderr logger for whatever comes after; the writer thread ends
  // when the last reference to the sink goes.
  auto fallback = std::make_shared<spdlog::logger>(
      "colonyd-exit", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  fallback->set_level(state.logger->level());
  spdlog::set_default_logger(fallback);
  state.logger.reset();
  state.sink.reset();
}

}  // namespace daemon
}  // namespace colony
