// Copyright 2026 The Colony Authors.

#include "daemon/sd_notify.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {

SdNotifier SdNotifier::FromEnvironment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return SdNotifier(path == nullptr ? "" : path);
}

absl::Status SdNotifier::Notify(std::string_view state) const {
  if (path_.empty()) return absl::OkStatus();
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(addr.sun_path) ||
      (path_[0] != '/' && path_[0] != '@')) {
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET '", path_, "' is not a socket path"));
  }
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  socklen_t len = offsetof(sockaddr_un, sun_path) + path_.size();
  if (path_[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract namespace
  } else {
    len += 1;  // the terminating NUL
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("sd_notify socket: ", std::strerror(errno)));
  }
  ssize_t n = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  close(fd);
  if (n < 0) {
    return absl::UnavailableError(
        absl::StrCat("sd_notify to ", path_, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

absl::Duration WatchdogInterval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return absl::ZeroDuration();
  const char* pid = std::getenv("WATCHDOG_PID");
  int64_t want_pid = 0;
  if (pid != nullptr && absl::SimpleAtoi(pid, &want_pid) &&
      want_pid != getpid()) {
    return absl::ZeroDuration();
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(usec, &value) || value <= 0) {
    return absl::ZeroDuration();
  }
  return absl::Microseconds(value);
}

Watchdog::Watchdog(const SdNotifier& notifier, absl::Duration interval)
    : notifier_(notifier), interval_(interval) {}

Watchdog::~Watchdog() { Stop(); }

void Watchdog::Start(TaskScope& scope) {
  const absl::Duration tick = interval_ / 8;
  scope.Spawn(
      [this, tick] {
        while (!CancellationRequested()) {
          ticks_.fetch_add(1, std::memory_order_relaxed);
          colony::SleepFor(tick);
        }
      },
      {.name = "watchdog-heartbeat"});
  thread_ = std::thread([this] { Run(); });
}

void Watchdog::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

void Watchdog::Run() {
  pthread_setname_np(pthread_self(), "colonyd-wdog");
  uint64_t last = ticks_.load(std::memory_order_relaxed);
  bool stalled = false;
  while (!stop_.WaitFor(interval_ / 2)) {
    uint64_t now = ticks_.load(std::memory_order_relaxed);
    if (now == last) {
      if (!stalled) {
        spdlog::error(
            "watchdog: the scheduler made no progress for {}; not pinging "
            "systemd",
            absl::FormatDuration(interval_ / 2));
      }
      stalled = true;
      continue;
    }
    stalled = false;
    last = now;
    absl::Status s = notifier_.Notify("WATCHDOG=1");
    if (!s.ok()) {
      spdlog::warn("watchdog: {}", std::string(s.message()));
    } else {
      pings_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace daemon
}  // namespace colony
