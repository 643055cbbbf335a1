// Copyright 2026 The Colony Authors.
//
// The pieces of the daemon's logger (daemon/logging.h).
//
// AsyncWriterSink formats each line on the calling thread (so the pattern
// flag %W reads the caller's worker and task) and queues the text for a
// writer thread, which writes it to stderr or a file. The queue is bounded:
// when full, the oldest line is dropped and counted; the caller never waits
// for the disk. spdlog's own async_logger cannot be used: it formats on its
// thread, where the caller's task is unknown.
#ifndef COLONY_DAEMON_INTERNAL_ASYNC_SINK_H_
#define COLONY_DAEMON_INTERNAL_ASYNC_SINK_H_

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/sink.h"

namespace colony {
namespace daemon_internal {

// %W: "w3 t42:name" from task 42 (named "name") on worker 3, "w3" on a
// worker outside a task, "-" on any other thread.
class ContextFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ContextFlag>();
  }
};

class AsyncWriterSink : public spdlog::sinks::sink {
 public:
  // `path` empty: stderr. Throws spdlog::spdlog_ex if the file cannot be
  // opened.
  AsyncWriterSink(std::string path, size_t queue_limit);
  ~AsyncWriterSink() override;

  void log(const spdlog::details::log_msg& msg) override;
  // flush() waits until every line queued before it is written.
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

  // Reopen() has the writer reopen the file (logrotate); false with the
  // reason in `*error` when it cannot.
  bool Reopen(std::string* error);

  // dropped() counts lines dropped because the queue was full.
  uint64_t dropped() const;

 private:
  void Run();

  const std::string path_;
  const size_t limit_;
  std::mutex format_mu_;
  std::unique_ptr<spdlog::formatter> formatter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // the writer waits for lines
  std::condition_variable done_cv_;  // flush() waits for the writer
  std::deque<std::string> queue_;
  uint64_t queued_ = 0;   // lines ever queued (dropped ones included)
  uint64_t written_ = 0;  // lines ever taken (written or dropped)
  uint64_t dropped_ = 0;
  bool stop_ = false;
  FILE* file_ = nullptr;  // owned unless stderr; used by the writer
  std::thread writer_;
};

}  // namespace daemon_internal
}  // namespace colony

#endif  // COLONY_DAEMON_INTERNAL_ASYNC_SINK_H_
