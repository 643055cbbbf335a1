// Copyright 2026 The Colony Authors.
//
// The type-erased core of sync signals (Signal<T>, Memo<T>, Effect): nodes
// of a dependency graph, their versions, observer lists and waiters, the
// tracking of what a computation reads, and batching.
//
// Every node is a ReactiveNode held by std::shared_ptr. A node has a value
// (a std::shared_ptr<const void> to an immutable T, replaced whole on each
// change), a version (+1 per effective change), a FIFO of waiters (tasks or
// threads in WaitNewer()), and a map of observers: the memos and effects
// that read it in their last run, held weakly. An observer holds its
// dependencies strongly (with the version it read), so sources outlive the
// observers that read them and no reference cycle forms.
//
// A change runs in two phases (Propagate()):
//   1. invalidate: the changed node's observers are visited; a memo that
//      was clean becomes stale and passes the visit on to its own
//      observers; a memo already stale stops it (whoever made it stale has
//      told its observers already, and they have not read it since);
//   2. fire: the changed node and every node visited in phase 1 is fired:
//      its waiters are woken, an effect schedules a run. Inside an open
//      batch (BeginBatch()) the fire phase is deferred to the end of the
//      outermost batch of the calling coroutine (or thread), each node
//      fired once.
// A memo is recomputed lazily, by whoever reads it while stale (Refresh()),
// one computation at a time; it first refreshes its dependencies and
// compares their versions with the ones it read, and recomputes only if
// one moved (so a diamond recomputes once, and an unchanged result stops
// there).
//
// Tracking: while a memo or an effect computes, a Frame in a
// CoroutineLocal names it; every tracked Read() adds the reader to the
// node's observers under the node's lock, in the same critical section that
// reads the value and version, so no change can fall between the read and
// the subscription. After the computation the observer drops the edges to
// the nodes it did not read this time.
//
// Locks: each node has one mutex, and no code path holds two of them,
// nor calls user code (computations, callbacks, copy constructors,
// operator==) while holding one.
//
// Memory ordering: everything goes through the nodes' mutexes; a change of
// a node happens-before every read that returns its version or a later one,
// before every wake-up and effect run it causes.

#ifndef COLONY_SYNC_REACTIVE_INTERNAL_REACTIVE_H_
#define COLONY_SYNC_REACTIVE_INTERNAL_REACTIVE_H_

#include <atomic>
#include <concepts>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony::sync_internal {

class ReactiveNode;

using NodeRef = std::shared_ptr<ReactiveNode>;
using NodeList = absl::InlinedVector<NodeRef, 4>;

// A value and the version it had.
struct Snapshot {
  std::shared_ptr<const void> value;  // null: a memo never computed
  uint64_t version = 0;
};

// What an observer read in its last run.
struct Dependency {
  NodeRef node;
  uint64_t version = 0;
};

// How a WaitNewer() ended.
enum class WaitStatus { kChanged, kClosed, kTimeout, kCancelled };

// Compares two values of the node's type (null: not comparable).
using EqualFn = bool (*)(const void* a, const void* b);

template <typename T>
bool EqualValues(const void* a, const void* b) {
  return *static_cast<const T*>(a) == *static_cast<const T*>(b);
}

// EqualFnFor<T>() compares with T's operator==, or is null when T has none.
template <typename T>
constexpr EqualFn EqualFnFor() {
  if constexpr (std::equality_comparable<T>) {
    return &EqualValues<T>;
  } else {
    return nullptr;
  }
}

class ReactiveNode : public std::enable_shared_from_this<ReactiveNode> {
 public:
  ReactiveNode(std::shared_ptr<const void> value, uint64_t version);
  ReactiveNode(const ReactiveNode&) = delete;
  ReactiveNode& operator=(const ReactiveNode&) = delete;
  virtual ~ReactiveNode();

  // Read() brings a memo up to date and returns its value and version;
  // with `track`, inside a computation, the computation's owner becomes an
  // observer of this node.
  Snapshot Read(bool track);

  // version() is the current version (a memo is brought up to date first).
  uint64_t version();
  // published_version() is the last published version, without bringing
  // a memo up to date. Acquire pairs with the release store of version_ in
  // CommitIf() (and MemoNode::Refresh()); value_ itself is read under mu_,
  // which orders it on its own.
  uint64_t published_version() const {
    return version_.load(std::memory_order_acquire);
  }

  // CommitIf() installs `value` as the new value (version + 1) if the
  // version is still `expected` (0: whatever it is), then propagates the
  // change. Returns the new version, or 0 (and leaves `value` alone) when
  // another write came first. On success `value` holds the old value, to be
  // destroyed by the caller outside the lock.
  uint64_t CommitIf(uint64_t expected, std::shared_ptr<const void>& value);

  // WaitNewer() waits until the version exceeds `since`, the node is closed
  // (and has nothing newer), `deadline` is reached or,
  // if `cancellable`, the calling task is cancelled (CoroutineCancelled is
  // then thrown; kCancelled is returned only when it cannot be). On
  // kChanged it also fills `*latest` with the value and version, read in
  // the same critical section, when it can vouch that they are the latest
  // (always for a signal; for a memo that is settled); else it leaves
  // `latest->value` null and the caller reads.
  WaitStatus WaitNewer(uint64_t since, Deadline deadline, bool cancellable,
                       Snapshot* latest);

  // Close() marks the node closed (its owner is gone: no more changes) and
  // wakes its waiters.
  virtual void Close();
  bool closed() const;

  // Refresh() brings a memo up to date (computing it, or waiting for the
  // computation in progress elsewhere); a no-op for other nodes.
  virtual void Refresh() {}

  // Watch() makes `observer` an observer of this node without a
  // computation and returns the dependency to record; sets `*stale` when
  // the node is a memo that is stale (the observer must then check it).
  Dependency Watch(ReactiveNode* observer, bool* stale);

  // RemoveObserver() drops the edge to `observer`.
  void RemoveObserver(const ReactiveNode* observer);

  // Fire() is the second phase of a change: wakes the waiters (an effect
  // schedules a run instead).
  virtual void Fire();

  // Invalidate() is the first phase, on an observer one of whose inputs
  // changed: returns whether this node must be fired, and appends the
  // observers the change goes on to.
  virtual bool Invalidate(NodeList* next) { return false; }

 protected:
  // IsUnsettledLocked() is true for a memo that is stale (an input changed
  // since its last computation) or being computed: its version may move
  // without its waiters and observers being told, so a waiter refreshes it
  // again before queueing, and an observer that reads it runs again.
  virtual bool IsUnsettledLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return false;
  }

  // SnapshotObserversLocked() appends the live observers.
  void SnapshotObserversLocked(NodeList* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Propagate() runs both phases of a change of `origin` (fired when
  // `fire_origin`), visiting `observers`.
  static void Propagate(ReactiveNode* origin, bool fire_origin,
                        NodeList observers);

  mutable base_internal::ThreadMutex mu_;
  std::shared_ptr<const void> value_ ABSL_GUARDED_BY(mu_);
  // Written under mu_ (reads under mu_ are relaxed); the release stores in
  // CommitIf() and MemoNode::Refresh() pair with the acquire loads in
  // version() and published_version().
  std::atomic<uint64_t> version_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Weak: an observer lives as long as its owner keeps it.
  std::unordered_map<const ReactiveNode*, std::weak_ptr<ReactiveNode>>
      observers_ ABSL_GUARDED_BY(mu_);
  WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

// MemoNode: the type-erased part of Memo<T>.
class MemoNode : public ReactiveNode {
 public:
  explicit MemoNode(EqualFn equal);
  ~MemoNode() override;

  void Refresh() override;
  void Close() override;
  bool Invalidate(NodeList* next) override;

  // recomputations() counts the runs of the computation.
  uint64_t recomputations() const {
    return recomputations_.load(std::memory_order_relaxed);
  }

 protected:
  // Compute() runs the user's computation (tracked by the caller).
  virtual std::shared_ptr<const void> Compute() = 0;
  // DropFunction() destroys the computation (after Close()).
  virtual void DropFunction() = 0;
  bool IsUnsettledLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stale_ || computing_;
  }

 private:
  void EndCompute(bool failed);

  const EqualFn equal_;
  bool stale_ ABSL_GUARDED_BY(mu_) = true;
  bool computing_ ABSL_GUARDED_BY(mu_) = false;
  WaitQueue compute_waiters_ ABSL_GUARDED_BY(mu_);
  std::vector<Dependency> deps_;  // owned by the computing context
  // The last computation failed: recompute even if no input moved.
  bool must_recompute_ = false;  // owned by the computing context
  // A statistic (relaxed).
  std::atomic<uint64_t> recomputations_{0};
};

// RunTracked() runs `fn` as the computation of `owner`, then makes `*deps`
// what it read (dropping the edges to the rest; on an exception the edges
// of both runs are kept). Returns true when a dependency read was already
// stale (the owner must run again).
bool RunTracked(ReactiveNode* owner, std::vector<Dependency>* deps,
                absl::FunctionRef<void()> fn);

// DepsChanged() brings `deps` up to date and says whether any moved past
// the version recorded.
bool DepsChanged(const std::vector<Dependency>& deps);

// ReleaseDeps() drops every edge from `deps` to `owner` and clears it.
void ReleaseDeps(const ReactiveNode* owner, std::vector<Dependency>* deps);

// Tracking on/off for the calling coroutine (or thread): Untracked scope.
class UntrackedScope {
 public:
  UntrackedScope();
  ~UntrackedScope();
  UntrackedScope(const UntrackedScope&) = delete;
  UntrackedScope& operator=(const UntrackedScope&) = delete;

 private:
  void* saved_;
};

// Batches of the calling coroutine (or thread): BeginBatch() opens one
// (nested ones count), EndBatch() closes it and, for the outermost, fires
// every node whose fire phase was deferred.
void BeginBatch();
void EndBatch();
// BatchDepth() is the nesting depth of the caller's open batches.
int BatchDepth();

}  // namespace colony::sync_internal

#endif  // COLONY_SYNC_REACTIVE_INTERNAL_REACTIVE_H_
