// Copyright 2026 The Colony Authors.
//
// Stack-overflow reporting. A SIGSEGV whose address lies in the guard page
// below the stack segment the faulting thread runs on is a stack overflow:
// the handler, running on the thread's alternate signal stack (the faulting
// stack has no room left), writes a message naming the coroutine, its stack
// size and how to raise it, then aborts. Any other SIGSEGV goes to the
// handler that was installed before ours, or to the default action.

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "coroutine/internal/access.h"
#include "coroutine/internal/thread_state.h"

namespace colony::coroutine_internal {
namespace {

constexpr size_t kAltStackSize = 64 * 1024;

struct sigaction previous_action;

// Appends `s` to buf[*len] without overrunning `cap` (async-signal-safe).
void Append(char* buf, size_t* len, size_t cap, const char* s) {
  while (*s != '\0' && *len + 1 < cap) buf[(*len)++] = *s++;
  buf[*len] = '\0';
}

void AppendNumber(char* buf, size_t* len, size_t cap, unsigned long long v,
                  int base) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0 && n < 23);
  char out[26];
  int o = 0;
  if (base == 16) {
    out[o++] = '0';
    out[o++] = 'x';
  }
  while (n > 0) out[o++] = digits[--n];
  out[o] = '\0';
  Append(buf, len, cap, out);
}

void OnSegv(int sig, siginfo_t* info, void* ucontext) {
  const char* addr = static_cast<const char*>(info->si_addr);
  ThreadState& ts = ThisThreadNoInit();
  BasicCoroutine* co = ts.current;
  const char* lo = nullptr;
  size_t size = 0;
  if (co != nullptr) {
    lo = Access::ActiveLo(co);
    size = Access::ActiveSize(co);
  } else if (ts.segment_lo != nullptr) {
    lo = ts.segment_lo;
    size = ts.segment_size;
  }
  if (lo != nullptr && addr >= lo - kPageSize && addr < lo) {
    char msg[768];
    size_t len = 0;
    Append(msg, &len, sizeof(msg), "colony: stack overflow: ");
    if (co != nullptr) {
      Append(msg, &len, sizeof(msg), "coroutine '");
      Append(msg, &len, sizeof(msg), co->name().c_str());
      Append(msg, &len, sizeof(msg), "' (id ");
      AppendNumber(msg, &len, sizeof(msg), co->id(), 10);
      Append(msg, &len, sizeof(msg), ")");
    } else {
      Append(msg, &len, sizeof(msg), "a MaybeGrow() segment on a thread");
    }
    Append(msg, &len, sizeof(msg), " overflowed its stack of ");
    AppendNumber(msg, &len, sizeof(msg), size, 10);
    Append(msg, &len, sizeof(msg), " bytes (fault at ");
    AppendNumber(msg, &len, sizeof(msg),
                 reinterpret_cast<unsigned long long>(addr), 16);
    Append(msg, &len, sizeof(msg),
           "). Raise CoroutineOptions::stack_size, or run deep recursion "
           "under colony::MaybeGrow().\n");
    ssize_t ignored = write(STDERR_FILENO, msg, len);
    (void)ignored;
    abort();
  }
  // Not ours.
  if ((previous_action.sa_flags & SA_SIGINFO) != 0 &&
      previous_action.sa_sigaction != nullptr) {
    previous_action.sa_sigaction(sig, info, ucontext);
    return;
  }
  if (previous_action.sa_handler == SIG_DFL ||
      previous_action.sa_handler == SIG_IGN) {
    // Returning re-executes the faulting access under the default action.
    signal(SIGSEGV, SIG_DFL);
    return;
  }
  previous_action.sa_handler(sig);
}

// Frees the alternate signal stack this runtime gave a thread.
struct AltStackOwner {
  void* memory = nullptr;
  ~AltStackOwner() {
    if (memory == nullptr) return;
    stack_t disable{};
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, nullptr);
    munmap(memory, kAltStackSize);
  }
};

}  // namespace

void InstallOverflowHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = &OnSegv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_action);
  });
}

void EnsureAltStack() {
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 &&
      (current.ss_flags & SS_DISABLE) == 0) {
    return;  // The thread has one already (its owner's, or a sanitizer's).
  }
  void* memory = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = memory;
  ss.ss_size = kAltStackSize;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(memory, kAltStackSize);
    return;
  }
  static thread_local AltStackOwner owner;
  owner.memory = memory;
}

void Fatal(const char* format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  std::fprintf(stderr, "colony: fatal: %s\n", buffer);
  std::fflush(stderr);
  std::abort();
}

}  // namespace colony::coroutine_internal
