// Copyright 2026 The Colony Authors.
//
// ResourceNode: the type-erased core of Resource<T>, an observer whose fire
// phase restarts an asynchronous computation.
//
// Generations. Every start (the first, a change of an input, Restart())
// takes the next generation number and spawns a run for it; only the run of
// the current generation may publish (PublishIf()), so a result that a
// newer start overtook is never seen.
//
// One run at a time. A start cancels the task of the previous generation;
// the new run takes run_mu_ (a colony::Mutex, so a task suspends) before it
// touches the computation, and the old run holds it until it has unwound.
// deps_ and the function are therefore only ever used by one run; a run
// that finds itself no longer current when it gets the lock returns
// without calling the function.
//
// Skipped runs. A start caused only by a memo that might have changed runs
// the function again only if an input actually moved (DepsChanged()), or if
// the previous run did not complete (it was cancelled or failed), or a
// forced start (Restart()) asked for it; otherwise the previous result
// stands and is published again as settled.
//
// Stop() marks the node stopped (no new start; no run publishes), cancels
// the current task and takes run_mu_, so it returns once no run can touch
// the function, which it then destroys.

#ifndef COLONY_SYNC_REACTIVE_INTERNAL_RESOURCE_NODE_H_
#define COLONY_SYNC_REACTIVE_INTERNAL_RESOURCE_NODE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/functional/function_ref.h"
#include "scheduler/join_handle.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/locks/mutex.h"
#include "sync/reactive/internal/reactive.h"

namespace colony::sync_internal {

class ResourceNode final : public ReactiveNode {
 public:
  // What a run does: calls the user's function and publishes the outcome
  // for `generation` through PublishIf().
  using Body = std::function<void(ResourceNode& node, uint64_t generation)>;
  // What a start publishes first: the pending state of `generation`.
  using OnStart = std::function<void(uint64_t generation)>;
  // What a skipped run publishes: the previous result, settled again.
  using OnSettle = std::function<void()>;

  ResourceNode(Scheduler* scheduler, SpawnOptions options, Body body,
               OnStart on_start, OnSettle on_settle);
  ~ResourceNode() override;

  bool Invalidate(NodeList* next) override { return true; }
  void Fire() override { Start(/*force=*/false); }

  // Start() begins a new generation: publishes it as pending, cancels the
  // run of the previous one and spawns a run. With `force`, the run calls
  // the function even if no input moved. No-op once stopped.
  void Start(bool force);
  // Stop(): see the banner. Must not be called from a run of this node.
  void Stop();

  // PublishIf() calls `publish` if `generation` is still the current one
  // and the node is not stopped, with the publication lock held (so no
  // start can slip between the check and the publication). Returns whether
  // it did.
  bool PublishIf(uint64_t generation, absl::FunctionRef<void()> publish);

  bool stopped() const;
  // runs() counts calls of the function; cancelled() counts the runs that
  // ended by cancellation once they had started it.
  uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }
  uint64_t cancelled() const {
    return cancelled_.load(std::memory_order_relaxed);
  }

 private:
  void Run(uint64_t generation);

  Scheduler* const scheduler_;
  const SpawnOptions options_;

  // Serialises runs; guards body_, on_settle_, deps_, completed_.
  Mutex run_mu_;
  Body body_;
  OnSettle on_settle_;
  std::vector<Dependency> deps_;
  bool completed_ = false;  // the last run that called body_ returned

  // Taken around a generation change and every publication.
  base_internal::ThreadMutex publish_mu_;
  OnStart on_start_ ABSL_GUARDED_BY(publish_mu_);

  // Guarded by ReactiveNode::mu_.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // A forced start that no run has consumed yet.
  bool force_ ABSL_GUARDED_BY(mu_) = false;
  JoinHandle<void> current_ ABSL_GUARDED_BY(mu_);

  // Statistics (relaxed): readers want a snapshot.
  std::atomic<uint64_t> runs_{0};
  std::atomic<uint64_t> cancelled_{0};
};

}  // namespace colony::sync_internal

#endif  // COLONY_SYNC_REACTIVE_INTERNAL_RESOURCE_NODE_H_
