// Copyright 2026 The Colony Authors.
//
// Context switch for aarch64 (AAPCS64). Saves only the callee-saved
// registers and FPCR, and resumes with an indirect branch.

#if defined(__aarch64__)
#include "coroutine/internal/context_offsets.h"

        .text

.macro SAVE_REGS
        stp     x19, x20, [x0, #COLONY_CTX_X19]
        stp     x21, x22, [x0, #COLONY_CTX_X21]
        stp     x23, x24, [x0, #COLONY_CTX_X23]
        stp     x25, x26, [x0, #COLONY_CTX_X25]
        stp     x27, x28, [x0, #COLONY_CTX_X27]
        stp     x29, x30, [x0, #COLONY_CTX_X29]
        mov     x9, sp
        str     x9, [x0, #COLONY_CTX_SP]
        stp     d8, d9, [x0, #COLONY_CTX_D8]
        stp     d10, d11, [x0, #COLONY_CTX_D10]
        stp     d12, d13, [x0, #COLONY_CTX_D12]
        stp     d14, d15, [x0, #COLONY_CTX_D14]
.endm

.macro LOAD_REGS
        ldp     x19, x20, [x1, #COLONY_CTX_X19]
        ldp     x21, x22, [x1, #COLONY_CTX_X21]
        ldp     x23, x24, [x1, #COLONY_CTX_X23]
        ldp     x25, x26, [x1, #COLONY_CTX_X25]
        ldp     x27, x28, [x1, #COLONY_CTX_X27]
        ldp     x29, x30, [x1, #COLONY_CTX_X29]
        ldr     x9, [x1, #COLONY_CTX_SP]
        ldp     d8, d9, [x1, #COLONY_CTX_D8]
        ldp     d10, d11, [x1, #COLONY_CTX_D10]
        ldp     d12, d13, [x1, #COLONY_CTX_D12]
        ldp     d14, d15, [x1, #COLONY_CTX_D14]
.endm

// void* colony_context_switch(Context* from, const Context* to, void* arg)
//
// x30 (the return address) is saved as the resume address. The resumed side
// sees `arg` in x0: the return value of its own switch, or the first
// argument of a fresh entry function. FPCR is left alone: both sides share
// the thread's.
        .globl  colony_context_switch
        .type   colony_context_switch, %function
        .p2align 4
colony_context_switch:
        .cfi_startproc
        SAVE_REGS
        LOAD_REGS
        mov     sp, x9
        mov     x0, x2
        br      x30
        .cfi_endproc
        .size   colony_context_switch, .-colony_context_switch

// void* colony_context_switch_fp(Context* from, const Context* to, void* arg)
//
// colony_context_switch() that also gives each side its own FPCR
// (CoroutineOptions::isolate_fp_env).
        .globl  colony_context_switch_fp
        .type   colony_context_switch_fp, %function
        .p2align 4
colony_context_switch_fp:
        .cfi_startproc
        SAVE_REGS
        mrs     x10, fpcr
        str     x10, [x0, #COLONY_CTX_FPCR]
        LOAD_REGS
        ldr     x11, [x1, #COLONY_CTX_FPCR]
        // Writing FPCR can be slow; skip it when nothing changes.
        cmp     x10, x11
        b.eq    1f
        msr     fpcr, x11
1:
        mov     sp, x9
        mov     x0, x2
        br      x30
        .cfi_endproc
        .size   colony_context_switch_fp, .-colony_context_switch_fp

// First code run on a fresh context: MakeContext() (context.h) stores the entry
// function in x20 and its second argument in x19. A zero link register and
// frame pointer end the call chain for unwinders and debuggers.
        .globl  colony_context_trampoline
        .type   colony_context_trampoline, %function
        .p2align 4
colony_context_trampoline:
        .cfi_startproc
        .cfi_undefined x30
        mov     x1, x19
        mov     x29, xzr
        mov     x30, xzr
        br      x20
        .cfi_endproc
        .size   colony_context_trampoline, .-colony_context_trampoline

// void colony_call_on_stack(void* arg, void (*fn)(void*), void* stack_top)
//
// Calls fn(arg) with sp at stack_top (16-byte aligned), then returns on the
// original stack. x29 keeps the old frame so the call unwinds normally.
        .globl  colony_call_on_stack
        .type   colony_call_on_stack, %function
        .p2align 4
colony_call_on_stack:
        .cfi_startproc
        stp     x29, x30, [sp, #-16]!
        .cfi_def_cfa_offset 16
        .cfi_offset x29, -16
        .cfi_offset x30, -8
        mov     x29, sp
        .cfi_def_cfa_register x29
        mov     sp, x2
        blr     x1
        mov     sp, x29
        .cfi_def_cfa sp, 16
        ldp     x29, x30, [sp], #16
        .cfi_def_cfa_offset 0
        .cfi_restore x29
        .cfi_restore x30
        ret
        .cfi_endproc
        .size   colony_call_on_stack, .-colony_call_on_stack

        .section .note.GNU-stack,"",@progbits
#endif
