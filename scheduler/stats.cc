// Copyright 2026 The Colony Authors.

#include "scheduler/stats.h"

namespace colony {

std::ostream& operator<<(std::ostream& os, const TaskInfo& info) {
  os << "task " << info.id << " '" << info.name << "' "
     << CoroutineStateName(info.state) << " priority=" << info.priority
     << " worker=" << info.worker << " age_ms=" << info.age_ns / 1'000'000;
  if (info.wake_ns != 0) os << " wake_ns=" << info.wake_ns;
  if (info.cancel_requested) os << " cancel-requested";
  if (info.runnable) os << " runnable";
  if (info.io_wait != IoWait::kNone) {
    os << " io-wait fd=" << info.io_fd
       << (info.io_wait == IoWait::kRead ? " read" : " write");
  }
  return os;
}

std::ostream& operator<<(std::ostream& os, const SchedulerStats& stats) {
  os << "live=" << stats.live_tasks << " remote_spawns=" << stats.spawned_remote
     << " rejected=" << stats.rejected
     << " monitor_wakes=" << stats.monitor_wakes
     << " blocking_threads=" << stats.blocking_threads
     << " io_fds=" << stats.io.registered_fds
     << " io_waiters=" << stats.io.io_waiters
     << " io_ready=" << stats.io.ready_events
     << " polls(blocking/busy/monitor)=" << stats.io.polls_blocking << "/"
     << stats.io.polls_busy << "/" << stats.io.polls_monitor
     << " poll_breaks=" << stats.io.breaks << " global_queue=[";
  for (size_t b = 0; b < stats.global_queue_depth.size(); ++b) {
    os << (b ? " " : "") << stats.global_queue_depth[b];
  }
  os << "]\n";
  for (size_t i = 0; i < stats.workers.size(); ++i) {
    const WorkerStats& w = stats.workers[i];
    os << "  worker " << i << ": spawned=" << w.spawned
       << " completed=" << w.completed << " switches=" << w.switches
       << " steals=" << w.steals << "/" << w.steal_attempts
       << " stolen=" << w.stolen_tasks << " parks=" << w.parks
       << " unparks=" << w.unparks << " stalls=" << w.stalls
       << " global=" << w.global_pops << " overflows=" << w.overflows
       << " timers=" << w.timers << " fired=" << w.timers_fired << " queued=[";
    for (size_t b = 0; b < w.queue_depth.size(); ++b) {
      os << (b ? " " : "") << w.queue_depth[b];
    }
    os << "]" << (w.parked ? " parked" : "")
       << (w.searching ? " searching" : "") << "\n";
  }
  return os;
}

}  // namespace colony
