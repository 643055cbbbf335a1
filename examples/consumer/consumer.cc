// Copyright 2026 The Colony Authors.
//
// A program in another Bazel workspace, built against Colony's public
// targets: sums a generator's values and checks the result.

#include <cstdio>

#include "coroutine/generator.h"

int main() {
  colony::Generator<int> squares([](colony::Generator<int>::Yielder& y) {
    for (int i = 1; i <= 10; ++i) y.Suspend(i * i);
  });
  int sum = 0;
  for (int v : squares) sum += v;
  std::printf("consumer: sum of the first ten squares = %d\n", sum);
  return sum == 385 ? 0 : 1;
}
