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

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_DISPATCH_CHECK_H_
