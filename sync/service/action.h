// Copyright 2026 The Colony Authors.
//
// Action<Args, R>: a computation that is re-run on demand, where a new
// call replaces the one still pending, and whose latest result can be read
// at any time.
//
//   colony::Action<std::string, Image> fetch(
//       *scheduler, [](std::string breed) -> absl::StatusOr<Image> {
//         return FetchRandomImage(breed);  // may wait, may fail
//       });
//   fetch.Call("hound");
//   fetch.Call("husky");  // cancels the hound fetch, if still running
//   ...
//   if (auto v = fetch.Value()) {
//     if (v->ok()) Show(**v); else ShowError(v->status());
//   }
//
// Call(args) cancels the pending run (it unwinds at its next suspension
// point, running its destructors) and starts `fn(args)` as a new task. Only
// the latest call publishes: a replaced run's result is dropped even if it
// finishes anyway. Value() is the latest published result, or nothing yet;
// an error is an exception thrown by fn (kUnknown with its message), an
// error status fn returned, or kCancelled when the latest run was
// cancelled by Cancel() or by its scheduler. Pending() is true from a
// Call() until its run publishes. `fn` may return R or absl::StatusOr<R>.
//
// Destroying the Action cancels every run still going and waits for them
// to end, so `fn` never runs past the Action's lifetime.
//
// Thread-safety: all members may be called from any task or thread.
// Ordering: everything a run did before returning happens-before a Value()
// or Wait() that returns its result.

#ifndef COLONY_SYNC_SERVICE_ACTION_H_
#define COLONY_SYNC_SERVICE_ACTION_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/scheduler.h"
#include "sync/locks/event.h"

namespace colony {

template <typename Args, typename R>
class Action {
 public:
  using Result = absl::StatusOr<R>;

  // `fn(Args)` runs on `scheduler` with `options` (name, priority...).
  template <typename F>
  Action(Scheduler& scheduler, F&& fn, SpawnOptions options = {})
      : state_(std::make_shared<State>(scheduler, std::forward<F>(fn),
                                       std::move(options))) {}
  Action(const Action&) = delete;
  Action& operator=(const Action&) = delete;

  // The destructor cancels every run still going and waits for them.
  ~Action() {
    std::vector<RunRecord> runs;
    {
      base_internal::ThreadMutexLock lock(state_->mu);
      ++state_->generation;  // nothing publishes any more
      runs = std::move(state_->runs);
      state_->runs.clear();
    }
    for (RunRecord& run : runs) run.handle.Cancel("action destroyed");
    for (RunRecord& run : runs) run.handle.Join();
  }

  // Call() cancels the pending run, if any, and starts fn(args). When the
  // scheduler refuses the run (it is stopping), Value() becomes
  // kCancelled and Pending() false.
  void Call(Args args) {
    std::shared_ptr<State> state = state_;
    uint64_t generation;
    {
      base_internal::ThreadMutexLock lock(state->mu);
      generation = ++state->generation;
      // Earlier runs are cancelled but kept until they ended, so that the
      // destructor can wait for them.
      std::erase_if(state->runs,
                    [](const RunRecord& r) { return r.handle.Done(); });
      for (RunRecord& r : state->runs)
        r.handle.Cancel("replaced by a newer call");
      // A Wait() under way holds the current `idle`, and a replaced run
      // never publishes, so only a call that starts a new pending period
      // may replace it; otherwise the latest run's publish must notify the
      // one the waiters hold.
      if (!state->pending) state->idle = std::make_shared<Notification>();
      state->pending = true;
    }
    // Spawned without the lock: a refused spawn destroys the function at
    // once, and its PublishGuard takes the lock to publish kCancelled.
    JoinHandle<void> handle = state->scheduler.Spawn(
        [state, args = std::move(args),
         guard = PublishGuard(state, generation)]() mutable {
          try {
            guard.Publish(Run(*state, std::move(args)));
          } catch (const CoroutineCancelled& c) {
            guard.Publish(absl::CancelledError(c.reason()));
            throw;
          }
        },
        SpawnOptions(state->options));
    base_internal::ThreadMutexLock lock(state->mu);
    // What happened while we spawned: a newer call, or Cancel() of this one.
    if (state->generation != generation) {
      handle.Cancel("replaced by a newer call");
    } else if (state->cancelled_generation == generation) {
      handle.Cancel(state->cancel_reason);
    }
    state->runs.push_back(RunRecord{generation, std::move(handle)});
  }

  // Cancel() cancels the pending run, if any: Value() becomes kCancelled
  // with `reason` and Pending() false.
  void Cancel(std::string_view reason = "action cancelled") {
    base_internal::ThreadMutexLock lock(state_->mu);
    if (!state_->pending) return;
    for (RunRecord& r : state_->runs) {
      if (r.generation == state_->generation) {
        r.handle.Cancel(reason);
        return;
      }
    }
    // Its Call() is still spawning it, and cancels it when done.
    state_->cancelled_generation = state_->generation;
    state_->cancel_reason = std::string(reason);
  }

  // Value() is the latest published result, or std::nullopt if no call
  // has published yet.
  std::optional<Result> Value() const {
    base_internal::ThreadMutexLock lock(state_->mu);
    return state_->value;
  }

  // Pending() is true while the latest call has not published.
  bool Pending() const {
    base_internal::ThreadMutexLock lock(state_->mu);
    return state_->pending;
  }

  // Wait() waits until no call is pending (suspending a task, blocking a
  // thread) and returns Value(). A cancellation point in a task.
  std::optional<Result> Wait() const {
    for (;;) {
      std::shared_ptr<Notification> idle;
      {
        base_internal::ThreadMutexLock lock(state_->mu);
        if (!state_->pending) return state_->value;
        idle = state_->idle;
      }
      idle->WaitForNotification();
    }
  }

 private:
  struct RunRecord {
    uint64_t generation;  // of the call that started it
    JoinHandle<void> handle;
  };

  struct State {
    template <typename F>
    State(Scheduler& s, F&& f, SpawnOptions o)
        : scheduler(s), fn(std::forward<F>(f)), options(std::move(o)) {}
    Scheduler& scheduler;
    const std::function<Result(Args)> fn;
    const SpawnOptions options;
    base_internal::ThreadMutex mu;
    uint64_t generation ABSL_GUARDED_BY(mu) = 0;
    bool pending ABSL_GUARDED_BY(mu) = false;
    std::optional<Result> value ABSL_GUARDED_BY(mu);
    std::vector<RunRecord> runs ABSL_GUARDED_BY(mu);
    std::shared_ptr<Notification> idle ABSL_GUARDED_BY(mu);
    // Cancel() of a run still being spawned, for its Call() to apply.
    uint64_t cancelled_generation ABSL_GUARDED_BY(mu) = 0;
    std::string cancel_reason ABSL_GUARDED_BY(mu);
  };

  // PublishGuard publishes a run's outcome once: its result, kCancelled
  // when it is cancelled while running, or kCancelled when it was
  // cancelled before it started (the task's captures are destroyed then
  // without running).
  class PublishGuard {
   public:
    PublishGuard(std::shared_ptr<State> state, uint64_t generation)
        : state_(std::move(state)), generation_(generation) {}
    PublishGuard(PublishGuard&& other) noexcept
        : state_(std::move(other.state_)), generation_(other.generation_) {}
    PublishGuard(const PublishGuard&) = delete;
    ~PublishGuard() {
      if (state_ != nullptr) {
        Publish(absl::CancelledError("cancelled before it started"));
      }
    }
    void Publish(Result result) {
      std::shared_ptr<State> state = std::move(state_);
      if (state == nullptr) return;
      base_internal::ThreadMutexLock lock(state->mu);
      if (state->generation != generation_) return;  // replaced
      state->value = std::move(result);
      state->pending = false;
      state->idle->Notify();
    }

   private:
    std::shared_ptr<State> state_;
    uint64_t generation_;
  };

  static Result Run(State& state, Args args) {
    try {
      return state.fn(std::move(args));
    } catch (const CoroutineCancelled&) {
      throw;
    } catch (const std::exception& e) {
      return absl::UnknownError(e.what());
    } catch (...) {
      return absl::UnknownError("a non-standard exception");
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace colony

#endif  // COLONY_SYNC_SERVICE_ACTION_H_
