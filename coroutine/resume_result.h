// Copyright 2026 The Colony Authors.
//
// ResumeResult: what Coroutine::Resume() reports.
//
// A resume ends in one of four ways, each a small aggregate you can build
// and compare in tests:
//
//   Suspended{value, wake_ns}   the body called Suspend(value) (wake_ns is
//                               the wake-up timestamp it gave, or 0)
//   Completed{value}            the body returned value
//   Failed{error, message}      an exception escaped the body
//   Cancelled{reason}           the coroutine was cancelled
//
// `void` yield or return types appear as `Unit`.
//
//   EXPECT_EQ(co.Resume(1), Suspended{2});
//   EXPECT_EQ(co.Resume(3), Completed{4});
//
// Thread-safety: plain values.

#ifndef COLONY_COROUTINE_RESUME_RESULT_H_
#define COLONY_COROUTINE_RESUME_RESULT_H_

#include <cstdint>
#include <exception>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "coroutine/coroutine_state.h"

namespace colony {

// Unit stands for `void` where a value is needed.
struct Unit {
  friend bool operator==(Unit, Unit) { return true; }
  friend std::ostream& operator<<(std::ostream& os, Unit) { return os << "()"; }
};

// ValueOf<T> is T, or Unit for void.
template <typename T>
using ValueOf = std::conditional_t<std::is_void_v<T>, Unit, T>;

namespace coroutine_internal {
template <typename T>
void PrintValue(std::ostream& os, const T& value) {
  if constexpr (requires { os << value; }) {
    os << value;
  } else {
    os << "<" << sizeof(T) << "-byte value>";
  }
}
}  // namespace coroutine_internal

template <typename T>
struct Suspended {
  T value;
  int64_t wake_ns = 0;
  bool operator==(const Suspended&) const = default;
};
template <typename T>
Suspended(T) -> Suspended<T>;
template <typename T>
Suspended(T, int64_t) -> Suspended<T>;

template <typename T>
struct Completed {
  T value;
  bool operator==(const Completed&) const = default;
};
template <typename T>
Completed(T) -> Completed<T>;

struct Failed {
  std::exception_ptr error;
  std::string message;
};

struct Cancelled {
  std::string reason;
};

template <typename Y, typename R>
class ResumeResult {
 public:
  using Variant = std::variant<Suspended<ValueOf<Y>>, Completed<ValueOf<R>>,
                               Failed, Cancelled>;

  explicit ResumeResult(Variant v) : v_(std::move(v)) {}

  // state() is kSuspended, kCompleted, kFailed or kCancelled.
  CoroutineState state() const {
    static constexpr CoroutineState kStates[] = {
        CoroutineState::kSuspended, CoroutineState::kCompleted,
        CoroutineState::kFailed, CoroutineState::kCancelled};
    return kStates[v_.index()];
  }
  bool suspended() const { return v_.index() == 0; }
  bool completed() const { return v_.index() == 1; }
  bool failed() const { return v_.index() == 2; }
  bool cancelled() const { return v_.index() == 3; }

  // yielded() is the suspended value. Requires suspended().
  ValueOf<Y>& yielded() { return std::get<0>(v_).value; }
  const ValueOf<Y>& yielded() const { return std::get<0>(v_).value; }
  // wake_ns() is the suspension's wake-up timestamp (0: none). Requires
  // suspended().
  int64_t wake_ns() const { return std::get<0>(v_).wake_ns; }
  // returned() is the return value. Requires completed().
  ValueOf<R>& returned() { return std::get<1>(v_).value; }
  const ValueOf<R>& returned() const { return std::get<1>(v_).value; }
  // error() is the escaped exception. Requires failed().
  const std::exception_ptr& error() const { return std::get<2>(v_).error; }
  // message() is the failure's message (what() of a std::exception) or the
  // cancellation's reason; empty otherwise.
  const std::string& message() const {
    static const std::string kEmpty;
    if (failed()) return std::get<2>(v_).message;
    if (cancelled()) return std::get<3>(v_).reason;
    return kEmpty;
  }

  const Variant& variant() const { return v_; }
  Variant& variant() { return v_; }

  friend bool operator==(const ResumeResult& r,
                         const Suspended<ValueOf<Y>>& s) {
    return r.suspended() && std::get<0>(r.v_) == s;
  }
  friend bool operator==(const ResumeResult& r,
                         const Completed<ValueOf<R>>& c) {
    return r.completed() && std::get<1>(r.v_) == c;
  }

  friend std::ostream& operator<<(std::ostream& os, const ResumeResult& r) {
    switch (r.v_.index()) {
      case 0:
        os << "Suspended(";
        coroutine_internal::PrintValue(os, r.yielded());
        return os << ", wake_ns=" << r.wake_ns() << ")";
      case 1:
        os << "Completed(";
        coroutine_internal::PrintValue(os, r.returned());
        return os << ")";
      case 2:
        return os << "Failed(" << r.message() << ")";
      default:
        return os << "Cancelled(" << r.message() << ")";
    }
  }

 private:
  Variant v_;
};

template <typename T>
std::ostream& operator<<(std::ostream& os, const Suspended<T>& s) {
  os << "Suspended(";
  coroutine_internal::PrintValue(os, s.value);
  return os << ", wake_ns=" << s.wake_ns << ")";
}

template <typename T>
std::ostream& operator<<(std::ostream& os, const Completed<T>& c) {
  os << "Completed(";
  coroutine_internal::PrintValue(os, c.value);
  return os << ")";
}

}  // namespace colony

#endif  // COLONY_COROUTINE_RESUME_RESULT_H_
