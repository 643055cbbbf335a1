// Copyright 2026 The Colony Authors.
//
// Register-save offsets shared by the context-switch assembly and C++.
//
// This header is included by both `context_x86_64.S`/`context_aarch64.S` and
// `context.h`, so it may contain only preprocessor definitions. `context.h`
// ties every offset to the C++ struct layout with `static_assert(offsetof)`.

#ifndef COLONY_COROUTINE_INTERNAL_CONTEXT_OFFSETS_H_
#define COLONY_COROUTINE_INTERNAL_CONTEXT_OFFSETS_H_

#if defined(__x86_64__)

// System V AMD64: rbx, rbp, r12-r15 and rsp are callee-saved, as are the
// control bits of MXCSR and the x87 control word.
#define COLONY_CTX_RSP 0x00
#define COLONY_CTX_RIP 0x08
#define COLONY_CTX_RBX 0x10
#define COLONY_CTX_RBP 0x18
#define COLONY_CTX_R12 0x20
#define COLONY_CTX_R13 0x28
#define COLONY_CTX_R14 0x30
#define COLONY_CTX_R15 0x38
#define COLONY_CTX_MXCSR 0x40
#define COLONY_CTX_FPUCW 0x44
#define COLONY_CTX_SIZE 0x48

#elif defined(__aarch64__)

// AAPCS64: x19-x28, the frame pointer x29, sp and the low halves d8-d15 of
// v8-v15 are callee-saved; FPCR (rounding mode, flush-to-zero) is preserved
// across calls too. The link register x30 holds the resume address.
#define COLONY_CTX_X19 0x00
#define COLONY_CTX_X21 0x10
#define COLONY_CTX_X23 0x20
#define COLONY_CTX_X25 0x30
#define COLONY_CTX_X27 0x40
#define COLONY_CTX_X29 0x50
#define COLONY_CTX_SP 0x60
#define COLONY_CTX_FPCR 0x68
#define COLONY_CTX_D8 0x70
#define COLONY_CTX_D10 0x80
#define COLONY_CTX_D12 0x90
#define COLONY_CTX_D14 0xa0
#define COLONY_CTX_SIZE 0xb0

#else
#error "Colony supports x86-64 and aarch64 only"
#endif

#endif  // COLONY_COROUTINE_INTERNAL_CONTEXT_OFFSETS_H_
