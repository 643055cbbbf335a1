// Copyright 2026 The Colony Authors.

#include "sync/locks/barrier.h"

#include <utility>

#include "coroutine/internal/thread_state.h"
#include "scheduler/internal/park.h"

namespace colony {
namespace {

using sync_internal::WaitNode;
using sync_internal::WaitQueue;
using sync_internal::WaitResult;

// A throwing completion would leave the phase neither complete nor
// incomplete: it terminates the process instead.
void RunCompletion(const std::function<void()>& completion) noexcept {
  completion();
}

}  // namespace

Barrier::Barrier(int64_t count, std::function<void()> completion)
    : completion_(std::move(completion)), count_(count), next_count_(count) {
  if (count < 0) {
    coroutine_internal::Fatal("Barrier count %lld is negative",
                              static_cast<long long>(count));
  }
}

bool Barrier::ArriveAndWait() {
  base_internal::ThreadMutexLock lock(mu_);
  bool cancellable = true;
  for (;;) {
    bool last;
    const uint64_t phase = ArriveLocked(/*drop=*/false, &last);
    if (last) {
      Complete();
      // Another caller may be running the completions (ours included).
      WaitRelease(phase, Deadline::Infinite(), /*cancellable=*/false);
      return true;
    }
    if (WaitRelease(phase, Deadline::Infinite(), cancellable)) return false;
    // Cancelled. If the phase completed meanwhile, our arrival was counted
    // and stands: wait for the release, and let the cancellation come at
    // the next cancellation point.
    if (phase != phase_) {
      WaitRelease(phase, Deadline::Infinite(), /*cancellable=*/false);
      return false;
    }
    // Withdraw the arrival: the phase still waits for `count` of them.
    --arrived_;
    lock.Unlock();
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
    // Not thrown (an exception is already unwinding): arrive again and wait
    // without cancellation.
    lock.Lock();
    cancellable = false;
  }
}

uint64_t Barrier::Arrive() {
  base_internal::ThreadMutexLock lock(mu_);
  bool last;
  const uint64_t phase = ArriveLocked(/*drop=*/false, &last);
  if (last) Complete();
  return phase;
}

void Barrier::ArriveAndDrop() {
  base_internal::ThreadMutexLock lock(mu_);
  bool last;
  ArriveLocked(/*drop=*/true, &last);
  if (last) Complete();
}

void Barrier::Wait(uint64_t phase) {
  base_internal::ThreadMutexLock lock(mu_);
  if (WaitRelease(phase, Deadline::Infinite(), /*cancellable=*/true)) return;
  lock.Unlock();
  scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  lock.Lock();
  WaitRelease(phase, Deadline::Infinite(), /*cancellable=*/false);
}

bool Barrier::WaitFor(uint64_t phase, absl::Duration timeout) {
  return WaitUntil(phase, Deadline::After(timeout));
}

bool Barrier::WaitUntil(uint64_t phase, Deadline deadline) {
  base_internal::ThreadMutexLock lock(mu_);
  return WaitRelease(phase, deadline, /*cancellable=*/false);
}

uint64_t Barrier::phase() const {
  base_internal::ThreadMutexLock lock(mu_);
  return phase_;
}

size_t Barrier::waiters() const {
  base_internal::ThreadMutexLock lock(mu_);
  return waiters_.size();
}

uint64_t Barrier::ArriveLocked(bool drop, bool* last) {
  if (count_ == 0) {
    coroutine_internal::Fatal(
        "Barrier: arrival in phase %llu, which has no participants",
        static_cast<unsigned long long>(phase_));
  }
  if (drop) --next_count_;
  const uint64_t phase = phase_;
  *last = ++arrived_ == count_;
  if (*last) {
    // Arrivals from now on count toward the next phase, even while this
    // one's completion runs.
    arrived_ = 0;
    count_ = next_count_;
    ++phase_;
  }
  return phase;
}

void Barrier::Complete() {
  if (completing_) return;  // the caller running the loop does ours next
  completing_ = true;
  while (released_ < phase_) {
    if (completion_ != nullptr) {
      mu_.Unlock();
      RunCompletion(completion_);
      mu_.Lock();
    }
    ++released_;
    // Release the waiters of the phases now complete. Waiters of a later
    // phase (early arrivals, or Wait() on a future phase) stay, in order.
    sync_internal::WakeList released;
    for (size_t n = waiters_.size(); n > 0; --n) {
      WaitNode* node = waiters_.PopFront();
      if (static_cast<uint64_t>(node->arg) >= released_) {
        waiters_.Push(node);
        continue;
      }
      released.Add(node);
    }
    if (!released.empty()) {
      mu_.Unlock();
      released.WakeAll();
      mu_.Lock();
    }
  }
  completing_ = false;
}

bool Barrier::WaitRelease(uint64_t phase, Deadline deadline, bool cancellable) {
  if (released_ > phase) return true;
  if (deadline.IsReached()) return false;
  WaitNode node;
  node.Prepare("barrier");
  node.arg = static_cast<int64_t>(phase);
  waiters_.Push(&node);
  mu_.Unlock();
  // Notified means Complete() released our phase.
  const WaitResult r = sync_internal::WaitQueue::Block(&waiters_, &node, mu_,
                                                       deadline, cancellable);
  mu_.Lock();
  return r == WaitResult::kNotified;
}

}  // namespace colony
