// Copyright 2026 The Colony Authors.
//
// RunQueue: a worker's bounded local run queue (after Tokio's
// multi_thread/queue.rs), the base of work stealing.
//
// The owner pushes at the tail and pops at either end: PopNewestIf() takes
// the task pushed last when the caller's test on it says so (the worker's:
// it never ran, so a fan-out runs depth first, as in Cilk, oneTBB and
// Rayon) and the oldest otherwise (woken tasks keep their FIFO order);
// PopOldestIf() is the worker's fairness turn. Any number of thieves take
// half of what is queued from the head, the oldest tasks, which are the
// largest pieces of a fan-out. `head_` packs two 32-bit indices: `steal`
// (where an in-progress steal began) and `real` (the next task to hand
// out). While a thief copies its batch, steal != real; the owner keeps
// popping from `real`. Only the owner writes `tail_`. Indices are
// free-running and wrap at 2^32; slots are index % kCapacity.
//
// Push() and Pop() are lock-free against thieves, as in Tokio. A thief
// decides how much to take from a snapshot of `tail_`, which PopNewestIf()
// moves back: so a thief holds `lock_` from its snapshot until its batch
// is copied, and PopNewestIf() and PopOldestIf() take it too (which also
// lets them read the items they look at: no thief can take one meanwhile).
// Neither waits for a thief: while one copies, PopNewestIf() pops the
// oldest task and PopOldestIf() nothing. The lock is the owner's own cache
// line unless a thief is at work, and costs the owner one exchange per
// pop, as Pop()'s compare-and-swap does.
//
// When the ring is full, Push() does not block: it hands the caller the
// task plus the older half of the ring (Overflow) to move to the global
// injection queue, the same batch Tokio moves.
//
// Thread-safety: Push(), Pop(), PopNewestIf() and PopOldestIf() only from
// the owner thread; StealInto() from any thread. Slots are atomics (relaxed);
// the orderings on head_ and tail_ (and lock_) publish their contents,
// each named at the operation it pairs with.

#ifndef COLONY_SCHEDULER_INTERNAL_RUN_QUEUE_H_
#define COLONY_SCHEDULER_INTERNAL_RUN_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/internal/spin_lock.h"

#ifndef COLONY_RUN_QUEUE_SLOTS
#define COLONY_RUN_QUEUE_SLOTS 256
#endif

namespace colony::scheduler_internal {

template <typename T, uint32_t kCapacity = COLONY_RUN_QUEUE_SLOTS>
class RunQueue {
  static_assert(kCapacity >= 2 && (kCapacity & (kCapacity - 1)) == 0,
                "capacity must be a power of two");

 public:
  RunQueue() = default;
  // Starts the free-running indices at `start` (tests use values near 2^32
  // to exercise wrap-around).
  explicit RunQueue(uint32_t start) : head_(Pack(start, start)), tail_(start) {}
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  static constexpr uint32_t capacity() { return kCapacity; }

  // Push() queues `item` (owner only). Returns true, or false when the ring
  // was full: then `overflow` receives `item` and the kCapacity/2 oldest
  // items, removed from the ring, for the caller to move elsewhere.
  bool Push(T* item, std::vector<T*>* overflow) {
    for (;;) {
      // Pairs with the release CAS that ends a thief's claim in
      // StealInto() (step 3): the thief has read the slots below `steal`
      // before they are reused here.
      const uint64_t head = head_.load(std::memory_order_acquire);
      const uint32_t steal = Steal32(head);
      // Only this thread writes tail_.
      const uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (tail - steal < kCapacity) {
        slots_[tail & kMask].store(item, std::memory_order_relaxed);
        // Pairs with the acquire load of tail_ in StealInto(): the slot is
        // written before a thief can see it.
        tail_.store(tail + 1, std::memory_order_release);
        return true;
      }
      if (steal != Real32(head)) {
        // A thief is copying: it frees slots soon. Queue the item
        // elsewhere rather than wait.
        overflow->push_back(item);
        return false;
      }
      if (TakeOlderHalf(head, tail, overflow)) {
        overflow->push_back(item);
        return false;
      }
      // Lost a race with a thief (or Pop() can't race: owner); retry.
    }
  }

  // Pop() takes the oldest item (owner only), or null when empty.
  T* Pop() {
    // Pairs with the release CAS on head_ in StealInto(), as the CAS below.
    uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const uint32_t steal = Steal32(head);
      const uint32_t real = Real32(head);
      const uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (real == tail) return nullptr;
      const uint32_t next_real = real + 1;
      // With no steal in progress both halves advance together.
      const uint64_t next =
          steal == real ? Pack(next_real, next_real) : Pack(steal, next_real);
      // The acquire pairs with the release CAS on head_ in StealInto(); the
      // release pairs with a thief's acquire load or CAS of head_. Push()
      // runs on this thread and needs neither.
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        // This thread wrote the slot.
        return slots_[real & kMask].load(std::memory_order_relaxed);
      }
    }
  }

  // PopNewestIf() takes the newest item if `take_newest(newest)` is true,
  // else the oldest (owner only), or null when empty. `take_newest` may
  // read the item: no thief can take it meanwhile. While a thief holds the
  // ring it takes the oldest (Pop()) without asking.
  template <typename F>
  T* PopNewestIf(F take_newest) {
    if (!lock_.TryLock()) return Pop();
    // No thief is at work (they hold lock_), so head_ changes only here.
    // The acquire pairs with the release CAS that ended the last thief's
    // claim, as in Pop().
    const uint32_t real = Real32(head_.load(std::memory_order_acquire));
    const uint32_t tail = tail_.load(std::memory_order_relaxed);
    T* item = nullptr;
    if (real != tail) {
      item = slots_[(tail - 1) & kMask].load(std::memory_order_relaxed);
      if (take_newest(item)) {
        // Relaxed: the next thief reads tail_ after taking lock_, whose
        // release below publishes this store.
        tail_.store(tail - 1, std::memory_order_relaxed);
      } else {
        item = PopOldestLocked(real);
      }
    }
    lock_.Unlock();
    return item;
  }

  // PopNewestIfAlone() is PopNewestIf() for a ring that no thief can reach
  // (the worker of a one-worker scheduler): the same choice of item, with
  // neither the lock nor a compare-and-swap, since nobody else moves
  // head_. Owner only, and only while StealInto() is never called on this
  // ring. Relaxed stores: whoever reads head_ and tail_ from another thread
  // (size(), empty()) only takes a snapshot and reads no slot.
  template <typename F>
  T* PopNewestIfAlone(F take_newest) {
    const uint32_t real = Real32(head_.load(std::memory_order_relaxed));
    const uint32_t tail = tail_.load(std::memory_order_relaxed);
    if (real == tail) return nullptr;
    T* item = slots_[(tail - 1) & kMask].load(std::memory_order_relaxed);
    if (take_newest(item)) {
      tail_.store(tail - 1, std::memory_order_relaxed);
      return item;
    }
    item = slots_[real & kMask].load(std::memory_order_relaxed);
    head_.store(Pack(real + 1, real + 1), std::memory_order_relaxed);
    return item;
  }

  // PopOldestIf() takes the oldest item if `take(oldest)` is true (owner
  // only); null otherwise, when empty, or while a thief holds the ring.
  // `take` may read the item, as in PopNewestIf().
  template <typename F>
  T* PopOldestIf(F take) {
    if (!lock_.TryLock()) return nullptr;
    const uint32_t real = Real32(head_.load(std::memory_order_acquire));
    const uint32_t tail = tail_.load(std::memory_order_relaxed);
    T* item = nullptr;
    if (real != tail &&
        take(slots_[real & kMask].load(std::memory_order_relaxed))) {
      item = PopOldestLocked(real);
    }
    lock_.Unlock();
    return item;
  }

  // StealInto() moves about half of this queue's items into `dst` (whose owner
  // must be the caller, and which must be empty enough: at most
  // kCapacity/2 items) and returns one more item for the caller to run
  // directly, or null when there was nothing to take or another thief is
  // at work.
  T* StealInto(RunQueue& dst) {
    // The caller owns `dst` and is the only writer of its tail_.
    const uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
    // Pairs with the release CAS that ends a claim on `dst` (step 3): its
    // thieves have read the slots about to be overwritten.
    const uint32_t dst_steal =
        Steal32(dst.head_.load(std::memory_order_acquire));
    if (dst_tail - dst_steal > kCapacity / 2) return nullptr;
    // Held from the snapshot of tail_ below until the batch is copied, so
    // that PopNewestIf() cannot take a task this thief counts on.
    if (!lock_.TryLock()) return nullptr;  // another thief, or the owner
    T* const last = StealLocked(dst, dst_tail);
    lock_.Unlock();
    return last;
  }

  // size() is a snapshot of the number of queued items. The acquires pair
  // with the releases on head_ and tail_ above, though nothing read after
  // them depends on it.
  uint32_t size() const {
    const uint64_t head = head_.load(std::memory_order_acquire);
    return tail_.load(std::memory_order_acquire) - Real32(head);
  }
  bool empty() const { return size() == 0; }
  // PeekNewest() is the item pushed last, or null when empty (owner only).
  // A hint: a thief may take it at any moment, so the item may be gone or
  // freed by the time the caller looks; fit for a prefetch, nothing else.
  T* PeekNewest() const {
    const uint32_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == Real32(head_.load(std::memory_order_relaxed))) return nullptr;
    return slots_[(tail - 1) & kMask].load(std::memory_order_relaxed);
  }
  // head_index() is a snapshot of the index of the oldest item (owner: it
  // moves when the oldest item is taken).
  uint32_t head_index() const {
    return Real32(head_.load(std::memory_order_relaxed));
  }

 private:
  static constexpr uint32_t kMask = kCapacity - 1;
  static uint32_t Steal32(uint64_t head) {
    return static_cast<uint32_t>(head >> 32);
  }
  static uint32_t Real32(uint64_t head) { return static_cast<uint32_t>(head); }
  static uint64_t Pack(uint32_t steal, uint32_t real) {
    return uint64_t{steal} << 32 | real;
  }

  // PopOldestLocked() takes the item at `real`, the head of a non-empty
  // ring, with lock_ held: no steal is in progress, so both halves move.
  // The release pairs with thieves' acquire of head_, as Pop()'s CAS.
  T* PopOldestLocked(uint32_t real) {
    T* item = slots_[real & kMask].load(std::memory_order_relaxed);
    head_.store(Pack(real + 1, real + 1), std::memory_order_release);
    return item;
  }

  // StealLocked() is StealInto() with lock_ held.
  T* StealLocked(RunQueue& dst, uint32_t dst_tail) {
    // 1. Claim [real, real + n) by moving `real` while keeping `steal`.
    //    The load and the CAS acquire the release CASes on head_ in Pop()
    //    and other thieves' step 3.
    uint64_t head = head_.load(std::memory_order_acquire);
    uint32_t first, n;
    for (;;) {
      const uint32_t steal = Steal32(head);
      const uint32_t real = Real32(head);
      if (steal != real) return nullptr;  // cannot happen under lock_
      // Pairs with the release store in Push(): the slots are written.
      const uint32_t tail = tail_.load(std::memory_order_acquire);
      const uint32_t available = tail - real;
      n = available - available / 2;
      if (n == 0) return nullptr;
      if (n > kCapacity / 2) n = kCapacity / 2;
      if (head_.compare_exchange_weak(head, Pack(steal, real + n),
                                      std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        first = real;
        break;
      }
    }
    // 2. Copy the batch; the owner cannot reuse these slots while `steal`
    //    still points at them. Relaxed: tail_ (step 1) published these
    //    slots, and dst.tail_ (below) publishes dst's.
    for (uint32_t i = 0; i + 1 < n; ++i) {
      T* item = slots_[(first + i) & kMask].load(std::memory_order_relaxed);
      dst.slots_[(dst_tail + i) & kMask].store(item, std::memory_order_relaxed);
    }
    T* const last =
        slots_[(first + n - 1) & kMask].load(std::memory_order_relaxed);
    // 3. Release the claim: steal catches up with real (which the owner may
    //    have advanced meanwhile). The release pairs with the acquire load
    //    of head_ in Push() (slots read before the owner reuses them).
    head = head_.load(std::memory_order_acquire);
    for (;;) {
      const uint32_t real = Real32(head);
      if (head_.compare_exchange_weak(head, Pack(real, real),
                                      std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        break;
      }
    }
    if (n > 1) {
      // Pairs with the acquire load of tail_ in StealInto() by thieves of
      // dst.
      dst.tail_.store(dst_tail + n - 1, std::memory_order_release);
    }
    return last;
  }

  // Moves the kCapacity/2 oldest items to `out` if no thief interferes.
  bool TakeOlderHalf(uint64_t head, uint32_t tail, std::vector<T*>* out) {
    const uint32_t real = Real32(head);
    constexpr uint32_t kHalf = kCapacity / 2;
    if (tail - real != kCapacity) return false;  // changed meanwhile
    const uint64_t next = Pack(real + kHalf, real + kHalf);
    // Orders as the CAS in Pop(); the slots are this thread's writes.
    if (!head_.compare_exchange_strong(head, next, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
      return false;
    }
    for (uint32_t i = 0; i < kHalf; ++i) {
      out->push_back(
          slots_[(real + i) & kMask].load(std::memory_order_relaxed));
    }
    return true;
  }

  std::atomic<uint64_t> head_{0};
  std::atomic<uint32_t> tail_{0};
  // Held by a thief from its look at tail_ to the end of its copy, and by
  // PopNewestIf() and PopOldestIf().
  base_internal::SpinLock lock_;
  std::atomic<T*> slots_[kCapacity] = {};
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_RUN_QUEUE_H_
