// Copyright 2026 The Colony Authors.
//
// Memo<T>: a value derived from signals (and other memos), recomputed only
// when one of them changed.
//
//   colony::Signal<int> width(3), height(4);
//   colony::Memo<int> area([&] { return width.Get() * height.Get(); });
//   area.Get();        // 12: computed now, on first read
//   width.Set(5);      // area is marked out of date; nothing runs yet
//   area.Get();        // 20: recomputed by this read
//
// Dependencies are tracked: every tracked read inside the computation
// (Signal::Get(), Memo::Get(), ...) subscribes the memo to what it read,
// and the set is rebuilt on every computation, so a branch that stops
// reading a signal stops depending on it.
//
// Laziness. A change of a dependency only marks the memo stale (and, in
// turn, what depends on it). The computation runs when the memo is read
// while stale (Get(), WaitChanged(), a Subscription, an Effect that read
// it), in the reader's task or thread, once: concurrent readers wait for
// that computation instead of running their own. Before recomputing, a
// stale memo brings its own dependencies up to date and recomputes only if
// one of them actually changed version, so in a diamond (two memos on one
// signal, a third on both) one change recomputes each memo once, and a
// memo that recomputes to an equal value stops the change there.
//
// Versions follow Signal: 0 before the first computation, then +1 for each
// computation whose result differs from the previous one (when T has
// operator==; otherwise for every computation). A Memo can be read,
// tracked, waited on, subscribed to and watched exactly like a Signal, so
// memos chain.
//
// The computation runs without any internal lock held and may read
// anything, suspend, or read other memos; it must not read the memo itself,
// directly or through others (a dependency cycle aborts the process when it
// is detected, and may deadlock when two tasks run the two halves). An
// exception from it propagates to the reader that triggered it; the memo
// stays stale and the next read tries again.
//
// Lifetime. Destroying a Memo waits for a computation in progress, then
// destroys the computation (its captures) and ends the memo's
// subscriptions; effects and memos that read it keep its last value.
//
// Thread-safety: every member may be called from any task or thread.
// Memory ordering: a write to a dependency happens-before every read of the
// memo that returns a value computed from it or from a later write.

#ifndef COLONY_SYNC_REACTIVE_MEMO_H_
#define COLONY_SYNC_REACTIVE_MEMO_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/internal/reactive.h"
#include "sync/reactive/signal.h"
#include "time/deadline.h"

namespace colony {
namespace sync_internal {

template <typename T, typename F>
class TypedMemoNode final : public MemoNode {
 public:
  template <typename G>
  explicit TypedMemoNode(G&& fn)
      : MemoNode(EqualFnFor<T>()), fn_(std::in_place, std::forward<G>(fn)) {}

 protected:
  std::shared_ptr<const void> Compute() override {
    return std::make_shared<const T>((*fn_)());
  }
  void DropFunction() override { fn_.reset(); }

 private:
  // Called by one computation at a time; destroyed by Close().
  std::optional<F> fn_;
};

}  // namespace sync_internal

template <typename T>
class Memo {
  static_assert(std::is_copy_constructible_v<T>,
                "Memo<T> hands out copies: T must be copy-constructible");

 public:
  // Memo(fn) derives its value from `fn()`, which returns a T. Nothing
  // runs until the first read.
  template <typename F>
  requires std::is_invocable_r_v < T, std::decay_t<F>
  & > explicit Memo(F&& fn)
      : node_(
            std::make_shared<sync_internal::TypedMemoNode<T, std::decay_t<F>>>(
                std::forward<F>(fn))) {}

  Memo(const Memo&) = delete;
  Memo& operator=(const Memo&) = delete;

  // ~Memo() waits for a computation in progress, destroys the function and
  // ends the subscriptions.
  ~Memo() { node_->Close(); }

  // Get() returns a copy of the value, computing it if stale; tracked.
  T Get() const { return sync_internal::ValueAt<T>(node_->Read(true)); }

  // Snapshot() returns the value's immutable snapshot; tracked.
  std::shared_ptr<const T> Snapshot() const {
    return std::static_pointer_cast<const T>(node_->Read(true).value);
  }

  // GetVersioned() returns the value and its version; tracked.
  Versioned<T> GetVersioned() const {
    sync_internal::Snapshot s = node_->Read(true);
    return Versioned<T>{sync_internal::ValueAt<T>(s), s.version};
  }

  // Peek() is Get() without tracking.
  T Peek() const { return sync_internal::ValueAt<T>(node_->Read(false)); }

  // version() brings the memo up to date and returns its version (not
  // tracked).
  uint64_t version() const { return node_->version(); }

  // WaitChanged() waits until the version exceeds `since` and returns the
  // latest value and version. The waiter itself recomputes the memo when
  // an input changes, and waits on if the result is equal. A cancellation
  // point in a task.
  Versioned<T> WaitChanged(uint64_t since) const {
    std::optional<Versioned<T>> v = sync_internal::ReadOps<T>::WaitChanged(
        *node_, since, Deadline::Infinite());
    if (v.has_value()) return *std::move(v);
    return GetVersioned();  // unreachable while the Memo lives
  }

  // WaitChangedFor() is WaitChanged() that gives up after `timeout`.
  std::optional<Versioned<T>> WaitChangedFor(uint64_t since,
                                             absl::Duration timeout) const {
    return WaitChangedUntil(since, Deadline::After(timeout));
  }
  // WaitChangedUntil() is WaitChanged() that gives up at `deadline`.
  std::optional<Versioned<T>> WaitChangedUntil(uint64_t since,
                                               Deadline deadline) const {
    return sync_internal::ReadOps<T>::WaitChanged(*node_, since, deadline);
  }

  // Subscribe() returns a cursor over the changes after this call (the
  // memo is computed now if it never was).
  Subscription<T> Subscribe() const {
    return Subscription<T>(node_, node_->version());
  }

  // Watch() calls `fn(value)` as a task after each change (see
  // Signal::Watch()).
  [[nodiscard]] Effect Watch(Scheduler& scheduler,
                             std::function<void(const T&)> fn,
                             SpawnOptions options = {}) const {
    return sync_internal::ReadOps<T>::Watch(node_, scheduler, std::move(fn),
                                            std::move(options));
  }

  // recomputations() counts the runs of the computation.
  uint64_t recomputations() const { return node_->recomputations(); }

 private:
  const std::shared_ptr<sync_internal::MemoNode> node_;
};

}  // namespace colony

#endif  // COLONY_SYNC_REACTIVE_MEMO_H_
