// Copyright Colony authors.
//
// Deadline: the one value type for "wait until" across Colony.
//
// Every waiting call in `scheduler/`, `sync/` and `net/` comes in two
// spellings: `...For(absl::Duration timeout)` and `...Until(Deadline)`.
// A Deadline is a point on the monotonic clock (see `time/clock.h`), or
// infinity, so a deadline computed once can be handed down through a chain
// of calls (read a header, then a body, then write a reply) and each call
// waits only for what is left:
//
//   colony::Deadline d = colony::Deadline::After(absl::Seconds(5));
//   auto header = reader.ReadLine(d);
//   auto body = reader.ReadExactly(n, d);
//
// An `absl::Time` converts implicitly, measured against the wall clock once,
// at conversion; `absl::InfiniteFuture()` and `absl::InfiniteDuration()`
// become an infinite deadline, and every conversion saturates, so no
// timeout, however long, wraps around into the past.
//
// Thread-safety: a Deadline is an immutable value; copy it freely.

#ifndef COLONY_TIME_DEADLINE_H_
#define COLONY_TIME_DEADLINE_H_

#include <chrono>
#include <cstdint>
#include <limits>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "time/clock.h"

namespace colony {

class Deadline {
 public:
  // Deadline() is infinite: the wait never times out.
  constexpr Deadline() = default;

  // Deadline(t) converts a wall-clock time: the deadline is reached when
  // the monotonic clock has advanced by `t - absl::Now()` from the moment of
  // conversion. `absl::InfiniteFuture()` gives Infinite(); a time in the past
  // gives a deadline already reached.
  Deadline(absl::Time t);  // NOLINT(google-explicit-constructor): by design

  // Infinite() never passes.
  static constexpr Deadline Infinite() { return Deadline(); }
  // Passed() has always passed: a wait with it only tries once.
  static constexpr Deadline Passed() { return Deadline(kPassedNanos); }
  // After() is now plus `timeout`, saturating: `absl::InfiniteDuration()`
  // (or anything past the clock's range) gives Infinite(), a zero or
  // negative timeout gives a deadline already reached.
  static Deadline After(absl::Duration timeout);
  // After() and At() also take std::chrono durations and time points (of
  // any clock), for the std-style lock interfaces; they saturate the same
  // way.
  template <typename Rep, typename Period>
  static Deadline After(const std::chrono::duration<Rep, Period>& timeout) {
    return After(SaturatingFromChrono(timeout));
  }
  template <typename Clock, typename Duration>
  static Deadline At(const std::chrono::time_point<Clock, Duration>& t) {
    return After(SaturatingFromChrono(t - Clock::now()));
  }
  // FromNanos() wraps a NowNanos() timestamp.
  static constexpr Deadline FromNanos(int64_t monotonic_ns) {
    return Deadline(monotonic_ns);
  }

  // IsInfinite() is true when the deadline never passes.
  constexpr bool IsInfinite() const { return ns_ == kInfiniteNanos; }
  // IsReached() is true once the monotonic clock has reached the deadline.
  bool IsReached() const { return !IsInfinite() && NowNanos() >= ns_; }
  // TimeLeft() is the time until the deadline: zero once reached,
  // `absl::InfiniteDuration()` when infinite.
  absl::Duration TimeLeft() const;
  // nanos() is the deadline as a NowNanos() timestamp;
  // `std::numeric_limits<int64_t>::max()` when infinite.
  constexpr int64_t nanos() const { return ns_; }
  // ToTime() is the deadline on the wall clock (`absl::InfiniteFuture()`
  // when infinite), for display.
  absl::Time ToTime() const;

  // Earliest() is the earlier of two deadlines.
  static constexpr Deadline Earliest(Deadline a, Deadline b) {
    return a.ns_ <= b.ns_ ? a : b;
  }

  friend constexpr bool operator==(Deadline a, Deadline b) {
    return a.ns_ == b.ns_;
  }
  friend constexpr bool operator!=(Deadline a, Deadline b) {
    return a.ns_ != b.ns_;
  }
  friend constexpr bool operator<(Deadline a, Deadline b) {
    return a.ns_ < b.ns_;
  }
  friend constexpr bool operator<=(Deadline a, Deadline b) {
    return a.ns_ <= b.ns_;
  }
  friend constexpr bool operator>(Deadline a, Deadline b) {
    return a.ns_ > b.ns_;
  }
  friend constexpr bool operator>=(Deadline a, Deadline b) {
    return a.ns_ >= b.ns_;
  }

 private:
  // SaturatingFromChrono() converts without overflow: beyond about 285
  // years either way the result is an infinite duration.
  template <typename Rep, typename Period>
  static absl::Duration SaturatingFromChrono(
      const std::chrono::duration<Rep, Period>& d) {
    const double seconds = std::chrono::duration<double>(d).count();
    if (seconds >= 9e9) return absl::InfiniteDuration();
    if (seconds <= -9e9) return -absl::InfiniteDuration();
    return absl::Nanoseconds(
        std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  }

  static constexpr int64_t kInfiniteNanos = std::numeric_limits<int64_t>::max();
  // Any timestamp not after the process' first NowNanos() reading would
  // do; the clock's epoch is boot, so 0 is always in the past.
  static constexpr int64_t kPassedNanos = 0;

  constexpr explicit Deadline(int64_t ns) : ns_(ns) {}

  int64_t ns_ = kInfiniteNanos;
};

}  // namespace colony

#endif  // COLONY_TIME_DEADLINE_H_
