// Copyright 2026 The Colony Authors.
//
// LogLimiter: lets at most a few log lines of one kind through per second
// and counts the ones it held back, so that a flood of bad requests or
// refused connections cannot flood the log.
//
//   uint64_t dropped = 0;
//   if (limiter.Allow(&dropped)) spdlog::warn("... ({} not logged)", dropped);
//
// Thread-safety: Allow() may be called from any task or thread; the window
// is approximate under races (a few lines more or less), never unbounded.

#ifndef COLONY_HTTP_INTERNAL_LOG_LIMITER_H_
#define COLONY_HTTP_INTERNAL_LOG_LIMITER_H_

#include <atomic>
#include <cstdint>

namespace colony::http::http_internal {

class LogLimiter {
 public:
  explicit LogLimiter(int per_second = 5) : per_second_(per_second) {}

  // Allow() is true when a line may be logged now; then `*dropped` is the
  // number of lines held back since the previous one that was allowed.
  bool Allow(uint64_t* dropped);

 private:
  const int per_second_;
  // Relaxed: a rate limit; the CAS only elects who resets the count, and
  // nothing else is published through these. A line or two over the limit
  // at a second's boundary is harmless.
  std::atomic<int64_t> second_{-1};
  std::atomic<int> count_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_LOG_LIMITER_H_
