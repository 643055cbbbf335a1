// Copyright 2026 The Colony Authors.
//
// BasicCoroutine: the untyped part of a stackful coroutine.
//
// Every coroutine (see coroutine.h for the typed `Coroutine<In, Y, R>`) has a
// BasicCoroutine: its identity (id, name, priority), its state, its stack and
// its saved registers. It lives at the top of the coroutine's own stack, so
// creating a coroutine costs no heap allocation. Code running inside a
// coroutine reaches its BasicCoroutine with CurrentCoroutine().
//
// Migration: a suspended coroutine may be resumed by any thread. Per-thread
// state that user code can observe is carried with the coroutine: the
// uncaught-exception count and the chain of caught exceptions (so a
// suspension inside a `catch` block or a destructor run by unwinding
// survives a move to another thread), and errno. CurrentCoroutine() is never
// inlined and reads the thread's state afresh after every switch.
//
// Thread-safety: id(), name(), priority(), state(), wake_ns() and
// stack_size() may be read from any thread (state() and wake_ns() are
// snapshots). Everything else belongs to the thread that owns, resumes or
// runs the coroutine; a coroutine must never be resumed by two threads at
// once.

#ifndef COLONY_COROUTINE_BASIC_COROUTINE_H_
#define COLONY_COROUTINE_BASIC_COROUTINE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coroutine/coroutine_state.h"
#include "coroutine/internal/context.h"
#include "coroutine/internal/sanitizer.h"
#include "coroutine/internal/stack.h"
#include "coroutine/internal/thread_state.h"
#include "coroutine/listener.h"
#include "time/clock.h"

namespace colony {

// The usable stack of a coroutine unless CoroutineOptions says otherwise:
// 64 KiB of address space, of which only touched pages use memory.
inline constexpr size_t kDefaultStackSize = 64 * 1024;

// Options for creating a coroutine.
struct CoroutineOptions {
  // Shown in diagnostics (stack overflow, swallowed cancellation) and to
  // listeners. May be empty.
  std::string name;
  // Scheduling priority; larger is more urgent. The coroutine itself does
  // not interpret it; schedulers do.
  int priority = 0;
  // Stack bytes, rounded up to a power of two of at least 16 KiB. The
  // coroutine's control block (a few hundred bytes plus the body's
  // captures) lives at its top, inside this size.
  size_t stack_size = kDefaultStackSize;
  // Notified of every state change of this coroutine, if not null. Must
  // outlive the coroutine.
  Listener* listener = nullptr;
  // By default a coroutine shares the floating-point control state (SSE
  // MXCSR and x87 control word on x86-64, FPCR on aarch64: rounding mode,
  // flush-to-zero, exception masks) of the thread that resumes it, like any
  // function the thread calls: a mode it sets stays set after it suspends.
  // With isolate_fp_env, each switch saves and restores that state, so the
  // coroutine and its resumers each keep their own; it costs a few
  // nanoseconds per switch (reading MXCSR is slow).
  bool isolate_fp_env = false;
};

namespace coroutine_internal {
struct Access;
}  // namespace coroutine_internal

class BasicCoroutine {
 public:
  BasicCoroutine(const BasicCoroutine&) = delete;
  BasicCoroutine& operator=(const BasicCoroutine&) = delete;

  // id() is unique among all coroutines created by this process.
  uint64_t id() const { return id_; }
  // name() is CoroutineOptions::name.
  const std::string& name() const { return name_; }
  // priority() is CoroutineOptions::priority, or the last set_priority().
  int priority() const { return priority_.load(std::memory_order_relaxed); }
  // set_priority() changes the priority a scheduler sees.
  void set_priority(int priority) {
    priority_.store(priority, std::memory_order_relaxed);
  }
  // state() is the current state.
  CoroutineState state() const {
    return state_.load(std::memory_order_relaxed);
  }
  // wake_ns() is the wake-up timestamp (NowNanos() time base) given with the
  // last suspension, or 0 when none was given.
  int64_t wake_ns() const { return wake_ns_.load(std::memory_order_relaxed); }
  // stack_size() is the usable size of the coroutine's main stack.
  size_t stack_size() const { return stack_.size; }
  // syscall() names the blocking call while the state is Syscall.
  std::string_view syscall() const { return syscall_; }
  // cancel_requested() is true once Cancel() (or destruction) began, or,
  // for a scheduler's task, once its cancellation was requested (the same
  // answer as CancellationRequested() inside it). Readable from any thread
  // for a task; otherwise from the thread that owns the coroutine.
  bool cancel_requested() const {
    return cancel_requested_ || CancelRequestedElsewhere();
  }
  // cancel_reason() is the reason given to Cancel().
  const std::string& cancel_reason() const {
    return cold_ != nullptr ? cold_->cancel_reason : EmptyString();
  }

  // AddListener() registers `listener` for this coroutine's state changes.
  // Call it only while the coroutine is not running.
  void AddListener(Listener* listener);
  // RemoveListener() unregisters `listener`.
  void RemoveListener(Listener* listener);

  // EnterSyscall() marks the running coroutine as blocked in the call
  // `name` (a string with static storage duration), until ExitSyscall().
  // Only the coroutine itself may call them.
  void EnterSyscall(std::string_view name);
  void ExitSyscall();

  // StackRemaining() is how many bytes are left below the stack pointer on
  // the stack segment the coroutine is running on. Only meaningful when
  // called from inside the coroutine.
  size_t StackRemaining() const;

 protected:
  explicit BasicCoroutine(const CoroutineOptions& options);
  virtual ~BasicCoroutine();

  // Run() executes the body; `input` is the pointer given to the first
  // Resume. Derived classes store the result themselves.
  virtual void Run(void* input) = 0;
  // DropBody() destroys the body's callable (its captures) once it returned.
  virtual void DropBody() noexcept = 0;
  // CancelRequestedElsewhere() is true when whoever runs the coroutine (a
  // scheduler) has asked it to cancel, before that reached Cancel().
  virtual bool CancelRequestedElsewhere() const { return false; }

  // ResumeRaw() switches into the coroutine, passing `transfer`, and
  // returns what its next suspension passed back (or null when it
  // finished). Aborts unless the state is Ready or Suspended.
  void* ResumeRaw(void* transfer);
  // SuspendRaw() switches back to the resumer, passing `transfer`, and
  // returns the transfer of the next Resume. Throws CoroutineCancelled when
  // the coroutine was resumed by Cancel(); returns null instead (without
  // suspending) when cancelled while an exception is already unwinding.
  void* SuspendRaw(void* transfer, int64_t wake_ns);
  // CancelRaw() implements Cancel(): unwinds a suspended coroutine, marks a
  // ready one cancelled.
  absl::Status CancelRaw(std::string_view reason);

  // Failure details once the state is Failed.
  const std::exception_ptr& error() const {
    return cold_ != nullptr ? cold_->error : NoError();
  }
  const std::string& error_message() const {
    return cold_ != nullptr ? cold_->error_message : EmptyString();
  }

 private:
  friend struct coroutine_internal::Access;

  // What most coroutines never have: listeners, a cancellation reason, a
  // failure. Out of line (allocated on first use), so that the block every
  // spawn writes stays smaller by the size of two strings, a vector and an
  // exception pointer.
  struct ColdState {
    std::vector<Listener*> listeners;
    std::string cancel_reason;
    std::exception_ptr error;
    std::string error_message;
  };
  ColdState& Cold();
  static const std::string& EmptyString();
  static const std::exception_ptr& NoError();

  static void Entry(void* transfer, void* self);
  [[noreturn]] void Main(void* transfer);
  void Transition(CoroutineState to);
  void SetState(CoroutineState from, CoroutineState to);
  [[noreturn]] void FatalIllegalTransition(CoroutineState from,
                                           CoroutineState to) const;
  void NotifyListeners(CoroutineState from, CoroutineState to);
  void* Switch(coroutine_internal::Context* from,
               const coroutine_internal::Context* to, void* transfer);
  void* SwitchInto(void* transfer);
  void* SwitchOut(void* transfer);
  void* OnCancelledSuspend();
  void LeaveIfCanaryBroken();
  void CheckCanary() const;
  [[noreturn]] void FatalNotResumable() const;

  // Saved registers of the coroutine (while not running), and where those
  // of whoever resumed it are saved while it runs: a Context in the
  // resumer's own frame (SwitchInto()), which lives exactly as long as the
  // coroutine runs, so the block does not carry a second Context.
  coroutine_internal::Context context_;
  coroutine_internal::Context* caller_ = nullptr;
  // The stack segment the coroutine is running on: its main stack, or a
  // segment pushed by MaybeGrow().
  char* active_lo_ = nullptr;
  size_t active_size_ = 0;
  coroutine_internal::GuardMode active_guard_ =
      coroutine_internal::GuardMode::kGuardAdvice;
  // Written by the thread that runs the coroutine. Relaxed: other threads
  // read it as a snapshot (Dump()) or after a synchronisation that orders
  // it (a scheduler's queue, or its acquire of the finished flag).
  std::atomic<CoroutineState> state_{CoroutineState::kReady};
  bool cancel_requested_ = false;
  bool cancel_thrown_ = false;
  bool swallowed_ = false;
  bool heap_block_ = false;
  bool observed_ = false;  // cold_->listeners is not empty
  bool has_eh_ = false;    // saved_eh_ is not all zero
  const bool isolate_fp_env_;
  int saved_errno_ = 0;
  coroutine_internal::EhGlobals saved_eh_;
  // Plain values read by other threads for display or scheduling, never to
  // reach other data: relaxed.
  std::atomic<int64_t> wake_ns_{0};
  std::atomic<int> priority_;
  uint64_t id_;
  coroutine_internal::Stack stack_;
  // The coroutine's CoroutineLocal values (a local_internal::LocalTable
  // owned by local/, opaque here), or null while it has none. Destroyed
  // through the LocalsHooks (internal/locals_hooks.h) when the coroutine
  // ends.
  void* locals_ = nullptr;
  std::string name_;
  std::string_view syscall_;
  std::unique_ptr<ColdState> cold_;
  // Sanitizer bookkeeping: no bytes without sanitizers.
  [[no_unique_address]] coroutine_internal::FiberSanitizerState san_;
};

// CurrentCoroutine() is the coroutine running on the calling thread, or null
// on a plain thread. Never inlined, so it is re-read after every switch.
BasicCoroutine* CurrentCoroutine();

// SyscallScope marks the current coroutine as in the Syscall state for its
// lifetime (open-coroutine's Running ⇄ Syscall). Outside a coroutine it does
// nothing.
class SyscallScope {
 public:
  // `name` must have static storage duration (a string literal).
  explicit SyscallScope(std::string_view name);
  ~SyscallScope();
  SyscallScope(const SyscallScope&) = delete;
  SyscallScope& operator=(const SyscallScope&) = delete;

 private:
  BasicCoroutine* coroutine_;
};

}  // namespace colony

#include "coroutine/internal/basic_coroutine_inl.h"  // IWYU pragma: export

#endif  // COLONY_COROUTINE_BASIC_COROUTINE_H_
