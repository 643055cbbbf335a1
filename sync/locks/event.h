// Copyright 2026 The Colony Authors.
//
// Event: a one-shot (or resettable) flag that tasks and threads wait on.
// Notification is the absl-style name for an Event that is never reset.
//
//   colony::Notification done;
//   scheduler->Spawn([&] { Work(); done.Notify(); }).Detach();
//   done.WaitForNotification();
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: Set() happens-before every Wait() that returns because
// of it.

#ifndef COLONY_SYNC_LOCKS_EVENT_H_
#define COLONY_SYNC_LOCKS_EVENT_H_

#include <atomic>
#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Set() sets the flag and wakes every waiter.
  void Set();
  // Reset() clears the flag.
  void Reset();
  // IsSet() reads the flag (acquire, pairing with the release store in
  // Set()).
  bool IsSet() const { return set_.load(std::memory_order_acquire); }
  // Wait() waits until the flag is set. In a task it is a cancellation
  // point.
  void Wait();
  // WaitFor() waits at most `timeout`; returns IsSet().
  bool WaitFor(absl::Duration timeout);
  // WaitUntil() waits until `deadline` at most; returns IsSet().
  bool WaitUntil(Deadline deadline);

 private:
  bool WaitImpl(Deadline deadline, bool cancellable);

  base_internal::ThreadMutex mu_;
  // Written under mu_; accesses under mu_ are relaxed, except Set()'s
  // release store, for IsSet() without the lock.
  std::atomic<bool> set_{false};
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

// Notification: an Event that is set once.
class Notification {
 public:
  // Notify() sets it; calling it twice is allowed and does nothing more.
  void Notify() { event_.Set(); }
  // HasBeenNotified() reads it.
  bool HasBeenNotified() const { return event_.IsSet(); }
  // WaitForNotification() waits until notified.
  void WaitForNotification() { event_.Wait(); }
  // WaitForNotificationWithTimeout() returns HasBeenNotified().
  bool WaitForNotificationWithTimeout(absl::Duration timeout) {
    return event_.WaitFor(timeout);
  }

 private:
  Event event_;
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_EVENT_H_
