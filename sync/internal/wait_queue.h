// Copyright 2026 The Colony Authors.
//
// WaitQueue: the FIFO of waiters every sync/ primitive is built on.
//
// A waiter is a WaitNode on the waiting side's stack: a task (which
// suspends; its worker runs other tasks) or a plain thread (which sleeps on
// a futex on the node's state). The primitive keeps its own std::mutex and
// its WaitQueue under it; the protocol is:
//
//   waiter, under the primitive's lock:  decide to wait, Push(&node)
//   waiter, lock released:               Block(&node, ...)
//   notifier, under the primitive's lock: node = PopFront(), then Wake(node)
//
// Wake() marks the node notified (release) and then wakes its owner. A
// notified waiter may return and free its node at once, so Wake() reads
// everything it needs first and touches only the task (kept alive by a
// reference taken for the wake) or, for a thread, makes one futex wake
// system call on the address (harmless if the node is already gone).
// Block() returns kNotified, or kTimeout / kCancelled after taking the node
// out of the queue under the lock; if a notification won that race it
// returns kNotified instead, so a hand-off (a mutex, a permit, a value) is
// never lost.
//
// Thread-safety: Push(), PopFront(), Remove() and empty() require the
// primitive's lock; Wake() and Block() must be called without it.

#ifndef COLONY_SYNC_INTERNAL_WAIT_QUEUE_H_
#define COLONY_SYNC_INTERNAL_WAIT_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <mutex>

namespace colony {
class BasicCoroutine;
namespace scheduler_internal {
class Task;
}  // namespace scheduler_internal

namespace sync_internal {

struct WaitNode {
  static constexpr uint32_t kWaiting = 0;
  static constexpr uint32_t kNotified = 1;
  static constexpr uint32_t kRemoved = 2;
  // Taken off the queue by a notifier that has not called Wake() yet.
  static constexpr uint32_t kPopped = 3;

  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  scheduler_internal::Task* task = nullptr;  // null: a plain thread
  std::atomic<uint32_t> state{kWaiting};
  // Primitive-specific payload (a count of permits, a value to send or a
  // slot to receive into) and outcome (a channel closed under the waiter).
  int64_t arg = 0;
  void* data = nullptr;
  bool ok = false;

  // Prepare() fills `task` for the caller (its current task, or null).
  void Prepare();
};

enum class WaitResult { kNotified, kTimeout, kCancelled };

class WaitQueue {
 public:
  void Push(WaitNode* node);
  WaitNode* PopFront();
  WaitNode* front() const { return head_; }
  // Remove() takes out a node still queued; false if it was not.
  bool Remove(WaitNode* node);
  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }

  // Wake() notifies a node already popped.
  static void Wake(WaitNode* node);

  // Block() waits until `node` (pushed under `mu`, now released) is
  // notified, NowNanos() reaches `deadline_ns` (0: never), or, when
  // `cancellable` and the caller is a task, its cancellation is requested.
  WaitResult Block(WaitNode* node, std::mutex& mu, int64_t deadline_ns,
                   bool cancellable);

 private:
  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
  size_t size_ = 0;
};

// DeadlineAfter() converts a timeout to a NowNanos() deadline (>= 1).
int64_t DeadlineAfterNanos(int64_t timeout_ns);

}  // namespace sync_internal
}  // namespace colony

#endif  // COLONY_SYNC_INTERNAL_WAIT_QUEUE_H_
