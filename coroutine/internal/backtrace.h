// Copyright 2026 The Colony Authors.
//
// Backtraces of suspended coroutines: a walk of the frame-pointer chain
// that starts at the registers a context switch saved (the resume address
// and the frame pointer, see context.h) and reads only memory inside the
// coroutine's own stack.
//
// Every frame record (saved frame pointer, return address) is read only if
// all of its 16 bytes lie inside one of the given stack ranges, at an
// 8-byte-aligned address, and each next record must sit higher on the
// stack than the one before unless it moves to another range (a MaybeGrow()
// segment returns to the main stack). So the walk never faults and always
// ends, whatever the stack holds: a frame compiled without frame pointers
// (a system library) that reuses the register ends the walk early instead.
// Colony's own code keeps frame pointers (-fno-omit-frame-pointer in
// copts.bzl).
//
// Thread-safety: the caller must guarantee that the coroutine stays
// suspended for the whole walk (nobody resumes it meanwhile); the walk
// itself only reads. Scheduler::Dump() does it by pinning the task (see
// scheduler/internal/shared.cc, "Backtraces of parked tasks").

#ifndef COLONY_COROUTINE_INTERNAL_BACKTRACE_H_
#define COLONY_COROUTINE_INTERNAL_BACKTRACE_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace colony {
class BasicCoroutine;
}  // namespace colony

namespace colony::coroutine_internal {

// A readable stack range [lo, hi).
struct StackRange {
  uintptr_t lo = 0;
  uintptr_t hi = 0;
};

// WalkFrames() writes to `pcs` the resume address `pc` and then the return
// address of each frame record in the chain that starts at `fp`, as long
// as records are inside `ranges` (see the top of the file); returns how
// many it wrote (at most pcs.size()). A zero return address ends the walk.
size_t WalkFrames(uintptr_t pc, uintptr_t fp,
                  absl::Span<const StackRange> ranges,
                  absl::Span<uintptr_t> pcs);

// SuspendedBacktrace() walks the saved context of `coroutine`, which must be
// suspended (not ready, running or finished) and stay so during the call.
// Returns how many program counters it wrote to `pcs`; each is a return
// address (symbolize pc - 1 for the call site).
size_t SuspendedBacktrace(const BasicCoroutine& coroutine,
                          absl::Span<uintptr_t> pcs);

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_BACKTRACE_H_
