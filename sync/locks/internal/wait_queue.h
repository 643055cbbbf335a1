// Copyright 2026 The Colony Authors.
//
// WaitQueue: the FIFO of waiters every sync/ primitive is built on.
//
// A waiter is a WaitNode on the waiting side's stack: a task (which
// suspends; its worker runs other tasks) or a plain thread (which sleeps on
// a futex on the node's state). The primitive keeps its own lock (a
// base_internal::ThreadMutex, or a channel's ChannelMutex) and its WaitQueue
// under it; the protocol is:
//
//   waiter, under the primitive's lock:  decide to wait, Push(&node)
//   waiter, lock released:               Block(&queue, &node, ...)
//   notifier, under the primitive's lock: node = PopFront(), then Wake(node)
//
// Wake() wakes the node's owner and then marks the node notified (release).
// A notified waiter may return and free its node at once, so the store is
// Wake()'s last access to anything of the waiter's. For a task, the order
// is what makes that safe without a reference: until the store, the waiter
// sees its node popped (kPopped) and cannot return, let alone end and free
// the task. A task that runs in that window (it was woken, the store is
// not visible yet) does not park, which could lose the wake it has just
// consumed: it yields and looks again (see WaitFor()). The window is the
// few instructions of one Wake() on another thread, so that spin is short.
// A thread waiter is marked first and then woken with one futex wake system
// call on the address (harmless if the node is already gone).
// Block() returns kNotified, or kTimeout / kCancelled after taking the node
// out of the queue under the lock; if a notification won that race it
// returns kNotified instead, so a hand-off (a mutex, a permit, a value) is
// never lost.
//
// Select: a task or thread waiting on several channel operations at once
// queues one node per operation, all pointing at one SelectState. The
// first notifier to claim the state (a CAS, under its own channel's lock)
// wins; the others skip those nodes (PopFrontClaimed()). Notifications for
// a select go to the state's own node, which is what the selector blocks
// on (BlockSelect()). A selector that times out or is cancelled withdraws
// the state with the same CAS, so an operation is either completed by a
// notifier or withdrawn, never both.
//
// Thread-safety: Push(), PopFront(), PopFrontClaimed(), Remove() and
// empty() require the primitive's lock; Wake(), Block() and BlockSelect()
// must be called without it.

#ifndef COLONY_SYNC_LOCKS_INTERNAL_WAIT_QUEUE_H_
#define COLONY_SYNC_LOCKS_INTERNAL_WAIT_QUEUE_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "base/internal/spin_lock.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/internal/park.h"
#include "time/deadline.h"

namespace colony::sync_internal {

struct SelectState;

// ChannelMutex: the lock of a Channel<T>, the runtime's SpinLock. Channel
// critical sections are a few dozen instructions and never suspend.
using ChannelMutex = base_internal::SpinLock;

struct WaitNode {
  static constexpr uint32_t kWaiting = 0;
  static constexpr uint32_t kNotified = 1;
  static constexpr uint32_t kRemoved = 2;
  // Taken off the queue by a notifier that has not called Wake() yet.
  static constexpr uint32_t kPopped = 3;

  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  scheduler_internal::Task* task = nullptr;  // null: a plain thread
  // kWaiting, kPopped and kRemoved are stored relaxed under the primitive's
  // lock, which orders them for notifiers and Remove(); the waiter reads
  // kPopped without it only as a hint (yield rather than park), published
  // by the wake's RMW on the task word (Wake()). kNotified is stored with
  // release in Wake(), pairing with the acquire load in WaitFor().
  std::atomic<uint32_t> state{kWaiting};
  // Primitive-specific payload (a count of permits, a value to send or a
  // slot to receive into) and outcome (a channel closed under the waiter).
  int64_t arg = 0;
  void* data = nullptr;
  bool ok = false;
  // Set for a node queued by a select: which state, and which case.
  SelectState* select = nullptr;
  int select_index = -1;

  // Prepare() fills `task` for the caller (its current task, or null).
  // CurrentTask() is out of line, so no thread-local address computed here
  // can outlive a later suspension of the caller.
  // `wait_reason` (a string literal) is what Scheduler::Dump() shows the
  // task waiting on while it blocks on this node.
  void Prepare(const char* wait_reason = "sync") {
    task = scheduler_internal::CurrentTask();
    reason = wait_reason;
  }
  const char* reason = "sync";
};

enum class WaitResult { kNotified, kTimeout, kCancelled };

// The shared fate of the nodes of one select.
struct SelectState {
  static constexpr int kOpen = -1;
  static constexpr int kWithdrawn = -2;
  // kOpen, kWithdrawn, or the select_index of the node that won.
  std::atomic<int> winner{kOpen};
  // Never queued: Wake() of a winning node notifies this one.
  WaitNode signal;

  // TryClaim() makes `node` the winner; false if another case won or the
  // selector withdrew.
  // acq_rel pairs with the competing CAS: another notifier's TryClaim() or
  // the withdrawal in BlockSelect(). What the winner hands over travels
  // by the signal node's kNotified (Wake()).
  bool TryClaim(const WaitNode* node) {
    int expected = kOpen;
    return winner.compare_exchange_strong(expected, node->select_index,
                                          std::memory_order_acq_rel);
  }
};

class WaitQueue {
 public:
  // Push(), PopFront() and PopFrontClaimed() are inline: every channel
  // operation runs one of them.
  void Push(WaitNode* node) {
    node->state.store(WaitNode::kWaiting, std::memory_order_relaxed);
    node->next = nullptr;
    node->prev = tail_;
    if (tail_ != nullptr) {
      tail_->next = node;
    } else {
      head_ = node;
    }
    tail_ = node;
    ++size_;
  }
  // PushFront() puts back, as the first waiter, a node just popped under
  // the same hold of the lock whose hand-off failed: for its waiter
  // nothing happened, and it goes on waiting in its old place.
  void PushFront(WaitNode* node) {
    node->state.store(WaitNode::kWaiting, std::memory_order_relaxed);
    node->prev = nullptr;
    node->next = head_;
    if (head_ != nullptr) {
      head_->prev = node;
    } else {
      tail_ = node;
    }
    head_ = node;
    ++size_;
  }
  WaitNode* PopFront() {
    WaitNode* node = head_;
    if (node == nullptr) return nullptr;
    head_ = node->next;
    if (head_ != nullptr) {
      head_->prev = nullptr;
    } else {
      tail_ = nullptr;
    }
    node->next = node->prev = nullptr;
    node->state.store(WaitNode::kPopped, std::memory_order_relaxed);
    --size_;
    return node;
  }
  // PopFrontClaimed() pops the first node that is not a select's or whose
  // select it claims; nodes of selects already decided are dropped.
  WaitNode* PopFrontClaimed() {
    WaitNode* node = PopFront();
    if (node == nullptr || node->select == nullptr) return node;
    return ClaimOrSkip(node);
  }
  WaitNode* front() const { return head_; }
  // Remove() takes out a node still queued; false if it was not.
  bool Remove(WaitNode* node);
  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }

  // Wake() notifies a node already popped (and claimed, for a select's).
  // The node's waiter may return as soon as it sees the notification, so
  // the caller must read what it needs of the node (links kept in `data`)
  // before calling it.
  static void Wake(WaitNode* node);

  // Block() waits until `node` (pushed on `queue` under `mu`, now
  // released) is notified, `deadline` is reached, or, when `cancellable`
  // and the caller is a task, its cancellation is requested. It touches
  // `queue` only under `mu` (to take the node out on a timeout or a
  // cancellation), so it takes the queue by address: the caller does not
  // hold the lock that guards it.
  static WaitResult Block(WaitQueue* queue, WaitNode* node,
                          base_internal::ThreadMutex& mu, Deadline deadline,
                          bool cancellable) ABSL_LOCKS_EXCLUDED(mu);
  static WaitResult Block(WaitQueue* queue, WaitNode* node, ChannelMutex& mu,
                          Deadline deadline, bool cancellable)
      ABSL_LOCKS_EXCLUDED(mu);

  // BlockSelect() waits until a node of `state` (its nodes queued, every
  // lock released) wins, or the deadline or a cancellation withdraws the
  // state; a notifier that claimed first wins that race (kNotified). The
  // caller then takes its other nodes out under their locks.
  static WaitResult BlockSelect(SelectState* state, Deadline deadline,
                                bool cancellable);

 private:
  // ClaimOrSkip() is PopFrontClaimed() once it popped a select's node.
  WaitNode* ClaimOrSkip(WaitNode* node);

  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
  size_t size_ = 0;
};

// WakeList: nodes popped under a primitive's lock, chained through their
// `data` field, to be woken in order once the lock is released. Allocates
// nothing. Requires the lock for Add(); WakeAll() must be called without it.
class WakeList {
 public:
  void Add(WaitNode* node) {
    node->data = nullptr;
    if (last_ != nullptr) {
      last_->data = node;
    } else {
      first_ = node;
    }
    last_ = node;
  }
  bool empty() const { return first_ == nullptr; }
  // WakeAll() wakes every node added, in order, and empties the list.
  void WakeAll() {
    WaitNode* node = first_;
    first_ = last_ = nullptr;
    while (node != nullptr) {
      // Read the link first: a woken waiter may return and free its node.
      WaitNode* next = static_cast<WaitNode*>(node->data);
      WaitQueue::Wake(node);
      node = next;
    }
  }

 private:
  WaitNode* first_ = nullptr;
  WaitNode* last_ = nullptr;
};

// WaitFor() waits until `node` is notified, the deadline passes or (if
// `cancellable`, in a task) cancellation is requested; it takes the node
// out of no queue.
WaitResult WaitFor(WaitNode* node, Deadline deadline, bool cancellable);

// ThrowIfCancelled() is scheduler_internal::CheckCancel() for the waiter
// of `node`: it throws CoroutineCancelled if the waiter is a task whose
// cancellation is pending (a wait that returned kCancelled calls it).
inline void ThrowIfCancelled(const WaitNode& node) {
  if (node.task != nullptr) scheduler_internal::CheckCancel(node.task);
}

}  // namespace colony::sync_internal

#endif  // COLONY_SYNC_LOCKS_INTERNAL_WAIT_QUEUE_H_
