// Copyright 2026 The Colony Authors.
//
// What the context switch must preserve, checked at the register level:
// every callee-saved register (x86-64: rbx, rbp, r12-r15; aarch64: x19-x29
// and d8-d15) and the floating-point control state (x86-64: the control bits
// of MXCSR and the x87 control word; aarch64: FPCR) of both sides of a
// switch. Inline assembly fills the registers with known patterns right
// before a switch and reads them back right after it, so the compiler
// cannot hide a register the switch forgot.

#include "coroutine/internal/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <ostream>

#include "coroutine/coroutine.h"

// void colony_test_fill_call_dump(void (*fn)(void*), void* arg,
//                                 const uint64_t* pattern, uint64_t* out)
//
// Loads every callee-saved register from pattern[], calls fn(arg), stores the
// callee-saved registers as fn left them into out[] and returns with the
// caller's registers restored. fn must preserve them as any C++ function
// does, so out[] == pattern[] unless a context switch inside fn lost one.
#if defined(__x86_64__)
// rbx, rbp, r12, r13, r14, r15.
constexpr int kCalleeSaved = 6;
asm(R"(
        .text
        .globl  colony_test_fill_call_dump
        .hidden colony_test_fill_call_dump
        .type   colony_test_fill_call_dump, @function
        .p2align 4
colony_test_fill_call_dump:
        .cfi_startproc
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbp, 0
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbx, 0
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r12, 0
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r13, 0
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r14, 0
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r15, 0
        pushq   %rcx                    # out; also aligns rsp to 16
        .cfi_adjust_cfa_offset 8
        movq    %rdi, %rax
        movq    %rsi, %rdi
        movq    0(%rdx), %rbx
        movq    8(%rdx), %rbp
        movq    16(%rdx), %r12
        movq    24(%rdx), %r13
        movq    32(%rdx), %r14
        movq    40(%rdx), %r15
        callq   *%rax
        movq    (%rsp), %rcx
        movq    %rbx, 0(%rcx)
        movq    %rbp, 8(%rcx)
        movq    %r12, 16(%rcx)
        movq    %r13, 24(%rcx)
        movq    %r14, 32(%rcx)
        movq    %r15, 40(%rcx)
        popq    %rcx
        .cfi_adjust_cfa_offset -8
        popq    %r15
        .cfi_adjust_cfa_offset -8
        popq    %r14
        .cfi_adjust_cfa_offset -8
        popq    %r13
        .cfi_adjust_cfa_offset -8
        popq    %r12
        .cfi_adjust_cfa_offset -8
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        ret
        .cfi_endproc
        .size   colony_test_fill_call_dump, .-colony_test_fill_call_dump
)");
#elif defined(__aarch64__)
// x19-x28, x29, then the low halves d8-d15 of v8-v15.
constexpr int kCalleeSaved = 19;
asm(R"(
        .text
        .globl  colony_test_fill_call_dump
        .hidden colony_test_fill_call_dump
        .type   colony_test_fill_call_dump, %function
        .p2align 2
colony_test_fill_call_dump:
        .cfi_startproc
        stp     x29, x30, [sp, #-176]!
        .cfi_def_cfa_offset 176
        .cfi_offset x29, -176
        .cfi_offset x30, -168
        stp     x19, x20, [sp, #16]
        stp     x21, x22, [sp, #32]
        stp     x23, x24, [sp, #48]
        stp     x25, x26, [sp, #64]
        stp     x27, x28, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        .cfi_offset x19, -160
        .cfi_offset x20, -152
        .cfi_offset x21, -144
        .cfi_offset x22, -136
        .cfi_offset x23, -128
        .cfi_offset x24, -120
        .cfi_offset x25, -112
        .cfi_offset x26, -104
        .cfi_offset x27, -96
        .cfi_offset x28, -88
        .cfi_offset d8, -80
        .cfi_offset d9, -72
        .cfi_offset d10, -64
        .cfi_offset d11, -56
        .cfi_offset d12, -48
        .cfi_offset d13, -40
        .cfi_offset d14, -32
        .cfi_offset d15, -24
        str     x3, [sp, #160]          // out
        mov     x9, x0
        mov     x0, x1
        ldp     x19, x20, [x2, #0]
        ldp     x21, x22, [x2, #16]
        ldp     x23, x24, [x2, #32]
        ldp     x25, x26, [x2, #48]
        ldp     x27, x28, [x2, #64]
        ldr     x29, [x2, #80]
        ldp     d8, d9, [x2, #88]
        ldp     d10, d11, [x2, #104]
        ldp     d12, d13, [x2, #120]
        ldp     d14, d15, [x2, #136]
        blr     x9
        ldr     x10, [sp, #160]
        stp     x19, x20, [x10, #0]
        stp     x21, x22, [x10, #16]
        stp     x23, x24, [x10, #32]
        stp     x25, x26, [x10, #48]
        stp     x27, x28, [x10, #64]
        str     x29, [x10, #80]
        stp     d8, d9, [x10, #88]
        stp     d10, d11, [x10, #104]
        stp     d12, d13, [x10, #120]
        stp     d14, d15, [x10, #136]
        ldp     x19, x20, [sp, #16]
        ldp     x21, x22, [sp, #32]
        ldp     x23, x24, [sp, #48]
        ldp     x25, x26, [sp, #64]
        ldp     x27, x28, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        ldp     x29, x30, [sp], #176
        .cfi_def_cfa_offset 0
        ret
        .cfi_endproc
        .size   colony_test_fill_call_dump, .-colony_test_fill_call_dump
)");
#else
#error "Colony supports x86-64 and aarch64 only"
#endif

extern "C" void colony_test_fill_call_dump(void (*fn)(void*), void* arg,
                                           const uint64_t* pattern,
                                           uint64_t* out);

namespace colony {
namespace {

using coroutine_internal::colony_context_switch;
using coroutine_internal::Context;
using coroutine_internal::MakeContext;
using testing::ElementsAreArray;

using Registers = std::array<uint64_t, kCalleeSaved>;

// A distinct, recognisable value for every register and every `seed`.
Registers Pattern(uint64_t seed) {
  Registers r;
  for (int i = 0; i < kCalleeSaved; ++i) {
    r[i] = 0x0101010101010101ULL * (seed * 32 + i + 1);
  }
  return r;
}

// Two raw contexts and what the second one saw.
struct RawPair {
  Context main;
  Context co;
  Registers co_pattern;
  Registers co_seen;
};

void SwitchMainToCo(void* arg) {
  auto* pair = static_cast<RawPair*>(arg);
  colony_context_switch(&pair->main, &pair->co, pair);
}

void SwitchCoToMain(void* arg) {
  auto* pair = static_cast<RawPair*>(arg);
  colony_context_switch(&pair->co, &pair->main, nullptr);
}

void RawEntry(void* /*transfer*/, void* user) {
  auto* pair = static_cast<RawPair*>(user);
  colony_test_fill_call_dump(&SwitchCoToMain, pair, pair->co_pattern.data(),
                             pair->co_seen.data());
  colony_context_switch(&pair->co, &pair->main, nullptr);
  __builtin_trap();  // Never resumed again.
}

TEST(ContextTest, CalleeSavedRegistersSurviveSwitchesBothWays) {
  constexpr size_t kStackSize = 64 * 1024;
  auto stack = std::make_unique<char[]>(kStackSize);
  RawPair pair{};
  pair.co_pattern = Pattern(2);
  MakeContext(&pair.co, stack.get() + kStackSize, &RawEntry, &pair);

  // Into the fresh context, which fills its registers with another pattern
  // and switches back: ours must come back.
  const Registers first = Pattern(1);
  Registers seen{};
  colony_test_fill_call_dump(&SwitchMainToCo, &pair, first.data(), seen.data());
  EXPECT_THAT(seen, ElementsAreArray(first));

  // Back into it with yet another pattern: it must find its own registers,
  // and we ours once it switches away for good.
  const Registers second = Pattern(3);
  colony_test_fill_call_dump(&SwitchMainToCo, &pair, second.data(),
                             seen.data());
  EXPECT_THAT(seen, ElementsAreArray(second));
  EXPECT_THAT(pair.co_seen, ElementsAreArray(pair.co_pattern));
}

// The floating-point control state as one number, with status flags (which
// arithmetic may set) left out. Printed in hex by failing expectations.
struct FpControl {
  uint64_t bits = 0;
  bool operator==(const FpControl&) const = default;
  friend void PrintTo(const FpControl& c, std::ostream* os) {
    *os << "0x" << std::hex << c.bits << std::dec;
  }
};

#if defined(__x86_64__)
// x87 control word << 32 | MXCSR control bits.
constexpr FpControl kDefaultFpControl{uint64_t{0x037f} << 32 | 0x1f80};
// Round toward zero in both units, flush-to-zero and denormals-are-zero in
// SSE, 53-bit x87 precision.
constexpr FpControl kOddFpControl{uint64_t{0x0e7f} << 32 | 0xffc0};

FpControl ReadFpControl() {
  uint32_t mxcsr;
  uint16_t x87;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(x87));
  return {uint64_t{x87} << 32 | (mxcsr & ~uint32_t{0x3f})};
}

void WriteFpControl(FpControl control) {
  const uint32_t mxcsr = static_cast<uint32_t>(control.bits);
  const uint16_t x87 = static_cast<uint16_t>(control.bits >> 32);
  asm volatile("ldmxcsr %0" : : "m"(mxcsr) : "memory");
  asm volatile("fldcw %0" : : "m"(x87) : "memory");
}
#elif defined(__aarch64__)
// FPCR.
constexpr FpControl kDefaultFpControl{0};
// RMode = round toward zero (bits 23:22), FZ (bit 24).
constexpr FpControl kOddFpControl{0x3ULL << 22 | 1ULL << 24};

FpControl ReadFpControl() {
  uint64_t fpcr;
  asm volatile("mrs %0, fpcr" : "=r"(fpcr));
  return {fpcr};
}

void WriteFpControl(FpControl control) {
  asm volatile("msr fpcr, %0" : : "r"(control.bits) : "memory");
}
#endif

// 1/3 in single precision: the last bit tells round-to-nearest (…ab) from
// round-toward-zero (…aa), so this shows the mode the hardware really uses.
uint32_t OneThirdBits() {
  volatile float one = 1.0f;
  volatile float three = 3.0f;
  const float q = one / three;
  uint32_t bits;
  __builtin_memcpy(&bits, &q, sizeof(bits));
  return bits;
}
constexpr uint32_t kThirdNearest = 0x3eaaaaab;
constexpr uint32_t kThirdTowardZero = 0x3eaaaaaa;

// With isolate_fp_env, each side of a switch keeps its own control state.
const CoroutineOptions kIsolated{.isolate_fp_env = true};

TEST(ContextTest, CoroutineRoundingModeStaysInsideTheCoroutine) {
  ASSERT_EQ(ReadFpControl(), kDefaultFpControl);
  FpControl start, before, after;
  uint32_t before_bits = 0, after_bits = 0;
  Coroutine<void, void, void> co(
      [&](Suspender<void, void>& s) {
        start = ReadFpControl();
        WriteFpControl(kOddFpControl);
        before = ReadFpControl();
        before_bits = OneThirdBits();
        s.Suspend();
        after = ReadFpControl();
        after_bits = OneThirdBits();
      },
      kIsolated);

  co.Resume();
  // Suspended with its own mode: the resumer keeps the default.
  EXPECT_EQ(ReadFpControl(), kDefaultFpControl);
  EXPECT_EQ(OneThirdBits(), kThirdNearest);
  EXPECT_EQ(start, kDefaultFpControl);
  EXPECT_EQ(before, kOddFpControl);
  EXPECT_EQ(before_bits, kThirdTowardZero);

  co.Resume();
  // Resumed, it still saw its mode; finished, the resumer has its own.
  EXPECT_TRUE(co.done());
  EXPECT_EQ(after, kOddFpControl);
  EXPECT_EQ(after_bits, kThirdTowardZero);
  EXPECT_EQ(ReadFpControl(), kDefaultFpControl);
  EXPECT_EQ(OneThirdBits(), kThirdNearest);
}

TEST(ContextTest, ResumerRoundingModeDoesNotLeakIntoTheCoroutine) {
  ASSERT_EQ(ReadFpControl(), kDefaultFpControl);
  FpControl first, second;
  uint32_t second_bits = 0;
  Coroutine<void, void, void> co(
      [&](Suspender<void, void>& s) {
        first = ReadFpControl();
        s.Suspend();
        second = ReadFpControl();
        second_bits = OneThirdBits();
      },
      kIsolated);

  // Started and resumed by a resumer in an odd mode, the coroutine runs in
  // the ABI's default mode; the resumer's mode is back after each switch.
  WriteFpControl(kOddFpControl);
  co.Resume();
  const FpControl resumer_between = ReadFpControl();
  co.Resume();
  const FpControl resumer_after = ReadFpControl();
  WriteFpControl(kDefaultFpControl);

  EXPECT_TRUE(co.done());
  EXPECT_EQ(first, kDefaultFpControl);
  EXPECT_EQ(second, kDefaultFpControl);
  EXPECT_EQ(second_bits, kThirdNearest);
  EXPECT_EQ(resumer_between, kOddFpControl);
  EXPECT_EQ(resumer_after, kOddFpControl);
}

// By default the control state is the thread's, shared like across any
// function call: a mode set inside the coroutine is still set after it
// suspends, and a coroutine sees its resumer's mode.
TEST(ContextTest, SharedFpEnvironmentByDefault) {
  ASSERT_EQ(ReadFpControl(), kDefaultFpControl);
  FpControl inside_second_resume;
  Coroutine<void, void, void> co([&](Suspender<void, void>& s) {
    WriteFpControl(kOddFpControl);
    s.Suspend();
    inside_second_resume = ReadFpControl();
  });
  co.Resume();
  const FpControl after_first = ReadFpControl();
  WriteFpControl(kDefaultFpControl);
  co.Resume();
  EXPECT_EQ(after_first, kOddFpControl);
  EXPECT_EQ(inside_second_resume, kDefaultFpControl);
}

}  // namespace
}  // namespace colony
