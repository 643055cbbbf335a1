// Copyright 2026 The Colony Authors.
//
// Channel<T>: a multi-producer multi-consumer queue between tasks and
// threads, in three shapes by capacity:
//
//   Channel<int> rendezvous;              // capacity 0: Send waits for Recv
//   Channel<int> bounded(64);             // Send waits while 64 are queued
//   Channel<int> unbounded(kUnbounded);   // Send never waits
//
// Send() and Recv() suspend a task or block a thread while they cannot go
// ahead; TrySend()/TryRecv() never wait; SendFor()/RecvFor() wait at most a
// timeout. Close() ends the channel: senders (waiting or later) fail and get
// `false`, receivers drain what is queued and then get std::nullopt. A value
// is handed over exactly once: a waiting receiver takes it straight from
// the sender, and a wait that times out or is cancelled while a value is
// being handed to it keeps the value. Select() (sync/select.h) waits on
// several channel operations at once.
//
// In a task, every operation that waits is a cancellation point:
// CoroutineCancelled is thrown and nothing was sent or received.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: a Send() happens-before the Recv() that gets its value,
// and Close() happens-before every operation that reports it. Values from
// one sender arrive in the order sent; waiting senders and receivers are
// served in arrival order.

#ifndef COLONY_SYNC_CHANNEL_CHANNEL_H_
#define COLONY_SYNC_CHANNEL_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "base/internal/spin_lock.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony {

// Capacity of a channel whose Send() never waits.
inline constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

namespace sync_internal {
// Outcome of a channel operation attempted under the channel's lock.
enum class ChannelOp { kDone, kClosed, kWouldBlock };
struct ChannelAccess;
}  // namespace sync_internal

template <typename T>
class Channel {
 public:
  // `capacity` values may be queued (0: rendezvous; kUnbounded: no limit).
  explicit Channel(size_t capacity = 0) : capacity_(capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  ~Channel() = default;

  // Send() queues `value`, waiting while the channel is full (for a
  // rendezvous channel: until a receiver takes it). Returns false, without
  // sending, if the channel is or becomes closed.
  bool Send(T value) { return SendImpl(value, Deadline::Infinite()); }
  // TrySend() sends only if it can without waiting.
  bool TrySend(T value) { return SendImpl(value, Deadline::Passed()); }
  // SendFor() waits at most `timeout`; false if it did not send.
  bool SendFor(T value, absl::Duration timeout) {
    return SendImpl(value, Deadline::After(timeout));
  }
  // SendUntil() waits until `deadline` at most; false if it did not send.
  bool SendUntil(T value, Deadline deadline) {
    return SendImpl(value, deadline);
  }

  // Recv() takes the oldest value, waiting while there is none. Returns
  // std::nullopt once the channel is closed and drained.
  std::optional<T> Recv() { return RecvImpl(Deadline::Infinite()); }
  // TryRecv() receives only if a value is available now.
  std::optional<T> TryRecv() { return RecvImpl(Deadline::Passed()); }
  // RecvFor() waits at most `timeout`; std::nullopt if nothing came.
  std::optional<T> RecvFor(absl::Duration timeout) {
    return RecvImpl(Deadline::After(timeout));
  }
  // RecvUntil() waits until `deadline` at most; std::nullopt if nothing
  // came.
  std::optional<T> RecvUntil(Deadline deadline) { return RecvImpl(deadline); }

  // Close() closes the channel and wakes every waiter; idempotent.
  void Close() {
    std::vector<sync_internal::WaitNode*> wake;
    {
      base_internal::SpinLockHolder lock(mu_);
      closed_ = true;
      while (auto* n = receivers_.PopFrontClaimed()) wake.push_back(n);
      while (auto* n = senders_.PopFrontClaimed()) wake.push_back(n);
    }
    for (auto* n : wake) {
      n->ok = false;
      sync_internal::WaitQueue::Wake(n);
    }
  }

  // closed() is true after Close().
  bool closed() const {
    base_internal::SpinLockHolder lock(mu_);
    return closed_;
  }
  // size() is the number of queued values (a snapshot).
  size_t size() const {
    base_internal::SpinLockHolder lock(mu_);
    return buffer_.size();
  }
  // capacity() is the capacity given at construction.
  size_t capacity() const { return capacity_; }

 private:
  friend struct sync_internal::ChannelAccess;
  using Op = sync_internal::ChannelOp;
  using WaitNode = sync_internal::WaitNode;

  // TrySendLocked() sends `*value` (moved from only on kDone) if that needs
  // no wait; a receiver it served is left in `*wake` for Wake() after the
  // lock is released.
  Op TrySendLocked(T* value, WaitNode** wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (closed_) return Op::kClosed;
    if (WaitNode* receiver = receivers_.PopFrontClaimed()) {
      // Straight into the waiting receiver's slot.
      try {
        static_cast<std::optional<T>*>(receiver->data)
            ->emplace(std::move(*value));
      } catch (...) {
        // Moving the value threw: the send fails, and the receiver must
        // not be left popped but never woken. A plain receiver goes back
        // to the front of the queue, still waiting, as if we had not come
        // (we hold the lock, so it cannot have left meanwhile). A select's
        // node was claimed, which cannot be undone: its selector is woken
        // with the case failed, as for a closed channel.
        if (receiver->select == nullptr) {
          receivers_.PushFront(receiver);
        } else {
          receiver->ok = false;
          *wake = receiver;
        }
        throw;
      }
      receiver->ok = true;
      *wake = receiver;
      return Op::kDone;
    }
    // (capacity_ first: a rendezvous channel never touches the deque.)
    if (capacity_ != 0 && buffer_.size() < capacity_) {
      buffer_.push_back(std::move(*value));
      return Op::kDone;
    }
    return Op::kWouldBlock;
  }

  // TryRecvLocked() receives into `*out` if that needs no wait (kClosed:
  // closed and drained); a sender it served is left in `*wake`.
  Op TryRecvLocked(std::optional<T>* out, WaitNode** wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (capacity_ != 0 && !buffer_.empty()) {
      out->emplace(std::move(buffer_.front()));
      buffer_.pop_front();
      // Room again: the longest-waiting sender's value joins the queue.
      if (WaitNode* sender = senders_.PopFrontClaimed()) {
        buffer_.push_back(std::move(*static_cast<T*>(sender->data)));
        sender->ok = true;
        *wake = sender;
      }
      return Op::kDone;
    }
    if (WaitNode* sender = senders_.PopFrontClaimed()) {
      // Rendezvous: straight from the waiting sender.
      out->emplace(std::move(*static_cast<T*>(sender->data)));
      sender->ok = true;
      *wake = sender;
      return Op::kDone;
    }
    return closed_ ? Op::kClosed : Op::kWouldBlock;
  }

  // A deadline already reached never waits. An operation that needs
  // no wait stays small (it inlines well into callers); waiting is out of
  // line, in SendWait() and RecvWait(), entered with mu_ held.
  bool SendImpl(T& value, Deadline deadline) {
    WaitNode* wake = nullptr;
    mu_.lock();
    Op op;
    try {
      op = TrySendLocked(&value, &wake);
    } catch (...) {
      mu_.unlock();
      // A select's receiver that the failed hand-off had claimed.
      if (wake != nullptr) sync_internal::WaitQueue::Wake(wake);
      throw;
    }
    if (ABSL_PREDICT_TRUE(op == Op::kDone)) {
      mu_.unlock();
      if (wake != nullptr) sync_internal::WaitQueue::Wake(wake);
      return true;
    }
    if (op == Op::kClosed || deadline.IsReached()) {
      mu_.unlock();
      return false;
    }
    return SendWait(value, deadline);
  }

  // SendWait() queues a node for `value` (mu_ held on entry), releases mu_
  // and waits.
  ABSL_ATTRIBUTE_NOINLINE bool SendWait(T& value, Deadline deadline)
      ABSL_UNLOCK_FUNCTION(mu_) {
    WaitNode node;
    node.Prepare("channel send");
    node.data = &value;
    senders_.Push(&node);
    mu_.unlock();
    const sync_internal::WaitResult r = sync_internal::WaitQueue::Block(
        &senders_, &node, mu_, deadline, /*cancellable=*/true);
    if (r == sync_internal::WaitResult::kNotified) return node.ok;
    if (r == sync_internal::WaitResult::kCancelled) {
      sync_internal::ThrowIfCancelled(node);
    }
    return false;
  }

  std::optional<T> RecvImpl(Deadline deadline) {
    std::optional<T> out;
    WaitNode* wake = nullptr;
    mu_.lock();
    Op op;
    try {
      op = TryRecvLocked(&out, &wake);
    } catch (...) {
      mu_.unlock();
      throw;
    }
    if (ABSL_PREDICT_TRUE(op == Op::kDone)) {
      mu_.unlock();
      if (wake != nullptr) sync_internal::WaitQueue::Wake(wake);
      return out;
    }
    if (op == Op::kClosed || deadline.IsReached()) {
      mu_.unlock();
      return std::nullopt;
    }
    return RecvWait(deadline);
  }

  // RecvWait() queues a node (mu_ held on entry), releases mu_ and waits
  // for a value.
  ABSL_ATTRIBUTE_NOINLINE std::optional<T> RecvWait(Deadline deadline)
      ABSL_UNLOCK_FUNCTION(mu_) {
    std::optional<T> out;
    WaitNode node;
    node.Prepare("channel receive");
    node.data = &out;
    receivers_.Push(&node);
    mu_.unlock();
    // Once queued, `out` belongs to the senders until Block() returns.
    const sync_internal::WaitResult r = sync_internal::WaitQueue::Block(
        &receivers_, &node, mu_, deadline, /*cancellable=*/true);
    if (r == sync_internal::WaitResult::kNotified) {
      if (!node.ok) out.reset();  // closed
      return out;
    }
    if (r == sync_internal::WaitResult::kCancelled) {
      sync_internal::ThrowIfCancelled(node);
    }
    return std::nullopt;
  }

  const size_t capacity_;
  mutable sync_internal::ChannelMutex mu_;
  std::deque<T> buffer_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  sync_internal::WaitQueue senders_ ABSL_GUARDED_BY(mu_);  // data: T*
  // data: optional<T>*
  sync_internal::WaitQueue receivers_ ABSL_GUARDED_BY(mu_);
};

namespace sync_internal {

// ChannelAccess gives Select() the lock-held steps of a channel. Select
// holds the locks of all its channels at once, a set whose size is only
// known at run time, which the analysis cannot follow: the steps that
// require Mutex(ch) are not checked.
struct ChannelAccess {
  template <typename T>
  static ChannelMutex* Mutex(Channel<T>& ch) {
    return &ch.mu_;
  }
  template <typename T>
  static ChannelOp TrySendLocked(Channel<T>& ch, T* value, WaitNode** wake)
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return ch.TrySendLocked(value, wake);
  }
  template <typename T>
  static ChannelOp TryRecvLocked(Channel<T>& ch, std::optional<T>* out,
                                 WaitNode** wake)
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return ch.TryRecvLocked(out, wake);
  }
  template <typename T>
  static WaitQueue& Senders(Channel<T>& ch) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return ch.senders_;
  }
  template <typename T>
  static WaitQueue& Receivers(Channel<T>& ch) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return ch.receivers_;
  }
};

}  // namespace sync_internal
}  // namespace colony

#endif  // COLONY_SYNC_CHANNEL_CHANNEL_H_
