// Copyright 2026 The Colony Authors.
//
// The life cycle of a coroutine.
//
//                 Cancel()
//     Ready ──────────────────────────────┐
//       │ Resume()                         ▼
//       ▼          EnterSyscall()      Cancelled
//    Running ◀──────────────────▶ Syscall  ▲
//     │  ▲  │     ExitSyscall()            │ cancellation unwound
//     │  │  └──────────────┬───────────────┤
//     │  │ Resume()        │ returned      │ threw
//     ▼  │ or Cancel()     ▼               ▼
//   Suspended          Completed        Failed
//
// A coroutine is created Ready. Resume() makes it Running until it suspends
// (Suspended), returns (Completed), lets an exception escape (Failed) or
// finishes unwinding a cancellation (Cancelled). Cancel() of a Ready
// coroutine makes it Cancelled without running it. While Running it may mark
// a blocking call with EnterSyscall()/ExitSyscall(). Every other transition
// is a programming error and aborts with a message.
//
// Thread-safety: the enum and functions here are plain values.

#ifndef COLONY_COROUTINE_COROUTINE_STATE_H_
#define COLONY_COROUTINE_COROUTINE_STATE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace colony {

enum class CoroutineState : uint8_t {
  kReady,
  kRunning,
  kSuspended,
  kSyscall,
  kCompleted,
  kFailed,
  kCancelled,
};

// CoroutineStateName() returns "Ready", "Running", ... for `state` (a
// string literal).
const char* CoroutineStateName(CoroutineState state);

// IsLegalTransition() reports whether a coroutine may move from `from` to
// `to` (the arrows of the diagram above).
constexpr bool IsLegalTransition(CoroutineState from, CoroutineState to) {
  constexpr auto bit = [](CoroutineState s) {
    return 1u << static_cast<unsigned>(s);
  };
  // kReachable[from] is the set of states reachable from `from`.
  constexpr unsigned kReachable[] = {
      /* kReady */ bit(CoroutineState::kRunning) |
          bit(CoroutineState::kCancelled),
      /* kRunning */ bit(CoroutineState::kSuspended) |
          bit(CoroutineState::kSyscall) | bit(CoroutineState::kCompleted) |
          bit(CoroutineState::kFailed) | bit(CoroutineState::kCancelled),
      /* kSuspended */ bit(CoroutineState::kRunning),
      /* kSyscall */ bit(CoroutineState::kRunning),
      /* kCompleted */ 0,
      /* kFailed */ 0,
      /* kCancelled */ 0,
  };
  const auto f = static_cast<unsigned>(from);
  return f < sizeof(kReachable) / sizeof(kReachable[0]) &&
         (kReachable[f] & bit(to)) != 0;
}

// IsFinished() is true for Completed, Failed and Cancelled.
inline bool IsFinished(CoroutineState state) {
  return state == CoroutineState::kCompleted ||
         state == CoroutineState::kFailed ||
         state == CoroutineState::kCancelled;
}

std::ostream& operator<<(std::ostream& os, CoroutineState state);

// CoroutineCancelled is thrown from the suspension point of a coroutine that
// is being cancelled, so that its stack unwinds and destructors run. It
// deliberately does not derive from std::exception: `catch (const
// std::exception&)` does not catch it. Code that catches it with
// `catch (...)` must rethrow; a coroutine that swallows its cancellation is
// reported (see Coroutine::Cancel()).
class CoroutineCancelled {
 public:
  explicit CoroutineCancelled(std::string reason)
      : reason_(std::move(reason)) {}
  // reason() is the text given to Cancel().
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

}  // namespace colony

#endif  // COLONY_COROUTINE_COROUTINE_STATE_H_
