// Copyright 2026 The Colony Authors.
//
// Backtraces of parked tasks for Scheduler::Dump().
//
// The protocol (why a walk never races with the task running):
//
//   1. A parked task has kScheduled clear in its word (task_state.h), and its
//      worker cleared that bit with an acq_rel CAS only after the switch
//      out of the task had returned: its saved registers and its stack are
//      final, and the CAS publishes them.
//   2. PinParked() (TaskState::TryPin()) takes the task the way a waker does,
//   by setting
//      kScheduled with a CAS, but without queueing it. From then on nobody
//      else can queue or run it: a Wake() finds kScheduled set and only
//      leaves kNotified (TaskState::TransitionToScheduledOrNotified()); a timer
//      or a cancellation wakes the same way. The CAS (acquire) sees the
//      registers and stack of step 1. A task that is queued, running or not
//      started has kScheduled set already, so the CAS fails and it is not
//      walked.
//   3. The walk reads the saved context and the frame chain inside the
//      task's stack only (coroutine/internal/backtrace.h): it cannot fault.
//   4. Unpin() gives the task back exactly as a worker ends a slice that
//      parks (Worker::AfterSlice(), TaskState::TransitionToParked()): one CAS
//      clears kScheduled, or, if a wake came during the walk (kNotified), takes
//      kNotified instead and the task must be queued: the caller queues it
//      (SchedulerShared::Enqueue()) after releasing the registry lock. Nothing
//      wakes the task in between, so it cannot end while pinned: the
//      scheduler's reference, dropped only when it finishes, keeps it alive.
//
// The pin delays a wake by the length of one walk (48 frames at most);
// Dump() pins one task at a time.
//
// Thread-safety: call with the task's registry shard locked (the task is
// live), from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_TASK_DUMP_H_
#define COLONY_SCHEDULER_INTERNAL_TASK_DUMP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scheduler/internal/task.h"

namespace colony::scheduler_internal {

// PinParked() pins `task` if it is parked (step 2); false if it is not.
bool PinParked(Task* task);

// Unpin() ends a pin (step 4); true if the caller must queue the task.
bool Unpin(Task* task);

// WalkParked() pins `task` if parked, appends up to `max_frames` return
// addresses of its stack to `pcs`, and unpins it. Returns true if the
// caller must queue the task (SchedulerShared::Enqueue(task, false)) once it
// has released the registry lock.
bool WalkParked(Task* task, size_t max_frames, std::vector<uintptr_t>* pcs);

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TASK_DUMP_H_
