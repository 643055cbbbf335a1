// Copyright 2026 The Colony Authors.
//
// The chain behind ProvideContext()/UseContext(): an immutable singly linked
// list of (type key, value) nodes, shared between a coroutine and the
// children it spawned. The head lives in an inherited CoroutineLocal, so
// giving a child the parent's contexts copies one shared_ptr. Nodes are
// never modified once linked, so any number of coroutines on any threads
// may read a chain at once. Not part of the public API: see
// local/context.h.

#ifndef COLONY_LOCAL_INTERNAL_CONTEXT_CHAIN_H_
#define COLONY_LOCAL_INTERNAL_CONTEXT_CHAIN_H_

#include <memory>

namespace colony::local_internal {

struct ContextNode {
  const void* key;                          // &context_key<T>
  std::shared_ptr<const void> value;        // a const T
  std::shared_ptr<const ContextNode> next;  // older contexts, or null
};

// One object per context type; its address is the type's key. Not const,
// so the linker never folds two of them into one.
template <typename T>
inline char context_key = 0;

// PushContext() makes `value` the current coroutine's (or thread's) context
// for `key`, shadowing any earlier one for the same key.
void PushContext(const void* key, std::shared_ptr<const void> value);

// FindContext() returns the nearest context for `key` of the current
// coroutine (or thread), or null.
std::shared_ptr<const void> FindContext(const void* key);

}  // namespace colony::local_internal

#endif  // COLONY_LOCAL_INTERNAL_CONTEXT_CHAIN_H_
