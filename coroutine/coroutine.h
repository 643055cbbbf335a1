// Copyright 2026 The Colony Authors.
//
// Coroutine<In, Y, R>: a typed stackful coroutine.
//
// A coroutine runs a body on its own stack. The body can suspend from any
// depth of its call stack, handing a value of type Y to whoever resumed it,
// and later continue with a value of type In passed to the next Resume().
// When the body returns an R, the coroutine is Completed; when an exception
// escapes it, Failed; when it is cancelled, Cancelled (see
// coroutine_state.h). Any of the types may be void.
//
//   colony::Coroutine<int, int, int> co(
//       [](colony::Coroutine<int, int, int>::Suspender& s, int input) {
//         // input == 1
//         int next = s.Suspend(2);  // next == 3
//         return 4;
//       });
//   co.Resume(1);  // == Suspended{2}
//   co.Resume(3);  // == Completed{4}
//
// Cancellation unwinds: Cancel(), or destroying a suspended coroutine,
// resumes it with a CoroutineCancelled exception thrown from its suspension
// point, so every destructor on its stack runs. A coroutine that never
// started is simply dropped (its body's captures are destroyed).
//
// A coroutine's stack comes from a pool and is guarded against overflow
// (stack.h); CoroutineOptions sets its size, name and priority.
//
// Thread-safety: a Coroutine is owned by one thread at a time. It may be
// moved to, and resumed from, any thread while suspended, but never resumed
// concurrently. Its BasicCoroutine accessors (id, name, state...) may be read
// from anywhere.

#ifndef COLONY_COROUTINE_COROUTINE_H_
#define COLONY_COROUTINE_COROUTINE_H_

#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "coroutine/basic_coroutine.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/access.h"
#include "coroutine/internal/thread_state.h"
#include "coroutine/resume_result.h"
#include "time/deadline.h"

namespace colony {

template <typename In, typename Y, typename R>
class Coroutine;
template <typename T>
class Generator;

// Suspender is handed to a coroutine's body; its Suspend*() methods give a
// value to the resumer and return the next input.
template <typename In, typename Y>
class Suspender {
 public:
  // Suspend() suspends the coroutine, handing `value` to the resumer, and
  // returns the input of the next Resume(). If the coroutine is cancelled
  // meanwhile, throws CoroutineCancelled instead (do not swallow it).
  In Suspend(ValueOf<Y> value) requires(!std::is_void_v<Y>) {
    return SuspendAt(&value, 0);
  }
  In Suspend() requires std::is_void_v<Y> {
    Unit unit;
    return SuspendAt(&unit, 0);
  }

  // SuspendUntil() is Suspend() recording a wake-up deadline in the
  // suspended state (as a NowNanos() timestamp, see
  // BasicCoroutine::wake_ns()), for a scheduler to honour. An infinite
  // deadline records no wake-up.
  In SuspendUntil(ValueOf<Y> value,
                  Deadline wake) requires(!std::is_void_v<Y>) {
    return SuspendAt(&value, WakeNanos(wake));
  }
  In SuspendUntil(Deadline wake) requires std::is_void_v<Y> {
    Unit unit;
    return SuspendAt(&unit, WakeNanos(wake));
  }

  // SuspendFor() is SuspendUntil(Deadline::After(delay)).
  In SuspendFor(ValueOf<Y> value,
                absl::Duration delay) requires(!std::is_void_v<Y>) {
    return SuspendUntil(std::move(value), Deadline::After(delay));
  }
  In SuspendFor(absl::Duration delay) requires std::is_void_v<Y> {
    return SuspendUntil(Deadline::After(delay));
  }

  // coroutine() is the suspending coroutine.
  BasicCoroutine& coroutine() const { return *coroutine_; }

 private:
  template <typename, typename, typename>
  friend class Coroutine;

  explicit Suspender(BasicCoroutine* coroutine) : coroutine_(coroutine) {}

  static int64_t WakeNanos(Deadline wake) {
    return wake.IsInfinite() ? 0 : wake.nanos();
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE In SuspendAt(void* value, int64_t wake_ns) {
    void* input =
        coroutine_internal::Access::Suspend(coroutine_, value, wake_ns);
    if constexpr (std::is_void_v<In>) {
      return;
    } else {
      if (input == nullptr) {
        // Cancelled while an exception is unwinding: no input will come.
        if constexpr (std::is_default_constructible_v<In>) {
          return In{};
        } else {
          coroutine_internal::Fatal(
              "coroutine '%s' suspended during unwinding while cancelled, "
              "and its input type has no default value to return",
              coroutine_->name().c_str());
        }
      }
      return std::move(*static_cast<In*>(input));
    }
  }

  BasicCoroutine* coroutine_;
};

template <typename In, typename Y, typename R>
class Coroutine {
 public:
  using Suspender = colony::Suspender<In, Y>;
  using Result = ResumeResult<Y, R>;

  // Create() makes a Ready coroutine that will run `body`, which is called
  // as body(Suspender&, In) (or body(Suspender&) when In is void) and
  // returns R. Fails with InvalidArgument for a bad stack size and
  // ResourceExhausted when no stack can be mapped.
  template <typename F>
  static absl::StatusOr<Coroutine> Create(F&& body,
                                          CoroutineOptions options = {}) {
    absl::StatusOr<Block<std::decay_t<F>>*> block =
        coroutine_internal::Access::New<Block<std::decay_t<F>>>(
            options, std::forward<F>(body));
    if (!block.ok()) return block.status();
    return Coroutine(AdoptTag{}, *block);
  }

  // Coroutine() is Create() that aborts with the error message on failure.
  template <typename F>
  requires(!std::is_same_v<std::decay_t<F>, Coroutine>) explicit Coroutine(
      F&& body, CoroutineOptions options = {}) {
    absl::StatusOr<Block<std::decay_t<F>>*> block =
        coroutine_internal::Access::New<Block<std::decay_t<F>>>(
            options, std::forward<F>(body));
    if (!block.ok()) {
      coroutine_internal::Fatal("%s",
                                std::string(block.status().message()).c_str());
    }
    block_ = *block;
  }

  Coroutine(Coroutine&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)) {}
  Coroutine& operator=(Coroutine&& other) noexcept {
    if (this != &other) {
      Reset();
      block_ = std::exchange(other.block_, nullptr);
    }
    return *this;
  }

  // ~Coroutine() cancels a suspended coroutine (unwinding its stack) and
  // releases its stack. Destroying a running coroutine aborts.
  ~Coroutine() { Reset(); }

  // Resume() runs the coroutine until it suspends, returns, fails or
  // finishes a cancellation. Aborts with a message unless it is Ready or
  // Suspended (see resumable()).
  ABSL_ATTRIBUTE_ALWAYS_INLINE Result
  Resume(ValueOf<In> input) requires(!std::is_void_v<In>) {
    return Collect(coroutine_internal::Access::Resume(Get(), &input));
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Result Resume() requires std::is_void_v<In> {
    return Collect(coroutine_internal::Access::Resume(Get(), nullptr));
  }

  // Cancel() ends the coroutine: a Ready one is dropped, a Suspended one is
  // resumed with CoroutineCancelled thrown at its suspension point so its
  // destructors run. Returns OK once it is finished (also when it already
  // was), FailedPrecondition when it is running, and Internal when the body
  // swallowed the cancellation (also logged).
  absl::Status Cancel(std::string_view reason = "cancelled") {
    return coroutine_internal::Access::Cancel(Get(), reason);
  }

  // resumable() is true when Resume() may be called.
  bool resumable() const {
    return block_ != nullptr && (block_->state() == CoroutineState::kReady ||
                                 block_->state() == CoroutineState::kSuspended);
  }
  // done() is true once the coroutine finished (completed, failed or
  // cancelled).
  bool done() const { return block_ == nullptr || IsFinished(block_->state()); }
  CoroutineState state() const { return Get()->state(); }
  const std::string& name() const { return Get()->name(); }
  uint64_t id() const { return Get()->id(); }
  int priority() const { return Get()->priority(); }
  // basic() is the untyped coroutine (identity, listeners, stack).
  BasicCoroutine& basic() const { return *Get(); }

 private:
  template <typename>
  friend class Generator;

  // The control block: the result slot, independent of the body's type.
  struct TypedBlock : BasicCoroutine {
    using BasicCoroutine::BasicCoroutine;
    std::optional<ValueOf<R>> result;
  };

  template <typename F>
  struct Block final : TypedBlock {
    Block(const CoroutineOptions& options, F&& f)
        : TypedBlock(options), fn(std::move(f)) {}
    Block(const CoroutineOptions& options, const F& f)
        : TypedBlock(options), fn(f) {}

    void Run(void* input) override {
      Suspender s(this);
      if constexpr (std::is_void_v<In>) {
        if constexpr (std::is_void_v<R>) {
          std::invoke(*this->fn, s);
          this->result.emplace();
        } else {
          this->result.emplace(std::invoke(*this->fn, s));
        }
      } else {
        In in = std::move(*static_cast<In*>(input));
        if constexpr (std::is_void_v<R>) {
          std::invoke(*this->fn, s, std::move(in));
          this->result.emplace();
        } else {
          this->result.emplace(std::invoke(*this->fn, s, std::move(in)));
        }
      }
    }
    void DropBody() noexcept override { this->fn.reset(); }

    std::optional<F> fn;
  };

  struct AdoptTag {};
  Coroutine(AdoptTag, TypedBlock* block) : block_(block) {}

  TypedBlock* Get() const {
    if (block_ == nullptr) {
      coroutine_internal::Fatal("use of a moved-from or empty Coroutine");
    }
    return block_;
  }

  void Reset() {
    if (block_ != nullptr) {
      coroutine_internal::Access::Delete(std::exchange(block_, nullptr));
    }
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE Result Collect(void* out) {
    TypedBlock* b = block_;
    switch (b->state()) {
      case CoroutineState::kSuspended:
        return Result(Suspended<ValueOf<Y>>{
            std::move(*static_cast<ValueOf<Y>*>(out)), b->wake_ns()});
      case CoroutineState::kCompleted:
        return Result(Completed<ValueOf<R>>{std::move(*b->result)});
      case CoroutineState::kFailed:
        return Result(Failed{coroutine_internal::Access::Error(b),
                             coroutine_internal::Access::ErrorMessage(b)});
      default:
        return Result(Cancelled{b->cancel_reason()});
    }
  }

  TypedBlock* block_ = nullptr;
};

}  // namespace colony

#endif  // COLONY_COROUTINE_COROUTINE_H_
