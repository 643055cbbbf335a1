// Copyright 2026 The Colony Authors.
//
// Observability: counters per worker and a listing of live tasks, both
// readable from any thread while the scheduler runs (Scheduler::Stats() and
// Scheduler::Dump()). Counters are snapshots of relaxed atomics: each is
// exact for itself, but a snapshot is not one instant across counters.

#ifndef COLONY_SCHEDULER_STATS_H_
#define COLONY_SCHEDULER_STATS_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "coroutine/coroutine_state.h"

namespace colony {

struct WorkerStats {
  uint64_t spawned = 0;         // tasks spawned by tasks on this worker
  uint64_t completed = 0;       // tasks that finished on this worker
  uint64_t switches = 0;        // resumes of a task by this worker
  uint64_t steal_attempts = 0;  // victims tried
  uint64_t steals = 0;          // attempts that took at least one task
  uint64_t stolen_tasks = 0;    // tasks taken by those steals
  uint64_t parks = 0;           // times the worker went to sleep
  uint64_t unparks = 0;         // of those, ended by another thread's wake
  uint64_t stalls =
      0;  // slices that ran past SchedulerOptions::stall_threshold
  uint64_t global_pops = 0;         // tasks taken from the injection queue
  uint64_t overflows = 0;           // halves of the ring moved to it
  uint64_t timers_fired = 0;        // sleeps this worker ended
  size_t timers = 0;                // sleeping tasks whose timer it holds
  std::vector<size_t> queue_depth;  // ready tasks per band in its ring
  // Time since the worker started that it was not parked (running tasks,
  // polling, searching for work): a counter that never goes back.
  uint64_t busy_ns = 0;
  // A moving average of how long the tasks it ran waited in a queue before
  // running (sampled; zero once it parks: an idle worker has no queue).
  int64_t queue_delay_ns = 0;
  bool parked = false;
  bool stalled = false;  // its current slice is a stall
  bool searching = false;
};

// The I/O poller's counters (net/); all zero until a task of the scheduler
// opens a socket.
struct IoStats {
  size_t registered_fds = 0;    // descriptors registered with the poller now
  uint64_t ready_events = 0;    // events that woke or latched a direction
  uint64_t stale_events = 0;    // events dropped: their descriptor was reused
  uint64_t polls_blocking = 0;  // polls by an idle worker in the poller role
  uint64_t polls_busy = 0;      // non-blocking polls by busy workers
  uint64_t polls_monitor = 0;   // polls by the monitor thread
  uint64_t breaks = 0;          // waits of the poller role interrupted
  size_t io_waiters = 0;        // tasks and threads waiting on I/O now
};

// The process's coroutine stacks: one pool serves every scheduler and
// plain coroutines alike. A released stack keeps its pages (warm) up to
// the pool's warm limit, and past it for a few seconds after its release;
// then its pages go back to the kernel (cold) while its address space
// stays reserved for reuse.
struct StackStats {
  size_t in_use = 0;          // handed out to coroutines
  size_t warm = 0;            // pooled, pages resident
  size_t cold = 0;            // pooled, pages given back
  size_t reserved_bytes = 0;  // address space reserved for pooled stacks
};

struct SchedulerStats {
  std::vector<WorkerStats> workers;
  std::vector<size_t> global_queue_depth;  // per band
  uint64_t spawned_remote = 0;             // spawns from outside the workers
  uint64_t rejected = 0;                   // spawns refused because of Stop()
  // Times the monitor thread woke a parked worker because work was queued
  // and nobody searched (a backstop; normally zero or close to it).
  uint64_t monitor_wakes = 0;
  size_t live_tasks = 0;        // spawned and not yet finished
  size_t blocking_threads = 0;  // threads in the blocking pool
  size_t blocking_queued = 0;   // SpawnBlocking calls waiting for a thread
  IoStats io;
  StackStats stacks;  // process-wide, not this scheduler's alone
};

// What a task waiting on I/O waits for.
enum class IoWait { kNone, kRead, kWrite };

// One live task as Dump() lists it.
struct TaskInfo {
  uint64_t id = 0;
  std::string name;
  CoroutineState state = CoroutineState::kReady;
  int priority = 0;
  int64_t wake_ns = 0;  // NowNanos() time base; 0 unless sleeping
  int64_t age_ns = 0;   // since spawn
  int worker = -1;      // last worker that ran it; -1 if none yet
  bool cancel_requested = false;
  // Woken and waiting for a worker (queued, or about to be re-queued by
  // the worker running it).
  bool runnable = false;
  // Set while it waits on a socket: the descriptor and the direction.
  IoWait io_wait = IoWait::kNone;
  int io_fd = -1;
  // What else it waits on while parked ("mutex", "channel receive",
  // "sleep", "join", ...; a static string, empty when none) and for how
  // long (also set for an I/O wait).
  std::string_view wait_reason;
  int64_t wait_ns = 0;
  // The task that spawned it (0: spawned from outside), and an opaque
  // identity of its TaskScope (0: none).
  uint64_t parent_id = 0;
  uintptr_t scope = 0;
  // With DumpOptions::backtraces, the return addresses of its suspended
  // stack, innermost first (see scheduler/dump.h to symbolize them). Empty
  // for a task that was running, queued or not yet started when listed.
  std::vector<uintptr_t> backtrace;
};

// What Scheduler::Dump() collects.
struct DumpOptions {
  // Walk the stack of every parked task (see Scheduler::Dump()).
  bool backtraces = false;
  // At most this many frames per task.
  size_t max_frames = 48;
  // At most this many tasks are listed (a bound on the dump's memory);
  // which ones, past the bound, is unspecified.
  size_t max_tasks = SIZE_MAX;
};

std::ostream& operator<<(std::ostream& os, const TaskInfo& info);
std::ostream& operator<<(std::ostream& os, const SchedulerStats& stats);

}  // namespace colony

#endif  // COLONY_SCHEDULER_STATS_H_
