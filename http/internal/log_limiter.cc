// Copyright 2026 The Colony Authors.

#include "http/internal/log_limiter.h"

#include "time/clock.h"

namespace colony::http::http_internal {

bool LogLimiter::Allow(uint64_t* dropped) {
  const int64_t now = NowNanos() / 1'000'000'000;
  int64_t seen = second_.load(std::memory_order_relaxed);
  if (seen != now &&
      second_.compare_exchange_strong(seen, now, std::memory_order_relaxed)) {
    count_.store(0, std::memory_order_relaxed);
  }
  if (count_.fetch_add(1, std::memory_order_relaxed) >= per_second_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  *dropped = dropped_.exchange(0, std::memory_order_relaxed);
  return true;
}

}  // namespace colony::http::http_internal
