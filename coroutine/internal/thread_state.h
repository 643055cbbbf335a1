// Copyright 2026 The Colony Authors.
//
// Per-thread state of the coroutine runtime: the running coroutine, the
// addresses of the thread's exception globals and errno (swapped at every
// switch), and the stack segment a plain thread runs on (for MaybeGrow and
// the overflow handler).
//
// Thread-safety: each thread reads and writes only its own ThreadState.
// Code that can run on a coroutine stack must not keep a reference to it
// across a switch: the coroutine may come back on another thread.

#ifndef COLONY_COROUTINE_INTERNAL_THREAD_STATE_H_
#define COLONY_COROUTINE_INTERNAL_THREAD_STATE_H_

#include <cstddef>

#include "absl/base/optimization.h"

namespace colony {
class BasicCoroutine;
namespace coroutine_internal {

// Mirrors the C++ ABI's per-thread exception globals (__cxa_eh_globals):
// the chain of caught exceptions and the uncaught-exception count.
struct EhGlobals {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

struct ThreadState {
  BasicCoroutine* current = nullptr;
  EhGlobals* eh = nullptr;
  int* errno_location = nullptr;
  bool initialized = false;
  // The plain thread's active stack segment while it runs MaybeGrow()
  // outside any coroutine (segment_lo null otherwise).
  char* segment_lo = nullptr;
  size_t segment_size = 0;
  // The thread's own stack bounds, read once.
  char* thread_stack_lo = nullptr;
};

// Trivially constructible and destructible, so access is a plain
// thread-pointer-relative load with no initialisation guard.
extern constinit thread_local ThreadState tls_state
    __attribute__((tls_model("initial-exec")));

// InitThisThread() fills in `ts` for the calling thread, installs the
// stack-overflow handler and gives the thread an alternate signal stack.
void InitThisThread(ThreadState& ts);

// ThisThread() returns the calling thread's state, initialised on first use.
inline ThreadState& ThisThread() {
  ThreadState& ts = tls_state;
  if (ABSL_PREDICT_FALSE(!ts.initialized)) InitThisThread(ts);
  return ts;
}

// InstallOverflowHandler() installs the process-wide SIGSEGV handler that
// reports coroutine stack overflows; idempotent.
void InstallOverflowHandler();
// EnsureAltStack() gives the calling thread an alternate signal stack if it
// has none, freed when the thread exits.
void EnsureAltStack();

// ThisThreadNoInit() returns the calling thread's state without initialising
// it: async-signal-safe, for the overflow handler.
ThreadState& ThisThreadNoInit();

// Formats and writes "colony: fatal: <message>" to stderr and aborts.
[[noreturn]] void Fatal(const char* format, ...)
    __attribute__((format(printf, 1, 2)));

}  // namespace coroutine_internal
}  // namespace colony

#endif  // COLONY_COROUTINE_INTERNAL_THREAD_STATE_H_
