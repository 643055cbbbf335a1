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
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coroutine/basic_coroutine.h"

namespace colony::coroutine_internal {

struct Access {
  // New() builds a control block of type `Impl` (derived from
  // BasicCoroutine, constructible from (options, args...)) at the top of a
  // fresh stack, or on the heap when it is too large for that.
  template <typename Impl, typename... Args>
  static absl::StatusOr<Impl*> New(const CoroutineOptions& options,
                                   Args&&... args) {
    static_assert(alignof(Impl) <= 64, "over-aligned coroutine body");
    absl::StatusOr<Stack> stack = AllocateStack(options);
    if (!stack.ok()) return stack.status();
    constexpr size_t kBlock = (sizeof(Impl) + 63) & ~size_t{63};
    Impl* impl;
    bool heap = kBlock > stack->size / 4;
    if (heap) {
      impl = new Impl(options, std::forward<Args>(args)...);
    } else {
      impl = new (stack->top() - kBlock)
          Impl(options, std::forward<Args>(args)...);
    }
    Attach(impl, *stack, heap);
    return impl;
  }

  // Delete() cancels `block` if it is suspended (reporting a swallowed
  // cancellation), destroys it and releases its stack.
  static void Delete(BasicCoroutine* block);

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
    return b->error_;
  }
  static const std::string& ErrorMessage(const BasicCoroutine* b) {
    return b->error_message_;
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

 private:
  static absl::StatusOr<Stack> AllocateStack(const CoroutineOptions& options);
  static void Attach(BasicCoroutine* block, const Stack& stack, bool heap);
};

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_ACCESS_H_
