// Copyright Colony authors.
//
// The monotonic clock every Colony wait is measured against.
//
// NowNanos() reads CLOCK_MONOTONIC: it never jumps when the wall clock is
// set, so timeouts and timer wake-ups are immune to NTP steps and manual
// clock changes. Thread-safe; async-signal-safe.

#ifndef COLONY_TIME_CLOCK_H_
#define COLONY_TIME_CLOCK_H_

#include <cstdint>

namespace colony {

// NowNanos() is the monotonic clock in nanoseconds, the time base of
// deadlines and wake-up timestamps.
int64_t NowNanos();

}  // namespace colony

#endif  // COLONY_TIME_CLOCK_H_
