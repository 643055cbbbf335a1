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
  std::unique_lock<std::mutex> lock(mu_);
  bool cancellable = true;
  for (;;) {
    bool last;
    const uint64_t phase = ArriveLocked(/*drop=*/false, &last);
    if (last) {
      Complete(lock);
      // Another caller may be running the completions (ours included).
      WaitRelease(lock, phase, Deadline::Infinite(), /*cancellable=*/false);
      return true;
    }
    if (WaitRelease(lock, phase, Deadline::Infinite(), cancellable))
      return false;
    // Cancelled. If the phase completed meanwhile, our arrival was counted
    // and stands: wait for the release, and let the cancellation come at
    // the next cancellation point.
    if (phase != phase_) {
      WaitRelease(lock, phase, Deadline::Infinite(), /*cancellable=*/false);
      return false;
    }
    // Withdraw the arrival: the phase still waits for `count` of them.
    --arrived_;
    lock.unlock();
    scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
    // Not thrown (an exception is already unwinding): arrive again and wait
    // without cancellation.
    lock.lock();
    cancellable = false;
  }
}

uint64_t Barrier::Arrive() {
  std::unique_lock<std::mutex> lock(mu_);
  bool last;
  const uint64_t phase = ArriveLocked(/*drop=*/false, &last);
  if (last) Complete(lock);
  return phase;
}

void Barrier::ArriveAndDrop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool last;
  ArriveLocked(/*drop=*/true, &last);
  if (last) Complete(lock);
}

void Barrier::Wait(uint64_t phase) {
  std::unique_lock<std::mutex> lock(mu_);
  if (WaitRelease(lock, phase, Deadline::Infinite(), /*cancellable=*/true))
    return;
  lock.unlock();
  scheduler_internal::CheckCancel(scheduler_internal::CurrentTask());
  lock.lock();
  WaitRelease(lock, phase, Deadline::Infinite(), /*cancellable=*/false);
}

bool Barrier::WaitFor(uint64_t phase, absl::Duration timeout) {
  return WaitUntil(phase, Deadline::After(timeout));
}

bool Barrier::WaitUntil(uint64_t phase, Deadline deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return WaitRelease(lock, phase, deadline, /*cancellable=*/false);
}

uint64_t Barrier::phase() const {
  std::lock_guard<std::mutex> lock(mu_);
  return phase_;
}

size_t Barrier::waiters() const {
  std::lock_guard<std::mutex> lock(mu_);
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

void Barrier::Complete(std::unique_lock<std::mutex>& lock) {
  if (completing_) return;  // the caller running the loop does ours next
  completing_ = true;
  while (released_ < phase_) {
    if (completion_ != nullptr) {
      lock.unlock();
      RunCompletion(completion_);
      lock.lock();
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
      lock.unlock();
      released.WakeAll();
      lock.lock();
    }
  }
  completing_ = false;
}

bool Barrier::WaitRelease(std::unique_lock<std::mutex>& lock, uint64_t phase,
                          Deadline deadline, bool cancellable) {
  if (released_ > phase) return true;
  if (deadline.IsReached()) return false;
  WaitNode node;
  node.Prepare("barrier");
  node.arg = static_cast<int64_t>(phase);
  waiters_.Push(&node);
  lock.unlock();
  // Notified means Complete() released our phase.
  const WaitResult r = waiters_.Block(&node, mu_, deadline, cancellable);
  lock.lock();
  return r == WaitResult::kNotified;
}

}  // namespace colony
