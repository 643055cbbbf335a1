// Copyright 2026 The Colony Authors.

#include "sync/reactive/internal/reactive.h"

#include <unordered_set>
#include <utility>

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/thread_state.h"
#include "local/coroutine_local.h"
#include "scheduler/internal/park.h"

namespace colony::sync_internal {
namespace {

// The computation running in the calling coroutine (or thread): what it
// has read so far. Frames nest (a memo read inside an effect computes in a
// frame of its own) and live on the computing coroutine's stack.
struct Frame {
  ReactiveNode* owner = nullptr;
  std::weak_ptr<ReactiveNode> owner_weak;
  Frame* parent = nullptr;
  std::vector<Dependency> deps;  // each node once, in the order first read
  // A dependency was stale when read: the owner must run again.
  bool invalidated = false;

  // Read() says whether `node` was read already in this run: a scan of the
  // few dependencies most computations have, a set past that.
  bool Read(const ReactiveNode* node) {
    if (deps.size() < kScanLimit) {
      for (const Dependency& d : deps) {
        if (d.node.get() == node) return true;
      }
      return false;
    }
    if (seen.empty()) {
      for (const Dependency& d : deps) seen.insert(d.node.get());
    }
    return seen.contains(node);
  }
  void Add(NodeRef node, uint64_t version) {
    if (!seen.empty()) seen.insert(node.get());
    deps.push_back(Dependency{std::move(node), version});
  }

 private:
  static constexpr size_t kScanLimit = 8;
  std::unordered_set<const ReactiveNode*> seen;
};

// Per coroutine, so a computation that suspends and resumes on another
// worker keeps its frame, and a coroutine that runs in between on the same
// thread does not see it.
CoroutineLocal<Frame*>& FrameLocal() {
  static CoroutineLocal<Frame*>* const local = new CoroutineLocal<Frame*>();
  return *local;
}

Frame* CurrentFrame() {
  Frame** frame = FrameLocal().GetIfPresent();
  return frame != nullptr ? *frame : nullptr;
}

struct BatchState {
  int depth = 0;
  // Nodes whose fire phase waits for the outermost batch to close, once
  // each.
  std::vector<NodeRef> pending;
  std::unordered_set<const ReactiveNode*> pending_set;
};

CoroutineLocal<BatchState>& BatchLocal() {
  static CoroutineLocal<BatchState>* const local =
      new CoroutineLocal<BatchState>();
  return *local;
}

BatchState* OpenBatch() {
  BatchState* batch = BatchLocal().GetIfPresent();
  return batch != nullptr && batch->depth > 0 ? batch : nullptr;
}

void Record(Frame* frame, ReactiveNode* node, uint64_t version, bool stale) {
  if (!frame->Read(node)) frame->Add(node->shared_from_this(), version);
  if (stale) frame->invalidated = true;
}

// Computations of a memo whose inputs keep changing under it before the
// last result is published anyway.
constexpr int kComputeAttempts = 4;

}  // namespace

// ---------------------------------------------------------------------------
// ReactiveNode

ReactiveNode::ReactiveNode(std::shared_ptr<const void> value, uint64_t version)
    : value_(std::move(value)), version_(version) {}

ReactiveNode::~ReactiveNode() = default;

Snapshot ReactiveNode::Read(bool track) {
  Frame* const frame = track ? CurrentFrame() : nullptr;
  Refresh();
  Snapshot snapshot;
  bool stale = false;
  {
    base_internal::ThreadMutexLock lock(mu_);
    snapshot.value = value_;
    snapshot.version = version_.load(std::memory_order_relaxed);
    if (frame != nullptr) {
      // A memo invalidated (or recomputing) since the refresh may have
      // told its observers before this one joined them: the reader must
      // run again.
      stale = IsUnsettledLocked();
      observers_.try_emplace(frame->owner, frame->owner_weak);
    }
  }
  if (frame != nullptr) Record(frame, this, snapshot.version, stale);
  return snapshot;
}

uint64_t ReactiveNode::version() {
  Refresh();
  return version_.load(std::memory_order_acquire);
}

bool ReactiveNode::closed() const {
  base_internal::ThreadMutexLock lock(mu_);
  return closed_;
}

uint64_t ReactiveNode::CommitIf(uint64_t expected,
                                std::shared_ptr<const void>& value) {
  NodeList observers;
  bool has_waiters;
  uint64_t version;
  {
    base_internal::ThreadMutexLock lock(mu_);
    const uint64_t current = version_.load(std::memory_order_relaxed);
    if (expected != 0 && current != expected) return 0;
    value_.swap(value);
    version = current + 1;
    version_.store(version, std::memory_order_release);
    SnapshotObserversLocked(&observers);
    // A waiter that comes later sees the new version before it queues.
    has_waiters = !waiters_.empty();
  }
  if (has_waiters || !observers.empty()) {
    Propagate(this, has_waiters, std::move(observers));
  }
  return version;
}

WaitStatus ReactiveNode::WaitNewer(uint64_t since, Deadline deadline,
                                   bool cancellable, Snapshot* latest) {
  for (;;) {
    Refresh();
    WaitNode node;
    {
      base_internal::ThreadMutexLock lock(mu_);
      const uint64_t version = version_.load(std::memory_order_relaxed);
      if (version > since) {
        if (!IsUnsettledLocked()) {
          // Saves the woken waiter a second trip through the lock.
          latest->value = value_;
          latest->version = version;
        }
        return WaitStatus::kChanged;
      }
      if (closed_) return WaitStatus::kClosed;
      // A memo invalidated after the refresh (its waiters were fired
      // without us) or being recomputed again (its new version fires
      // nobody): refresh again, which waits for the computation, instead
      // of queueing.
      if (IsUnsettledLocked()) continue;
      if (deadline.IsReached()) {
        return WaitStatus::kTimeout;
      }
      node.Prepare();
      waiters_.Push(&node);
    }
    const WaitResult r = sync_internal::WaitQueue::Block(&waiters_, &node, mu_,
                                                         deadline, cancellable);
    if (r == WaitResult::kCancelled) {
      sync_internal::ThrowIfCancelled(node);
      return WaitStatus::kCancelled;
    }
    if (r == WaitResult::kTimeout) {
      base_internal::ThreadMutexLock lock(mu_);
      return version_.load(std::memory_order_relaxed) > since
                 ? WaitStatus::kChanged
                 : WaitStatus::kTimeout;
    }
  }
}

void ReactiveNode::Close() {
  WakeList wake;
  {
    base_internal::ThreadMutexLock lock(mu_);
    closed_ = true;
    while (WaitNode* n = waiters_.PopFront()) wake.Add(n);
  }
  wake.WakeAll();
}

Dependency ReactiveNode::Watch(ReactiveNode* observer, bool* stale) {
  Refresh();
  Dependency dep;
  {
    base_internal::ThreadMutexLock lock(mu_);
    dep.version = version_.load(std::memory_order_relaxed);
    *stale = IsUnsettledLocked();
    observers_.try_emplace(observer, observer->weak_from_this());
  }
  dep.node = shared_from_this();
  return dep;
}

void ReactiveNode::RemoveObserver(const ReactiveNode* observer) {
  base_internal::ThreadMutexLock lock(mu_);
  observers_.erase(observer);
}

void ReactiveNode::Fire() {
  WakeList wake;
  {
    base_internal::ThreadMutexLock lock(mu_);
    while (WaitNode* n = waiters_.PopFront()) wake.Add(n);
  }
  wake.WakeAll();
}

void ReactiveNode::SnapshotObserversLocked(NodeList* out) {
  for (const auto& [key, weak] : observers_) {
    // An observer whose owner is gone has an expired entry that its
    // destructor is about to erase.
    if (NodeRef node = weak.lock()) out->push_back(std::move(node));
  }
}

void ReactiveNode::Propagate(ReactiveNode* origin, bool fire_origin,
                             NodeList observers) {
  NodeList fire;
  if (fire_origin) fire.push_back(origin->shared_from_this());
  // Phase 1, invalidate: depth-first over the observers; a memo already
  // stale ends its branch.
  NodeList work = std::move(observers);
  while (!work.empty()) {
    NodeRef node = std::move(work.back());
    work.pop_back();
    if (node->Invalidate(&work)) fire.push_back(std::move(node));
  }
  if (fire.empty()) return;
  // Phase 2, fire: now, or when the caller's outermost batch closes.
  if (BatchState* batch = OpenBatch()) {
    for (NodeRef& node : fire) {
      if (batch->pending_set.insert(node.get()).second) {
        batch->pending.push_back(std::move(node));
      }
    }
    return;
  }
  for (const NodeRef& node : fire) node->Fire();
}

// ---------------------------------------------------------------------------
// MemoNode

MemoNode::MemoNode(EqualFn equal) : ReactiveNode(nullptr, 0), equal_(equal) {}

MemoNode::~MemoNode() { ReleaseDeps(this, &deps_); }

bool MemoNode::Invalidate(NodeList* next) {
  base_internal::ThreadMutexLock lock(mu_);
  if (closed_ || stale_) return false;
  stale_ = true;
  SnapshotObserversLocked(next);
  // Waiters that queue from now on see stale_ and refresh instead.
  return !waiters_.empty();
}

void MemoNode::Refresh() {
  bool first = false;
  for (;;) {
    WaitNode node;
    {
      base_internal::ThreadMutexLock lock(mu_);
      if (closed_) return;
      if (!computing_) {
        if (!stale_ && value_ != nullptr) return;
        computing_ = true;
        // Cleared before the computation: an input that changes while it
        // runs makes the memo stale again, and tells its observers.
        stale_ = false;
        first = value_ == nullptr;
        break;
      }
      for (Frame* f = CurrentFrame(); f != nullptr; f = f->parent) {
        if (f->owner == this) {
          coroutine_internal::Fatal(
              "a Memo read itself while computing it (a dependency cycle)");
        }
      }
      // Someone else computes it: wait for the result, which may reflect
      // writes the caller already knows of.
      node.Prepare();
      compute_waiters_.Push(&node);
    }
    sync_internal::WaitQueue::Block(&compute_waiters_, &node, mu_,
                                    Deadline::Infinite(),
                                    /*cancellable=*/false);
  }

  bool failed = true;
  struct EndGuard {
    MemoNode* memo;
    const bool* failed;
    ~EndGuard() { memo->EndCompute(*failed); }
  } guard{this, &failed};

  if (first || must_recompute_ || DepsChanged(deps_)) {
    std::shared_ptr<const void> result;
    bool invalidated;
    for (int attempt = 1;; ++attempt) {
      recomputations_.fetch_add(1, std::memory_order_relaxed);
      must_recompute_ = true;  // until it returns
      invalidated = RunTracked(this, &deps_, [&] { result = Compute(); });
      must_recompute_ = false;
      if (attempt == kComputeAttempts) break;
      // An input changed while the computation ran, which may then have
      // combined values of different moments: compute again, unpublished,
      // a few times, for a result whose inputs were all current together.
      base_internal::ThreadMutexLock lock(mu_);
      if (closed_ || (!stale_ && !invalidated)) break;
      stale_ = false;
    }
    // Only the computing context replaces value_, so the comparison (user
    // code) runs outside the lock on a stable old value.
    std::shared_ptr<const void> old;
    {
      base_internal::ThreadMutexLock lock(mu_);
      old = value_;
    }
    const bool changed =
        old == nullptr || equal_ == nullptr || !equal_(old.get(), result.get());
    NodeList observers;
    bool fire_self = false;
    {
      base_internal::ThreadMutexLock lock(mu_);
      if (changed) {
        value_.swap(result);
        version_.store(version_.load(std::memory_order_relaxed) + 1,
                       std::memory_order_release);
      }
      if (invalidated && !stale_ && !closed_) {
        // A dependency was already stale when read: this result may be
        // out of date, so the memo is stale as soon as it is published.
        stale_ = true;
        SnapshotObserversLocked(&observers);
        fire_self = !waiters_.empty();
      }
    }
    if (fire_self || !observers.empty()) {
      Propagate(this, fire_self, std::move(observers));
    }
  }
  failed = false;
}

void MemoNode::EndCompute(bool failed) {
  WakeList wake;
  {
    base_internal::ThreadMutexLock lock(mu_);
    computing_ = false;
    if (failed) stale_ = true;
    while (WaitNode* n = compute_waiters_.PopFront()) wake.Add(n);
  }
  wake.WakeAll();
}

void MemoNode::Close() {
  WakeList wake;
  for (;;) {
    WaitNode node;
    {
      base_internal::ThreadMutexLock lock(mu_);
      closed_ = true;
      if (!computing_) {
        while (WaitNode* n = waiters_.PopFront()) wake.Add(n);
        break;
      }
      node.Prepare();
      compute_waiters_.Push(&node);
    }
    sync_internal::WaitQueue::Block(&compute_waiters_, &node, mu_,
                                    Deadline::Infinite(),
                                    /*cancellable=*/false);
  }
  wake.WakeAll();
  // No computation runs or will run: the function and the edges go.
  DropFunction();
  ReleaseDeps(this, &deps_);
}

// ---------------------------------------------------------------------------
// Tracking

bool RunTracked(ReactiveNode* owner, std::vector<Dependency>* deps,
                absl::FunctionRef<void()> fn) {
  Frame frame;
  frame.owner = owner;
  frame.owner_weak = owner->weak_from_this();
  // The reference stays valid across suspensions (the slot is the
  // coroutine's, on the heap).
  Frame*& current = FrameLocal().Get();
  frame.parent = current;
  current = &frame;
  try {
    fn();
  } catch (...) {
    current = frame.parent;
    // Keep every edge: the owner is retried, and must hear of both sets.
    for (Dependency& d : *deps) {
      if (!frame.Read(d.node.get())) frame.Add(std::move(d.node), d.version);
    }
    deps->swap(frame.deps);
    throw;
  }
  current = frame.parent;
  for (const Dependency& d : *deps) {
    if (!frame.Read(d.node.get())) d.node->RemoveObserver(owner);
  }
  deps->swap(frame.deps);
  return frame.invalidated;
}

bool DepsChanged(const std::vector<Dependency>& deps) {
  for (const Dependency& d : deps) {
    d.node->Refresh();
    if (d.node->published_version() != d.version) return true;
  }
  return false;
}

void ReleaseDeps(const ReactiveNode* owner, std::vector<Dependency>* deps) {
  for (const Dependency& d : *deps) d.node->RemoveObserver(owner);
  deps->clear();
}

UntrackedScope::UntrackedScope() : saved_(nullptr) {
  if (Frame** frame = FrameLocal().GetIfPresent()) {
    saved_ = *frame;
    *frame = nullptr;
  }
}

UntrackedScope::~UntrackedScope() {
  if (saved_ != nullptr) FrameLocal().Get() = static_cast<Frame*>(saved_);
}

// ---------------------------------------------------------------------------
// Batches

void BeginBatch() { ++BatchLocal().Get().depth; }

void EndBatch() {
  BatchState& batch = BatchLocal().Get();
  if (--batch.depth > 0) return;
  std::vector<NodeRef> pending;
  pending.swap(batch.pending);
  batch.pending_set.clear();
  for (const NodeRef& node : pending) node->Fire();
}

int BatchDepth() {
  const BatchState* batch = BatchLocal().GetIfPresent();
  return batch != nullptr ? batch->depth : 0;
}

}  // namespace colony::sync_internal
