// Copyright 2026 The Colony Authors.

#include "daemon/signals.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {
namespace {

// Stop() wakes the thread with this signal, sent to the thread alone.
constexpr int kWakeSignal = SIGUSR2;

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT, kWakeSignal}) {
    sigaddset(&set, sig);
  }
  return set;
}

}  // namespace

absl::Status BlockDaemonSignals() {
  sigset_t set = DaemonSignals();
  int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("pthread_sigmask: ", std::strerror(rc)));
  }
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  if (sigaction(SIGPIPE, &ignore, nullptr) != 0) {
    return absl::InternalError(
        absl::StrCat("sigaction(SIGPIPE): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

SignalThread::SignalThread(SignalHandlers handlers)
    : handlers_(std::move(handlers)) {}

SignalThread::~SignalThread() { Stop(); }

absl::Status SignalThread::Start() {
  sigset_t current;
  pthread_sigmask(SIG_BLOCK, nullptr, &current);
  if (!sigismember(&current, SIGTERM)) {
    return absl::FailedPreconditionError(
        "signals are not blocked: call BlockDaemonSignals() first");
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void SignalThread::Stop() {
  if (!thread_.joinable()) return;
  // Release pairs with the acquire load in Run().
  stopping_.store(true, std::memory_order_release);
  pthread_kill(thread_.native_handle(), kWakeSignal);
  thread_.join();
}

void SignalThread::Run() {
  pthread_setname_np(pthread_self(), "colonyd-signal");
  const sigset_t set = DaemonSignals();
  int terminate_count = 0;
  // Acquire pairs with Stop()'s release store.
  while (!stopping_.load(std::memory_order_acquire)) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      spdlog::error("signals: sigwaitinfo: {}", std::strerror(errno));
      return;
    }
    switch (sig) {
      case SIGTERM:
      case SIGINT:
        ++terminate_count;
        spdlog::info(
            "signals: {} from pid {} ({})", strsignal(sig), info.si_pid,
            terminate_count == 1 ? "graceful shutdown" : "forcing exit");
        if (handlers_.on_terminate) handlers_.on_terminate(terminate_count);
        break;
      case SIGHUP:
        spdlog::info("signals: SIGHUP from pid {}: reloading configuration",
                     info.si_pid);
        if (handlers_.on_reload) handlers_.on_reload();
        break;
      case SIGUSR1:
        if (handlers_.on_reopen_logs) handlers_.on_reopen_logs();
        spdlog::info("signals: SIGUSR1: log file reopened");
        break;
      case SIGQUIT:
        spdlog::info("signals: SIGQUIT: task dump follows");
        if (handlers_.on_dump) handlers_.on_dump();
        break;
      default:
        break;  // kWakeSignal: the loop condition decides
    }
  }
}

}  // namespace daemon
}  // namespace colony
