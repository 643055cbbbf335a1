// Copyright 2026 The Colony Authors.
//
// A worker's search for work when it has none of its own: steal half of a
// random victim's highest non-empty band (or a stalled victim's LIFO
// task), the injection queue, expired timers of other workers; then spin
// a while before parking (spin_before_park).

#include <sched.h>

#include <cstdint>

#include "absl/base/optimization.h"
#include "scheduler/internal/idle.h"
#include "scheduler/internal/io_poller.h"
#include "scheduler/internal/run_queue.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/worker.h"
#include "time/clock.h"

namespace colony::scheduler_internal {

namespace {

inline void CpuRelax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

uint32_t Worker::NextRandom() {
  // xorshift32
  uint32_t x = rng_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_ = x;
  return x;
}

Task* Worker::StealFrom(Worker& victim) {
  // A stalled victim's LIFO slot is fair game (its owner is stuck in one
  // slice and cannot run it); acquire pairs with the release store in
  // MarkStalled(), which publishes nothing but the flag (TakeLifo()'s own
  // acquire publishes the task).
  if (ABSL_PREDICT_FALSE(victim.stalled_.load(std::memory_order_acquire)) &&
      victim.HasLifo()) {
    if (Task* t = victim.TakeLifo()) {
      steals_.Add();
      stolen_tasks_.Add();
      return t;
    }
  }
  for (int b = bands_ - 1; b >= 0; --b) {
    RunQueue<Task>& from = victim.queues_[static_cast<size_t>(b)];
    if (from.empty()) continue;
    steal_attempts_.Add();
    RunQueue<Task>& into = queues_[static_cast<size_t>(b)];
    const uint32_t before = into.size();
    if (Task* t = from.StealInto(into)) {
      local_bands_ |= uint32_t{1} << b;
      steals_.Add();
      stolen_tasks_.Add(into.size() - before + 1);
      return t;
    }
  }
  return nullptr;
}

Task* Worker::Search() {
  if (!searching_) {
    if (!shared_->idle().TryBecomeSearching()) return nullptr;
    searching_ = true;
    searching_stat_.store(true, std::memory_order_relaxed);
  }
  const int n = shared_->num_workers();
  const int rounds = shared_->options().steal_rounds;
  for (int round = 0; round < rounds; ++round) {
    if (n > 1) {
      const int start =
          static_cast<int>(NextRandom() % static_cast<uint32_t>(n));
      for (int i = 0; i < n; ++i) {
        const int v = (start + i) % n;
        if (v == index_) continue;
        if (Task* t = StealFrom(shared_->worker(v))) return t;
      }
    }
    if (Task* t = TakeGlobal()) {
      global_pops_.Add();
      return t;
    }
    // Expired timers of workers that are busy or asleep.
    const int64_t now = NowNanos();
    for (int i = 0; i < n; ++i) {
      Worker& w = shared_->worker(i);
      if (w.timers_.next_deadline() <= now)
        w.TakeExpiredTimers(now, i != index_);
    }
    if (Task* t = PopBands()) return t;
    if (Task* t = PopMailbox()) return t;
    for (int spin = 0; spin < 32; ++spin) CpuRelax();
  }
  return SpinBeforePark();
}

Task* Worker::SpinBeforePark() {
  if (spin_before_park_ns_ <= 0) return nullptr;
  const int n = shared_->num_workers();
  const int64_t until = NowNanos() + spin_before_park_ns_;
  uint32_t pause = 8;
  while (!shared_->shutdown()) {
    if (pause < 256) {
      for (uint32_t i = 0; i < pause; ++i) CpuRelax();
      pause *= 2;
    } else {
      sched_yield();
    }
    for (int i = 1; i < n; ++i) {
      Worker& victim = shared_->worker((index_ + i) % n);
      if (Task* t = StealFrom(victim)) return t;
    }
    if (Task* t = TakeGlobal()) {
      global_pops_.Add();
      return t;
    }
    if (Task* t = PopMailbox()) return t;
    // Readiness is work too: while tasks wait on I/O, poll without
    // blocking (what it finds lands on our own ring), as the park would.
    if (PollIoNow()) {
      if (Task* t = PopBands()) return t;
    }
    if (NowNanos() >= until) break;
  }
  return nullptr;
}

bool Worker::PollIoNow() {
  IoPoller* io = shared_->io_poller();
  if (io == nullptr || !io->HasWaiters() || !io->TryLock()) return false;
  const int found = io->PollLocked(PollKind::kBusy, 0);
  io->Unlock();
  return found > 0;
}

}  // namespace colony::scheduler_internal
