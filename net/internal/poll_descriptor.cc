// Copyright 2026 The Colony Authors.

#include "net/internal/poll_descriptor.h"

#include <climits>
#include <exception>

#include "coroutine/basic_coroutine.h"
#include "net/internal/poller.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"
#include "scheduler/internal/thread_parker.h"
#include "scheduler/stats.h"

namespace colony::net_internal {
namespace {

using scheduler_internal::Task;

inline uintptr_t TaskBits(Task* task) {
  return reinterpret_cast<uintptr_t>(task);
}
// Slot values above the constants are task pointers.
inline bool IsTask(uintptr_t s) { return s > 3; }

// Like sync/: a cancellation is delivered only if it can be thrown now.
bool CancelPending(Task* task) {
  return task->word_.cancel_requested() && !task->cancel_delivered_ &&
         std::uncaught_exceptions() == 0;
}

}  // namespace

bool PollDescriptor::Acquire(uint32_t generation) {
  // The load and a failed CAS only feed the next try (relaxed).
  uint64_t w = word_.load(std::memory_order_relaxed);
  for (;;) {
    if (static_cast<uint32_t>(w >> 32) != generation || (w & kClosing) != 0) {
      return false;
    }
    // Acquire pairs with the release in Release()/Close() of earlier
    // operations (their effects on the fd come before ours).
    if (word_.compare_exchange_weak(w, w + 1, std::memory_order_acquire,
                                    std::memory_order_relaxed)) {
      return true;
    }
  }
}

void PollDescriptor::Release() {
  // Acq_rel: the last releaser sees every other operation's use of the fd
  // before it closes it.
  const uint64_t before = word_.fetch_sub(1, std::memory_order_acq_rel);
  if ((before & kClosing) != 0 && (before & kRefMask) == 1) {
    poller_->Destroy(this);
  }
}

bool PollDescriptor::Close(uint32_t generation) {
  // The load and a failed CAS only feed the next try (relaxed).
  uint64_t w = word_.load(std::memory_order_relaxed);
  for (;;) {
    if (static_cast<uint32_t>(w >> 32) != generation || (w & kClosing) != 0) {
      return false;
    }
    // Release publishes the closing bit before the wake-ups below (the
    // waiters' acquire loads in Wait() see it).
    if (word_.compare_exchange_weak(w, w | kClosing, std::memory_order_acq_rel,
                                    std::memory_order_relaxed)) {
      break;
    }
  }
  Unblock(Direction::kRead, /*ioready=*/false);
  Unblock(Direction::kWrite, /*ioready=*/false);
  Release();  // the owner's reference
  return true;
}

void PollDescriptor::SetDeadline(Direction dir, Deadline deadline) {
  // Release pairs with the acquire load in Wait() (through the slot CAS of
  // Unblock(), or directly on the next loop).
  half(dir).deadline_ns.store(deadline.nanos(), std::memory_order_release);
  Unblock(dir, /*ioready=*/false);
}

int PollDescriptor::Unblock(Direction dir, bool ioready) {
  Half& h = half(dir);
  // Acquire, like the CAS's failure order: pairs with the waiter's CASes.
  uintptr_t s = h.state.load(std::memory_order_acquire);
  for (;;) {
    if (s == kReady) return 0;  // latched already; nobody waits
    if (s == kNil && !ioready) return 0;
    const uintptr_t next = ioready ? kReady : kNil;
    // Acq_rel pairs with the waiter's CASes (its publication) and with its
    // acquire loads (what we wrote before: a deadline, the closing bit).
    if (h.state.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      break;
    }
  }
  if (s == kThread) {
    // Release pairs with the thread's acquire load of `futex` in Wait().
    h.futex.fetch_add(1, std::memory_order_release);
    // The descriptor is type-stable: a wake after the thread left is
    // harmless.
    scheduler_internal::FutexWake(&h.futex, INT_MAX);
    return 1;
  }
  if (IsTask(s)) {
    Task* task = reinterpret_cast<Task*>(s);
    task->shared_->Wake(task, /*lifo=*/false);
    scheduler_internal::Unref(task);  // the reference Commit() took
    return 1;
  }
  return 0;
}

bool PollDescriptor::Commit(Task* task, void* arg) {
  Half* h = static_cast<Half*>(arg);
  task->Ref();  // dropped by whoever takes the pointer out of the slot
  uintptr_t s = kPending;
  // Acq_rel pairs with Unblock()'s CAS: a waker that comes later sees the
  // task, one that came earlier replaced kPending and this fails.
  if (h->state.compare_exchange_strong(s, TaskBits(task),
                                       std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
    return true;
  }
  scheduler_internal::Unref(task);  // not the last: the scheduler holds one
  return false;
}

WaitOutcome PollDescriptor::Wait(Direction dir, Deadline deadline) {
  Half& h = half(dir);
  Task* const self = scheduler_internal::CurrentTask();
  if (self != nullptr) scheduler_internal::CheckCancel(self);
  for (;;) {
    uintptr_t s = kReady;
    // Acquire pairs with Unblock()'s CAS.
    if (h.state.compare_exchange_strong(s, kNil, std::memory_order_acquire,
                                        std::memory_order_acquire)) {
      return WaitOutcome::kReady;
    }
    if (s != kNil) return WaitOutcome::kBusy;
    if (closing()) return WaitOutcome::kClosed;
    if (poller_->shut_down()) return WaitOutcome::kShutdown;
    // Acquire pairs with the release store in SetDeadline().
    const Deadline d = Deadline::Earliest(
        deadline,
        Deadline::FromNanos(h.deadline_ns.load(std::memory_order_acquire)));
    if (d.IsReached()) return WaitOutcome::kTimeout;
    if (self != nullptr && CancelPending(self)) {
      scheduler_internal::CheckCancel(self);  // throws
    }
    const uintptr_t mine = self != nullptr ? kPending : kThread;
    // Acq_rel pairs with Unblock()'s CAS (an event in between makes this
    // fail, and the loop consumes it).
    if (!h.state.compare_exchange_strong(s, mine, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      continue;
    }
    poller_->AddWaiter();
    if (self != nullptr) {
      scheduler_internal::WaitScope wait(self, "io");
      self->io_fd_.store(fd_, std::memory_order_relaxed);
      self->io_wait_.store(
          static_cast<uint8_t>(dir == Direction::kRead ? IoWait::kRead
                                                       : IoWait::kWrite),
          std::memory_order_relaxed);
      scheduler_internal::ParkTaskCommit(self, &PollDescriptor::Commit, &h, d);
      self->io_wait_.store(0, std::memory_order_relaxed);
      self->io_fd_.store(-1, std::memory_order_relaxed);
      // Woken by a timer or a cancellation rather than Unblock(): take
      // ourselves out (and drop Commit()'s reference) unless a waker got
      // there first (it drops it). Acq_rel pairs with Unblock()'s CAS:
      // exactly one of the two takes the pointer out.
      s = TaskBits(self);
      if (h.state.compare_exchange_strong(s, kNil, std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
        scheduler_internal::Unref(self);
      }
    } else {
      for (;;) {
        // Acquire pairs with Unblock()'s release increment: if we read the
        // new count, the slot change before it is visible below.
        const uint32_t seq = h.futex.load(std::memory_order_acquire);
        // Pairs with Unblock()'s CAS.
        if (h.state.load(std::memory_order_acquire) != kThread) break;
        if (d.IsReached()) break;
        scheduler_internal::FutexWait(&h.futex, seq, d);
      }
      s = kThread;
      // Withdraws unless Unblock()'s CAS came first; pairs with it.
      h.state.compare_exchange_strong(s, kNil, std::memory_order_acq_rel,
                                      std::memory_order_acquire);
    }
    poller_->RemoveWaiter();
  }
}

}  // namespace colony::net_internal
