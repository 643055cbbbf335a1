// Copyright 2026 The Colony Authors.
//
// Worker: one scheduler thread and its run loop.
//
// Its code is in three files by concern: worker.cc (the run loop, the
// slice, parking, its own queues' push side), worker_dispatch.h/.cc (the
// local dispatch policy: what it runs next of its own) and worker_steal.cc
// (the search of other workers).
//
//   loop:
//     task = next local task    (LIFO slot, then bands high to low, with a
//                                guaranteed turn for each band, the
//                                injection queue every Nth tick, own timers)
//     or   = search             (steal half from a random victim's highest
//                                band, injection queue, expired timers of
//                                others; bounded number of searchers)
//     or   park                 (Idle protocol; sleep until notified or
//                                the earliest timer deadline, in the I/O
//                                poller if this worker takes its role)
//     every few dispatches, poll I/O without blocking if nobody has for a
//     while (a time budget)
//     run the task's slice, then put it back by its suspension reason
//
// A slice ends in one of three ways, read after the switch back, on the
// worker's own stack: the task finished (Finish() publishes the result and
// wakes the joiner), it yielded (back to the tail of its band's queue,
// still scheduled), or it parked (kScheduled is cleared and it stays off
// every queue, unless a Wake() arrived during the slice, which AfterSlice()
// finds as kNotified and honours; see task_state.h).
//
// Thread-safety: the queues' owner side, the LIFO slot and the counters'
// writes belong to the worker's thread; thieves use RunQueue::StealInto();
// the mailbox and timers are shared (see their headers).

#ifndef COLONY_SCHEDULER_INTERNAL_WORKER_H_
#define COLONY_SCHEDULER_INTERNAL_WORKER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "scheduler/internal/inject_queue.h"
#include "scheduler/internal/poller_driver.h"
#include "scheduler/internal/run_queue.h"
#include "scheduler/internal/timer_heap.h"
#include "scheduler/stats.h"

namespace colony::scheduler_internal {

class SchedulerShared;
class Task;

// What a task hands back when it suspends (the switch's transfer pointer).
enum class SliceEnd { kYield, kPark, kParkCommit };
extern SliceEnd kYieldTag;
extern SliceEnd kParkTag;
// A park whose commit the worker runs (ParkTaskCommit()).
extern SliceEnd kParkCommitTag;

class Worker {
 public:
  // SchedulerOptions::priority_bands is at most this (Validate() checks).
  static constexpr int kMaxBands = 8;

  Worker(SchedulerShared* shared, int index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Start() launches the thread; Join() waits for it after shutdown.
  void Start();
  void Join();

  // Schedule() queues `task` from this worker's own thread: into the LIFO
  // slot when `lifo`, else at the tail of its band's queue. Overflow goes
  // to the injection queue.
  void Schedule(Task* task, bool lifo);
  // ScheduleOnCurrent() is Schedule() on the calling thread's worker if it
  // is one of `shared`'s, else SchedulerShared::Inject()
  // (SchedulerShared::Enqueue() without forced migration).
  static void ScheduleOnCurrent(SchedulerShared* shared, Task* task, bool lifo);
  // Handoff() moves every queued task to the injection queue (for a
  // BlockingRegion on this worker's thread).
  void Handoff();
  // Deliver() puts `task` in this worker's mailbox from any thread (forced
  // migration) and unparks the worker.
  void Deliver(Task* task);
  // Unpark() wakes the worker if it is parked.
  void Unpark() { driver_->Unpark(); }

  // HasQueued() is a racy look at the run queues and mailbox (the
  // last-searcher re-check).
  bool HasQueued() const;
  // StealFrom() moves half of `victim`'s highest non-empty band into this
  // worker's queue and returns one task to run, or null.
  Task* StealFrom(Worker& victim);
  // TakeExpiredTimers() wakes this worker's tasks whose deadline passed;
  // `try_only` when called by another worker.
  size_t TakeExpiredTimers(int64_t now_ns, bool try_only);

  TimerHeap& timers() { return timers_; }
  int index() const { return index_; }

  // Stall detection (called by the monitor thread; see shared.cc).
  // SliceSeq() is odd while a slice runs and changes at every slice start
  // and end; SliceTask() is the task of the current slice. The pointer
  // may be read at any time, but the task behind it may end and be freed
  // as soon as the slice does: SchedulerShared::SliceTaskName() reads it
  // only where that cannot happen.
  uint64_t SliceSeq() const {
    // Pairs with the release store of slice_seq_ in RunTask().
    return slice_seq_.load(std::memory_order_acquire);
  }
  Task* SliceTask() const {
    // Relaxed: SliceSeq()'s acquire orders it after the slice start.
    return slice_task_.load(std::memory_order_relaxed);
  }
  // MarkStalled() records a stall of the current slice: its LIFO slot
  // becomes stealable by other workers (StealFrom()) and what it readies
  // from now on goes to the injection queue. Cleared at the slice's end.
  void MarkStalled() {
    // A statistic.
    stalls_.fetch_add(1, std::memory_order_relaxed);
    // Release pairs with the acquire load in StealFrom() and
    // ScheduleInline(): nothing to publish, the flag itself is the news.
    stalled_.store(true, std::memory_order_release);
  }
  // HasStealable() is true when other workers could take something of this
  // worker's: its queues, or its LIFO slot (taken only while stalled).
  bool HasStealable() const { return HasQueued() || HasLifo(); }
  Task* current() const { return current_; }
  SchedulerShared* shared() const { return shared_; }
  WorkerStats Stats() const;
  // QueueDelayNanos() is Stats().queue_delay_ns, cheaply.
  int64_t QueueDelayNanos() const {
    return queue_delay_ns_.load(std::memory_order_relaxed);
  }

 private:
  // Tokio's bound on consecutive LIFO-slot dispatches: a ping-pong pair
  // cannot starve the rest of the queue.
  static constexpr int kMaxLifoStreak = 3;
  // How often a busy worker reads the clock for its own timers.
  static constexpr uint32_t kTimerPollInterval = 16;
  // A worker pops a ring's newest task if that task never ran, and its
  // oldest otherwise: a fan-out runs depth first, as in Cilk, oneTBB and
  // Rayon, and the tasks it has started stay few (skynet 1M: 6 MiB instead
  // of 190), while woken tasks keep their order (popped newest first too,
  // the HTTP backend's p99 at 256 connections rose from about nginx's,
  // 6 ms, to 170 ms). So that the oldest task of a ring still runs under a
  // stream of new spawns, every kOldestCheckInterval-th pop looks whether
  // the ring's head has stayed put for kOldestWaitNanos, and then takes it
  // instead, or after kOldestFreshWaitNanos if it never ran: an old spawn taken
  // early begins another fan-out while the current one is half done, and within
  // a few such turns the rings overflow into the injection queue and the whole
  // fan-out runs breadth first again (a turn every 5 ms for every task
  // left skynet at 180 MiB).
  static constexpr int kOldestCheckInterval = 32;
  static constexpr int64_t kOldestWaitNanos = 1'000'000;
  static constexpr int64_t kOldestFreshWaitNanos = 20'000'000;

  void Run();
  // The local dispatch policy (worker_dispatch.h): NextLocal() is the
  // inlined fast path, NextLocalTurns() the one for dispatches on which a
  // poll or turn falls, NextLocalSlow() and PopBands() the policy itself.
  Task* NextLocal();
  // ServedRecently() is true when band `band` had a dispatch on this
  // worker within the last starvation_interval * bands dispatches: its
  // guaranteed turn then goes unused, so that a task of a higher band
  // that arrives now and then is not held behind a turn for a band that
  // is not starved.
  bool ServedRecently(int band) const {
    return uint64_t{tick_ - served_tick_[band]} <
           static_cast<uint64_t>(starvation_interval_) *
               static_cast<uint64_t>(bands_);
  }
  // PopQuietRing() is NextLocal()'s fast path for a ring's task: null when
  // the slow path must decide.
  Task* PopQuietRing();
  // CountQuietDispatch() leaves the counters of a fast-path dispatch within
  // `quiet_` as the slow path would, with the LIFO streak at `streak`.
  void CountQuietDispatch(int streak);
  Task* NextLocalTurns();
  Task* NextLocalTurnsImpl();
  Task* NextLocalSlow();
  Task* PopBands();
  // TakeTurn() is the guaranteed turn of band `band` (PopBands()): its LIFO
  // task, ring or injected task, or null when it has none or is not
  // starved (ServedRecently()).
  Task* TakeTurn(int band);
  // PopLocal() pops band `band` of the own queues (the newest task if it
  // never ran, else the oldest; the oldest when it waited too long),
  // skipping the ring when its bit in local_bands_ says it is empty.
  Task* PopLocal(int band);
  // WorkAbove() is true if a band above `band` may have work, locally or in
  // the injection queue; BandWork() is the same for `band` itself.
  bool WorkAbove(int band) const;
  bool BandWork(int band) const;
  Task* PopMailbox();
  // TakeGlobalBand() takes a task of band `band` from the injection queue,
  // moving a share of its backlog to this worker's ring in the same lock;
  // TakeGlobal() is the same for the highest band that has any.
  Task* TakeGlobalBand(int band);
  Task* TakeGlobal();
  // TakeGlobalResumed() takes the oldest woken task of the highest band
  // that has one (an early poll), or returns null.
  Task* TakeGlobalResumed();
  // NextGlobalInterval() is the number of dispatches until the next poll of
  // the injection queue: global_queue_interval at most, fewer while its
  // backlog is large against the local rings (never fewer than
  // kFreshPollFloor for a backlog of tasks that never ran).
  int NextGlobalInterval() const;
  static constexpr size_t kFreshPollFloor = 8;
  Task* Search();
  // SpinBeforePark() keeps polling for work for spin_before_park (see
  // SchedulerOptions) before the caller parks.
  Task* SpinBeforePark();
  // PollIoNow() polls for I/O readiness without blocking, if tasks wait
  // on I/O and nobody else polls; true when it readied some.
  bool PollIoNow();
  void ParkIdle();
  void RunTask(Task* task);
  void AfterSlice(Task* task, void* tag);
  // EndSlice() closes the slice's bookkeeping (SliceSeq(), stalled_).
  void EndSlice();
  void ScheduleInline(Task* task, bool lifo);
  // Requeue() queues a task that this worker's slice left scheduled (a
  // yield, a park whose commit failed or that was woken during the slice):
  // SchedulerShared::Enqueue() without the look-up of the calling thread's
  // worker, which is this one.
  void Requeue(Task* task);
  // PushQueue() appends `task` to the ring of its band (overflow to the
  // injection queue); PushQueueBand() the same for a task known to be of
  // `band`, without reading it.
  void PushQueue(Task* task) { PushQueueBand(task, task->band_); }
  void PushQueueBand(Task* task, int band);
  void NotifyFromLocalPush();
  void NotifyIfQueued(int band);
  uint32_t NextRandom();
  void MaybePollTimers(bool force);
  // MaybePollIo() is the busy worker's non-blocking poll (see worker.cc).
  void MaybePollIo();

#if defined(COLONY_CHECK_DISPATCH)
  // The dispatch counters a fast path changes (see worker_dispatch.h).
  struct DispatchState {
    int global_countdown;
    bool global_early;
    int band_countdown;
    uint32_t band_turn;
    int lifo_streak;
    int quiet;
    uint64_t injections;       // NoteInjection()s so far
    uint64_t injections_done;  // NoteInjectionDone()s so far

    // SameCounters() compares the counters a fast path must leave as the
    // slow path does.
    bool SameCounters(const DispatchState& o) const {
      return global_countdown == o.global_countdown &&
             global_early == o.global_early &&
             band_countdown == o.band_countdown && band_turn == o.band_turn &&
             lifo_streak == o.lifo_streak;
    }
    // InjectedSince() is true when another thread injected a task between
    // `before` and this state, or was injecting one at `before` (counted
    // before its push, pushed after the fast path's look): the two
    // decisions looked at different injection queues.
    bool InjectedSince(const DispatchState& before) const {
      return injections != before.injections ||
             before.injections_done != before.injections;
    }
  };
  DispatchState SaveDispatchState() const;
  // CheckFastPath() undoes the decision of fast path `path` (it took
  // `task`, the counters were `before`), lets NextLocalSlow() decide
  // instead, and aborts unless that took `task` and left the same counters
  // (an injection from another thread voids the comparison). Returns the
  // task to run.
  Task* CheckFastPath(const char* path, const DispatchState& before,
                      Task* task);
  // CheckRingFastPath() is the check of PopQuietRing(), which decided to
  // pop the ring of `band` from the state `before` (saved before it looked
  // at the injection queues): it lets NextLocalSlow() pop instead and
  // aborts unless that took a task of that ring and left the counters the
  // fast path would have. Returns the task to run (null if the ring was
  // empty: then the slow path decides, unchecked).
  Task* CheckRingFastPath(const DispatchState& before, int band);
  // FailDispatchCheck() aborts with the two decisions.
  [[noreturn]] void FailDispatchCheck(const char* path,
                                      const DispatchState& before,
                                      const DispatchState& fast,
                                      const DispatchState& after, Task* task,
                                      Task* slow);
#endif

  SchedulerShared* const shared_;
  const int index_;
  const int bands_;
  // The scheduler's injection queues, one per band (for cheap emptiness
  // checks).
  const InjectQueue* const inject_;
  const bool lifo_slot_;  // SchedulerOptions::lifo_slot
  // The scheduler has this one worker: nobody steals from its rings or
  // its LIFO slot, so its pops take neither the rings' lock nor a
  // compare-and-swap (RunQueue::PopNewestIfAlone()), and the slot is
  // filled and emptied with plain loads and stores instead of exchanges
  // (ScheduleInline(), TakeLifo()).
  const bool alone_;
  std::unique_ptr<RunQueue<Task>[]> queues_;
  // Bit b is set whenever queues_[b] may hold a task: set by every push of
  // this worker (the only thread that adds to its queues), cleared only when
  // a Pop() of its own finds the ring empty. Thieves only take away, so a
  // clear bit means an empty ring and a set bit at worst costs one Pop().
  // Lets the dispatch loop skip empty bands without touching the rings.
  uint32_t local_bands_ = 0;
  // The LIFO slot: written by this worker, and emptied by a thief only
  // while this worker is stalled (StealFrom()), so every take is an
  // exchange (TakeLifo()) and nothing reads the task through the slot.
  std::atomic<Task*> lifo_{nullptr};
  // The band of the task last put in the slot; read only by this worker
  // (a hint: when a thief took the task, TakeLifo() returns null).
  int lifo_band_ = 0;
  int lifo_streak_ = 0;
  // Ring pops until PopLocal() next looks at a ring's head, and per band
  // the head index it saw and since when.
  int oldest_countdown_ = kOldestCheckInterval;
  struct HeadWatch {
    bool seen = false;
    uint32_t index = 0;
    int64_t since_ns = 0;
  };
  std::unique_ptr<HeadWatch[]> head_watch_;
  // HasLifo() is a relaxed look at the slot (a hint; TakeLifo() decides);
  // TakeLifo() empties it. Its acquire pairs with the release of the
  // exchange in ScheduleInline(), for a thief that takes a task this worker
  // put there.
  bool HasLifo() const {
    return lifo_.load(std::memory_order_relaxed) != nullptr;
  }
  Task* TakeLifo() {
    if (alone_) {  // no thief (see alone_): only this thread writes it
      Task* t = lifo_.load(std::memory_order_relaxed);
      if (t != nullptr) lifo_.store(nullptr, std::memory_order_relaxed);
      return t;
    }
    return lifo_.exchange(nullptr, std::memory_order_acquire);
  }
  // Slice bookkeeping for the monitor (see SliceSeq()): written by this
  // worker only (stalled_ also by the monitor's MarkStalled()). The relaxed
  // stores at a slice's end publish nothing: the monitor only compares
  // sequence numbers, and a stale stalled_ at worst lets a thief take the
  // LIFO task of a worker whose slice just ended (by exchange, so safely).
  std::atomic<uint64_t> slice_seq_{0};
  std::atomic<Task*> slice_task_{nullptr};
  std::atomic<bool> stalled_{false};
  std::atomic<uint64_t> stalls_{0};
  uint32_t tick_ = 0;
  // Countdowns instead of `tick_ % interval` (a division per dispatch).
  const int starvation_interval_;
  const int global_queue_interval_;
  const int64_t spin_before_park_ns_;
  int band_countdown_;
  int global_countdown_;
  // Whether global_countdown_ was cut short by a backlog: then the poll it
  // leads to takes a woken task first (TakeGlobalResumed()).
  bool global_early_ = false;
  // Dispatches ahead on which no global poll, band turn or timer poll falls
  // (NextLocal()'s fast path); 0 whenever unknown.
  int quiet_ = 0;
  uint32_t band_turn_ = 0;
  // The tick_ of each band's last dispatch on this worker (the run loop
  // stamps it): a band served within the last starvation_interval * bands
  // dispatches gives its guaranteed turn up (ServedRecently()).
  uint32_t served_tick_[kMaxBands] = {};
  uint32_t rng_;
  bool searching_ = false;
  Task* current_ = nullptr;
  std::vector<Task*> overflow_;
  std::vector<Task*> global_batch_;
  TimerHeap timers_;
  std::unique_ptr<PollerDriver> driver_;
  InjectQueue mailbox_;
  std::thread thread_;

  // Counters: written by the worker's thread only, read by Stats() as a
  // snapshot; hence relaxed, and a load and a store instead of an RMW.
  struct Counter {
    std::atomic<uint64_t> v{0};
    void Add(uint64_t n = 1) {
      v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t Get() const { return v.load(std::memory_order_relaxed); }
  };
  Counter spawned_, completed_, switches_, steal_attempts_, steals_,
      stolen_tasks_, parks_, unparks_, global_pops_, overflows_, timers_fired_;
  // Busy time in one word, so that Stats() reads a value that never goes
  // back: while running (not parked) it is `now - busy_ns` ("a start
  // moved forward by the parked time"); while parked it is `-busy_ns`
  // (zero or negative). Written by the worker's thread only, relaxed: no
  // other data is read through it (Stats() reads it seq_cst around its
  // clock read).
  std::atomic<int64_t> busy_clock_{0};
  // The largest busy time Stats() has returned (any thread; relaxed: a
  // running maximum, nothing read through it).
  mutable std::atomic<int64_t> busy_reported_{0};
  void NoteParking(int64_t now_ns);
  void NoteUnparked(int64_t now_ns);
  // A moving average (1/8 per sample) of how long sampled tasks waited in
  // a queue before this worker ran them; zeroed when the worker parks
  // (an idle worker has no queue). A statistic written by this worker only
  // (relaxed).
  std::atomic<int64_t> queue_delay_ns_{0};
  int sample_countdown_ = 1;
  void NoteQueueDelay(Task* task);
  // For Stats() only (relaxed): the Idle word is what the protocol uses.
  std::atomic<bool> parked_{false};
  std::atomic<bool> searching_stat_{false};

  friend class SchedulerShared;
};

// CurrentWorker() is the worker whose thread is calling, or null. Never
// inlined, so a task re-reads it after every suspension.
Worker* CurrentWorker();

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_WORKER_H_
