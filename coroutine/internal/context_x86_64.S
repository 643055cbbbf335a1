// Copyright 2026 The Colony Authors.
//
// Context switch for x86-64 System V. Saves only what the ABI says a callee
// must preserve, and resumes with an indirect jump (not `ret`) so that the
// return-stack predictor is never fed a mismatched return.

#if defined(__x86_64__)
#include "coroutine/internal/context_offsets.h"

        .text

// Saves the callee-saved general registers of the caller in *from (the
// resume address is popped off the stack), and loads those of *to.
.macro SAVE_AND_LOAD_GPRS
        movq    (%rsp), %r8                 // return address
        leaq    8(%rsp), %r9                // caller's rsp after the return
        movq    %r9, COLONY_CTX_RSP(%rdi)
        movq    %r8, COLONY_CTX_RIP(%rdi)
        movq    %rbx, COLONY_CTX_RBX(%rdi)
        movq    %rbp, COLONY_CTX_RBP(%rdi)
        movq    %r12, COLONY_CTX_R12(%rdi)
        movq    %r13, COLONY_CTX_R13(%rdi)
        movq    %r14, COLONY_CTX_R14(%rdi)
        movq    %r15, COLONY_CTX_R15(%rdi)
        movq    COLONY_CTX_RBX(%rsi), %rbx
        movq    COLONY_CTX_RBP(%rsi), %rbp
        movq    COLONY_CTX_R12(%rsi), %r12
        movq    COLONY_CTX_R13(%rsi), %r13
        movq    COLONY_CTX_R14(%rsi), %r14
        movq    COLONY_CTX_R15(%rsi), %r15
.endm

// Continues at *to: its stack, its resume address, `arg` as the result of
// its own switch (rax) and as the first argument of a fresh entry (rdi).
.macro JUMP_TO_TARGET
        movq    COLONY_CTX_RSP(%rsi), %rsp
        movq    %rdx, %rax
        movq    %rdx, %rdi
        jmpq    *COLONY_CTX_RIP(%rsi)
.endm

// void* colony_context_switch(Context* from, const Context* to, void* arg)
//
// Saves the caller's callee-saved registers in *from, loads *to and
// continues there. The side that resumes sees `arg` as the return value of
// its own switch call, or, for a fresh context, as the first argument of
// its entry function. The floating-point control state (MXCSR, x87 control
// word) is left alone: both sides share the thread's.
        .globl  colony_context_switch
        .type   colony_context_switch, @function
        .p2align 4
colony_context_switch:
        .cfi_startproc
        SAVE_AND_LOAD_GPRS
        JUMP_TO_TARGET
        .cfi_endproc
        .size   colony_context_switch, .-colony_context_switch

// void* colony_context_switch_fp(Context* from, const Context* to, void* arg)
//
// colony_context_switch() that also gives each side its own floating-point
// control state: the MXCSR control bits and the x87 control word are saved
// in *from and loaded from *to. stmxcsr alone costs several nanoseconds, so
// this is opt-in (CoroutineOptions::isolate_fp_env).
        .globl  colony_context_switch_fp
        .type   colony_context_switch_fp, @function
        .p2align 4
colony_context_switch_fp:
        .cfi_startproc
        stmxcsr COLONY_CTX_MXCSR(%rdi)
        fnstcw  COLONY_CTX_FPUCW(%rdi)
        SAVE_AND_LOAD_GPRS
        // Loading the control words is slow; they almost never differ.
        // MXCSR's low six bits are sticky status flags, not callee-saved
        // state: they do not count as a difference.
        movl    COLONY_CTX_MXCSR(%rsi), %eax
        xorl    COLONY_CTX_MXCSR(%rdi), %eax
        testl   $0xffc0, %eax
        jz      1f
        ldmxcsr COLONY_CTX_MXCSR(%rsi)
1:
        movw    COLONY_CTX_FPUCW(%rsi), %ax
        cmpw    %ax, COLONY_CTX_FPUCW(%rdi)
        je      2f
        fldcw   COLONY_CTX_FPUCW(%rsi)
2:
        JUMP_TO_TARGET
        .cfi_endproc
        .size   colony_context_switch_fp, .-colony_context_switch_fp

// First code run on a fresh context. MakeContext() (context.h) stores the entry
// function in r12 and its second argument in rbx. A zero return address
// ends the call chain for unwinders and debuggers.
        .globl  colony_context_trampoline
        .type   colony_context_trampoline, @function
        .p2align 4
colony_context_trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %rbx, %rsi
        pushq   $0
        jmpq    *%r12
        .cfi_endproc
        .size   colony_context_trampoline, .-colony_context_trampoline

// void colony_call_on_stack(void* arg, void (*fn)(void*), void* stack_top)
//
// Calls fn(arg) with rsp at stack_top (16-byte aligned), then returns on the
// original stack. rbp keeps the old stack so the frame unwinds normally.
        .globl  colony_call_on_stack
        .type   colony_call_on_stack, @function
        .p2align 4
colony_call_on_stack:
        .cfi_startproc
        pushq   %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        movq    %rdx, %rsp
        callq   *%rsi
        movq    %rbp, %rsp
        popq    %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size   colony_call_on_stack, .-colony_call_on_stack

        .section .note.GNU-stack,"",@progbits
#endif
