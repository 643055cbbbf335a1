// Copyright 2026 The Colony Authors.
//
// The switch hot path of BasicCoroutine, inline. A switch must not be
// followed by `ret`s on its way back to user code: the return-stack
// predictor holds the other side's call chain, so every such return would
// be mispredicted. Keeping ResumeRaw() and SuspendRaw() inline in the
// caller's frame leaves one call (the switch itself) on each side. Rare
// paths (errors, listeners, cancellation, canaries) stay out of line.
//
// Included only by basic_coroutine.h.

#ifndef COLONY_COROUTINE_INTERNAL_BASIC_COROUTINE_INL_H_
#define COLONY_COROUTINE_INTERNAL_BASIC_COROUTINE_INL_H_

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "coroutine/internal/context.h"
#include "coroutine/internal/global_listeners.h"
#include "coroutine/internal/sanitizer.h"
#include "coroutine/internal/thread_state.h"

namespace colony {

// SetState() records a transition already known to be legal and tells the
// listeners. It is on every switch: one store and two predictable branches.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void BasicCoroutine::SetState(
    CoroutineState from, CoroutineState to) {
  state_.store(to, std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(observed_ ||
                         coroutine_internal::GlobalListenersActive())) {
    NotifyListeners(from, to);
  }
}

// Transition() checks a transition against the table, then SetState().
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void BasicCoroutine::Transition(
    CoroutineState to) {
  const CoroutineState from = state_.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(!IsLegalTransition(from, to))) {
    FatalIllegalTransition(from, to);
  }
  SetState(from, to);
}

// Switch() picks the switch that also carries the floating-point control
// state when the coroutine asked for it.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void* BasicCoroutine::Switch(
    coroutine_internal::Context* from, const coroutine_internal::Context* to,
    void* transfer) {
  return isolate_fp_env_
             ? coroutine_internal::colony_context_switch_fp(from, to, transfer)
             : coroutine_internal::colony_context_switch(from, to, transfer);
}

// SwitchInto() saves the resumer's registers in its own frame: `caller`
// stays alive until the coroutine switches back here.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void* BasicCoroutine::SwitchInto(
    void* transfer) {
  coroutine_internal::Context caller;
  caller_ = &caller;
  return Switch(&caller, &context_, transfer);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void* BasicCoroutine::SwitchOut(
    void* transfer) {
  return Switch(&context_, caller_, transfer);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void* BasicCoroutine::ResumeRaw(
    void* transfer) {
  const CoroutineState from = state();
  if (ABSL_PREDICT_FALSE(from != CoroutineState::kSuspended &&
                         from != CoroutineState::kReady)) {
    FatalNotResumable();
  }
  // The resumer stays on this thread until the coroutine switches back, so
  // `ts` remains valid across the switch below.
  coroutine_internal::ThreadState& ts = coroutine_internal::ThisThread();
  BasicCoroutine* const previous = ts.current;
  ts.current = this;
  // The exception globals are almost always empty on both sides: swap them
  // only when one side has something (a suspension inside a catch block or
  // during unwinding, or a resume from inside one).
  coroutine_internal::EhGlobals* const eh = ts.eh;
  const coroutine_internal::EhGlobals resumer_eh = *eh;
  const bool resumer_has_eh = resumer_eh.caught_exceptions != nullptr ||
                              resumer_eh.uncaught_exceptions != 0;
  if (ABSL_PREDICT_FALSE(resumer_has_eh || has_eh_)) *eh = saved_eh_;
  const int resumer_errno = *ts.errno_location;
  *ts.errno_location = saved_errno_;
  SetState(from, CoroutineState::kRunning);

  void* fake_stack = nullptr;
  coroutine_internal::AsanStartSwitch(&fake_stack, active_lo_, active_size_);
  if constexpr (coroutine_internal::kTsan) {
    san_.tsan_resumer = coroutine_internal::TsanCurrentFiber();
    coroutine_internal::TsanSwitchTo(san_.tsan_fiber);
  }
  void* result = SwitchInto(transfer);
  coroutine_internal::AsanFinishSwitch(fake_stack, nullptr, nullptr);

  const coroutine_internal::EhGlobals coroutine_eh = *eh;
  has_eh_ = coroutine_eh.caught_exceptions != nullptr ||
            coroutine_eh.uncaught_exceptions != 0;
  if (ABSL_PREDICT_FALSE(resumer_has_eh || has_eh_)) {
    saved_eh_ = coroutine_eh;
    *eh = resumer_eh;
  }
  saved_errno_ = *ts.errno_location;
  *ts.errno_location = resumer_errno;
  ts.current = previous;
  if (ABSL_PREDICT_FALSE(active_guard_ ==
                         coroutine_internal::GuardMode::kCanary)) {
    CheckCanary();
  }
  return result;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void* BasicCoroutine::SuspendRaw(
    void* transfer, int64_t wake_ns) {
  // A cancelled coroutine never suspends again (see OnCancelledSuspend()).
  if (ABSL_PREDICT_FALSE(cancel_requested_)) return OnCancelledSuspend();
  if (ABSL_PREDICT_FALSE(active_guard_ ==
                         coroutine_internal::GuardMode::kCanary)) {
    LeaveIfCanaryBroken();
  }
  wake_ns_.store(wake_ns, std::memory_order_relaxed);
  const CoroutineState from = state_.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(from != CoroutineState::kRunning)) {
    FatalIllegalTransition(from, CoroutineState::kSuspended);
  }
  SetState(from, CoroutineState::kSuspended);
  void* fake_stack = nullptr;
  coroutine_internal::AsanStartSwitch(&fake_stack, san_.resumer_stack_lo,
                                      san_.resumer_stack_size);
  coroutine_internal::TsanSwitchTo(san_.tsan_resumer);
  void* result = SwitchOut(transfer);
  coroutine_internal::AsanFinishSwitch(fake_stack, &san_.resumer_stack_lo,
                                       &san_.resumer_stack_size);
  if (ABSL_PREDICT_FALSE(cancel_requested_)) return OnCancelledSuspend();
  return result;
}

}  // namespace colony

#endif  // COLONY_COROUTINE_INTERNAL_BASIC_COROUTINE_INL_H_
