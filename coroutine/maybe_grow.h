// Copyright 2026 The Colony Authors.
//
// MaybeGrow: a scalable stack for deep recursion.
//
// MaybeGrow(red_zone, size, fn) calls fn() right here when at least
// `red_zone` bytes of stack remain, and otherwise on a fresh stack segment
// of `size` bytes (from the coroutine stack pool, guarded like any coroutine
// stack), returning to the original stack afterwards. Put it at the top of a
// recursive function and the recursion can go as deep as memory allows:
//
//   int Depth(int n) {
//     return colony::MaybeGrow(16 * 1024, 256 * 1024, [&] {
//       return n == 0 ? 0 : 1 + Depth(n - 1);
//     });
//   }
//
// It works inside coroutines (which may suspend, and migrate, while on a
// segment) and on plain threads. fn's result is returned; an exception from
// fn is rethrown on the original stack.
//
// Thread-safety: acts on the calling coroutine or thread only.

#ifndef COLONY_COROUTINE_MAYBE_GROW_H_
#define COLONY_COROUTINE_MAYBE_GROW_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/functional/function_ref.h"

namespace colony {

// RemainingStack() is the number of bytes below the stack pointer on the
// segment the caller runs on (coroutine stack, MaybeGrow segment or the
// thread's own stack).
size_t RemainingStack();

namespace coroutine_internal {
// Runs fn on a fresh segment of at least `size` bytes; rethrows what fn
// throws. Aborts with a message if no segment can be mapped.
void RunOnNewStack(size_t size, absl::FunctionRef<void()> fn);
}  // namespace coroutine_internal

// MaybeGrow() runs fn() on the current stack if `red_zone` bytes remain,
// else on a new segment of `size` bytes.
template <typename F>
std::invoke_result_t<F> MaybeGrow(size_t red_zone, size_t size, F&& fn) {
  using R = std::invoke_result_t<F>;
  if (RemainingStack() >= red_zone) return std::invoke(std::forward<F>(fn));
  if constexpr (std::is_void_v<R>) {
    coroutine_internal::RunOnNewStack(size, [&] { std::invoke(fn); });
  } else {
    std::optional<R> result;
    coroutine_internal::RunOnNewStack(size,
                                      [&] { result.emplace(std::invoke(fn)); });
    return std::move(*result);
  }
}

}  // namespace colony

#endif  // COLONY_COROUTINE_MAYBE_GROW_H_
