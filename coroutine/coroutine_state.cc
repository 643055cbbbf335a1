// Copyright 2026 The Colony Authors.

#include "coroutine/coroutine_state.h"

namespace colony {
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

std::ostream& operator<<(std::ostream& os, CoroutineState state) {
  return os << CoroutineStateName(state);
}

}  // namespace colony
