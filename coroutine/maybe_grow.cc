// Copyright 2026 The Colony Authors.

#include "coroutine/maybe_grow.h"

#include <pthread.h>

#include <exception>
#include <string>

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "coroutine/internal/context.h"
#include "coroutine/internal/sanitizer.h"
#include "coroutine/internal/stack.h"
#include "coroutine/internal/thread_state.h"

namespace colony {
namespace coroutine_internal {
namespace {

char* ThreadStackLo(ThreadState& ts) {
  if (ts.thread_stack_lo == nullptr) {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    ts.thread_stack_lo = static_cast<char*>(addr);
  }
  return ts.thread_stack_lo;
}

// What the segment runs: the caller's function and the exception it threw.
struct Thunk {
  absl::FunctionRef<void()> fn;
  std::exception_ptr error;
  const void* from_lo = nullptr;
  size_t from_size = 0;
};

void RunThunk(void* arg) {
  auto* thunk = static_cast<Thunk*>(arg);
  AsanFinishSwitch(nullptr, &thunk->from_lo, &thunk->from_size);
  try {
    thunk->fn();
  } catch (...) {
    thunk->error = std::current_exception();
  }
  // The segment is abandoned after this: drop its fake stack.
  AsanStartSwitch(nullptr, thunk->from_lo, thunk->from_size);
}

}  // namespace

void RunOnNewStack(size_t size, absl::FunctionRef<void()> fn) {
  absl::StatusOr<Stack> segment = StackPool::Default().Allocate(size);
  if (!segment.ok()) {
    Fatal("MaybeGrow: no stack segment of %zu bytes: %s", size,
          std::string(segment.status().message()).c_str());
  }
  // Only the coroutine pointer may be kept across fn(): if fn suspends, the
  // coroutine can come back on another thread.
  BasicCoroutine* const co = CurrentCoroutine();
  char* saved_lo;
  size_t saved_size;
  GuardMode saved_guard = GuardMode::kGuardAdvice;
  if (co != nullptr) {
    saved_lo = std::exchange(Access::ActiveLo(co), segment->lo);
    saved_size = std::exchange(Access::ActiveSize(co), segment->size);
    saved_guard = std::exchange(Access::ActiveGuard(co), segment->guard);
  } else {
    ThreadState& ts = ThisThread();
    saved_lo = std::exchange(ts.segment_lo, segment->lo);
    saved_size = std::exchange(ts.segment_size, segment->size);
  }
  Thunk thunk{fn};
  void* fake_stack = nullptr;
  AsanStartSwitch(&fake_stack, segment->lo, segment->size);
  colony_call_on_stack(&thunk, &RunThunk, segment->top());
  AsanFinishSwitch(fake_stack, nullptr, nullptr);
  if (co != nullptr) {
    Access::ActiveLo(co) = saved_lo;
    Access::ActiveSize(co) = saved_size;
    Access::ActiveGuard(co) = saved_guard;
  } else {
    ThreadState& ts = ThisThread();
    ts.segment_lo = saved_lo;
    ts.segment_size = saved_size;
  }
  StackPool::Default().Release(*segment);
  if (thunk.error) std::rethrow_exception(thunk.error);
}

}  // namespace coroutine_internal

size_t RemainingStack() {
  const char* sp = static_cast<const char*>(__builtin_frame_address(0));
  const char* lo;
  if (BasicCoroutine* co = CurrentCoroutine(); co != nullptr) {
    lo = coroutine_internal::Access::ActiveLo(co);
  } else {
    coroutine_internal::ThreadState& ts = coroutine_internal::ThisThread();
    lo = ts.segment_lo != nullptr ? ts.segment_lo
                                  : coroutine_internal::ThreadStackLo(ts);
  }
  return sp > lo ? static_cast<size_t>(sp - lo) : 0;
}

}  // namespace colony
