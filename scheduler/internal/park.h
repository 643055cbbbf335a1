// Copyright 2026 The Colony Authors.
//
// Park: what a waiting primitive outside the scheduler (sync/, net/) needs
// from it, and nothing more: the calling task, its cancellation, parking it
// (with or without a commit step run off its stack), yielding, and waking a
// parked task. A task is an opaque pointer here; its word, its worker and
// its queues stay in scheduler/internal/task.h.
//
// The protocol every caller follows: publish the wait (a queued node, a
// latched flag), then park in a loop that re-checks the condition after
// every return, since a park may return spuriously. A waker publishes the
// condition first and then calls WakeTask(): the wake is an acq_rel RMW on
// the task's word, and the worker consumes it with an RMW, so a task woken
// after the condition was published sees it (see task_state.h).
//
// Thread-safety: ParkTask(), ParkTaskUntil(), ParkTaskCommit(),
// YieldTask(), CheckCancel() and CancellationPending() are called by the
// task itself (`self` is CurrentTask()); WakeTask(), RefTask() and Unref()
// from any thread, on a task the caller keeps alive (a reference, or a
// protocol that keeps its waiter from returning, as the wait queue's).
//
// Lifetime: a Task* is valid while someone holds a reference on it (the
// scheduler holds one until the task ends).

#ifndef COLONY_SCHEDULER_INTERNAL_PARK_H_
#define COLONY_SCHEDULER_INTERNAL_PARK_H_

#include <cstdint>

#include "time/deadline.h"

namespace colony::scheduler_internal {

class Task;

// CurrentTask() is the task running on the calling thread, or null (on a
// plain thread, or in a plain coroutine resumed by a task). Out of line, so
// no thread-local address computed by a caller outlives a suspension.
Task* CurrentTask();

// CheckCancel() throws CoroutineCancelled into `self` if its cancellation
// was requested and not yet delivered, unless an exception is already
// unwinding (then it is delivered at a later suspension point).
void CheckCancel(Task* self);

// CancellationPending() is true when CheckCancel(self) would throw: the
// cancellation was requested (acquire: its reason is visible), not yet
// delivered, and no exception is unwinding. A wait that returns
// "cancelled" must be followed by a CheckCancel() that throws, or the
// caller would go on as if it held what it waited for.
bool CancellationPending(const Task* self);

// ParkTask() suspends `self` until a WakeTask(); it may return spuriously,
// so callers loop on their condition. `wake_ns` is recorded in the
// suspended state (0: none). Never throws.
void ParkTask(Task* self, int64_t wake_ns = 0);

// ParkTaskUntil() is ParkTask() that also returns once `deadline` is
// reached, through a timer on the current worker (none when infinite).
void ParkTaskUntil(Task* self, Deadline deadline);

// ParkTaskCommit() is ParkTaskUntil() whose park is decided after the task
// has left its stack: the worker calls `commit(self, arg)` on its own stack
// once the switch is done, and parks the task only if it returns true;
// false re-queues it at once. The commit is where a waiter publishes
// itself (Go's netpollblockcommit), so nobody can wake a task that is
// still running on its stack. A WakeTask() after a successful commit is
// honoured as for ParkTask(). Never throws.
void ParkTaskCommit(Task* self, bool (*commit)(Task* self, void* arg),
                    void* arg, Deadline deadline);

// YieldTask() puts `self` at the tail of its band's queue and returns when
// a worker runs it again; it stays runnable throughout, so no wake is
// needed (and none can be lost). Never throws.
void YieldTask(Task* self);

// WakeTask() makes `task` runnable if it is parked, or marks it notified if
// it is queued or running, so that its next park returns at once. A
// parked task is queued on the calling worker (LIFO slot) when the caller
// is one, else through the injection queue.
void WakeTask(Task* task);

// RefTask() takes a reference on `task`; Unref() drops one, and the last
// one destroys the task.
void RefTask(Task* task);
void Unref(Task* task);

// WaitScope records, for its lifetime, what `task` (the calling task, or
// null on a plain thread: then it does nothing) waits on, for
// Scheduler::Dump(). `reason` must be a string literal (or otherwise
// outlive the task). Scopes nest: the outer reason comes back when an
// inner one ends.
class WaitScope {
 public:
  WaitScope(Task* task, const char* reason);
  WaitScope(const WaitScope&) = delete;
  WaitScope& operator=(const WaitScope&) = delete;
  ~WaitScope();

 private:
  Task* const task_;
  const char* outer_reason_ = nullptr;
  int64_t outer_since_ = 0;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_PARK_H_
