// Copyright 2026 The Colony Authors.

#include "coroutine/basic_coroutine.h"

#include <cxxabi.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "coroutine/internal/access.h"
#include "coroutine/internal/context.h"
#include "coroutine/internal/global_listeners.h"
#include "coroutine/internal/locals_hooks.h"
#include "coroutine/internal/sanitizer.h"
#include "coroutine/internal/thread_state.h"

namespace colony {
namespace coroutine_internal {
constinit thread_local ThreadState tls_state
    __attribute__((tls_model("initial-exec")));

namespace {

// Relaxed: ids need only be unique, which the fetch_add alone ensures.
std::atomic<uint64_t> next_id{1};

// Ids are handed to each thread in blocks, so that threads creating
// coroutines at once do not contend on one counter. Unique, increasing per
// thread, not dense.
uint64_t NextId() {
  constexpr uint64_t kBlock = 1024;
  static thread_local uint64_t next = 0;
  static thread_local uint64_t end = 0;
  if (next == end) {
    next = next_id.fetch_add(kBlock, std::memory_order_relaxed);
    end = next + kBlock;
  }
  return next++;
}

std::string DescribeCurrentException() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (const CoroutineCancelled& c) {
    return absl::StrCat("cancelled: ", c.reason());
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return absl::StrCat("exception of type ",
                        type != nullptr ? type->name() : "unknown");
  }
}

}  // namespace

void InitThisThread(ThreadState& ts) {
  ts.eh = reinterpret_cast<EhGlobals*>(abi::__cxa_get_globals());
  ts.errno_location = &errno;
  ts.initialized = true;
  InstallOverflowHandler();
  EnsureAltStack();
}

ThreadState& ThisThreadNoInit() { return tls_state; }

absl::Status Access::StackSizeError(const CoroutineOptions& options) {
  return absl::InvalidArgumentError(absl::StrCat(
      "coroutine '", options.name, "': stack_size ", options.stack_size,
      " exceeds the maximum of ", kMaxStackSize, " bytes"));
}

void Access::Defer(BasicCoroutine* b, size_t stack_size) {
  b->heap_block_ = true;
  b->stack_ = Stack();
  b->stack_.size = stack_size;  // requested; rounded when allocated
}

absl::Status Access::EnsureStack(BasicCoroutine* b) {
  if (b->stack_.lo != nullptr) return absl::OkStatus();
  StackPool& pool = StackPool::Default();
  if (Stack cached; pool.TryAllocateCached(b->stack_.size, &cached)) {
    Attach(b, cached, /*heap=*/true);
    return absl::OkStatus();
  }
  // The size was checked by NewDeferred().
  absl::StatusOr<Stack> stack = pool.Allocate(b->stack_.size);
  if (!stack.ok()) {
    return absl::Status(
        stack.status().code(),
        absl::StrCat("coroutine '", b->name_, "': ", stack.status().message()));
  }
  Attach(b, *stack, /*heap=*/true);
  return absl::OkStatus();
}

absl::StatusOr<Stack> Access::AllocateStack(const CoroutineOptions& options) {
  if (!StackSizeOk(options)) return StackSizeError(options);
  absl::StatusOr<Stack> stack =
      StackPool::Default().Allocate(options.stack_size);
  if (!stack.ok()) {
    return absl::Status(stack.status().code(),
                        absl::StrCat("coroutine '", options.name,
                                     "': ", stack.status().message()));
  }
  return stack;
}

void Access::Attach(BasicCoroutine* b, const Stack& stack, bool heap) {
  b->stack_ = stack;
  b->heap_block_ = heap;
  b->active_lo_ = stack.lo;
  b->active_guard_ = stack.guard;
  // The control block sits inside the stack, so the segment's bounds for
  // sanitizers and diagnostics are the whole stack.
  b->active_size_ = stack.size;
  char* top = heap ? stack.top() : reinterpret_cast<char*>(b);
  MakeContext(&b->context_, top, &BasicCoroutine::Entry, b);
}

void Access::Delete(BasicCoroutine* b) {
  const CoroutineState state = b->state();
  if (state == CoroutineState::kRunning || state == CoroutineState::kSyscall) {
    Fatal("coroutine '%s' (id %llu) destroyed while %s", b->name_.c_str(),
          static_cast<unsigned long long>(b->id_), CoroutineStateName(state));
  }
  // CancelRaw() logs a swallowed cancellation itself.
  if (!IsFinished(state)) b->CancelRaw("coroutine destroyed").IgnoreError();
  // Only a coroutine that never ran (given inherited locals) still has
  // locals here; they are destroyed on the calling thread.
  DestroyLocals(b);
  const Stack stack = b->stack_;
  if (b->heap_block_) {
    delete b;
  } else {
    b->~BasicCoroutine();
  }
  if (stack.lo != nullptr) StackPool::Default().Release(stack);
}

void Access::ReleaseStack(BasicCoroutine* b) {
  const CoroutineState state = b->state();
  if (!IsFinished(state) || !b->heap_block_) {
    Fatal("coroutine '%s' (id %llu): stack released while %s%s",
          b->name_.c_str(), static_cast<unsigned long long>(b->id_),
          CoroutineStateName(state),
          b->heap_block_ ? "" : " with its block on the stack");
  }
  if (b->stack_.lo == nullptr) return;
  StackPool& pool = StackPool::Default();
  if (!pool.TryReleaseCached(b->stack_)) pool.Release(b->stack_);
  b->stack_.lo = nullptr;
  b->active_lo_ = nullptr;
  b->active_size_ = 0;
}

}  // namespace coroutine_internal

using coroutine_internal::Access;
using coroutine_internal::ThisThread;
using coroutine_internal::ThreadState;

BasicCoroutine::BasicCoroutine(const CoroutineOptions& options)
    : isolate_fp_env_(options.isolate_fp_env),
      priority_(options.priority),
      id_(coroutine_internal::NextId()),
      name_(options.name) {
  if constexpr (coroutine_internal::kTsan) {
    san_.tsan_fiber = coroutine_internal::TsanCreateFiber();
  }
  if (options.listener != nullptr) {
    Cold().listeners.push_back(options.listener);
    observed_ = true;
  }
}

BasicCoroutine::ColdState& BasicCoroutine::Cold() {
  if (cold_ == nullptr) cold_ = std::make_unique<ColdState>();
  return *cold_;
}

const std::string& BasicCoroutine::EmptyString() {
  static const std::string* const kEmpty = new std::string;
  return *kEmpty;
}

const std::exception_ptr& BasicCoroutine::NoError() {
  static const std::exception_ptr* const kNone = new std::exception_ptr;
  return *kNone;
}

BasicCoroutine::~BasicCoroutine() {
  coroutine_internal::TsanDestroyFiber(san_.tsan_fiber);
}

void BasicCoroutine::Entry(void* transfer, void* self) {
  static_cast<BasicCoroutine*>(self)->Main(transfer);
}

void BasicCoroutine::Main(void* transfer) {
  coroutine_internal::AsanFinishSwitch(nullptr, &san_.resumer_stack_lo,
                                       &san_.resumer_stack_size);
  CoroutineState final_state = CoroutineState::kCompleted;
  const char* swallow_how = nullptr;
  try {
    Run(transfer);
    if (cancel_requested_) swallow_how = "returned normally";
  } catch (const CoroutineCancelled& c) {
    // The body may end itself by throwing CoroutineCancelled.
    if (!cancel_requested_) Cold().cancel_reason = c.reason();
    final_state = CoroutineState::kCancelled;
  } catch (...) {
    ColdState& cold = Cold();
    cold.error = std::current_exception();
    cold.error_message = coroutine_internal::DescribeCurrentException();
    final_state = CoroutineState::kFailed;
    if (cancel_thrown_) swallow_how = "replaced it with another exception";
  }
  if (cancel_requested_) {
    final_state = CoroutineState::kCancelled;
    if (swallow_how != nullptr && cancel_thrown_) {
      swallowed_ = true;
      ColdState& cold = Cold();
      cold.error_message = absl::StrCat(
          "coroutine '", name_, "' (id ", id_, ") swallowed its cancellation (",
          cold.cancel_reason, "): it ", swallow_how);
    }
  }
  DropBody();
  // Coroutine-local values die here, on the coroutine's own stack and still
  // Running, after the captures (whose destructors may still use them).
  coroutine_internal::DestroyLocals(this);
  Transition(final_state);
  coroutine_internal::AsanStartSwitch(nullptr, san_.resumer_stack_lo,
                                      san_.resumer_stack_size);
  coroutine_internal::TsanSwitchTo(san_.tsan_resumer);
  SwitchOut(nullptr);
  __builtin_unreachable();
}

void BasicCoroutine::FatalNotResumable() const {
  coroutine_internal::Fatal(
      "coroutine '%s' (id %llu) resumed while %s; only Ready or Suspended "
      "coroutines can be resumed",
      name_.c_str(), static_cast<unsigned long long>(id_),
      CoroutineStateName(state()));
}

void* BasicCoroutine::OnCancelledSuspend() {
  // The cancellation is rethrown until it unwinds, except while an exception
  // is already in flight (a destructor suspending during unwinding), where
  // throwing would terminate the process: then the suspension returns at
  // once without an input.
  if (std::uncaught_exceptions() > 0) return nullptr;
  cancel_thrown_ = true;
  throw CoroutineCancelled(cancel_reason());
}

void BasicCoroutine::LeaveIfCanaryBroken() {
  coroutine_internal::Stack segment;
  segment.lo = active_lo_;
  if (!segment.CanaryIntact()) {
    // This stack ran into its canary and has no room left to format a
    // report; ResumeRaw() makes it on the resumer's stack.
    SwitchOut(nullptr);
    __builtin_unreachable();
  }
}

absl::Status BasicCoroutine::CancelRaw(std::string_view reason) {
  const CoroutineState from = state();
  if (IsFinished(from)) return absl::OkStatus();
  if (from == CoroutineState::kRunning || from == CoroutineState::kSyscall) {
    return absl::FailedPreconditionError(
        absl::StrCat("coroutine '", name_, "' (id ", id_,
                     ") cannot be cancelled while ", CoroutineStateName(from)));
  }
  cancel_requested_ = true;
  Cold().cancel_reason = std::string(reason);
  if (from == CoroutineState::kReady) {
    DropBody();
    Transition(CoroutineState::kCancelled);
    return absl::OkStatus();
  }
  // Resume it: its suspension point throws CoroutineCancelled. It cannot
  // suspend again (SuspendRaw rethrows, or returns at once while an
  // exception unwinds), so one resume finishes it.
  ResumeRaw(nullptr);
  if (swallowed_) {
    // The caller logs it (the scheduler does, through spdlog); this layer
    // has no logging of its own.
    return absl::InternalError(error_message());
  }
  return absl::OkStatus();
}

__attribute__((noinline, cold)) void BasicCoroutine::FatalIllegalTransition(
    CoroutineState from, CoroutineState to) const {
  coroutine_internal::Fatal(
      "coroutine '%s' (id %llu): illegal state change %s -> %s", name_.c_str(),
      static_cast<unsigned long long>(id_), CoroutineStateName(from),
      CoroutineStateName(to));
}

__attribute__((noinline)) void BasicCoroutine::NotifyListeners(
    CoroutineState from, CoroutineState to) {
  if (cold_ != nullptr) {
    for (Listener* l : cold_->listeners) l->OnStateChange(*this, from, to);
  }
  coroutine_internal::NotifyGlobalListeners(*this, from, to);
}

void BasicCoroutine::AddListener(Listener* listener) {
  std::vector<Listener*>& listeners = Cold().listeners;
  if (std::find(listeners.begin(), listeners.end(), listener) ==
      listeners.end()) {
    listeners.push_back(listener);
  }
  observed_ = true;
}

void BasicCoroutine::RemoveListener(Listener* listener) {
  if (cold_ == nullptr) return;
  std::vector<Listener*>& listeners = cold_->listeners;
  listeners.erase(std::remove(listeners.begin(), listeners.end(), listener),
                  listeners.end());
  observed_ = !listeners.empty();
}

void BasicCoroutine::EnterSyscall(std::string_view name) {
  if (CurrentCoroutine() != this) {
    coroutine_internal::Fatal(
        "EnterSyscall() on coroutine '%s' from outside that coroutine",
        name_.c_str());
  }
  syscall_ = name;
  Transition(CoroutineState::kSyscall);
}

void BasicCoroutine::ExitSyscall() {
  Transition(CoroutineState::kRunning);
  syscall_ = {};
}

size_t BasicCoroutine::StackRemaining() const {
  const char* sp = static_cast<const char*>(__builtin_frame_address(0));
  return sp > active_lo_ ? static_cast<size_t>(sp - active_lo_) : 0;
}

void BasicCoroutine::CheckCanary() const {
  const auto* words = reinterpret_cast<const uint64_t*>(active_lo_) -
                      coroutine_internal::kCanaryWords;
  for (int i = 0; i < coroutine_internal::kCanaryWords; ++i) {
    if (words[i] != coroutine_internal::kCanaryPattern) {
      coroutine_internal::Fatal(
          "coroutine '%s' (id %llu) overflowed its stack of %zu bytes (the "
          "canary below it was overwritten). Raise "
          "CoroutineOptions::stack_size or run deep recursion under "
          "colony::MaybeGrow()",
          name_.c_str(), static_cast<unsigned long long>(id_), active_size_);
    }
  }
}

__attribute__((noinline)) BasicCoroutine* CurrentCoroutine() {
  // The barrier keeps the compiler from reusing a thread-pointer-relative
  // address computed before a switch that moved us to another thread.
  asm volatile("" ::: "memory");
  return coroutine_internal::tls_state.current;
}

SyscallScope::SyscallScope(std::string_view name)
    : coroutine_(CurrentCoroutine()) {
  if (coroutine_ != nullptr) coroutine_->EnterSyscall(name);
}

SyscallScope::~SyscallScope() {
  if (coroutine_ != nullptr) coroutine_->ExitSyscall();
}

}  // namespace colony
