// Copyright 2026 The Colony Authors.
//
// The process-wide listener list behind AddGlobalListener(). Readers take a
// snapshot with one acquire load and never lock; writers copy the list under
// a mutex and publish the copy. Old copies are kept until exit, so a reader
// holding one never sees it freed.

#ifndef COLONY_COROUTINE_INTERNAL_GLOBAL_LISTENERS_H_
#define COLONY_COROUTINE_INTERNAL_GLOBAL_LISTENERS_H_

#include <atomic>

#include "coroutine/coroutine_state.h"

namespace colony {
class BasicCoroutine;
namespace coroutine_internal {

// Non-zero while at least one global listener is registered. Relaxed: a
// hint that skips the list; the list itself is read through the acquire
// load of current_list (listener.cc). A transition racing a registration
// may miss the new listener.
extern std::atomic<int> global_listener_count;

inline bool GlobalListenersActive() {
  return global_listener_count.load(std::memory_order_relaxed) != 0;
}

void NotifyGlobalListeners(const BasicCoroutine& coroutine, CoroutineState from,
                           CoroutineState to);

}  // namespace coroutine_internal
}  // namespace colony

#endif  // COLONY_COROUTINE_INTERNAL_GLOBAL_LISTENERS_H_
