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

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/stack.h"

namespace colony::coroutine_internal {

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

// ThisThread() returns the calling thread's state, initialised on first use
// (which also installs the stack-overflow handler and an alternate signal
// stack for the thread).
ThreadState& ThisThread();

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

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_THREAD_STATE_H_
