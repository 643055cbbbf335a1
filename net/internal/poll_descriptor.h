// Copyright 2026 The Colony Authors.
//
// PollDescriptor: one registered file descriptor, its reference count and
// close protocol, and one wait slot per direction (after Go's pollDesc and
// fdMutex).
//
// Descriptors are type-stable: the Poller allocates them in chunks, never
// frees one while it lives, and reuses them through a free list. Each use
// has a generation; a handle (net_internal::Socket) remembers the
// generation it got, and the epoll data of the fd carries it too, so an
// event or a call that arrives for an earlier use is dropped.
//
// The reference word (`word_`): [generation:32][closing:1][refs:31].
//
//   Acquire(gen)   +1 ref, only if the generation matches and closing is
//                  clear (a CAS): every system call on the fd is made under
//                  one, so no call ever reaches a number that was reused
//   Release()      -1 ref; whoever drops the last ref with closing set
//                  does EPOLL_CTL_DEL and close() and frees the descriptor
//   Close(gen)     sets closing (once), wakes both waiters (they see it
//                  and fail "closed"), then drops the owner's ref
//
// A wait slot (`Half`) holds one of:
//
//   kNil       nothing
//   kReady     readiness latched: the event came before a waiter (or
//              while one ran); the next Wait() consumes it and returns
//   kPending   a task is about to park: it set this on its stack, the
//              worker commits the park after the switch by a CAS
//              kPending -> task (ParkTaskCommit); an event or a deadline
//              change meanwhile replaces kPending, the commit fails and
//              the task runs again, so no wake-up is lost
//   kThread    a plain thread sleeps on the slot's futex word
//   a Task*    a parked task, holding a reference on itself that whoever
//              takes the pointer out of the slot (the waker, or the task
//              withdrawing after a timeout) drops
//
// Unblock(dir, ioready) replaces the waiter by kReady (an event) or kNil
// (a deadline change, a close, a shutdown: the waiter re-checks) and wakes
// it. Wait() is "consume kReady, else check closed / deadline /
// cancellation, else publish and park", in a loop, so spurious wake-ups
// only cost a look.
//
// One waiter per direction at a time; a second concurrent waiter in the
// same direction gets FailedPrecondition.
//
// Memory ordering: slot transitions are acq_rel CASes, so what the waker
// wrote before Unblock() (a deadline, the closing bit) is visible to the
// waiter that sees the new state, and a waiter's publication is visible to
// the waker that replaces it.

#ifndef COLONY_NET_INTERNAL_POLL_DESCRIPTOR_H_
#define COLONY_NET_INTERNAL_POLL_DESCRIPTOR_H_

#include <atomic>
#include <cstdint>

#include "time/deadline.h"

namespace colony::scheduler_internal {
class Task;
}  // namespace colony::scheduler_internal

namespace colony::net_internal {

class Poller;

enum class Direction : int { kRead = 0, kWrite = 1 };

enum class WaitOutcome {
  kReady,     // readiness: retry the system call
  kTimeout,   // the deadline passed
  kClosed,    // Close() was called
  kShutdown,  // the poller's scheduler stopped
  kBusy,      // another waiter already waits in this direction
};

class PollDescriptor {
 public:
  static constexpr uint64_t kClosing = uint64_t{1} << 31;
  static constexpr uint64_t kRefMask = kClosing - 1;

  // Acquire() takes an operation reference; false if the descriptor is
  // closing or belongs to another generation now.
  bool Acquire(uint32_t generation);
  // Release() drops it; the last one after Close() closes the fd.
  void Release();
  // Close() starts closing (false if it already was, or another
  // generation), wakes the waiters and drops the owner's reference.
  bool Close(uint32_t generation);
  // closing() pairs with the CAS that sets kClosing in Close(); generation()
  // with the release stores of word_ in Poller::Register() and
  // Poller::Destroy().
  bool closing() const {
    return (word_.load(std::memory_order_acquire) & kClosing) != 0;
  }
  uint32_t generation() const {
    return static_cast<uint32_t>(word_.load(std::memory_order_acquire) >> 32);
  }
  // fd() is the file descriptor; valid while the caller holds a reference.
  int fd() const { return fd_; }
  Poller* poller() const { return poller_; }

  // Wait() waits for readiness in `dir` until `deadline` (or the slot's own
  // deadline, whichever is earlier). From a task it suspends and is a
  // cancellation point (throws CoroutineCancelled); from a thread it
  // blocks. Requires an operation reference.
  WaitOutcome Wait(Direction dir, Deadline deadline);
  // Unblock() latches readiness (`ioready`) or just wakes the waiter so it
  // looks again; returns 1 if it woke one.
  int Unblock(Direction dir, bool ioready);
  // SetDeadline() changes the direction's deadline (Go's SetReadDeadline)
  // and wakes a waiter so the change applies to it.
  void SetDeadline(Direction dir, Deadline deadline);
  // ClearReady() drops a latched readiness in `dir` (a reader about to
  // make its system call: what the event announced, the call will see).
  void ClearReady(Direction dir) {
    Half& h = half(dir);
    // The load only feeds the CAS; the CAS pairs with Unblock()'s. kReady
    // carries no data, so its failure needs no ordering.
    uintptr_t s = h.state.load(std::memory_order_relaxed);
    if (s == kReady) {
      h.state.compare_exchange_strong(s, kNil, std::memory_order_acq_rel,
                                      std::memory_order_relaxed);
    }
  }
  // ready() is true while readiness in `dir` is latched (nobody consumed
  // it yet); a hint, read without ordering.
  bool ready(Direction dir) const {
    return half(dir).state.load(std::memory_order_relaxed) == kReady;
  }
  // read_edges_complete() is false once an event reported urgent data, a
  // hang-up or an error: then a short read no longer proves that the next
  // read would find nothing (it stops at the urgent mark, or the end of
  // the stream is still to be read), and readers must not wait before
  // reading. Acquire pairs with the release store in Poller::PollLocked().
  bool read_edges_complete() const {
    return !read_edges_incomplete_.load(std::memory_order_acquire);
  }
  // deadline() is the direction's deadline (acquire, pairing with the
  // release store in SetDeadline()).
  Deadline deadline(Direction dir) const {
    return Deadline::FromNanos(
        half(dir).deadline_ns.load(std::memory_order_acquire));
  }

 private:
  friend class Poller;

  static constexpr uintptr_t kNil = 0;
  static constexpr uintptr_t kReady = 1;
  static constexpr uintptr_t kPending = 2;
  static constexpr uintptr_t kThread = 3;

  struct Half {
    std::atomic<uintptr_t> state{kNil};
    // Bumped (release) by Unblock() after it replaced kThread; the thread
    // sleeps on it (acquire load before it re-checks `state`).
    std::atomic<uint32_t> futex{0};
    // Stored with release by SetDeadline(), read with acquire by Wait() and
    // deadline(); Register() resets it relaxed before the release store of
    // word_ publishes the descriptor.
    std::atomic<int64_t> deadline_ns{INT64_MAX};
  };

  Half& half(Direction dir) { return half_[static_cast<int>(dir)]; }
  const Half& half(Direction dir) const { return half_[static_cast<int>(dir)]; }
  // Commit() is the task's park commit (runs on its worker's stack).
  static bool Commit(scheduler_internal::Task* task, void* half);

  Poller* poller_ = nullptr;
  int fd_ = -1;
  uint32_t index_ = 0;
  std::atomic<uint64_t> word_{0};
  Half half_[2];
  // Set by the poller (see read_edges_complete()); cleared at Register().
  std::atomic<bool> read_edges_incomplete_{false};
  PollDescriptor* next_free_ = nullptr;  // guarded by the poller's pool lock
};

}  // namespace colony::net_internal

#endif  // COLONY_NET_INTERNAL_POLL_DESCRIPTOR_H_
