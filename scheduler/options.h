// Copyright 2026 The Colony Authors.
//
// Options for a Scheduler, for spawning a task and for stopping.
//
// Every field has a default that suits a server process; Scheduler::Create()
// validates them and names the offending field in its error.
//
// Priorities are bands: a task's priority is an integer in
// [0, SchedulerOptions::priority_bands), larger is more urgent. Each worker
// runs the most urgent non-empty band first, but every non-empty band is
// served at least once in every `starvation_interval * priority_bands`
// dispatches of a worker, so low bands progress under any load.

#ifndef COLONY_SCHEDULER_OPTIONS_H_
#define COLONY_SCHEDULER_OPTIONS_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "coroutine/basic_coroutine.h"

namespace colony {

// SpawnOptions::priority value meaning "the spawning task's priority, or
// SchedulerOptions::default_priority when spawned from a plain thread".
inline constexpr int kInheritPriority = -1;

struct SchedulerOptions {
  // Worker threads; 0 means one per hardware thread.
  int workers = 0;
  // Stack size of tasks whose SpawnOptions leave it at 0.
  size_t stack_size = kDefaultStackSize;
  // Number of priority bands (1..8).
  int priority_bands = 3;
  // Priority of tasks spawned from plain threads without an explicit one;
  // kInheritPriority means the middle band (priority_bands / 2).
  int default_priority = kInheritPriority;
  // Every `starvation_interval`-th dispatch of a worker is a guaranteed
  // turn for the next band in rotation, unless that band had a dispatch in
  // the last `starvation_interval * priority_bands` (it is not starved):
  // every non-empty band gets a dispatch at least once per
  // `2 * starvation_interval * priority_bands` dispatches, and a band
  // served anyway never delays a more urgent task (>= 1).
  int starvation_interval = 8;
  // A worker takes from the global injection queue first once every
  // `global_queue_interval` dispatches, so injected work is never starved by
  // a busy local queue (>= 1).
  int global_queue_interval = 61;
  // Rounds of stealing attempts over all other workers before a worker with
  // nothing to do parks (>= 1).
  int steal_rounds = 4;
  // Most workers searching for work at once; 0 means half the workers
  // (rounded up). Bounding it keeps idle workers from burning CPU.
  int max_searching = 0;
  // How long a searching worker that found nothing keeps polling the other
  // workers' queues and the injection queue (with growing pauses) before
  // it parks. A park and the wake that ends it cost several microseconds
  // of system calls on each side, so a fan-out that feeds an idle worker a
  // task every few microseconds would otherwise wake and park it for
  // nearly every task. Zero parks at once.
  absl::Duration spin_before_park = absl::Microseconds(50);
  // A task that runs this long without suspending is a stall: the monitor
  // thread logs it once (worker, task id and name), counts it in
  // WorkerStats::stalls, and lets the other workers take the stalled
  // worker's queued tasks, its LIFO slot included. Zero turns detection
  // off (overdue timers are still taken over).
  absl::Duration stall_threshold = absl::Milliseconds(100);
  // Whether a task woken or spawned by a running task goes to the worker's
  // LIFO slot to run next (message-passing locality). At most 3 LIFO
  // dispatches happen in a row before the queue gets a turn.
  bool lifo_slot = true;
  // Threads are named "<name>-w<index>" (workers) and "<name>-blk"
  // (blocking pool); Linux keeps 15 characters.
  std::string name = "colony";
  // Upper bound of the blocking pool's threads (>= 1). It starts empty and
  // grows on demand; idle threads exit after `blocking_keep_alive`.
  int max_blocking_threads = 64;
  absl::Duration blocking_keep_alive = absl::Seconds(10);
  // Debugging aid: every time a task is resumed after a suspension it is
  // handed to a different worker thread than the one it last ran on (with
  // at least two workers). Flushes out thread_local misuse in user code.
  bool migrate_every_resume = false;
};

struct SpawnOptions {
  // Shown in Dump(), in stop reports and in crash messages.
  std::string name;
  // Band in [0, priority_bands); values outside are clamped. See
  // kInheritPriority.
  int priority = kInheritPriority;
  // Stack bytes; 0 means SchedulerOptions::stack_size.
  size_t stack_size = 0;
  // Whether a task spawned from a task starts with copies of the spawning
  // task's inherited CoroutineLocals (and so its contexts). Off for work
  // done on behalf of someone other than the spawner: an Effect's runs
  // get their creator's values, not those of the writer that woke them.
  bool inherit_locals = true;
};

enum class StopMode {
  // Wait for every task to finish (tasks may still spawn children), up to
  // the deadline; then cancel what is left and report it.
  kDrain,
  // Cancel every task at once: each unwinds from its suspension point so
  // its destructors run.
  kCancel,
};

struct StopOptions {
  StopMode mode = StopMode::kDrain;
  // How long a drain may wait before the stragglers are cancelled and
  // reported.
  absl::Duration deadline = absl::InfiniteDuration();
};

}  // namespace colony

#endif  // COLONY_SCHEDULER_OPTIONS_H_
