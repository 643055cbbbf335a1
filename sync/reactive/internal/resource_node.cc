// Copyright 2026 The Colony Authors.

#include "sync/reactive/internal/resource_node.h"

#include <memory>
#include <utility>

#include "coroutine/coroutine_state.h"

namespace colony::sync_internal {

ResourceNode::ResourceNode(Scheduler* scheduler, SpawnOptions options,
                           Body body, OnStart on_start, OnSettle on_settle)
    : ReactiveNode(nullptr, 0),
      scheduler_(scheduler),
      options_(std::move(options)),
      body_(std::move(body)),
      on_settle_(std::move(on_settle)),
      on_start_(std::move(on_start)) {}

ResourceNode::~ResourceNode() { ReleaseDeps(this, &deps_); }

bool ResourceNode::stopped() const {
  base_internal::ThreadMutexLock lock(mu_);
  return stopped_;
}

void ResourceNode::Start(bool force) {
  uint64_t generation;
  JoinHandle<void> previous;
  {
    base_internal::ThreadMutexLock publish(publish_mu_);
    {
      base_internal::ThreadMutexLock lock(mu_);
      if (stopped_) return;
      generation = ++generation_;
      force_ = force_ || force;
      previous = std::move(current_);
    }
    // Pending is published before the run exists, so a reader that sees a
    // change of an input and then reads the state sees this generation's
    // pending state or a later one, never the older result.
    on_start_(generation);
  }
  // Cancelled outside every lock: a task dropped before it started
  // destroys its function right here.
  if (previous.valid()) previous.Cancel("resource restarted");
  previous.Detach();
  auto self = std::static_pointer_cast<ResourceNode>(shared_from_this());
  JoinHandle<void> handle = scheduler_->Spawn(
      [self, generation] { self->Run(generation); }, options_);
  bool cancel = false;
  {
    base_internal::ThreadMutexLock lock(mu_);
    // A newer start (or Stop()) came while we spawned: this run is already
    // obsolete.
    cancel = stopped_ || generation_ != generation;
    if (!cancel) current_ = std::move(handle);
  }
  if (cancel && handle.valid()) handle.Cancel("resource restarted");
}

void ResourceNode::Run(uint64_t generation) {
  // Waits for the previous run to unwind; a cancellation while waiting
  // throws here, before anything was touched.
  run_mu_.LockCancellable();
  MutexLock hold(run_mu_, std::adopt_lock);
  bool forced;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (stopped_ || generation_ != generation) return;
    forced = force_;
    force_ = false;
  }
  if (body_ == nullptr) return;
  // Nothing moved since a run that completed: its result stands.
  if (!forced && completed_ && !DepsChanged(deps_)) {
    base_internal::ThreadMutexLock publish(publish_mu_);
    bool current;
    {
      base_internal::ThreadMutexLock lock(mu_);
      current = !stopped_ && generation_ == generation;
    }
    if (current) on_settle_();
    return;
  }
  completed_ = false;
  runs_.fetch_add(1, std::memory_order_relaxed);
  try {
    // An input already stale when read restarts us through Fire(); the
    // return value needs no action here.
    RunTracked(this, &deps_, [&] { body_(*this, generation); });
  } catch (const CoroutineCancelled&) {
    cancelled_.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
  completed_ = true;
}

bool ResourceNode::PublishIf(uint64_t generation,
                             absl::FunctionRef<void()> publish) {
  base_internal::ThreadMutexLock p(publish_mu_);
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (stopped_ || generation_ != generation) return false;
  }
  publish();
  return true;
}

void ResourceNode::Stop() {
  JoinHandle<void> current;
  {
    base_internal::ThreadMutexLock publish(publish_mu_);
    base_internal::ThreadMutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    current = std::move(current_);
  }
  if (current.valid()) current.Cancel("resource stopped");
  current.Detach();
  // Once we hold run_mu_, no run is inside the function, and every later
  // one returns before touching it.
  Body body;
  OnSettle settle;
  std::vector<Dependency> deps;
  {
    MutexLock hold(run_mu_);
    body.swap(body_);
    settle.swap(on_settle_);
    deps.swap(deps_);
  }
  {
    base_internal::ThreadMutexLock publish(publish_mu_);
    on_start_ = nullptr;
  }
  ReleaseDeps(this, &deps);
}

}  // namespace colony::sync_internal
