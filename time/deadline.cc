// Copyright Colony authors.

#include "time/deadline.h"

namespace colony {
namespace {

// SaturatingAdd() is now + d with every overflow mapped to infinity (d > 0)
// or to "already passed" (d <= 0).
int64_t SaturatingAfter(int64_t now, absl::Duration d) {
  if (d <= absl::ZeroDuration()) return now;
  if (d == absl::InfiniteDuration()) return std::numeric_limits<int64_t>::max();
  // absl saturates ToInt64Nanoseconds() for durations beyond int64 nanos.
  const int64_t delta = absl::ToInt64Nanoseconds(d);
  if (delta >= std::numeric_limits<int64_t>::max() - now) {
    return std::numeric_limits<int64_t>::max();
  }
  return now + delta;
}

}  // namespace

Deadline::Deadline(absl::Time t) {
  if (t == absl::InfiniteFuture()) return;  // infinite
  if (t == absl::InfinitePast()) {
    ns_ = kPassedNanos;
    return;
  }
  ns_ = SaturatingAfter(NowNanos(), t - absl::Now());
}

Deadline Deadline::After(absl::Duration timeout) {
  return Deadline(SaturatingAfter(NowNanos(), timeout));
}

absl::Duration Deadline::TimeLeft() const {
  if (IsInfinite()) return absl::InfiniteDuration();
  const int64_t left = ns_ - NowNanos();
  return left <= 0 ? absl::ZeroDuration() : absl::Nanoseconds(left);
}

absl::Time Deadline::ToTime() const {
  if (IsInfinite()) return absl::InfiniteFuture();
  return absl::Now() + absl::Nanoseconds(ns_ - NowNanos());
}

}  // namespace colony
