// Copyright 2026 The Colony Authors.

#include "daemon/rate_limited_log.h"

#include "time/clock.h"

namespace colony {
namespace daemon {

bool LogRateLimiter::Allow(uint64_t* suppressed) {
  const int64_t now = NowNanos();
  int64_t last = last_ns_.load(std::memory_order_relaxed);
  if (last != 0 && now - last < interval_ns_) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!last_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    // Another caller took this interval.
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  *suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
  return true;
}

}  // namespace daemon
}  // namespace colony
