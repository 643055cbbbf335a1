// Copyright 2026 The Colony Authors.
//
// LogRateLimiter: logging for errors that repeat (a refused connection, a
// failed accept), at most once per interval, with the count of the lines
// held back in between.
//
//   static colony::daemon::LogRateLimiter refused(absl::Seconds(1));
//   refused.Warn("http: connection refused: {} clients (maxclients)", n);
//   // "... (maxclients) [37 similar suppressed]"
//
// Thread-safety: every method may be called from any thread or task at
// the same time; the limiter never blocks (a compare-and-swap picks which
// caller logs).
#ifndef COLONY_DAEMON_RATE_LIMITED_LOG_H_
#define COLONY_DAEMON_RATE_LIMITED_LOG_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {

class LogRateLimiter {
 public:
  explicit LogRateLimiter(absl::Duration interval = absl::Seconds(1))
      : interval_ns_(absl::ToInt64Nanoseconds(interval)) {}

  // Allow() is true for the first call of each interval; otherwise it
  // counts the call as suppressed. On true, `*suppressed` is how many were
  // held back since the last allowed one.
  bool Allow(uint64_t* suppressed);

  // Log() logs `fmt` at `level` if allowed, with the suppressed count
  // appended.
  template <typename... Args>
  void Log(spdlog::level::level_enum level,
           spdlog::format_string_t<Args...> fmt, Args&&... args) {
    uint64_t suppressed = 0;
    if (!Allow(&suppressed)) return;
    std::string text = fmt::format(fmt, std::forward<Args>(args)...);
    if (suppressed > 0) {
      text += fmt::format(" [{} similar suppressed]", suppressed);
    }
    spdlog::log(level, "{}", text);
  }

  // Warn() and Error() are Log() at those levels.
  template <typename... Args>
  void Warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    Log(spdlog::level::warn, fmt, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    Log(spdlog::level::err, fmt, std::forward<Args>(args)...);
  }

 private:
  const int64_t interval_ns_;
  // Monotonic time of the last allowed line (0: none yet). Relaxed: the
  // CAS only elects one caller; nothing else is published through it.
  std::atomic<int64_t> last_ns_{0};
  std::atomic<uint64_t> suppressed_{0};  // a count, relaxed
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_RATE_LIMITED_LOG_H_
