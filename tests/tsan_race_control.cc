// Copyright 2026 The Colony Authors.
//
// Positive control for the ThreadSanitizer fiber annotations: two
// coroutines, resumed on two different threads with nothing ordering them,
// write the same variable. A TSan build must report the race; the test
// script tsan_positive_control_test.sh checks that it does. The annotations
// must make switches synchronise a coroutine with the thread that resumes
// it, not hide real races between coroutines.

#include <cstdio>
#include <thread>

#include "coroutine/coroutine.h"
#include "coroutine/internal/sanitizer.h"

namespace {

int shared_counter = 0;

void Bump(colony::Suspender<void, void>& s) {
  s.Suspend();
  ++shared_counter;  // racy on purpose
}

}  // namespace

int main() {
  std::printf("tsan: %s\n",
              colony::coroutine_internal::kTsan ? "enabled" : "disabled");
  std::fflush(stdout);
  colony::Coroutine<void, void, void> a(&Bump, {.name = "racer-a"});
  colony::Coroutine<void, void, void> b(&Bump, {.name = "racer-b"});
  a.Resume();
  b.Resume();
  std::thread ta([&] { a.Resume(); });
  std::thread tb([&] { b.Resume(); });
  ta.join();
  tb.join();
  std::printf("counter: %d\n", shared_counter);
  return 0;
}
