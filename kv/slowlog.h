// Copyright 2026 The Colony Authors.
//
// SlowLog: the commands that took longer than slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them, as Redis'
// SLOWLOG GET/LEN/RESET show them. Long arguments are cut to 128 bytes
// and long commands to 32 arguments, as Redis does, so an entry stays
// small whatever the command.
//
// Thread-safety: every method may be called from any task; Record() takes
// a short lock only for commands over the threshold.
#ifndef COLONY_KV_SLOWLOG_H_
#define COLONY_KV_SLOWLOG_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/internal/thread_mutex.h"

namespace colony::kv {

class SlowLog {
 public:
  struct Entry {
    uint64_t id;
    int64_t unix_seconds;
    int64_t duration_us;
    std::vector<std::string> args;
    std::string client_addr;
    std::string client_name;
  };

  // threshold_us < 0 disables the log; 0 records every command.
  void set_threshold_us(int64_t us) { threshold_us_.store(us); }
  void set_max_len(size_t n);

  // Slow() is true when a command of `duration_us` is to be recorded.
  bool Slow(int64_t duration_us) const {
    const int64_t t = threshold_us_.load(std::memory_order_relaxed);
    return t >= 0 && duration_us >= t;
  }
  // Record() adds an entry (call when Slow()).
  void Record(int64_t duration_us, absl::Span<const absl::string_view> args,
              const std::string& client_addr, const std::string& client_name);

  // Newest first; count < 0 means all.
  std::vector<Entry> Get(int64_t count) const;
  size_t Len() const;
  void Reset();

 private:
  // A CONFIG SET value, read relaxed: a plain number.
  std::atomic<int64_t> threshold_us_{10000};
  mutable base_internal::ThreadMutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);  // newest at the front
  size_t max_len_ ABSL_GUARDED_BY(mu_) = 128;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace colony::kv

#endif  // COLONY_KV_SLOWLOG_H_
