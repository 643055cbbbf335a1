// Copyright 2026 The Colony Authors.

#include "local/context.h"

#include <memory>
#include <utility>
#include <vector>

#include "local/coroutine_local.h"
#include "local/internal/context_chain.h"

namespace colony::local_internal {
namespace {

using ContextChain = std::shared_ptr<const ContextNode>;

// The head of the calling coroutine's chain. Inherited: a child starts with
// a copy of the pointer. Never destroyed, so contexts work during exit.
const CoroutineLocal<ContextChain>& Chain() {
  static const auto* const chain = new CoroutineLocal<ContextChain>(
      CoroutineLocalOptions{.inherited = true});
  return *chain;
}

}  // namespace

void PushContext(const void* key, std::shared_ptr<const void> value) {
  ContextChain& head = Chain().Get();
  // The chain keeps one node per key: the nodes above an earlier one for
  // `key` are copied onto what lies below it, and the new node goes on top.
  // Nodes are shared with other coroutines, so none is modified.
  std::vector<const ContextNode*> above;
  const ContextNode* node = head.get();
  while (node != nullptr && node->key != key) {
    above.push_back(node);
    node = node->next.get();
  }
  ContextChain rest = head;
  if (node != nullptr) {
    rest = node->next;
    for (auto it = above.rbegin(); it != above.rend(); ++it) {
      rest = std::make_shared<const ContextNode>(
          ContextNode{(*it)->key, (*it)->value, std::move(rest)});
    }
  }
  head = std::make_shared<const ContextNode>(
      ContextNode{key, std::move(value), std::move(rest)});
}

std::shared_ptr<const void> FindContext(const void* key) {
  const ContextChain* const head = Chain().GetIfPresent();
  if (head == nullptr) return nullptr;
  for (const ContextNode* node = head->get(); node != nullptr;
       node = node->next.get()) {
    if (node->key == key) return node->value;
  }
  return nullptr;
}

}  // namespace colony::local_internal
