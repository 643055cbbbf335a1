// Copyright 2026 The Colony Authors.
//
// Access: the internal entry points into BasicCoroutine used by the typed
// front ends (Coroutine, Generator) and by schedulers. Not part of the
// public API.

#ifndef COLONY_COROUTINE_INTERNAL_ACCESS_H_
#define COLONY_COROUTINE_INTERNAL_ACCESS_H_

#include <cstddef>
#include <new>
#include <string_view>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coroutine/basic_coroutine.h"

namespace colony::coroutine_internal {

struct Access {
  // New() builds a control block of type `Impl` (derived from
  // BasicCoroutine, constructible from (options, args...)) at the top of a
  // fresh stack, or on the heap when it is too large for that.
  //
  // With `kAlwaysHeap` the block always goes on the heap, so that the stack
  // can be handed back as soon as the coroutine finished (ReleaseStack())
  // while its block (its result, its identity) lives on: a scheduler's
  // tasks, whose results wait for a join.
  template <typename Impl, bool kAlwaysHeap = false, typename... Args>
  static absl::StatusOr<Impl*> New(const CoroutineOptions& options,
                                   Args&&... args) {
    static_assert(alignof(Impl) <= 64, "over-aligned coroutine body");
    absl::StatusOr<Stack> stack = AllocateStack(options);
    if (!stack.ok()) return stack.status();
    constexpr size_t kBlock = (sizeof(Impl) + 63) & ~size_t{63};
    Impl* impl;
    bool heap = kAlwaysHeap || kBlock > stack->size / 4;
    if (heap) {
      impl = new Impl(options, std::forward<Args>(args)...);
    } else {
      impl = new (stack->top() - kBlock)
          Impl(options, std::forward<Args>(args)...);
    }
    Attach(impl, *stack, heap);
    return impl;
  }

  // NewDeferred() builds a control block of type `Impl` on the heap and
  // allocates its stack only when EnsureStack() is called (before the
  // first resume). A scheduler uses it so that a million queued tasks cost
  // a million small blocks, not a million stacks. Fails only for an invalid
  // stack size.
  template <typename Impl, typename... Args>
  static absl::StatusOr<Impl*> NewDeferred(const CoroutineOptions& options,
                                           Args&&... args) {
    static_assert(alignof(Impl) <= 64, "over-aligned coroutine body");
    if (ABSL_PREDICT_FALSE(!StackSizeOk(options))) {
      return StackSizeError(options);
    }
    Impl* impl = new Impl(options, std::forward<Args>(args)...);
    Defer(impl, options.stack_size);
    return impl;
  }
  // EnsureStack() gives a block made by NewDeferred() its stack, if it has
  // none yet. On failure the coroutine is still Ready and stackless.
  static absl::Status EnsureStack(BasicCoroutine* block);

  // Delete() cancels `block` if it is suspended (reporting a swallowed
  // cancellation), destroys it and releases its stack.
  static void Delete(BasicCoroutine* block);
  // ReleaseStack() returns the stack of a finished coroutine whose block is
  // on the heap to the pool now, before the block is deleted.
  static void ReleaseStack(BasicCoroutine* block);

  // Resume() and Suspend() are forced inline: see basic_coroutine_inl.h.
  ABSL_ATTRIBUTE_ALWAYS_INLINE static void* Resume(BasicCoroutine* b,
                                                   void* transfer) {
    return b->ResumeRaw(transfer);
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE static void* Suspend(BasicCoroutine* b,
                                                    void* transfer,
                                                    int64_t wake_ns) {
    return b->SuspendRaw(transfer, wake_ns);
  }
  static absl::Status Cancel(BasicCoroutine* b, std::string_view reason) {
    return b->CancelRaw(reason);
  }
  static const std::exception_ptr& Error(const BasicCoroutine* b) {
    return b->error();
  }
  static const std::string& ErrorMessage(const BasicCoroutine* b) {
    return b->error_message();
  }

  // The CoroutineLocal table of `b` (see internal/locals_hooks.h), or null.
  static void* Locals(const BasicCoroutine* b) { return b->locals_; }
  static void SetLocals(BasicCoroutine* b, void* locals) {
    b->locals_ = locals;
  }

  // The active stack segment of `b` (for MaybeGrow and diagnostics).
  static char*& ActiveLo(BasicCoroutine* b) { return b->active_lo_; }
  static size_t& ActiveSize(BasicCoroutine* b) { return b->active_size_; }
  static GuardMode& ActiveGuard(BasicCoroutine* b) { return b->active_guard_; }
  static const char* ActiveLo(const BasicCoroutine* b) { return b->active_lo_; }
  static size_t ActiveSize(const BasicCoroutine* b) { return b->active_size_; }

  // The registers saved by the last switch out of `b` and its main stack,
  // for backtraces of a suspended coroutine (internal/backtrace.h).
  static const Context& SavedContext(const BasicCoroutine* b) {
    return b->context_;
  }
  static const Stack& MainStack(const BasicCoroutine* b) { return b->stack_; }

 private:
  // StackSizeOk() is false for a stack size above kMaxStackSize (stack.h),
  // which StackSizeError() describes.
  static bool StackSizeOk(const CoroutineOptions& options) {
    return options.stack_size <= kMaxStackSize;
  }
  static absl::Status StackSizeError(const CoroutineOptions& options);
  static void Defer(BasicCoroutine* block, size_t stack_size);
  static absl::StatusOr<Stack> AllocateStack(const CoroutineOptions& options);
  static void Attach(BasicCoroutine* block, const Stack& stack, bool heap);
};

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_ACCESS_H_
