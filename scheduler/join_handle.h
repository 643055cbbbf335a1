// Copyright 2026 The Colony Authors.
//
// JoinHandle<T>: the owner's view of a spawned task.
//
//   colony::JoinHandle<int> h = scheduler.Spawn([] { return 42; });
//   colony::TaskResult<int> r = h.Join();  // r.value() == 42
//
// Join() waits for the task to end: a task calling it suspends (its worker
// runs other tasks meanwhile), a plain thread blocks. TryJoin() polls.
// Cancel() asks the task to stop: it unwinds from its next suspension point
// (or at once if it is suspended), so its destructors run; a task that never
// started is dropped without running. Dropping or Detach()ing a handle lets
// the task run on unobserved.
//
// Thread-safety: a JoinHandle is a movable value owned by one thread or task
// at a time; Cancel() and Done() may race with the task itself from any
// thread. The result is handed out once: Join() and a successful TryJoin()
// leave the handle empty.

#ifndef COLONY_SCHEDULER_JOIN_HANDLE_H_
#define COLONY_SCHEDULER_JOIN_HANDLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "scheduler/internal/task.h"
#include "scheduler/task_result.h"

namespace colony {

template <typename T>
class JoinHandle {
 public:
  // An empty handle (valid() is false).
  JoinHandle() = default;
  JoinHandle(JoinHandle&& other) noexcept
      : task_(std::exchange(other.task_, nullptr)),
        early_(std::move(other.early_)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      Detach();
      task_ = std::exchange(other.task_, nullptr);
      early_ = std::move(other.early_);
    }
    return *this;
  }
  // The destructor detaches: the task keeps running.
  ~JoinHandle() { Detach(); }

  // valid() is true until the result was handed out or the handle was
  // detached or moved from.
  bool valid() const { return task_ != nullptr || early_ != nullptr; }

  // id() is the task's coroutine id (0 for a spawn that was refused).
  uint64_t id() const { return task_ != nullptr ? task_->id() : 0; }

  // Done() is true once the task has ended (or the spawn was refused).
  bool Done() const {
    return early_ != nullptr ||
           (task_ != nullptr && scheduler_internal::IsFinished(task_));
  }

  // Join() waits until the task ends and returns how it ended. Requires
  // valid(). From a task, suspends (and may be cancelled meanwhile: then
  // CoroutineCancelled propagates and the joined task keeps running); from
  // a plain thread, blocks.
  TaskResult<T> Join() {
    if (early_ != nullptr) return TakeEarly();
    if (task_ == nullptr) {
      return TaskResult<T>(typename TaskResult<T>::Variant(
          std::in_place_index<1>,
          Failed{nullptr, "Join() on an empty JoinHandle"}));
    }
    scheduler_internal::AwaitCompletion(task_);
    return TakeResult();
  }

  // TryJoin() returns the result if the task has ended, else nothing.
  std::optional<TaskResult<T>> TryJoin() {
    if (early_ != nullptr) return TakeEarly();
    if (task_ == nullptr || !scheduler_internal::IsFinished(task_)) {
      return std::nullopt;
    }
    return TakeResult();
  }

  // Cancel() asks the task to unwind at its next suspension point with
  // CoroutineCancelled(reason). Does nothing once it ended. Returns at once;
  // Join() to wait for the unwinding.
  void Cancel(std::string_view reason = "cancelled") {
    if (task_ != nullptr) scheduler_internal::RequestCancel(task_, reason);
  }

  // Detach() lets the task run on unobserved and empties the handle.
  void Detach() {
    early_.reset();
    if (task_ != nullptr)
      scheduler_internal::Unref(std::exchange(task_, nullptr));
  }

 private:
  friend struct scheduler_internal::HandleAccess;

  JoinHandle(scheduler_internal::Task* task, std::optional<TaskResult<T>> early)
      : task_(task) {
    if (early.has_value()) {
      early_ = std::make_unique<TaskResult<T>>(std::move(*early));
    }
  }

  TaskResult<T> TakeEarly() {
    TaskResult<T> r = std::move(*early_);
    early_.reset();
    return r;
  }
  TaskResult<T> TakeResult() {
    auto* typed = static_cast<scheduler_internal::TypedTask<T>*>(task_);
    TaskResult<T> r = typed->TakeResult();
    scheduler_internal::Unref(std::exchange(task_, nullptr));
    return r;
  }

  scheduler_internal::Task* task_ = nullptr;
  // The result of a spawn that was refused or failed, known at once. Out
  // of line: rare, and a handle stays two words (a vector of a million
  // handles is 16 MB, not 64).
  std::unique_ptr<TaskResult<T>> early_;
};

}  // namespace colony

#endif  // COLONY_SCHEDULER_JOIN_HANDLE_H_
