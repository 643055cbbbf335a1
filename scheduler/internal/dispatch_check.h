// Copyright 2026 The Colony Authors.
//
// For the build that checks the dispatch fast paths against the slow path
// (COLONY_CHECK_DISPATCH; see worker_dispatch.h).

#ifndef COLONY_SCHEDULER_INTERNAL_DISPATCH_CHECK_H_
#define COLONY_SCHEDULER_INTERNAL_DISPATCH_CHECK_H_

#include <cstdint>

namespace colony::scheduler_internal {

// DispatchFastPathChecks() is the number of fast-path decisions checked so
// far in this process, by every worker.
uint64_t DispatchFastPathChecks();

// NoteInjection() is called by SchedulerShared::Inject() before it pushes:
// a spawn or a wake from outside the worker (from a plain thread, or the
// monitor taking over an overdue timer). A check that sees one between
// the fast path's decision and the slow path's is void, since the two
// looked at different injection queues; the slow path's decision stands.
void NoteInjection();
// NoteInjectionDone() is called by SchedulerShared::Inject() after the
// push. A check that began while an injection was under way (noted, not
// done) is void too: the fast path may have looked at the queue before the
// push, the slow path after it.
void NoteInjectionDone();

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_DISPATCH_CHECK_H_
