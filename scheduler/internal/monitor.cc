// Copyright 2026 The Colony Authors.

#include "scheduler/internal/monitor.h"

#include <pthread.h>

#include <algorithm>

#include "coroutine/basic_coroutine.h"
#include "time/deadline.h"

namespace colony::scheduler_internal {

void Monitor::Start() {
  if (checks_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Monitor::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_seq_cst);
  parker_.Unpark();
  thread_.join();
}

void Monitor::Run() {
  const std::string name = name_.substr(0, 10) + "-mon";
  pthread_setname_np(pthread_self(), name.c_str());
  int64_t interval = interval_ns_;
  while (!stop_.load(std::memory_order_seq_cst)) {
    parker_.Park(Deadline::FromNanos(NowNanos() + interval));
    if (stop_.load(std::memory_order_seq_cst)) break;
    const int64_t now = NowNanos();
    bool active = false;
    for (const Check& check : checks_) active |= check(now);
    interval =
        active ? interval_ns_ : std::min(interval * 2, idle_interval_ns_);
    backed_off_.store(interval > interval_ns_, std::memory_order_relaxed);
  }
}

}  // namespace colony::scheduler_internal
