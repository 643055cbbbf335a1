// Copyright 2026 The Colony Authors.
//
// LocalsHooks: how the coroutine core reaches coroutine-local storage
// without depending on it. Layers depend downward, so the core knows only
// an opaque `void* locals_` per coroutine; local/ (CoroutineLocal) owns what
// it points to and registers, once, a table of functions that destroy a
// coroutine's locals and copy the inherited ones into a child.
//
// The core calls DestroyLocals() when a coroutine ends (on its own stack,
// after its body's captures were destroyed) and when a coroutine that never
// ran is deleted; a scheduler calls InheritLocals() when a task spawns a
// child. Both cost one branch predicted not taken when the coroutine has no
// locals, which is also the case whenever local/ is not linked in.
//
// Thread-safety and ordering: SetLocalsHooks() publishes the table with a
// release store and the calls below read it with an acquire load. A
// coroutine's locals_ only becomes non-null after local/ registered its
// hooks (on the thread that created the locals), and the thread that later
// destroys or inherits from it is ordered after that by the hand-off of the
// coroutine itself, so the load always sees the table.

#ifndef COLONY_COROUTINE_INTERNAL_LOCALS_HOOKS_H_
#define COLONY_COROUTINE_INTERNAL_LOCALS_HOOKS_H_

#include <atomic>

#include "absl/base/optimization.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"

namespace colony::coroutine_internal {

struct LocalsHooks {
  // destroy() destroys every local of `coroutine` and sets its locals_ to
  // null. Called only when locals_ is not null.
  void (*destroy)(BasicCoroutine* coroutine);
  // inherit() gives `child` a copy of each inherited local of `parent`.
  // Called only when the parent's locals_ is not null.
  void (*inherit)(const BasicCoroutine* parent, BasicCoroutine* child);
};

// The registered hooks, or null. Pairs: the release store in
// SetLocalsHooks() with the acquire loads below.
inline constinit std::atomic<const LocalsHooks*> locals_hooks{nullptr};

// SetLocalsHooks() registers `hooks` (with static storage duration) for the
// whole process. local/ calls it; registering the same table again is
// harmless.
inline void SetLocalsHooks(const LocalsHooks* hooks) {
  locals_hooks.store(hooks, std::memory_order_release);
}

// DestroyLocals() destroys the locals of `coroutine`, if it has any.
inline void DestroyLocals(BasicCoroutine* coroutine) {
  if (ABSL_PREDICT_FALSE(Access::Locals(coroutine) != nullptr)) {
    locals_hooks.load(std::memory_order_acquire)->destroy(coroutine);
  }
}

// InheritLocals() gives `child` a copy of every inherited local of `parent`
// (a no-op when `parent` is null or has no locals). Call it from the
// parent itself, or while the parent is not running, and before `child`
// first runs. Copies are made with the values' copy constructors, which may
// throw; the child keeps the ones made before.
inline void InheritLocals(const BasicCoroutine* parent, BasicCoroutine* child) {
  if (ABSL_PREDICT_FALSE(parent != nullptr &&
                         Access::Locals(parent) != nullptr)) {
    locals_hooks.load(std::memory_order_acquire)->inherit(parent, child);
  }
}

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_LOCALS_HOOKS_H_
