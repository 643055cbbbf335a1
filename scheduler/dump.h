// Copyright 2026 The Colony Authors.
//
// Task dumps as text, in the style of Go's goroutine dump: one paragraph
// per live task, or, grouped, one per distinct stack with a count.
//
//   std::vector<TaskInfo> tasks =
//       scheduler.Dump({.backtraces = true});
//   std::string text = colony::FormatTaskDump(tasks);
//
// A task's header line reads
//
//   task 42 [io wait read fd=7, 3 minutes] name="conn" worker=1 priority=0
//       parent=3 scope=0x7f3a5c001200
//
// (on one line): its id, what it is doing (running, runnable, not started,
// or what it waits on and, past a second, for how long), then its name,
// the last worker that ran it, its priority, the task that spawned it (0:
// from outside) and its TaskScope (0: none). Each frame of its backtrace
// follows on its own line, innermost first: `    0xADDRESS symbol`.
//
// Thread-safety: the functions are pure except for symbolization, which
// reads the binary's symbol tables (absl::Symbolize, thread-safe). They
// read files: from a task, call them through SpawnBlocking().

#ifndef COLONY_SCHEDULER_DUMP_H_
#define COLONY_SCHEDULER_DUMP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/stats.h"

namespace colony {

// TaskStatus() is the bracketed part of a task's header without the
// duration: "running", "runnable", "not started", "io wait read fd=7",
// "mutex", "sleep", "parked", ...
std::string TaskStatus(const TaskInfo& task);

// FormatWaitDuration() is the duration Go-dump style: empty under a second,
// then "N seconds", "N minutes" or "N hours".
std::string FormatWaitDuration(int64_t nanos);

// SymbolizePc() names the function containing return address `pc` (it
// looks up pc - 1, the call), or "?" when the symbol tables do not say.
std::string SymbolizePc(uintptr_t pc);

// FormatTaskDump() writes every task, in the given order, as described
// above. With `group`, tasks with the same status and the same backtrace
// are written once, most numerous first, headed "N tasks [status]" and the
// ids of the first few.
std::string FormatTaskDump(const std::vector<TaskInfo>& tasks,
                           bool group = false);

}  // namespace colony

#endif  // COLONY_SCHEDULER_DUMP_H_
