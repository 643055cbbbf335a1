// Copyright 2026 The Colony Authors.

#include "scheduler/internal/poller_driver.h"

#include "coroutine/basic_coroutine.h"
#include "scheduler/internal/io_poller.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/thread_parker.h"

namespace colony::scheduler_internal {

void PollerDriver::Park(Deadline deadline) {
  uint32_t s = kNotified;
  // Acquire pairs with the release exchange in Unpark().
  if (state_.compare_exchange_strong(s, kEmpty, std::memory_order_acquire)) {
    return;
  }
  IoPoller* io = shared_->io_poller();
  if (io != nullptr && io->TryLock()) {
    s = kEmpty;
    // Acquire pairs with Unpark()'s release exchange (a token that came
    // first makes this fail).
    if (state_.compare_exchange_strong(s, kPolling,
                                       std::memory_order_acquire)) {
      // An infinite deadline's timestamp is INT64_MAX: no limit.
      found_ = io->PollLocked(PollKind::kBlocking, deadline.nanos());
      // Takes a token that arrived meanwhile (it was a wake-up anyway);
      // acquire pairs with Unpark()'s release exchange.
      state_.exchange(kEmpty, std::memory_order_acquire);
    } else {
      // Took the token; the failed CAS acquired it.
      state_.store(kEmpty, std::memory_order_relaxed);
    }
    io->Unlock();
    return;
  }
  FutexPark(deadline);
}

void PollerDriver::FutexPark(Deadline deadline) {
  uint32_t s = kEmpty;
  // Acquire pairs with Unpark()'s release exchange.
  if (!state_.compare_exchange_strong(s, kParked, std::memory_order_acquire)) {
    // A token arrived; the failed CAS acquired it.
    state_.store(kEmpty, std::memory_order_relaxed);
    return;
  }
  for (;;) {
    FutexWait(&state_, kParked, deadline);
    s = kNotified;
    // Acquire pairs with Unpark()'s release exchange.
    if (state_.compare_exchange_strong(s, kEmpty, std::memory_order_acquire)) {
      return;
    }
    if (deadline.IsReached()) {
      s = kParked;
      // Fails if a token came: then the acquire pairs with Unpark()'s
      // release exchange, and the relaxed store only takes the token.
      if (!state_.compare_exchange_strong(s, kEmpty,
                                          std::memory_order_acquire)) {
        state_.store(kEmpty, std::memory_order_relaxed);
      }
      return;
    }
  }
}

void PollerDriver::Unpark() {
  // Release pairs with the acquiring CASes and exchange in Park().
  const uint32_t before = state_.exchange(kNotified, std::memory_order_release);
  if (before == kParked) {
    FutexWake(&state_, 1);
  } else if (before == kPolling) {
    // The poller is installed (we saw kPolling) and never uninstalled.
    shared_->io_poller()->Break();
  }
}

}  // namespace colony::scheduler_internal
