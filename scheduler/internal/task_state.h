// Copyright 2026 The Colony Authors.
//
// TaskState: the one atomic word that tracks a task's life, and the only
// code that reads or changes its bits (after Tokio's task/state.rs).
//
// The word packs flags and a reference count:
//
//   kScheduled  a worker owns it: it is in a queue, or running (from the
//               wake or spawn that queued it to the end of a slice that
//               parks it, or to its completion)
//   kNotified   woken again while scheduled: it must look at its wait
//               condition once more (RunTask() takes the bit when it sees
//               it; otherwise AfterSlice() re-queues the task for it)
//   kFinished   it has finished; the result may be read
//   kCancel     cancellation was requested (cancel_request_ is written)
//   kJoinWaiter joiner_ holds someone waiting for completion
//   refs        (from bit kRefShift) owners: the scheduler holds one until
//               the task ends, each JoinHandle one, a joining task one on
//               itself while registered as joiner_
//
// A wake (TransitionToScheduledOrNotified()) sets kScheduled, and the
// caller queues the task only if the wake set that bit (the task was
// parked), so a task is never queued twice. A wake that finds the task
// scheduled already sets kNotified instead, in the same atomic step as the
// check (a CAS), and the worker honours it: a worker running the task
// takes kNotified with an RMW before the slice (TakeNotified() in
// RunTask()), and the slice's park (TransitionToParked() in AfterSlice())
// clears kScheduled only if kNotified is clear, else it keeps the task
// scheduled and re-queues it. A yield leaves the word alone: the task
// stays scheduled.
//
// Memory ordering. Every wake is an acq_rel RMW on the word, after the
// waker published its condition, and a wake is only ever consumed by an
// RMW of the worker (the CAS that parks, or the fetch_and that takes
// kNotified), so the task always sees the condition of every wake it
// consumed: there is no plain "already notified, return" anywhere (that
// store-buffer pattern once lost wake-ups). The load in TakeNotified()
// that finds kNotified clear consumes nothing; a kNotified it misses stays
// set and costs one extra run. The queues (ring, injection queue, mailbox,
// or the worker's own LIFO slot) publish the task's fields from whoever
// queued it to whoever runs it. Transitions publish the fields written
// before them (cancel_request_, joiner_, the result) to whoever observes
// the flag.
//
// Every transition is inline: they are on the path of every wake and every
// slice. Each says its memory ordering and the transition it pairs with.

#ifndef COLONY_SCHEDULER_INTERNAL_TASK_STATE_H_
#define COLONY_SCHEDULER_INTERNAL_TASK_STATE_H_

#include <atomic>
#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "scheduler/internal/thread_parker.h"

namespace colony::scheduler_internal {

class TaskState {
 public:
  // Snapshot is one value of the word, as a transition found it or a load
  // read it; its queries read no memory.
  class Snapshot {
   public:
    constexpr Snapshot() = default;

    bool is_scheduled() const { return (bits_ & kScheduled) != 0; }
    bool is_notified() const { return (bits_ & kNotified) != 0; }
    bool is_finished() const { return (bits_ & kFinished) != 0; }
    bool cancel_requested() const { return (bits_ & kCancel) != 0; }
    bool has_join_waiter() const { return (bits_ & kJoinWaiter) != 0; }
    uint64_t refs() const { return bits_ >> kRefShift; }

   private:
    friend class TaskState;
    constexpr explicit Snapshot(uint64_t bits) : bits_(bits) {}
    uint64_t bits_ = 0;
  };

  TaskState() = default;
  TaskState(const TaskState&) = delete;
  TaskState& operator=(const TaskState&) = delete;

  // InitScheduled() gives a new task `refs` references and kScheduled (it
  // is about to be queued). Relaxed: nobody else sees the task yet; the
  // queue that takes it publishes the word.
  void InitScheduled(uint64_t refs) {
    word_.store(refs * kRefOne + kScheduled, std::memory_order_relaxed);
  }

  // --- The wake and the worker's side of it ---

  // TransitionToScheduledOrNotified() records a wake and returns true if
  // the caller must queue the task (SchedulerShared::Enqueue()): it was
  // parked, and this wake set kScheduled. A task found scheduled gets
  // kNotified instead; a finished one nothing.
  //
  // It begins with an RMW, never a plain load: a waker publishes its
  // condition (a wait node's state, a value) and then wakes. Were "already
  // scheduled" read by a load, the waker's store could still sit in its
  // store buffer while the task, run by a worker, re-checks the condition
  // and parks again (the store-buffer pattern), and the wake would be lost.
  // As an acq_rel RMW, it is ordered with the worker's RMWs in
  // TakeNotified() and TransitionToParked() (and with Unpin()), so the task
  // sees what the waker wrote.
  bool TransitionToScheduledOrNotified() {
    if ((word_.fetch_or(kScheduled, std::memory_order_acq_rel) & kScheduled) ==
        0) {
      // It was parked, or ended (kFinished is never set on a parked task
      // later, and a stray kScheduled on a completed one is harmless:
      // nothing reads it after kFinished). We set kScheduled, so we queue
      // it. Relaxed: nothing of the task is read when kFinished is set,
      // and the fetch_or above already ordered the rest.
      return (word_.load(std::memory_order_relaxed) & kFinished) == 0;
    }
    return TransitionToNotified();
  }

  // TakeNotified() is the worker's step before a slice (RunTask()), and
  // returns the word as it found it. kScheduled is set already (whoever
  // queued the task set it, and the queue published the task to the
  // worker), so a plain load does, unless a wake came while it was queued:
  // then it takes kNotified with an RMW, which orders the worker after
  // that waker (the task sees its condition). A kNotified the load misses
  // is not consumed: TransitionToParked() finds it and the task is queued
  // again. The load's acquire pairs with the fetch_or of
  // RequestCancel() (cancel_request_ is visible when the snapshot says
  // cancel_requested()); the fetch_and (acq_rel) pairs with the wake's RMW
  // in TransitionToScheduledOrNotified().
  ABSL_ATTRIBUTE_ALWAYS_INLINE Snapshot TakeNotified() {
    uint64_t before = word_.load(std::memory_order_acquire);
    if (ABSL_PREDICT_FALSE((before & kNotified) != 0)) {
      before = word_.fetch_and(~kNotified, std::memory_order_acq_rel);
    }
    return Snapshot(before);
  }

  // TransitionToParked() ends a slice that parks (Worker::AfterSlice()),
  // or a pin (Unpin()): it clears kScheduled, unless a wake left kNotified
  // meanwhile: then it takes kNotified instead, the task stays scheduled,
  // and it returns true: the caller must queue it again. One CAS decides,
  // so a wake either sees kScheduled (and leaves kNotified, which this CAS
  // sees) or finds it clear (and queues the task itself). The successful
  // CAS is ordered with the wake's RMW in TransitionToScheduledOrNotified()
  // (acq_rel both ways: the release publishes the task's saved context and
  // stack to whoever schedules it next, and to TryPin()); the load and a
  // failed CAS only feed the next try (relaxed).
  bool TransitionToParked() {
    uint64_t s = word_.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t next =
          (s & kNotified) != 0 ? s & ~kNotified : s & ~kScheduled;
      if (word_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        return (s & kNotified) != 0;
      }
    }
  }

  // TryPin() takes a parked task the way a wake does, by setting kScheduled
  // with a CAS, but the caller does not queue it (a backtrace for Dump();
  // see task_dump.h). False if the task is scheduled or finished. Acquire
  // pairs with the release of the parking CAS in TransitionToParked(): the
  // saved context and stack are visible. The load and a failed CAS only
  // feed the next try (relaxed). Ended by TransitionToParked().
  bool TryPin() {
    uint64_t s = word_.load(std::memory_order_relaxed);
    while ((s & (kScheduled | kFinished)) == 0) {
      if (word_.compare_exchange_weak(s, s | kScheduled,
                                      std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }

  // --- Completion, cancellation and the joiner ---

  // SetFinished() turns kScheduled into kFinished (kScheduled is set while
  // the task runs; SchedulerShared::Finish()) and returns the word before.
  // Release publishes the result to the acquire loads of is_finished(),
  // SetJoinWaiter() and WaitFinished(); acquire pairs with the CAS of
  // SetJoinWaiter() (joiner_ is visible when the snapshot has
  // has_join_waiter()).
  Snapshot SetFinished() {
    return Snapshot(
        word_.fetch_add(kFinished - kScheduled, std::memory_order_acq_rel));
  }

  // RequestCancel() sets kCancel and returns the word before (the caller
  // wakes the task unless it is_finished()). Release publishes
  // cancel_request_ to the acquire loads of cancel_requested() and
  // TakeNotified(); the acquire pairs with the fetch_add of SetFinished().
  Snapshot RequestCancel() {
    return Snapshot(word_.fetch_or(kCancel, std::memory_order_acq_rel));
  }

  // SetJoinWaiter() registers joiner_ (written before the call), unless
  // the task has finished: then it returns false and nothing changed. The
  // acquire of the load and of the CAS's failure pairs with the fetch_add
  // of SetFinished(): if completion won the race, its result is visible.
  // The CAS's release publishes joiner_ to SetFinished().
  bool SetJoinWaiter() {
    uint64_t s = word_.load(std::memory_order_acquire);
    for (;;) {
      if ((s & kFinished) != 0) return false;
      if (word_.compare_exchange_weak(s, s | kJoinWaiter,
                                      std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return true;
      }
    }
  }

  // ClearJoinWaiter() withdraws the joiner (a joiner cancelled while it
  // waits) unless completion won the race: then it returns false, and
  // SetFinished()'s caller wakes the joiner and reads joiner_. True means
  // SetFinished() has not run and will not read joiner_. Relaxed load and
  // failure: the loop re-reads; the CAS is acq_rel, ordered with
  // SetFinished().
  bool ClearJoinWaiter() {
    uint64_t s = word_.load(std::memory_order_relaxed);
    while ((s & kFinished) == 0) {
      if (word_.compare_exchange_weak(s, s & ~kJoinWaiter,
                                      std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }

  // WaitFinished() blocks the calling thread (not a task) until the task
  // has finished: it sleeps on the word itself, so that SetFinished()'s
  // caller wakes it (WakeFinishedWaiters()) on memory the task owns and
  // nothing of the thread is touched after it may have returned and
  // exited. Each load's acquire pairs with the fetch_add of SetFinished().
  void WaitFinished() {
    for (;;) {
      const uint64_t s = word_.load(std::memory_order_acquire);
      if ((s & kFinished) != 0) return;
      FutexWaitWord(&word_, s);
    }
  }
  // WakeFinishedWaiters() wakes the threads in WaitFinished(), after
  // SetFinished().
  void WakeFinishedWaiters() { FutexWakeWord(&word_); }

  // --- References ---

  // Ref() adds an owner. Relaxed: the caller holds a reference already;
  // the acq_rel fetch_sub in Unref() orders the destruction.
  void Ref() { word_.fetch_add(kRefOne, std::memory_order_relaxed); }
  // Unref() drops an owner and returns true if it was the last: the caller
  // destroys the task. Acq_rel: pairs with the other owners' Unref(), so
  // the last owner sees every other owner's writes before it destroys the
  // task.
  bool Unref() {
    return (word_.fetch_sub(kRefOne, std::memory_order_acq_rel) >> kRefShift) ==
           1;
  }

  // --- Queries ---

  // is_finished() is true once the task finished. Acquire pairs with the
  // fetch_add of SetFinished(): its result is visible.
  bool is_finished() const {
    return (word_.load(std::memory_order_acquire) & kFinished) != 0;
  }
  // cancel_requested() is true once RequestCancel() ran. Acquire pairs
  // with its fetch_or: cancel_request_ is visible.
  bool cancel_requested() const {
    return (word_.load(std::memory_order_acquire) & kCancel) != 0;
  }
  // snapshot() is a relaxed look at the word, for display (Dump()):
  // nothing may be reached through it.
  Snapshot snapshot() const {
    return Snapshot(word_.load(std::memory_order_relaxed));
  }

 private:
  static constexpr uint64_t kScheduled = 1;
  static constexpr uint64_t kNotified = 2;
  static constexpr uint64_t kFinished = 4;
  static constexpr uint64_t kCancel = 8;
  static constexpr uint64_t kJoinWaiter = 16;
  static constexpr int kRefShift = 16;
  static constexpr uint64_t kRefOne = uint64_t{1} << kRefShift;

  // TransitionToNotified() is the wake of a task found scheduled: it
  // leaves kNotified for the worker, but only while kScheduled is still
  // set, in one CAS. If the slice parked in the meantime (kScheduled
  // clear), it schedules the task itself instead and returns true (the
  // caller queues it). The load and a failed CAS only feed the next try;
  // the successful acq_rel CAS is the wake's RMW, ordered with the
  // worker's RMWs in TakeNotified() and TransitionToParked(). Out of line:
  // the rare case of a wake.
  ABSL_ATTRIBUTE_NOINLINE bool TransitionToNotified() {
    uint64_t s = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((s & kFinished) != 0) return false;
      const bool scheduled = (s & kScheduled) != 0;
      const uint64_t next = scheduled ? s | kNotified : s | kScheduled;
      if (word_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        return !scheduled;
      }
    }
  }

  std::atomic<uint64_t> word_{0};
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_TASK_STATE_H_
