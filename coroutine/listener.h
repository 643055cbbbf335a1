// Copyright 2026 The Colony Authors.
//
// Listener: observe every state change of coroutines.
//
// A Listener registered on one coroutine (CoroutineOptions::listener or
// BasicCoroutine::AddListener()) hears that coroutine; one registered with
// AddGlobalListener() hears every coroutine in the process. When no listener
// is registered, a state change costs one predictable branch.
//
// Thread-safety: OnStateChange() runs on the thread that makes the change,
// synchronously, possibly on the coroutine's own stack and possibly on many
// threads at once for different coroutines. It must not suspend, must not
// throw, and must not destroy or resume the coroutine it is told about.
// AddGlobalListener() and RemoveGlobalListener() are thread-safe; a listener
// must stay alive until every state change that may have begun before its
// removal has returned (in practice: keep global listeners alive for the
// life of the process, or quiesce coroutines before destroying one).

#ifndef COLONY_COROUTINE_LISTENER_H_
#define COLONY_COROUTINE_LISTENER_H_

#include "coroutine/coroutine_state.h"

namespace colony {

class BasicCoroutine;

class Listener {
 public:
  virtual ~Listener() = default;

  // OnStateChange() is called after `coroutine` moved from `from` to `to`.
  virtual void OnStateChange(const BasicCoroutine& coroutine,
                             CoroutineState from, CoroutineState to) = 0;
};

// AddGlobalListener() registers `listener` for every coroutine's state
// changes. Registering the same listener twice has no effect.
void AddGlobalListener(Listener* listener);

// RemoveGlobalListener() unregisters `listener`; unknown listeners are
// ignored.
void RemoveGlobalListener(Listener* listener);

}  // namespace colony

#endif  // COLONY_COROUTINE_LISTENER_H_
