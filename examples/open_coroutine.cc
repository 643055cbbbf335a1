// Copyright 2026 The Colony Authors.
//
// The open-coroutine example in Colony: a typed coroutine that receives an
// input, suspends with a value, receives the next input and returns a
// result; then a generator, and a cancellation that runs a drop guard.

#include <cstdio>
#include <string>

#include "coroutine/coroutine.h"
#include "coroutine/generator.h"

namespace {

using colony::Completed;
using colony::Coroutine;
using colony::CoroutineState;
using colony::CoroutineStateName;
using colony::Suspended;

void Show(const char* step, const colony::BasicCoroutine& co) {
  std::printf("  %-28s state=%s\n", step, CoroutineStateName(co.state()));
}

int TypedResumeAndSuspend() {
  std::printf("typed resume/suspend (open-coroutine's example):\n");
  Coroutine<int, int, int> co(
      [](Coroutine<int, int, int>::Suspender& s, int input) {
        std::printf("  body started with input %d\n", input);
        const int next = s.Suspend(input + 1);
        std::printf("  body resumed with input %d\n", next);
        return next + 1;
      },
      {.name = "example"});
  Show("created", co.basic());
  auto first = co.Resume(1);
  std::printf("  Resume(1) -> suspended with %d\n", first.yielded());
  Show("after Resume(1)", co.basic());
  auto second = co.Resume(3);
  std::printf("  Resume(3) -> completed with %d\n", second.returned());
  Show("after Resume(3)", co.basic());
  return first == Suspended{2} && second == Completed{4} ? 0 : 1;
}

int GeneratorDemo() {
  std::printf("generator:\n ");
  colony::Generator<long> fib([](colony::Generator<long>::Yielder& y) {
    long a = 0, b = 1;
    for (;;) {
      y.Suspend(a);
      const long next = a + b;
      a = b;
      b = next;
    }
  });
  long sum = 0;
  for (long v : fib) {
    if (v > 100) break;
    std::printf(" %ld", v);
    sum += v;
  }
  std::printf("\n");
  return sum == 232 ? 0 : 1;
}

int CancellationDemo() {
  std::printf("cancellation runs destructors:\n");
  bool guard_ran = false;
  Coroutine<void, void, void> co(
      [&](auto& s) {
        struct DropGuard {
          bool* ran;
          ~DropGuard() {
            *ran = true;
            std::printf("  drop guard: releasing the resource\n");
          }
        } guard{&guard_ran};
        s.Suspend();
        std::printf("  never printed: the coroutine is cancelled here\n");
      },
      {.name = "holder"});
  co.Resume();
  Show("suspended holding a resource", co.basic());
  const absl::Status status = co.Cancel("no longer needed");
  Show("after Cancel()", co.basic());
  return status.ok() && guard_ran && co.state() == CoroutineState::kCancelled
             ? 0
             : 1;
}

}  // namespace

int main() {
  int failures = TypedResumeAndSuspend();
  failures += GeneratorDemo();
  failures += CancellationDemo();
  std::printf(failures == 0 ? "all examples behaved as expected\n"
                            : "an example misbehaved\n");
  return failures == 0 ? 0 : 1;
}
