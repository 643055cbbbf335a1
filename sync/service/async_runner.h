// Copyright 2026 The Colony Authors.
//
// AsyncRunner: drive a computation that runs on the scheduler from code
// that is not a coroutine (a request handler thread, a GUI loop, a CLI).
//
// AsyncRunner<In, Y, R> takes its type parameters in Coroutine<In, Y, R>'s
// order: In is what a resume hands in, Y what the computation yields, R
// what it returns. The computation is `R fn(AsyncRunner::Suspender&)`.
// It may pause with
// `In in = suspender.Yield(value)`: the runner reports Yielded{value} and
// the computation waits until the driver resumes it with an In. It ends by
// returning (Completed{value}), throwing (Failed{error}) or being cancelled
// (Cancelled{reason}; its destructors run). A multi-step wizard:
//
//   using Wizard = colony::AsyncRunner<std::string, std::string, User>;
//   auto wizard = [](Wizard::Suspender& s) {
//     std::string name = s.Yield("get_name");
//     std::string email = s.Yield("get_email");
//     return User{name, email};
//   };
//   auto [runner, first] = *Wizard::RunSync(*scheduler, wizard,
//                                           {.tag = "wizard"});
//   // first: Yielded{"get_name"}
//   Wizard::Event e = *runner->ResumeSync("Alice");   // Yielded{"get_email"}
//   e = *runner->ResumeSync("alice@example.com");     // Completed{User}
//
// Each operation comes in two forms:
//   - Run / Resume / Cancel return at once; the resulting event arrives
//     later in the mailbox (a Channel<Event>) or through the callback
//     given in the options.
//   - RunSync / ResumeSync / CancelSync block the calling thread (or
//     suspend the calling task) until the next event, and return it
//     instead of delivering it.
// Every event carries the runner's tag. A callback runs on the
// computation's task: it must not block for long.
//
// Errors: Run() without a mailbox or callback, or with both, is
// InvalidArgument; Resume() when the computation is not waiting in
// Yield() (still running, or ended) is FailedPrecondition, and nothing is
// sent; an async Resume()/Cancel() without a mailbox or callback is
// FailedPrecondition. Destroying the runner cancels a computation that has
// not ended and waits for it.
//
// Thread-safety: one driver at a time per runner (calls are serialised
// internally; concurrent sync calls each get one event, in no defined
// order). Ordering: what the computation did before an event
// happens-before the driver's receipt of that event, and a Resume()
// happens-before the Yield() that returns its value.

#ifndef COLONY_SYNC_SERVICE_ASYNC_RUNNER_H_
#define COLONY_SYNC_SERVICE_ASYNC_RUNNER_H_

#include <any>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"

namespace colony {

// Yielded: the computation paused with `value` (and optional scoped state
// in `data`) and waits for a resume.
template <typename Y>
struct Yielded {
  Y value;
  std::any data;
};

// RunnerEvent: what an AsyncRunner reports, tagged with the runner's tag.
template <typename Y, typename R>
struct RunnerEvent {
  std::string tag;
  // In the order of ResumeResult and TaskResult: yielded (suspended),
  // completed, failed, cancelled.
  std::variant<Yielded<Y>, Completed<R>, Failed, Cancelled> what;

  bool yielded() const { return what.index() == 0; }
  bool completed() const { return what.index() == 1; }
  bool failed() const { return what.index() == 2; }
  bool cancelled() const { return what.index() == 3; }
  // final() is true for the last event of a run (failed, cancelled or
  // completed).
  bool final() const { return !yielded(); }
  // The payloads; each requires the matching kind.
  const Y& yielded_value() const { return std::get<0>(what).value; }
  const std::any& yielded_data() const { return std::get<0>(what).data; }
  R& value() { return std::get<1>(what).value; }
  const R& value() const { return std::get<1>(what).value; }
  const std::string& error_message() const { return std::get<2>(what).message; }
  const std::string& cancel_reason() const { return std::get<3>(what).reason; }
};

template <typename In, typename Y, typename R>
class AsyncRunner {
  struct Bridge;

 public:
  using Event = RunnerEvent<Y, R>;

  // Suspender: what the computation yields through.
  class Suspender {
   public:
    // Yield() reports Yielded{value, data} and waits for Resume(); returns
    // the resumed value. A cancellation point.
    In Yield(Y value, std::any data = {}) {
      bridge_->Deliver(
          Event{bridge_->tag, Yielded<Y>{std::move(value), std::move(data)}});
      std::optional<In> in = bridge_->resumes.Recv();
      if (!in.has_value()) {
        // Only a cancellation closes the resume channel.
        throw CoroutineCancelled(bridge_->CancelReason());
      }
      return std::move(*in);
    }

   private:
    friend class AsyncRunner;
    explicit Suspender(Bridge* bridge) : bridge_(bridge) {}
    Bridge* bridge_;
  };

  using Computation = std::function<R(Suspender&)>;

  struct Options {
    // Copied into every event.
    std::string tag;
    // Where asynchronous events go: exactly one of the two.
    std::shared_ptr<Channel<Event>> mailbox;
    std::function<void(Event)> callback;
    // How the computation's task is spawned.
    SpawnOptions spawn;
  };

  AsyncRunner(const AsyncRunner&) = delete;
  AsyncRunner& operator=(const AsyncRunner&) = delete;
  // The destructor cancels a computation that has not ended and waits.
  ~AsyncRunner() {
    if (!task_.valid()) return;
    if (!task_.Done()) {
      bridge_->SetCancelReason("runner destroyed");
      task_.Cancel("runner destroyed");
      bridge_->resumes.Close();
    }
    task_.Join();
  }

  // Run() starts `fn` on `scheduler`; its events go to the mailbox or
  // callback of `options`.
  static absl::StatusOr<std::unique_ptr<AsyncRunner>> Run(Scheduler& scheduler,
                                                          Computation fn,
                                                          Options options) {
    if (options.mailbox == nullptr && !options.callback) {
      return absl::InvalidArgumentError(
          absl::StrCat("AsyncRunner '", options.tag,
                       "': Run() needs a mailbox or a callback for its events "
                       "(or use RunSync())"));
    }
    if (options.mailbox != nullptr && options.callback) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AsyncRunner '", options.tag,
          "': give a mailbox or a callback for its events, not both"));
    }
    return Start(scheduler, std::move(fn), std::move(options),
                 /*sync=*/false);
  }

  // RunSync() starts `fn` and waits for its first event (a yield or the
  // end). A mailbox or callback is optional: without one, only the sync
  // calls may drive it.
  static absl::StatusOr<std::pair<std::unique_ptr<AsyncRunner>, Event>> RunSync(
      Scheduler& scheduler, Computation fn, Options options = {}) {
    if (options.mailbox != nullptr && options.callback) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AsyncRunner '", options.tag,
          "': give a mailbox or a callback for its events, not both"));
    }
    std::unique_ptr<AsyncRunner> runner =
        Start(scheduler, std::move(fn), std::move(options), /*sync=*/true);
    Event first = runner->NextSyncEvent();
    return std::make_pair(std::move(runner), std::move(first));
  }

  // Resume() resumes the computation waiting in Yield() with `value`; the
  // next event goes to the mailbox or callback.
  absl::Status Resume(In value) {
    if (!bridge_->has_sink()) return NoSink("Resume()");
    return bridge_->Resume(std::move(value), /*sync=*/false);
  }

  // ResumeSync() resumes it and waits for the next event.
  absl::StatusOr<Event> ResumeSync(In value) {
    if (absl::Status s = bridge_->Resume(std::move(value), /*sync=*/true);
        !s.ok()) {
      return s;
    }
    return NextSyncEvent();
  }

  // Cancel() cancels the computation; the Cancelled event (or the end it
  // reached first) goes to the mailbox or callback.
  absl::Status Cancel(std::string reason = "cancelled") {
    if (!bridge_->has_sink()) return NoSink("Cancel()");
    if (!bridge_->BeginCancel(reason, /*sync=*/false)) return Ended();
    task_.Cancel(reason);
    bridge_->resumes.Close();
    return absl::OkStatus();
  }

  // CancelSync() cancels it and waits for its final event: Cancelled, or
  // the end it reached first.
  absl::StatusOr<Event> CancelSync(std::string reason = "cancelled") {
    if (!bridge_->BeginCancel(reason, /*sync=*/true)) return Ended();
    task_.Cancel(reason);
    bridge_->resumes.Close();
    for (;;) {
      Event e = NextSyncEvent();
      if (e.final()) return e;
      // A yield that raced the cancellation: the driver asked to cancel,
      // so it goes to the mailbox or callback, if any.
      bridge_->DeliverAsync(std::move(e));
    }
  }

  // done() is true once the final event was produced.
  bool done() const { return bridge_->done(); }
  const std::string& tag() const { return bridge_->tag; }

 private:
  enum class Phase { kRunning, kSuspended, kEnded };
  enum class SyncMode { kNone, kNext, kUntilFinal };

  // Bridge: what the computation's task and the driver share (Elixir's
  // AsyncCoroutine bridges yields, errors and the result back as
  // messages): the resume channel, the event sinks and the run's phase.
  struct Bridge {
    Bridge(Options o)
        : tag(std::move(o.tag)),
          mailbox(std::move(o.mailbox)),
          callback(std::move(o.callback)) {}

    const std::string tag;
    const std::shared_ptr<Channel<Event>> mailbox;
    const std::function<void(Event)> callback;
    Channel<In> resumes{kUnbounded};
    Channel<Event> sync_events{kUnbounded};

    bool has_sink() const { return mailbox != nullptr || callback != nullptr; }

    void Deliver(Event e) {
      bool to_sync;
      {
        base_internal::ThreadMutexLock lock(mu);
        if (phase == Phase::kEnded) return;  // one final event only
        phase = e.final() ? Phase::kEnded : Phase::kSuspended;
        to_sync = sync != SyncMode::kNone;
        if (sync == SyncMode::kNext || e.final()) sync = SyncMode::kNone;
      }
      if (to_sync) {
        sync_events.Send(std::move(e));
      } else {
        DeliverAsync(std::move(e));
      }
    }
    void DeliverAsync(Event e) {
      if (mailbox != nullptr) {
        mailbox->Send(std::move(e));
      } else if (callback) {
        callback(std::move(e));
      }
    }
    absl::Status Resume(In value, bool sync_next) {
      {
        base_internal::ThreadMutexLock lock(mu);
        if (cancelling) {
          return absl::FailedPreconditionError(
              absl::StrCat("AsyncRunner '", tag, "': Resume() after Cancel()"));
        }
        if (phase != Phase::kSuspended) {
          return absl::FailedPreconditionError(absl::StrCat(
              "AsyncRunner '", tag, "': Resume() while the computation is ",
              phase == Phase::kRunning ? "running, not waiting in Yield()"
                                       : "ended"));
        }
        phase = Phase::kRunning;
        sync = sync_next ? SyncMode::kNext : SyncMode::kNone;
      }
      resumes.Send(std::move(value));
      return absl::OkStatus();
    }
    // BeginCancel() records the reason; false if the run already ended.
    bool BeginCancel(const std::string& reason, bool sync_final) {
      base_internal::ThreadMutexLock lock(mu);
      if (phase == Phase::kEnded) return false;
      cancelling = true;
      if (cancel_reason.empty()) cancel_reason = reason;
      if (sync_final) sync = SyncMode::kUntilFinal;
      return true;
    }
    void SetCancelReason(const std::string& reason) {
      base_internal::ThreadMutexLock lock(mu);
      if (cancel_reason.empty()) cancel_reason = reason;
    }
    std::string CancelReason() {
      base_internal::ThreadMutexLock lock(mu);
      return cancel_reason.empty() ? "cancelled" : cancel_reason;
    }
    bool done() {
      base_internal::ThreadMutexLock lock(mu);
      return phase == Phase::kEnded;
    }
    void ExpectSyncEvent() {
      base_internal::ThreadMutexLock lock(mu);
      sync = SyncMode::kNext;
    }

    base_internal::ThreadMutex mu;
    Phase phase ABSL_GUARDED_BY(mu) = Phase::kRunning;
    SyncMode sync ABSL_GUARDED_BY(mu) = SyncMode::kNone;
    std::string cancel_reason ABSL_GUARDED_BY(mu);
    bool cancelling ABSL_GUARDED_BY(mu) = false;
  };

  // FinalGuard reports Cancelled if the task ends without a final event:
  // cancelled before it ever ran (its captures are destroyed unrun).
  class FinalGuard {
   public:
    explicit FinalGuard(std::shared_ptr<Bridge> bridge)
        : bridge_(std::move(bridge)) {}
    FinalGuard(FinalGuard&& other) noexcept
        : bridge_(std::move(other.bridge_)) {}
    FinalGuard(const FinalGuard&) = delete;
    ~FinalGuard() {
      if (bridge_ != nullptr) {
        bridge_->Deliver(
            Event{bridge_->tag, Cancelled{bridge_->CancelReason()}});
      }
    }

   private:
    std::shared_ptr<Bridge> bridge_;
  };

  AsyncRunner(std::shared_ptr<Bridge> bridge, JoinHandle<void> task)
      : bridge_(std::move(bridge)), task_(std::move(task)) {}

  static std::unique_ptr<AsyncRunner> Start(Scheduler& scheduler,
                                            Computation fn, Options options,
                                            bool sync) {
    SpawnOptions spawn = std::move(options.spawn);
    auto bridge = std::make_shared<Bridge>(std::move(options));
    if (sync) bridge->ExpectSyncEvent();
    JoinHandle<void> task = scheduler.Spawn(
        [bridge, fn = std::move(fn), guard = FinalGuard(bridge)]() mutable {
          Suspender suspender(bridge.get());
          try {
            R value = fn(suspender);
            bridge->Deliver(Event{bridge->tag, Completed<R>{std::move(value)}});
          } catch (const CoroutineCancelled& c) {
            bridge->Deliver(Event{bridge->tag, Cancelled{c.reason()}});
            throw;
          } catch (const std::exception& e) {
            bridge->Deliver(
                Event{bridge->tag, Failed{std::current_exception(), e.what()}});
          } catch (...) {
            bridge->Deliver(Event{
                bridge->tag,
                Failed{std::current_exception(), "a non-standard exception"}});
          }
        },
        std::move(spawn));
    return std::unique_ptr<AsyncRunner>(
        new AsyncRunner(std::move(bridge), std::move(task)));
  }

  Event NextSyncEvent() { return std::move(*bridge_->sync_events.Recv()); }

  absl::Status NoSink(const char* what) const {
    return absl::FailedPreconditionError(
        absl::StrCat("AsyncRunner '", bridge_->tag, "': ", what,
                     " delivers its event to a mailbox or callback, and none "
                     "was given; use the Sync form"));
  }
  absl::Status Ended() const {
    return absl::FailedPreconditionError(absl::StrCat(
        "AsyncRunner '", bridge_->tag, "': the computation ended"));
  }

  std::shared_ptr<Bridge> bridge_;
  JoinHandle<void> task_;
};

}  // namespace colony

#endif  // COLONY_SYNC_SERVICE_ASYNC_RUNNER_H_
