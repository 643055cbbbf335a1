// Copyright 2026 The Colony Authors.
//
// Resource<T>: a reactive asynchronous value. A function runs as a task; the
// signals and memos it reads become its inputs; when one of them changes,
// the call in progress is cancelled (it unwinds from its suspension point,
// so its destructors and drop guards run) and a new call starts. The latest
// outcome is itself a signal: readable, waitable, and an input of effects,
// memos and other resources.
//
//   colony::Signal<std::string> query("");
//   colony::Resource<Results> results(*scheduler, [&] {
//     std::string q = query.Get();              // reading subscribes
//     return backend.Search(q);                 // may suspend for a while
//   });
//   query.Set("colony");     // the search for "" is cancelled, "colony" runs
//   absl::StatusOr<Results> r = results.Wait(); // the "colony" results
//
// States. Pending from construction, and from every restart, until the
// current call returns; then ready with its value, or failed with its
// error (an absl::Status returned, or an exception's message as
// absl::UnknownError). While pending, Value() still holds the previous
// outcome, so a view can show stale data until the new one arrives. Only
// the current call publishes: the outcome of a call that a change overtook
// is never seen.
//
// Restarts are never inline: the writer that changed an input does not
// wait for anything. A restart cancels the old call and spawns the new one;
// the new call starts only once the old one has finished unwinding, so two
// calls of one resource never run at the same time. A restart caused by a
// memo that recomputed to an equal value, after a call that completed,
// publishes the previous outcome again instead of calling the function.
// Cancellation takes effect at the call's next suspension point (a wait,
// a sleep, I/O); a call that never suspends runs to its end.
//
// Stopping: Stop(), or destroying the Resource, cancels the call in
// progress and waits until it has unwound (a task suspends meanwhile; a
// thread blocks); after that the function is never called again. It must
// not be called from the resource's own function. The scheduler must
// outlive the Resource.
//
// Thread-safety: every method may be called from any task or thread; the
// inputs may be written from anywhere. Memory ordering: a change of an
// input happens-before the call it starts; a published outcome
// happens-before every read that returns it.

#ifndef COLONY_SYNC_REACTIVE_RESOURCE_H_
#define COLONY_SYNC_REACTIVE_RESOURCE_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "coroutine/coroutine_state.h"
#include "scheduler/options.h"
#include "scheduler/scheduler.h"
#include "sync/reactive/internal/resource_node.h"
#include "sync/reactive/signal.h"
#include "time/deadline.h"

namespace colony {

// The observable state of a Resource<T>.
template <typename T>
struct ResourceState {
  // pending is true while the current call has not returned.
  bool pending = true;
  // result is the outcome of the last call that returned (std::nullopt
  // before the first); while pending, it is the previous one.
  std::optional<absl::StatusOr<T>> result;

  friend bool operator==(
      const ResourceState& a,
      const ResourceState& b) requires std::equality_comparable<T> {
    return a.pending == b.pending && a.result == b.result;
  }
};

template <typename T>
class Resource {
 public:
  // Resource() starts `fn` (returning T or absl::StatusOr<T>) as a task on
  // `scheduler` with `options`, and again after every change of what it
  // read.
  Resource(Scheduler& scheduler, std::function<absl::StatusOr<T>()> fn,
           SpawnOptions options = {})
      : state_(ResourceState<T>{}) {
    Signal<ResourceState<T>>* state = &state_;
    node_ = std::make_shared<sync_internal::ResourceNode>(
        &scheduler, std::move(options),
        [state, fn = std::move(fn)](sync_internal::ResourceNode& node,
                                    uint64_t generation) {
          std::optional<absl::StatusOr<T>> outcome;
          try {
            outcome.emplace(fn());
          } catch (const CoroutineCancelled&) {
            throw;
          } catch (const std::exception& e) {
            outcome.emplace(absl::UnknownError(e.what()));
          } catch (...) {
            outcome.emplace(absl::UnknownError("unknown exception"));
          }
          node.PublishIf(generation, [&] {
            state->Set(ResourceState<T>{false, std::move(outcome)});
          });
        },
        [state](uint64_t) {
          state->Update([](ResourceState<T>& s) { s.pending = true; });
        },
        [state] {
          state->Update([](ResourceState<T>& s) { s.pending = false; });
        });
    node_->Start(/*force=*/true);
  }

  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;

  // ~Resource() is Stop().
  ~Resource() { Stop(); }

  // State() reads the state (a tracked read: inside an effect, a memo or
  // another resource, it subscribes).
  ResourceState<T> State() const { return state_.Get(); }
  // Value() is State().result.
  std::optional<absl::StatusOr<T>> Value() const { return State().result; }
  // Pending() is State().pending.
  bool Pending() const { return State().pending; }

  // Wait() waits until the resource is not pending and returns the
  // outcome. In a task it is a cancellation point. Stopped before any
  // outcome, it returns a Cancelled status.
  absl::StatusOr<T> Wait() const {
    return WaitUntil(Deadline::Infinite())
        .value_or(absl::CancelledError("resource stopped"));
  }
  // WaitFor() and WaitUntil() give up (std::nullopt) when the timeout or
  // deadline passes while pending.
  std::optional<absl::StatusOr<T>> WaitFor(absl::Duration timeout) const {
    return WaitUntil(Deadline::After(timeout));
  }
  std::optional<absl::StatusOr<T>> WaitUntil(Deadline deadline) const {
    Versioned<ResourceState<T>> v = state_.GetVersioned();
    for (;;) {
      if (!v.value.pending) {
        if (v.value.result.has_value()) return v.value.result;
        // Settled without an outcome: stopped before the first one.
        return absl::StatusOr<T>(absl::CancelledError("resource stopped"));
      }
      std::optional<Versioned<ResourceState<T>>> next =
          state_.WaitChangedUntil(v.version, deadline);
      if (!next.has_value()) return std::nullopt;
      v = *std::move(next);
    }
  }

  // Restart() cancels the call in progress and starts a new one, as a
  // change of an input would.
  void Restart() { node_->Start(/*force=*/true); }

  // Stop() cancels the call in progress, waits until it has unwound, and
  // ends the resource. Idempotent. The state is then settled: not pending,
  // with the last outcome (std::nullopt if none came), so waiters return.
  void Stop() {
    if (node_ == nullptr || node_->stopped()) return;
    node_->Stop();
    state_.Update([](ResourceState<T>& s) { s.pending = false; });
  }

  // state() is the state as a signal, to subscribe to or watch.
  const Signal<ResourceState<T>>& state() const { return state_; }

  // runs() counts the calls of the function; cancelled_runs() counts those
  // that a restart or Stop() cancelled.
  uint64_t runs() const { return node_->runs(); }
  uint64_t cancelled_runs() const { return node_->cancelled(); }

 private:
  Signal<ResourceState<T>> state_;
  std::shared_ptr<sync_internal::ResourceNode> node_;
};

}  // namespace colony

#endif  // COLONY_SYNC_REACTIVE_RESOURCE_H_
