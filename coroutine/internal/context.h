// Copyright 2026 The Colony Authors.
//
// Machine context: the callee-saved registers of a suspended execution, and
// the three assembly routines that switch between contexts.
//
// Thread-safety: a Context is plain data owned by one coroutine; only the
// thread that currently runs or resumes that coroutine touches it.

#ifndef COLONY_COROUTINE_INTERNAL_CONTEXT_H_
#define COLONY_COROUTINE_INTERNAL_CONTEXT_H_

#include <cstddef>
#include <cstdint>

#include "coroutine/internal/context_offsets.h"

namespace colony::coroutine_internal {

#if defined(__x86_64__)
struct Context {
  uintptr_t rsp = 0;
  uintptr_t rip = 0;
  uintptr_t rbx = 0;
  uintptr_t rbp = 0;
  uintptr_t r12 = 0;
  uintptr_t r13 = 0;
  uintptr_t r14 = 0;
  uintptr_t r15 = 0;
  uint32_t mxcsr = 0;
  uint16_t fpucw = 0;
  uint16_t padding = 0;
};
static_assert(offsetof(Context, rsp) == COLONY_CTX_RSP);
static_assert(offsetof(Context, rip) == COLONY_CTX_RIP);
static_assert(offsetof(Context, rbx) == COLONY_CTX_RBX);
static_assert(offsetof(Context, rbp) == COLONY_CTX_RBP);
static_assert(offsetof(Context, r12) == COLONY_CTX_R12);
static_assert(offsetof(Context, r13) == COLONY_CTX_R13);
static_assert(offsetof(Context, r14) == COLONY_CTX_R14);
static_assert(offsetof(Context, r15) == COLONY_CTX_R15);
static_assert(offsetof(Context, mxcsr) == COLONY_CTX_MXCSR);
static_assert(offsetof(Context, fpucw) == COLONY_CTX_FPUCW);
static_assert(sizeof(Context) == COLONY_CTX_SIZE);
#elif defined(__aarch64__)
struct Context {
  uintptr_t x[12] = {};  // x19..x28, x29 (fp), x30 (resume address)
  uintptr_t sp = 0;
  uintptr_t fpcr = 0;
  uint64_t d[8] = {};  // d8..d15
};
static_assert(offsetof(Context, x) == COLONY_CTX_X19);
static_assert(offsetof(Context, x) + 2 * 8 == COLONY_CTX_X21);
static_assert(offsetof(Context, x) + 4 * 8 == COLONY_CTX_X23);
static_assert(offsetof(Context, x) + 6 * 8 == COLONY_CTX_X25);
static_assert(offsetof(Context, x) + 8 * 8 == COLONY_CTX_X27);
static_assert(offsetof(Context, x) + 10 * 8 == COLONY_CTX_X29);
static_assert(offsetof(Context, sp) == COLONY_CTX_SP);
static_assert(offsetof(Context, fpcr) == COLONY_CTX_FPCR);
static_assert(offsetof(Context, d) == COLONY_CTX_D8);
static_assert(offsetof(Context, d) + 2 * 8 == COLONY_CTX_D10);
static_assert(offsetof(Context, d) + 4 * 8 == COLONY_CTX_D12);
static_assert(offsetof(Context, d) + 6 * 8 == COLONY_CTX_D14);
static_assert(sizeof(Context) == COLONY_CTX_SIZE);
#endif

extern "C" {
// Saves the current context into `from`, resumes `to`, and returns the `arg`
// of the switch that later resumes `from`. The floating-point control state
// is shared, not switched.
void* colony_context_switch(Context* from, const Context* to, void* arg);
// colony_context_switch() that also saves and restores the floating-point
// control state (MXCSR and x87 control word, or FPCR).
void* colony_context_switch_fp(Context* from, const Context* to, void* arg);
// Entry of a fresh context; see context_*.S.
void colony_context_trampoline();
// Runs fn(arg) on the stack whose (16-byte aligned) top is `stack_top`.
void colony_call_on_stack(void* arg, void (*fn)(void*), void* stack_top);
}

// The function a fresh context starts in: `arg` is the value passed to the
// first switch into it, `user` the value given to MakeContext. It must never
// return; it ends by switching away for good.
using EntryFn = void (*)(void* arg, void* user);

// MakeContext prepares `ctx` so that switching to it runs entry(arg, user)
// on the stack whose top (exclusive, 16-byte aligned) is `stack_top`.
inline void MakeContext(Context* ctx, void* stack_top, EntryFn entry,
                        void* user) {
  *ctx = Context{};
  const auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
#if defined(__x86_64__)
  ctx->rsp = top;
  ctx->rip = reinterpret_cast<uintptr_t>(&colony_context_trampoline);
  ctx->rbx = reinterpret_cast<uintptr_t>(user);
  ctx->r12 = reinterpret_cast<uintptr_t>(entry);
  // The ABI's initial control words: all exceptions masked, round to
  // nearest, 64-bit x87 precision.
  ctx->mxcsr = 0x1f80;
  ctx->fpucw = 0x037f;
#elif defined(__aarch64__)
  ctx->sp = top;
  ctx->x[0] = reinterpret_cast<uintptr_t>(user);   // x19
  ctx->x[1] = reinterpret_cast<uintptr_t>(entry);  // x20
  ctx->x[11] = reinterpret_cast<uintptr_t>(&colony_context_trampoline);
  ctx->fpcr = 0;
#endif
}

}  // namespace colony::coroutine_internal

#endif  // COLONY_COROUTINE_INTERNAL_CONTEXT_H_
