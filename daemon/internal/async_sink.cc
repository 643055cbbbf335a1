// Copyright 2026 The Colony Authors.

#include "daemon/internal/async_sink.h"

#include <pthread.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "scheduler/scheduler.h"
#include "spdlog/common.h"

namespace colony {
namespace daemon_internal {

void ContextFlag::format(const spdlog::details::log_msg&, const std::tm&,
                         spdlog::memory_buf_t& dest) {
  const int worker = CurrentWorkerIndex();
  const uint64_t task = CurrentTaskId();
  std::string out;
  if (worker >= 0) out = "w" + std::to_string(worker);
  if (task != 0) {
    if (!out.empty()) out += ' ';
    out += "t" + std::to_string(task);
    std::string_view name = CurrentTaskName();
    if (!name.empty()) {
      out += ':';
      out.append(name.data(), name.size());
    }
  }
  if (out.empty()) out = "-";
  dest.append(out.data(), out.data() + out.size());
}

AsyncWriterSink::AsyncWriterSink(std::string path, size_t queue_limit)
    : path_(std::move(path)),
      limit_(queue_limit),
      formatter_(std::make_unique<spdlog::pattern_formatter>()) {
  if (path_.empty()) {
    file_ = stderr;
  } else {
    file_ = std::fopen(path_.c_str(), "ae");
    if (file_ == nullptr) {
      spdlog::throw_spdlog_ex("cannot open " + path_ + ": " +
                              std::strerror(errno));
    }
  }
  writer_ = std::thread([this] { Run(); });
}

AsyncWriterSink::~AsyncWriterSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  if (file_ != stderr && file_ != nullptr) std::fclose(file_);
}

void AsyncWriterSink::log(const spdlog::details::log_msg& msg) {
  if (!should_log(msg.level)) return;
  spdlog::memory_buf_t buf;
  {
    std::lock_guard<std::mutex> lock(format_mu_);
    formatter_->format(msg, buf);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= limit_) {
      queue_.pop_front();
      ++dropped_;
      ++written_;
    }
    queue_.emplace_back(buf.data(), buf.size());
    ++queued_;
  }
  cv_.notify_one();
}

void AsyncWriterSink::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = queued_;
  done_cv_.wait(lock, [&] { return written_ >= target || stop_; });
}

void AsyncWriterSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void AsyncWriterSink::set_formatter(
    std::unique_ptr<spdlog::formatter> formatter) {
  std::lock_guard<std::mutex> lock(format_mu_);
  formatter_ = std::move(formatter);
}

bool AsyncWriterSink::Reopen(std::string* error) {
  if (path_.empty()) return true;
  FILE* fresh = std::fopen(path_.c_str(), "ae");
  if (fresh == nullptr) {
    *error = "cannot reopen " + path_ + ": " + std::strerror(errno);
    return false;
  }
  FILE* old;
  {
    // The writer uses file_ only while holding mu_ for the swap check, so
    // swapping under mu_ is enough (see Run()).
    std::lock_guard<std::mutex> lock(mu_);
    old = file_;
    file_ = fresh;
  }
  // Wait for the writer to finish any write into the old file.
  flush();
  std::lock_guard<std::mutex> lock(mu_);
  std::fclose(old);
  return true;
}

uint64_t AsyncWriterSink::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AsyncWriterSink::Run() {
  pthread_setname_np(pthread_self(), "colonyd-log");
  std::vector<std::string> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.end()));
    queue_.clear();
    FILE* out = file_;
    // Reopen() closes a replaced file only under mu_ after flush(), which
    // waits for written_ to pass this batch: `out` stays open while used.
    lock.unlock();
    for (const std::string& line : batch) {
      std::fwrite(line.data(), 1, line.size(), out);
    }
    std::fflush(out);
    lock.lock();
    written_ += batch.size();
    batch.clear();
    done_cv_.notify_all();
  }
  done_cv_.notify_all();
}

}  // namespace daemon_internal
}  // namespace colony
