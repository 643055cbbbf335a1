// Copyright 2026 The Colony Authors.
//
// Monitor: one background thread per scheduler that looks at the
// scheduler from outside its workers, for what a worker cannot do while it
// runs a long task. Each look is a Check; there are three: the I/O check
// (SchedulerShared::MonitorIo(): poll when nobody has for about 1 ms while
// waiters exist; it asks for the short interval only while it had to poll,
// so workers that poll on their own let it back off), the stall check
// (MonitorStalls(): long slices, overdue timers, missed wakes) and the
// memory check (MonitorStacks(): old stacks' pages back to the kernel).
//
// The thread ticks every `interval` while some check asked for it (its
// Check() returned true: "I am watching something") and backs off,
// doubling up to `idle_interval`, while none did, so an idle scheduler
// costs a wake-up every few tens of milliseconds.
//
// Thread-safety: Add() before Start(); Start() and Stop() from the
// scheduler's control thread; checks run on the monitor thread only.

#ifndef COLONY_SCHEDULER_INTERNAL_MONITOR_H_
#define COLONY_SCHEDULER_INTERNAL_MONITOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "scheduler/internal/thread_parker.h"

namespace colony::scheduler_internal {

class Monitor {
 public:
  // A check runs on every tick with the time; it returns true while it
  // wants the short interval.
  using Check = std::function<bool(int64_t now_ns)>;

  Monitor(std::string name, int64_t interval_ns, int64_t idle_interval_ns)
      : name_(std::move(name)),
        interval_ns_(interval_ns),
        idle_interval_ns_(idle_interval_ns) {}
  ~Monitor() { Stop(); }
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Add() registers a check (before Start()).
  void Add(Check check) { checks_.push_back(std::move(check)); }
  // Start() launches the thread (a no-op without checks).
  void Start();
  // Stop() ends the thread and joins it; idempotent.
  void Stop();
  // PokeIfIdle() makes a backed-off thread tick now (a check has become
  // interesting); cheap (one relaxed load) when it is not backed off.
  void PokeIfIdle() {
    if (backed_off_.load(std::memory_order_relaxed)) {
      backed_off_.store(false, std::memory_order_relaxed);
      parker_.Unpark();
    }
  }

 private:
  void Run();

  const std::string name_;
  const int64_t interval_ns_;
  const int64_t idle_interval_ns_;
  std::vector<Check> checks_;
  std::atomic<bool> stop_{false};
  // A hint only (relaxed both ways): the next tick is further away than
  // interval_ns_.
  // The wake itself is the exchange in parker_.Unpark().
  std::atomic<bool> backed_off_{false};
  ThreadParker parker_;
  std::thread thread_;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_MONITOR_H_
