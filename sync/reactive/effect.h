// Copyright 2026 The Colony Authors.
//
// Effect: a function that runs as a task on a scheduler, and runs again
// whenever a signal or memo it read changes.
//
//   colony::Signal<int> temperature(20);
//   colony::Effect alarm(*scheduler, [&] {
//     if (temperature.Get() > 30) SoundAlarm();   // reading subscribes
//   }, {.name = "alarm", .priority = 2});
//   temperature.Set(35);                           // alarm runs again
//
// The first run is scheduled by the constructor. Every tracked read in a
// run (Signal::Get(), Memo::Get() and the like, from the effect's own task;
// see Untracked()) makes the effect depend on what it read; the set is
// rebuilt on every run, so a branch that stops reading a signal stops
// depending on it. When a dependency changes, a run is scheduled:
//
//   - Coalesced: at most one run is pending, and a change that arrives
//     while a run is in progress makes exactly one more run after it. Many
//     changes before the run starts make one run, which reads the latest
//     values.
//   - Checked: a run that was scheduled because a memo might have changed
//     first brings the memos up to date; if none of the dependencies
//     actually moved (a memo recomputed to an equal value), the function is
//     not called.
//   - Batched: changes made inside a Batch reach the effect when the
//     outermost batch closes, so it runs once for the whole batch.
//   - Never inline: the run is always a task spawned on the effect's
//     scheduler with its SpawnOptions (name, priority, stack size), never a
//     call made by the writer, so a write from any thread or task never
//     waits for an effect.
//   - On the creator's behalf: every run sees the inherited CoroutineLocal
//     values and provided contexts of the code that constructed the
//     Effect, copied at construction (none from a plain thread), not those
//     of the writer whose change scheduled it.
//
// Stopping: Stop(), or destroying the Effect, cancels a pending run (the
// function is not called) and waits for a run in progress to return (a
// task suspends meanwhile; a thread blocks); after that the function is
// never called again and has been destroyed. Called from the effect's own
// run, Stop() does not wait (it would wait for itself): the run finishes
// and no other starts. The scheduler must outlive every Effect on it (stop
// effects before the scheduler); after the scheduler stopped, runs are no
// longer scheduled.
//
// An exception escaping the function ends that run (the task fails with
// it); the effect stays active and runs again when something it read
// before the exception changes.
//
// Thread-safety: an Effect handle is owned by one task or thread at a time
// (it is movable); the signals it reads may be written from anywhere.
// Memory ordering: a change happens-before the run it schedules; that run
// reads the value of the change or a later one.

#ifndef COLONY_SYNC_REACTIVE_EFFECT_H_
#define COLONY_SYNC_REACTIVE_EFFECT_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/reactive/internal/reactive.h"

namespace colony {

class Effect;

namespace sync_internal {
class EffectNode;
// MakeWatch() builds an effect already depending on `source` (at its
// current version) whose first run waits for a change of it.
Effect MakeWatch(Scheduler& scheduler, NodeRef source,
                 std::function<void()> body, SpawnOptions options);
}  // namespace sync_internal

class Effect {
 public:
  // Effect() is an empty handle (active() is false).
  Effect() = default;

  // Effect() schedules `fn` to run as a task on `scheduler` with
  // `options`, and again after every change of what it read.
  Effect(Scheduler& scheduler, std::function<void()> fn,
         SpawnOptions options = {});

  Effect(Effect&& other) noexcept = default;
  // Move assignment stops the effect this handle had.
  Effect& operator=(Effect&& other) noexcept;
  Effect(const Effect&) = delete;
  Effect& operator=(const Effect&) = delete;

  // ~Effect() is Stop().
  ~Effect();

  // Stop() cancels a pending run, waits for a running one (unless called
  // from it) and ends the effect. Idempotent.
  void Stop();

  // active() is true until Stop() (false for an empty handle).
  bool active() const;

  // runs() counts the calls of the function so far.
  uint64_t runs() const;

 private:
  friend Effect sync_internal::MakeWatch(Scheduler&, sync_internal::NodeRef,
                                         std::function<void()>, SpawnOptions);
  explicit Effect(std::shared_ptr<sync_internal::EffectNode> node);

  std::shared_ptr<sync_internal::EffectNode> node_;
};

}  // namespace colony

#endif  // COLONY_SYNC_REACTIVE_EFFECT_H_
