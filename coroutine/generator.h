// Copyright 2026 The Colony Authors.
//
// Generator<T>: a coroutine that yields a sequence, usable in a range-for.
//
//   colony::Generator<int> fib([](colony::Generator<int>::Yielder& y) {
//     int a = 0, b = 1;
//     for (;;) { y.Suspend(a); std::tie(a, b) = std::pair(b, a + b); }
//   });
//   for (int v : fib) { if (v > 100) break; ... }
//
// Values are not copied again once yielded: the iterator refers to
// Suspend()'s own parameter (moved or copied into it by the body), alive
// until the next increment. An exception escaping the body
// is rethrown from the begin() or operator++ that resumed it. Destroying a
// generator that has not finished cancels it, so the body's destructors run.
//
// Warning: a generator driven by a scheduler task is not a task itself. A
// sync/ wait in its body cannot suspend the task; one that would block
// aborts the process with a message saying so (see docs/coroutine.md,
// "Waiting inside a generator body"). Produce from a task of its own into
// a Channel instead.
//
// Thread-safety: like Coroutine, owned by one thread at a time.

#ifndef COLONY_COROUTINE_GENERATOR_H_
#define COLONY_COROUTINE_GENERATOR_H_

#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <utility>

#include "coroutine/coroutine.h"

namespace colony {

template <typename T>
class Generator {
 public:
  using Yielder = Suspender<void, T>;

  // Generator() creates a generator running `body(Yielder&)`; the body
  // yields with Yielder::Suspend(value). Aborts if no stack can be had.
  template <typename F>
  requires(!std::is_same_v<std::decay_t<F>, Generator>) explicit Generator(
      F&& body, CoroutineOptions options = {})
      : coroutine_(std::forward<F>(body), std::move(options)) {}

  Generator(Generator&&) noexcept = default;
  Generator& operator=(Generator&&) noexcept = default;

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = T&;

    iterator() = default;
    T& operator*() const { return *generator_->current_; }
    T* operator->() const { return generator_->current_; }
    iterator& operator++() {
      generator_->Advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const {
      return generator_ == nullptr || generator_->current_ == nullptr;
    }

   private:
    friend class Generator;
    explicit iterator(Generator* g) : generator_(g) {}
    Generator* generator_ = nullptr;
  };

  // begin() runs the body to its first yield. Call it once.
  iterator begin() {
    Advance();
    return iterator(this);
  }
  std::default_sentinel_t end() const { return {}; }

  // coroutine() is the underlying coroutine (state, name, Cancel()).
  Coroutine<void, T, void>& coroutine() { return coroutine_; }

 private:
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Advance() {
    current_ = nullptr;
    if (!coroutine_.resumable()) return;
    BasicCoroutine* b = coroutine_.Get();
    void* out = coroutine_internal::Access::Resume(b, nullptr);
    switch (b->state()) {
      case CoroutineState::kSuspended:
        current_ = static_cast<T*>(out);
        break;
      case CoroutineState::kFailed:
        std::rethrow_exception(coroutine_internal::Access::Error(b));
      default:
        break;
    }
  }

  Coroutine<void, T, void> coroutine_;
  T* current_ = nullptr;
};

}  // namespace colony

#endif  // COLONY_COROUTINE_GENERATOR_H_
