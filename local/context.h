// Copyright 2026 The Colony Authors.
//
// Context injection: values a coroutine provides to every coroutine it
// spawns, found by type.
//
// A coroutine calls ProvideContext(value); from then on it, and every child
// (and grandchild...) it spawns afterwards through a scheduler, can call
// UseContext<T>() to get that value, without passing it down through every
// call and spawn (Dioxus' use_context_provider/use_context, Go's
// context.Value keyed by type):
//
//   struct Deadline { int64_t ns; };
//
//   // In the root task:
//   colony::ProvideContext(Deadline{colony::NowNanos() + 1'000'000'000});
//   colony::Spawn(Worker);  // and any task spawned from here on
//
//   // Anywhere in Worker, or in a task Worker spawns:
//   if (std::shared_ptr<const Deadline> d = colony::UseContext<Deadline>()) {
//     ...  // d->ns
//   }
//
// Rules:
//   * UseContext<T>() returns the value given to the nearest
//     ProvideContext<T>: the calling coroutine's own, else its parent's
//     at the time it was spawned, and so on up; null when nobody provided
//     one. T must be the exact type provided (no conversions).
//   * A ProvideContext<T> in a descendant shadows its ancestors' for that
//     descendant and the children it spawns later; the ancestors do not
//     see it. A second ProvideContext<T> in the same coroutine replaces the
//     first for itself and for children spawned afterwards.
//   * A child gets a snapshot of its parent's contexts when it is spawned:
//     contexts the parent provides later do not reach it.
//   * Values are immutable once provided (they are handed out as
//     `shared_ptr<const T>`); to share changing state, provide a pointer to
//     something synchronised.
//   * Outside coroutines, a thread has its own contexts, which it does not
//     pass to the coroutines it spawns.
//
// Thread-safety: both functions act on the calling coroutine's (or thread's)
// contexts only and may be called from any number of coroutines and threads
// at once. Values may be read concurrently by every coroutine that sees
// them, on any threads; T must allow concurrent const access.
//
// Cost: a coroutine's contexts are an immutable shared list with at most one
// node per type, so spawning a child copies one shared_ptr. UseContext()
// walks that list (compares one pointer per provided type) and copies a
// shared_ptr; ProvideContext() allocates the value and one node, plus copies
// of the nodes provided after the one it shadows.

#ifndef COLONY_LOCAL_CONTEXT_H_
#define COLONY_LOCAL_CONTEXT_H_

#include <memory>
#include <type_traits>
#include <utility>

#include "local/internal/context_chain.h"

namespace colony {

// ProvideContext() makes `value` the context of type T for the calling
// coroutine (or, outside coroutines, thread) and for the children it spawns
// from now on, shadowing any context of type T provided before.
template <typename T>
void ProvideContext(T value) {
  static_assert(std::is_object_v<T> && !std::is_const_v<T>);
  local_internal::PushContext(&local_internal::context_key<T>,
                              std::make_shared<const T>(std::move(value)));
}

// UseContext() returns the context of type T visible to the calling
// coroutine (or thread), or null when none was provided.
template <typename T>
std::shared_ptr<const T> UseContext() {
  using Key = std::remove_cv_t<T>;
  return std::static_pointer_cast<const T>(
      local_internal::FindContext(&local_internal::context_key<Key>));
}

}  // namespace colony

#endif  // COLONY_LOCAL_CONTEXT_H_
