// Copyright 2026 The Colony Authors.
//
// A parser in steady state allocates nothing per multibulk command: the
// global operator new is replaced here to count allocations while the
// parser reads commands it has read before, whole and in pieces.

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>

#include "gtest/gtest.h"
#include "kv/resp/parser.h"

namespace {
std::atomic<size_t> allocations{0};
}  // namespace

void* operator new(size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace colony::kv {
namespace {

using Result = RespParser::Result;

TEST(RespParserAllocTest, SteadyStateMultibulkCommandsDoNotAllocate) {
  RespParser parser;
  const std::string set = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n";
  const std::string mset =
      "*7\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
      "$1\r\nc\r\n$1\r\n3\r\n";
  // Warm up: the vectors grow to the largest command, whole and split.
  ASSERT_EQ(parser.Parse(mset), Result::kCommand);
  ASSERT_EQ(parser.Parse(absl::string_view(mset).substr(0, 40)),
            Result::kNeedMore);
  ASSERT_EQ(parser.Parse(mset), Result::kCommand);

  const size_t before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(parser.Parse(set), Result::kCommand);
    ASSERT_EQ(parser.args().size(), 3u);
    ASSERT_EQ(parser.Parse(mset), Result::kCommand);
    ASSERT_EQ(parser.args().size(), 7u);
    // In two pieces.
    ASSERT_EQ(parser.Parse(absl::string_view(set).substr(0, 17)),
              Result::kNeedMore);
    ASSERT_EQ(parser.Parse(set), Result::kCommand);
  }
  EXPECT_EQ(allocations.load() - before, 0u);
}

TEST(RespParserAllocTest, SteadyStateInlineCommandsDoNotAllocate) {
  RespParser parser;
  const std::string get = "GET \"some key\"\r\n";
  ASSERT_EQ(parser.Parse(get), Result::kCommand);
  const size_t before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(parser.Parse(get), Result::kCommand);
    ASSERT_EQ(parser.args().size(), 2u);
  }
  EXPECT_EQ(allocations.load() - before, 0u);
}

// The counter does count: a command with more arguments than ever before
// grows the vectors.
TEST(RespParserAllocTest, GrowingPastTheLargestCommandAllocates) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*1\r\n$1\r\na\r\n"), Result::kCommand);
  const size_t before = allocations.load();
  ASSERT_EQ(parser.Parse("*9\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
                         "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\n"
                         "a\r\n"),
            Result::kCommand);
  EXPECT_GT(allocations.load() - before, 0u);
}

}  // namespace
}  // namespace colony::kv
