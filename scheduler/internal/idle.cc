// Copyright 2026 The Colony Authors.

#include "scheduler/internal/idle.h"

#include <algorithm>

#include "absl/base/config.h"
#include "base/internal/thread_mutex.h"

namespace colony::scheduler_internal {

Idle::Idle(int workers, int max_searching)
    : workers_(workers),
      max_searching_(max_searching),
      state_(static_cast<uint32_t>(workers) << kUnparkedShift),
      is_sleeping_(static_cast<size_t>(workers), 0) {
  sleepers_.reserve(static_cast<size_t>(workers));
}

bool Idle::TryBecomeSearching() {
  uint32_t s = state_.load(std::memory_order_seq_cst);
  for (;;) {
    if (static_cast<int>(s & kSearchingMask) >= max_searching_) return false;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_seq_cst)) {
      return true;
    }
  }
}

bool Idle::TransitionFromSearching() {
  const uint32_t prev = state_.fetch_sub(1, std::memory_order_seq_cst);
  return (prev & kSearchingMask) == 1;
}

bool Idle::TransitionToParked(int worker, bool searching) {
  base_internal::ThreadMutexLock lock(mu_);
  const uint32_t dec = (uint32_t{1} << kUnparkedShift) + (searching ? 1u : 0u);
  const uint32_t prev = state_.fetch_sub(dec, std::memory_order_seq_cst);
  sleepers_.push_back(worker);
  is_sleeping_[static_cast<size_t>(worker)] = 1;
  return searching && (prev & kSearchingMask) == 1;
}

bool Idle::TransitionFromParked(int worker) {
  base_internal::ThreadMutexLock lock(mu_);
  if (!is_sleeping_[static_cast<size_t>(worker)]) {
    // NotifyOne() took it off the list and counted it already.
    return true;
  }
  is_sleeping_[static_cast<size_t>(worker)] = 0;
  sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), worker));
  state_.fetch_add(uint32_t{1} << kUnparkedShift, std::memory_order_seq_cst);
  return false;
}

int Idle::NotifyOne() {
  // Pairs with the seq_cst RMWs of TransitionToParked(): see the header.
  // ThreadSanitizer does not model fences; under it a seq_cst RMW on the
  // same word gives the same guarantee at the price of a shared write.
#if defined(ABSL_HAVE_THREAD_SANITIZER)
  const uint32_t s = state_.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const uint32_t s = state_.load(std::memory_order_seq_cst);
#endif
  if ((s & kSearchingMask) != 0 ||
      static_cast<int>(s >> kUnparkedShift) >= workers_) {
    return -1;
  }
  base_internal::ThreadMutexLock lock(mu_);
  if (sleepers_.empty()) return -1;
  const uint32_t now = state_.load(std::memory_order_seq_cst);
  if ((now & kSearchingMask) != 0) return -1;
  const int worker = sleepers_.back();
  sleepers_.pop_back();
  is_sleeping_[static_cast<size_t>(worker)] = 0;
  state_.fetch_add((uint32_t{1} << kUnparkedShift) + 1,
                   std::memory_order_seq_cst);
  return worker;
}

bool Idle::IsParked(int worker) const {
  base_internal::ThreadMutexLock lock(mu_);
  return is_sleeping_[static_cast<size_t>(worker)] != 0;
}

}  // namespace colony::scheduler_internal
