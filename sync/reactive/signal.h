// Copyright 2026 The Colony Authors.
//
// Signal<T>: a value that tasks and threads read, write and wait on, with
// a version that counts its changes. The source of the reactive layer:
// Memo<T> (sync/memo.h) derives values from signals, Effect
// (sync/effect.h) runs code when they change, and a Batch groups writes.
//
//   colony::Signal<Config> config(LoadConfig());
//
//   // Any task or thread:
//   config.Set(Reload());
//   config.Update([](Config& c) { c.verbose = true; });
//
//   // A reader that wants every change it can keep up with:
//   colony::Subscription<Config> sub = config.Subscribe();
//   while (std::optional<Config> c = sub.Next()) Apply(*c);
//
// Values. A signal holds an immutable snapshot of its value
// (std::shared_ptr<const T>); a write replaces the snapshot whole. Get()
// returns a copy of the value, Snapshot() the shared snapshot itself (no
// copy of T: use it for large values). Readers never block writers and a
// write never waits for readers: it takes a short internal lock, and user
// code (T's constructors and operator==, Update's function) runs outside
// it.
//
// Versions. The version starts at 1 and grows by 1 with every effective
// write. When T has operator==, writing a value equal to the current one is
// a no-op: the version stays, nobody is woken and nothing re-runs. Without
// operator== every write counts.
//
// Waiting and coalescing. WaitChanged(since) returns as soon as the version
// exceeds `since`, with the value and version current at that moment: a
// slow reader skips the intermediate values and always gets the latest,
// never an older one than the write that woke it. A Subscription does the
// same for a loop, remembering the last version it delivered. Waits suspend
// a task (its worker runs others) and block a plain thread; in a task they
// are cancellation points.
//
// Tracking. Get(), Snapshot() and GetVersioned() called inside the
// computation of a Memo or the run of an Effect make it depend on this
// signal; Peek() reads without that (see also Untracked()).
//
// Batches. While a BatchScope is open in a task (or, outside tasks, on a
// thread), the writes it makes apply at once (every reader sees them) but
// their notifications (waking waiters, scheduling effects) wait until the
// outermost batch of that task closes, so each effect runs at most once for
// the batch. Memos are marked out of date at once, so reads inside the
// batch see derived values consistent with the writes.
//
// Lifetime. Subscriptions, memos and effects share the signal's state, so
// destroying a Signal while they exist is safe: its subscriptions report
// the end (Next() returns std::nullopt), and nothing that depends on it
// runs again because of it.
//
// Thread-safety: every member may be called from any task or thread.
// Memory ordering: a write happens-before every read that returns its
// version or a later one, and before the wake-ups and effect runs it
// causes.

#ifndef COLONY_SYNC_REACTIVE_SIGNAL_H_
#define COLONY_SYNC_REACTIVE_SIGNAL_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/locks/internal/wait_queue.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/internal/reactive.h"
#include "time/deadline.h"

namespace colony {

// A value together with the version it had.
template <typename T>
struct Versioned {
  T value;
  uint64_t version = 0;
};

namespace sync_internal {

template <typename T>
const T& ValueAt(const Snapshot& s) {
  return *static_cast<const T*>(s.value.get());
}

// The readers shared by Signal<T> and Memo<T>.
template <typename T>
struct ReadOps {
  static std::optional<Versioned<T>> WaitChanged(ReactiveNode& node,
                                                 uint64_t since,
                                                 Deadline deadline) {
    Snapshot s;
    const WaitStatus status =
        node.WaitNewer(since, deadline, /*cancellable=*/true, &s);
    if (status != WaitStatus::kChanged && status != WaitStatus::kCancelled) {
      return std::nullopt;
    }
    if (s.value == nullptr) s = node.Read(/*track=*/false);
    if (s.value == nullptr) return std::nullopt;
    return Versioned<T>{ValueAt<T>(s), s.version};
  }

  static Effect Watch(const NodeRef& node, Scheduler& scheduler,
                      std::function<void(const T&)> fn, SpawnOptions options) {
    return MakeWatch(
        scheduler, node,
        [node, fn = std::move(fn)] {
          Snapshot s = node->Read(/*track=*/true);
          if (s.value != nullptr) fn(ValueAt<T>(s));
        },
        std::move(options));
  }
};

}  // namespace sync_internal

// Subscription<T>: a reader's cursor over the changes of a Signal<T> or a
// Memo<T>. It remembers the last version it delivered; each Next() waits
// for a newer one and returns the latest value (coalescing: the versions in
// between are skipped). It holds the signal's shared state, not the Signal
// object, and registers nothing while it does not wait: dropping it is
// enough to unsubscribe. Movable; one task or thread uses it at a time.
template <typename T>
class Subscription {
 public:
  // An empty subscription: Next() returns std::nullopt at once.
  Subscription() = default;

  // Next() waits for a version newer than the last one delivered (at
  // first, the one current when Subscribe() was called) and returns the
  // latest value; std::nullopt once the source is destroyed and nothing
  // newer is left. In a task it is a cancellation point.
  std::optional<T> Next() { return NextUntil(Deadline::Infinite()); }

  // NextFor() is Next() that waits at most `timeout` (std::nullopt then).
  std::optional<T> NextFor(absl::Duration timeout) {
    return NextUntil(Deadline::After(timeout));
  }

  // TryNext() returns the latest value if it is newer than the last one
  // delivered, without waiting.
  std::optional<T> TryNext() { return NextUntil(Deadline::Passed()); }

  // NextUntil() is Next() that waits until `deadline` at most.
  std::optional<T> NextUntil(Deadline deadline) {
    if (node_ == nullptr) return std::nullopt;
    std::optional<Versioned<T>> v =
        sync_internal::ReadOps<T>::WaitChanged(*node_, seen_, deadline);
    if (!v.has_value() || v->version <= seen_) return std::nullopt;
    seen_ = v->version;
    return std::move(v->value);
  }

  // version() is the version of the last value delivered.
  uint64_t version() const { return seen_; }

 private:
  template <typename>
  friend class Signal;
  template <typename>
  friend class Memo;

  Subscription(sync_internal::NodeRef node, uint64_t seen)
      : node_(std::move(node)), seen_(seen) {}

  sync_internal::NodeRef node_;
  uint64_t seen_ = 0;
};

template <typename T>
class Signal {
  static_assert(std::is_copy_constructible_v<T>,
                "Signal<T> hands out copies: T must be copy-constructible");

 public:
  // Signal() holds T() at version 1.
  Signal() requires std::default_initializable<T> : Signal(T()) {}
  // Signal(initial) holds `initial` at version 1.
  explicit Signal(T initial)
      : node_(std::make_shared<sync_internal::ReactiveNode>(
            std::make_shared<const T>(std::move(initial)), 1)) {}

  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  // ~Signal() ends the subscriptions (after the last value) and drops the
  // value once nothing else holds it.
  ~Signal() { node_->Close(); }

  // Get() returns a copy of the value; tracked.
  T Get() const { return sync_internal::ValueAt<T>(node_->Read(true)); }

  // Snapshot() returns the current immutable snapshot, without copying T;
  // tracked.
  std::shared_ptr<const T> Snapshot() const {
    return std::static_pointer_cast<const T>(node_->Read(true).value);
  }

  // GetVersioned() returns the value and its version, read together;
  // tracked.
  Versioned<T> GetVersioned() const {
    sync_internal::Snapshot s = node_->Read(true);
    return Versioned<T>{sync_internal::ValueAt<T>(s), s.version};
  }

  // Peek() is Get() without tracking.
  T Peek() const { return sync_internal::ValueAt<T>(node_->Read(false)); }

  // version() is the current version (not tracked).
  uint64_t version() const { return node_->published_version(); }

  // Set() makes `value` the value; returns the version after the write. If
  // T has operator== and `value` equals the current value, nothing happens
  // and the current version is returned.
  uint64_t Set(T value) {
    std::shared_ptr<const void> next =
        std::make_shared<const T>(std::move(value));
    return Write([&next](const T&) { return next; });
  }

  // Update() replaces the value with what `fn` makes of it, atomically: no
  // other write comes between the value `fn` reads and the one it makes.
  // `fn` is either `T(const T&)` or `void(T&)` (it then edits a copy). It
  // runs outside any lock, and runs again if another write came first, so
  // it must have no side effects. Returns the version after the write (the
  // current one if the result equals the value, for T with operator==).
  template <typename F>
  uint64_t Update(F&& fn) {
    return Write([&fn](const T& current) -> std::shared_ptr<const void> {
      if constexpr (kEdits<F>) {
        T copy(current);
        fn(copy);
        return std::make_shared<const T>(std::move(copy));
      } else {
        static_assert(std::is_invocable_r_v<T, F&, const T&>,
                      "Update() takes T(const T&) or void(T&)");
        return std::make_shared<const T>(fn(current));
      }
    });
  }

  // WaitChanged() waits until the version exceeds `since`, then returns the
  // latest value and its version (at once if it already does). Suspends a
  // task, blocks a thread; in a task it is a cancellation point.
  Versioned<T> WaitChanged(uint64_t since) const {
    std::optional<Versioned<T>> v = sync_internal::ReadOps<T>::WaitChanged(
        *node_, since, Deadline::Infinite());
    if (v.has_value()) return *std::move(v);
    return GetVersioned();  // unreachable while the Signal lives
  }

  // WaitChangedFor() is WaitChanged() that gives up after `timeout`
  // (std::nullopt). A cancellation point too.
  std::optional<Versioned<T>> WaitChangedFor(uint64_t since,
                                             absl::Duration timeout) const {
    return WaitChangedUntil(since, Deadline::After(timeout));
  }
  // WaitChangedUntil() is WaitChanged() that gives up at `deadline`.
  std::optional<Versioned<T>> WaitChangedUntil(uint64_t since,
                                               Deadline deadline) const {
    return sync_internal::ReadOps<T>::WaitChanged(*node_, since, deadline);
  }

  // Subscribe() returns a cursor whose Next() yields the changes made after
  // this call (coalesced).
  Subscription<T> Subscribe() const {
    return Subscription<T>(node_, node_->published_version());
  }

  // Watch() calls `fn(value)` as a task on `scheduler` (with `options`)
  // after each change made after this call, with the latest value: never
  // in the writer's thread, at most one run pending (changes made before it
  // starts coalesce into it). The returned Effect is the subscription:
  // destroying it unsubscribes (see Effect for the guarantees).
  [[nodiscard]] Effect Watch(Scheduler& scheduler,
                             std::function<void(const T&)> fn,
                             SpawnOptions options = {}) const {
    return sync_internal::ReadOps<T>::Watch(node_, scheduler, std::move(fn),
                                            std::move(options));
  }

 private:
  // kEdits<F>: `fn` edits a copy in place (void(T&)).
  template <typename F>
  static constexpr bool kEdits = [] {
    if constexpr (std::is_invocable_v<F&, T&>) {
      return std::is_void_v<std::invoke_result_t<F&, T&>>;
    } else {
      return false;
    }
  }();

  // Write() installs make(current) unless it equals `current`, retrying
  // when another write came in between.
  template <typename Make>
  uint64_t Write(Make make) {
    for (;;) {
      sync_internal::Snapshot s = node_->Read(/*track=*/false);
      std::shared_ptr<const void> next = make(sync_internal::ValueAt<T>(s));
      if constexpr (std::equality_comparable<T>) {
        if (*static_cast<const T*>(next.get()) ==
            sync_internal::ValueAt<T>(s)) {
          return s.version;
        }
      }
      if (const uint64_t v = node_->CommitIf(s.version, next)) return v;
    }
  }

  const sync_internal::NodeRef node_;
};

// BatchScope: while one is open in a task (or, outside tasks, on a thread),
// the notifications of the writes it makes are deferred until the
// outermost scope closes; then every waiter and effect concerned is
// notified once. Scopes nest. The scope belongs to the task, not to the
// thread: it survives suspensions and migration, and tasks spawned inside
// it do not inherit it. A change made elsewhere that reaches an effect only
// through a memo this batch already invalidated is delivered when the batch
// closes.
class BatchScope {
 public:
  BatchScope() { sync_internal::BeginBatch(); }
  ~BatchScope() { sync_internal::EndBatch(); }
  BatchScope(const BatchScope&) = delete;
  BatchScope& operator=(const BatchScope&) = delete;
};

// Batch() runs `fn()` inside a BatchScope and returns what it returns.
template <typename F>
decltype(auto) Batch(F&& fn) {
  BatchScope scope;
  return std::forward<F>(fn)();
}

// Untracked() runs `fn()` with tracking off: what it reads does not become
// a dependency of the memo or effect computing around it.
template <typename F>
decltype(auto) Untracked(F&& fn) {
  sync_internal::UntrackedScope scope;
  return std::forward<F>(fn)();
}

}  // namespace colony

#endif  // COLONY_SYNC_REACTIVE_SIGNAL_H_
