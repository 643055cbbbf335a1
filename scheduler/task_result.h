// Copyright 2026 The Colony Authors.
//
// TaskResult<T>: how a spawned task ended, as handed out by
// JoinHandle<T>::Join(): completed with a value, failed with an exception,
// or cancelled with a reason.

#ifndef COLONY_SCHEDULER_TASK_RESULT_H_
#define COLONY_SCHEDULER_TASK_RESULT_H_

#include <exception>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/resume_result.h"

namespace colony {

template <typename T>
class TaskResult {
 public:
  using Variant = std::variant<Completed<ValueOf<T>>, Failed, Cancelled>;

  explicit TaskResult(Variant v) : v_(std::move(v)) {}

  // state() is kCompleted, kFailed or kCancelled.
  CoroutineState state() const {
    static constexpr CoroutineState kStates[] = {CoroutineState::kCompleted,
                                                 CoroutineState::kFailed,
                                                 CoroutineState::kCancelled};
    return kStates[v_.index()];
  }
  bool completed() const { return v_.index() == 0; }
  bool failed() const { return v_.index() == 1; }
  bool cancelled() const { return v_.index() == 2; }

  // value() is the task's return value. Requires completed().
  ValueOf<T>& value() { return std::get<0>(v_).value; }
  const ValueOf<T>& value() const { return std::get<0>(v_).value; }
  // error() is the exception that escaped the task. Requires failed().
  const std::exception_ptr& error() const { return std::get<1>(v_).error; }
  // message() is the failure's message or the cancellation's reason; empty
  // when completed.
  const std::string& message() const {
    static const std::string kEmpty;
    if (failed()) return std::get<1>(v_).message;
    if (cancelled()) return std::get<2>(v_).reason;
    return kEmpty;
  }
  // status() is OK when completed, kCancelled with the reason when
  // cancelled, kUnknown with the exception's message when failed.
  absl::Status status() const {
    if (completed()) return absl::OkStatus();
    if (cancelled()) return absl::CancelledError(message());
    return absl::UnknownError(message());
  }
  // Rethrow() rethrows a failure's exception; does nothing otherwise.
  void Rethrow() const {
    if (failed() && error()) std::rethrow_exception(error());
  }

  const Variant& variant() const { return v_; }

  friend std::ostream& operator<<(std::ostream& os, const TaskResult& r) {
    switch (r.v_.index()) {
      case 0:
        os << "Completed(";
        coroutine_internal::PrintValue(os, r.value());
        return os << ")";
      case 1:
        return os << "Failed(" << r.message() << ")";
      default:
        return os << "Cancelled(" << r.message() << ")";
    }
  }

 private:
  Variant v_;
};

}  // namespace colony

#endif  // COLONY_SCHEDULER_TASK_RESULT_H_
