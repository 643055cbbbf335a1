// Copyright 2026 The Colony Authors.

#include "scheduler/internal/thread_parker.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "coroutine/basic_coroutine.h"

namespace colony::scheduler_internal {

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected,
               Deadline deadline) {
  CheckThreadMayBlock();
  timespec ts;
  timespec* timeout = nullptr;
  if (!deadline.IsInfinite()) {
    ts.tv_sec = deadline.nanos() / 1'000'000'000;
    ts.tv_nsec = deadline.nanos() % 1'000'000'000;
    timeout = &ts;
  }
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word),
          FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, timeout, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void FutexWake(std::atomic<uint32_t>* word, int waiters) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word),
          FUTEX_WAKE | FUTEX_PRIVATE_FLAG, waiters, nullptr, nullptr, 0);
}

bool ThreadParker::Park(Deadline deadline) {
  uint32_t s = kNotified;
  // Acquire pairs with the release exchange in Unpark().
  if (state_.compare_exchange_strong(s, kEmpty, std::memory_order_acquire)) {
    return true;
  }
  s = kEmpty;
  // Acquire (on failure) pairs with Unpark()'s release exchange.
  if (!state_.compare_exchange_strong(s, kParked, std::memory_order_acquire)) {
    // A token arrived in between (s == kNotified); the failed CAS acquired
    // it, so the store is relaxed.
    state_.store(kEmpty, std::memory_order_relaxed);
    return true;
  }
  for (;;) {
    FutexWait(&state_, kParked, deadline);
    s = kNotified;
    // Acquire pairs with Unpark()'s release exchange.
    if (state_.compare_exchange_strong(s, kEmpty, std::memory_order_acquire)) {
      return true;
    }
    if (deadline.IsReached()) {
      s = kParked;
      if (state_.compare_exchange_strong(s, kEmpty,
                                         std::memory_order_acquire)) {
        return false;
      }
      // Unparked at the deadline: take the token (the failed CAS acquired
      // Unpark()'s release).
      state_.store(kEmpty, std::memory_order_relaxed);
      return true;
    }
    // Spurious wake-up: sleep again.
  }
}

void ThreadParker::Unpark() {
  // Release pairs with the acquiring CASes in Park().
  if (state_.exchange(kNotified, std::memory_order_release) == kParked) {
    FutexWake(&state_, 1);
  }
}

namespace {
uint32_t* LowHalf(std::atomic<uint64_t>* word) {
  static_assert(sizeof(std::atomic<uint64_t>) == 8);
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "the low half of a word is its first four bytes");
  return reinterpret_cast<uint32_t*>(word);
}
}  // namespace

void FutexWaitWord(std::atomic<uint64_t>* word, uint64_t seen) {
  CheckThreadMayBlock();
  syscall(SYS_futex, LowHalf(word), FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
          static_cast<uint32_t>(seen), nullptr, nullptr, 0);
}

void FutexWakeWord(std::atomic<uint64_t>* word) {
  syscall(SYS_futex, LowHalf(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX,
          nullptr, nullptr, 0);
}

ThreadParker& ThisThreadParker() {
  static thread_local ThreadParker parker;
  return parker;
}

}  // namespace colony::scheduler_internal
