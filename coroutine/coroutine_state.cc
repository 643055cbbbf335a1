// Copyright 2026 The Colony Authors.

#include "coroutine/coroutine_state.h"

namespace colony {
namespace {

constexpr uint8_t Bit(CoroutineState s) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(s));
}

// kLegal[from] is the set of states reachable from `from`.
constexpr uint8_t kLegal[] = {
    /* kReady */ Bit(CoroutineState::kRunning) |
        Bit(CoroutineState::kCancelled),
    /* kRunning */ Bit(CoroutineState::kSuspended) |
        Bit(CoroutineState::kSyscall) | Bit(CoroutineState::kCompleted) |
        Bit(CoroutineState::kFailed) | Bit(CoroutineState::kCancelled),
    /* kSuspended */ Bit(CoroutineState::kRunning),
    /* kSyscall */ Bit(CoroutineState::kRunning),
    /* kCompleted */ 0,
    /* kFailed */ 0,
    /* kCancelled */ 0,
};

}  // namespace

const char* CoroutineStateName(CoroutineState state) {
  switch (state) {
    case CoroutineState::kReady:
      return "Ready";
    case CoroutineState::kRunning:
      return "Running";
    case CoroutineState::kSuspended:
      return "Suspended";
    case CoroutineState::kSyscall:
      return "Syscall";
    case CoroutineState::kCompleted:
      return "Completed";
    case CoroutineState::kFailed:
      return "Failed";
    case CoroutineState::kCancelled:
      return "Cancelled";
  }
  return "Invalid";
}

bool IsLegalTransition(CoroutineState from, CoroutineState to) {
  const auto f = static_cast<unsigned>(from);
  if (f >= sizeof(kLegal)) return false;
  return (kLegal[f] & Bit(to)) != 0;
}

std::ostream& operator<<(std::ostream& os, CoroutineState state) {
  return os << CoroutineStateName(state);
}

}  // namespace colony
