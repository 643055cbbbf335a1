// Copyright 2026 The Colony Authors.
//
// Service coroutines: a task that owns an inbox of messages of type M, and
// the handles that send into it.
//
//   enum class ProfileUpdate { ... };
//   struct ProfileMsg { ProfileUpdate what; std::string value; };
//
//   colony::Service<ProfileMsg> profile = colony::SpawnService<ProfileMsg>(
//       *scheduler, [](colony::Inbox<ProfileMsg>& inbox) {
//         while (std::optional<ProfileMsg> msg = inbox.Recv()) { ... }
//       });
//   profile.handle().Send({ProfileUpdate::kName, "Bob"});
//
// Centralising the asynchronous work of one concern in one task that loops
// on its inbox keeps its state private to that task: no locks, and one
// ordering of requests.
//
// Discovery: SpawnService() also provides the handle through the context
// API of local/ (ProvideContext<ServiceHandle<M>>), so the spawning task,
// and every task it spawns afterwards, finds the service by its message
// type, however deep the code:
//
//   if (auto sync = colony::UseService<SyncAction>()) sync->Send(...);
//
// Lifetime: the Service<M> object owns the task. Stop() (or destroying
// the object) closes the inbox: the service drains what was sent before
// and ends when Recv() returns std::nullopt, and Stop() waits for that.
// Cancel() cancels the task instead (its destructors run). Handles may
// outlive the service: Send() then returns false.
//
// Thread-safety: handles may be copied and used from any task or thread.
// Ordering: messages from one sender arrive in the order sent; a Send()
// happens-before the Recv() that returns the message.

#ifndef COLONY_SYNC_SERVICE_SERVICE_H_
#define COLONY_SYNC_SERVICE_SERVICE_H_

#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "local/context.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"

namespace colony {

// Inbox<M>: the receiving end a service loops on.
template <typename M>
class Inbox {
 public:
  explicit Inbox(std::shared_ptr<Channel<M>> ch) : ch_(std::move(ch)) {}

  // Recv() waits for the next message; std::nullopt once the service is
  // stopped and every message sent before has been received.
  std::optional<M> Recv() { return ch_->Recv(); }
  // TryRecv() returns a message only if one is waiting.
  std::optional<M> TryRecv() { return ch_->TryRecv(); }
  // RecvFor() waits at most `timeout`.
  std::optional<M> RecvFor(absl::Duration timeout) {
    return ch_->RecvFor(timeout);
  }
  // channel() is the underlying channel, for Select() (OnRecv).
  Channel<M>& channel() { return *ch_; }

 private:
  std::shared_ptr<Channel<M>> ch_;
};

// ServiceHandle<M>: sends messages to a service. Cheap to copy.
template <typename M>
class ServiceHandle {
 public:
  explicit ServiceHandle(std::shared_ptr<Channel<M>> ch) : ch_(std::move(ch)) {}

  // Send() queues `msg` for the service (never waits); false if the
  // service was stopped.
  bool Send(M msg) const { return ch_->Send(std::move(msg)); }
  // pending() is the number of messages not yet received (a snapshot).
  size_t pending() const { return ch_->size(); }
  // stopped() is true once the service stopped accepting messages.
  bool stopped() const { return ch_->closed(); }

 private:
  std::shared_ptr<Channel<M>> ch_;
};

// Service<M>: owns a service task. Move-only.
template <typename M>
class Service {
 public:
  Service(std::shared_ptr<Channel<M>> ch, JoinHandle<void> task)
      : ch_(std::move(ch)), task_(std::move(task)) {}
  Service(Service&& other) noexcept
      : ch_(std::move(other.ch_)), task_(std::move(other.task_)) {}
  Service& operator=(Service&& other) noexcept {
    if (this != &other) {
      Stop();
      ch_ = std::move(other.ch_);
      task_ = std::move(other.task_);
    }
    return *this;
  }
  // The destructor stops the service (see Stop()).
  ~Service() { Stop(); }

  // handle() sends to this service.
  ServiceHandle<M> handle() const { return ServiceHandle<M>(ch_); }

  // Stop() closes the inbox and waits (suspending a task, blocking a
  // thread) until the service has drained it and returned. Returns how the
  // task ended; idempotent (later calls return a Cancelled result saying
  // it was already stopped).
  TaskResult<void> Stop() {
    if (ch_ == nullptr) return AlreadyStopped();
    ch_->Close();
    return Finish();
  }
  // Cancel() cancels the service task (it unwinds at its next wait) and
  // waits for it to end; messages not yet received are dropped.
  TaskResult<void> Cancel(std::string_view reason = "service cancelled") {
    if (ch_ == nullptr) return AlreadyStopped();
    task_.Cancel(reason);
    TaskResult<void> result = Finish();
    return result;
  }

 private:
  static TaskResult<void> AlreadyStopped() {
    return TaskResult<void>(TaskResult<void>::Variant(
        std::in_place_index<2>, Cancelled{"service already stopped"}));
  }
  TaskResult<void> Finish() {
    TaskResult<void> result = task_.Join();
    ch_->Close();  // later sends fail
    ch_.reset();
    task_ = JoinHandle<void>();
    return result;
  }

  std::shared_ptr<Channel<M>> ch_;  // null once stopped
  JoinHandle<void> task_;
};

// SpawnService() spawns `fn(Inbox<M>&)` on `scheduler` as a service and
// provides its handle as the calling task's (or thread's) context of type
// ServiceHandle<M>.
template <typename M, typename F>
Service<M> SpawnService(Scheduler& scheduler, F&& fn,
                        SpawnOptions options = {}) {
  static_assert(std::is_invocable_v<std::decay_t<F>&, Inbox<M>&>,
                "a service is fn(colony::Inbox<M>&)");
  auto ch = std::make_shared<Channel<M>>(kUnbounded);
  JoinHandle<void> task = scheduler.Spawn(
      [inbox = Inbox<M>(ch), fn = std::forward<F>(fn)]() mutable { fn(inbox); },
      std::move(options));
  ProvideContext(ServiceHandle<M>(ch));
  return Service<M>(std::move(ch), std::move(task));
}

// UseService() finds the handle of the service for messages of type M
// provided to the calling task (or thread) or to an ancestor task; null
// when there is none.
template <typename M>
std::shared_ptr<const ServiceHandle<M>> UseService() {
  return UseContext<ServiceHandle<M>>();
}

}  // namespace colony

#endif  // COLONY_SYNC_SERVICE_SERVICE_H_
