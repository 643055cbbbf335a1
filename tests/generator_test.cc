// Copyright 2026 The Colony Authors.

#include "coroutine/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ranges>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace colony {
namespace {

TEST(GeneratorTest, RangeForYieldsEveryValue) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    for (int i = 0; i < 5; ++i) y.Suspend(i * i);
  });
  std::vector<int> seen;
  for (int v : gen) seen.push_back(v);
  EXPECT_THAT(seen, testing::ElementsAre(0, 1, 4, 9, 16));
  EXPECT_EQ(gen.coroutine().state(), CoroutineState::kCompleted);
}

TEST(GeneratorTest, InfiniteGeneratorStopsWhenTheLoopBreaks) {
  Generator<long> fib([](Generator<long>::Yielder& y) {
    long a = 0, b = 1;
    for (;;) {
      y.Suspend(a);
      a = std::exchange(b, a + b);
    }
  });
  long last = 0;
  for (long v : fib) {
    if (v > 1000) break;
    last = v;
  }
  EXPECT_EQ(last, 987);
}

TEST(GeneratorTest, ValuesAreNotCopied) {
  Generator<std::string> gen([](Generator<std::string>::Yielder& y) {
    std::string s = "hello";
    y.Suspend(std::move(s));
  });
  for (std::string& s : gen) {
    s += "!";  // refers to the yielded object itself
    EXPECT_EQ(s, "hello!");
  }
}

TEST(GeneratorTest, EmptyGenerator) {
  Generator<int> gen([](Generator<int>::Yielder&) {});
  int count = 0;
  for (int v : gen) count += v + 1;
  EXPECT_EQ(count, 0);
}

TEST(GeneratorTest, ExceptionPropagatesToTheLoop) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    y.Suspend(1);
    throw std::runtime_error("generator broke");
  });
  std::vector<int> seen;
  EXPECT_THROW(
      {
        for (int v : gen) seen.push_back(v);
      },
      std::runtime_error);
  EXPECT_THAT(seen, testing::ElementsAre(1));
}

// Clang 14 cannot compile libstdc++ 12's range adaptors at all.
#if !defined(__clang__) || __clang_major__ >= 15
TEST(GeneratorTest, WorksWithRangesAdaptors) {
  Generator<int> gen([](Generator<int>::Yielder& y) {
    for (int i = 1; i <= 6; ++i) y.Suspend(i);
  });
  int sum = 0;
  for (int v : gen | std::views::filter([](int v) { return v % 2 == 0; })) {
    sum += v;
  }
  EXPECT_EQ(sum, 12);
}
#endif

}  // namespace
}  // namespace colony
