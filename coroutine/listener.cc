// Copyright 2026 The Colony Authors.

#include "coroutine/listener.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "coroutine/internal/global_listeners.h"

namespace colony {
namespace coroutine_internal {
namespace {

using ListenerList = std::vector<Listener*>;

struct Registry {
  std::mutex mu;
  // Every list ever published; the last one is current. Guarded by mu.
  std::vector<std::unique_ptr<const ListenerList>> versions;
};

Registry& GetRegistry() {
  static Registry* const registry = new Registry;  // never destroyed
  return *registry;
}

// Pairs with the release store in Publish(): a reader sees a fully built
// list.
std::atomic<const ListenerList*> current_list{nullptr};

// Requires r.mu.
void Publish(Registry& r, ListenerList list) {
  const int size = static_cast<int>(list.size());
  r.versions.push_back(std::make_unique<const ListenerList>(std::move(list)));
  current_list.store(r.versions.back().get(), std::memory_order_release);
  // Relaxed: see GlobalListenersActive().
  global_listener_count.store(size, std::memory_order_relaxed);
}

}  // namespace

std::atomic<int> global_listener_count{0};

void NotifyGlobalListeners(const BasicCoroutine& coroutine, CoroutineState from,
                           CoroutineState to) {
  const ListenerList* list = current_list.load(std::memory_order_acquire);
  if (list == nullptr) return;
  for (Listener* l : *list) l->OnStateChange(coroutine, from, to);
}

}  // namespace coroutine_internal

void AddGlobalListener(Listener* listener) {
  auto& r = coroutine_internal::GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<Listener*> next;
  if (!r.versions.empty()) next = *r.versions.back();
  if (std::find(next.begin(), next.end(), listener) != next.end()) return;
  next.push_back(listener);
  coroutine_internal::Publish(r, std::move(next));
}

void RemoveGlobalListener(Listener* listener) {
  auto& r = coroutine_internal::GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.versions.empty()) return;
  std::vector<Listener*> next = *r.versions.back();
  auto it = std::find(next.begin(), next.end(), listener);
  if (it == next.end()) return;
  next.erase(it);
  coroutine_internal::Publish(r, std::move(next));
}

}  // namespace colony
