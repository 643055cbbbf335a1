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
// being handed to it keeps the value.
//
// In a task, Send() and Recv() are cancellation points: CoroutineCancelled
// is thrown and nothing was sent or received.
//
// Thread-safety: all members may be called from any task or thread.
// Memory ordering: a Send() happens-before the Recv() that gets its value.
// Values are delivered in FIFO order per sender; waiting senders and
// receivers are served in arrival order.

#ifndef COLONY_SYNC_CHANNEL_H_
#define COLONY_SYNC_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/internal/task.h"
#include "sync/internal/wait_queue.h"

namespace colony {

// Capacity of a channel whose Send() never waits.
inline constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

template <typename T>
class Channel {
 public:
  // `capacity` values may be queued (0: rendezvous; kUnbounded).
  explicit Channel(size_t capacity = 0) : capacity_(capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  ~Channel() = default;

  // Send() queues `value`, waiting while the channel is full (for a
  // rendezvous channel: until a receiver takes it). Returns false, without
  // sending, if the channel is or becomes closed.
  bool Send(T value) { return SendUntil(std::move(value), 0, true); }
  // TrySend() sends only if it can without waiting.
  bool TrySend(T value) { return SendUntil(std::move(value), -1, false); }
  // SendFor() waits at most `timeout`.
  bool SendFor(T value, absl::Duration timeout) {
    return SendUntil(std::move(value), Deadline(timeout), false);
  }

  // Recv() takes the oldest value, waiting while there is none. Returns
  // std::nullopt once the channel is closed and drained.
  std::optional<T> Recv() { return RecvUntil(0, true); }
  // TryRecv() receives only if a value is available now.
  std::optional<T> TryRecv() { return RecvUntil(-1, false); }
  // RecvFor() waits at most `timeout`.
  std::optional<T> RecvFor(absl::Duration timeout) {
    return RecvUntil(Deadline(timeout), false);
  }

  // Close() closes the channel; idempotent.
  void Close() {
    std::vector<sync_internal::WaitNode*> wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      while (auto* n = receivers_.PopFront()) {
        n->ok = false;
        wake.push_back(n);
      }
      while (auto* n = senders_.PopFront()) {
        n->ok = false;
        wake.push_back(n);
      }
    }
    for (auto* n : wake) sync_internal::WaitQueue::Wake(n);
  }

  // closed() is true after Close().
  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  // size() is the number of queued values (a snapshot).
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return buffer_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  static int64_t Deadline(absl::Duration timeout) {
    return sync_internal::DeadlineAfterNanos(absl::ToInt64Nanoseconds(timeout));
  }

  // deadline_ns: 0 waits forever, -1 never waits.
  bool SendUntil(T value, int64_t deadline_ns, bool cancellable) {
    sync_internal::WaitNode node;
    sync_internal::WaitNode* receiver = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return false;
      receiver = receivers_.PopFront();
      if (receiver != nullptr) {
        // Straight into the waiting receiver's slot.
        static_cast<std::optional<T>*>(receiver->data)
            ->emplace(std::move(value));
        receiver->ok = true;
      } else if (buffer_.size() < capacity_) {
        buffer_.push_back(std::move(value));
        return true;
      } else {
        if (deadline_ns < 0) return false;
        node.Prepare();
        node.data = &value;
        senders_.Push(&node);
      }
    }
    if (receiver != nullptr) {
      sync_internal::WaitQueue::Wake(receiver);
      return true;
    }
    const sync_internal::WaitResult r =
        senders_.Block(&node, mu_, deadline_ns, cancellable);
    if (r == sync_internal::WaitResult::kNotified) return node.ok;
    if (r == sync_internal::WaitResult::kCancelled) {
      scheduler_internal::CheckCancel(node.task);
    }
    return false;
  }

  std::optional<T> RecvUntil(int64_t deadline_ns, bool cancellable) {
    std::optional<T> out;
    sync_internal::WaitNode node;
    sync_internal::WaitNode* sender = nullptr;
    bool queued = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!buffer_.empty()) {
        out.emplace(std::move(buffer_.front()));
        buffer_.pop_front();
        // Room again: the longest-waiting sender's value joins the queue.
        sender = senders_.PopFront();
        if (sender != nullptr) {
          buffer_.push_back(std::move(*static_cast<T*>(sender->data)));
          sender->ok = true;
        }
      } else if ((sender = senders_.PopFront()) != nullptr) {
        // Rendezvous: straight from the waiting sender.
        out.emplace(std::move(*static_cast<T*>(sender->data)));
        sender->ok = true;
      } else if (closed_ || deadline_ns < 0) {
        return std::nullopt;
      } else {
        node.Prepare();
        node.data = &out;
        receivers_.Push(&node);
        queued = true;
      }
    }
    if (!queued) {
      // Taken from the queue or from a waiting sender, without waiting.
      // (Once queued, `out` belongs to the senders until Block() returns.)
      if (sender != nullptr) sync_internal::WaitQueue::Wake(sender);
      return out;
    }
    const sync_internal::WaitResult r =
        receivers_.Block(&node, mu_, deadline_ns, cancellable);
    if (r == sync_internal::WaitResult::kNotified) {
      if (!node.ok) out.reset();  // closed
      return out;
    }
    if (r == sync_internal::WaitResult::kCancelled) {
      scheduler_internal::CheckCancel(node.task);
    }
    return std::nullopt;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<T> buffer_;                // guarded by mu_
  bool closed_ = false;                 // guarded by mu_
  sync_internal::WaitQueue senders_;    // guarded by mu_; data: T*
  sync_internal::WaitQueue receivers_;  // guarded by mu_; data: optional<T>*
};

}  // namespace colony

#endif  // COLONY_SYNC_CHANNEL_H_
