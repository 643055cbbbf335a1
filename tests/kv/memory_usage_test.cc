// Copyright 2026 The Colony Authors.
//
// The counting malloc family (kv/memory_usage.h): every way of allocating
// moves AllocatedBytes() by the block and back when it is freed, whichever
// allocator sits underneath (the BUILD file runs this test again with
// jemalloc, mimalloc and tbbmalloc_proxy preloaded).
#include "kv/memory_usage.h"

#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace colony::kv {
namespace {

constexpr int64_t kBlock = 1 << 20;
// The slack: what the allocator adds to a block, and what gtest or the
// sanitizer runtime may allocate between two readings.
constexpr int64_t kSlack = 64 * 1024;

// Expects AllocatedBytes() to have grown by `n` since `before`: at least
// `n` (less the slack), and at most half as much again (mimalloc's usable
// size of a large aligned block runs to the end of its size class).
void ExpectGrown(int64_t before, int64_t n) {
  const int64_t grown = AllocatedBytes() - before;
  EXPECT_GE(grown, n - kSlack);
  EXPECT_LE(grown, n + n / 2 + kSlack);
}

TEST(MemoryUsageTest, Malloc) {
  const int64_t before = AllocatedBytes();
  void* p = std::malloc(kBlock);
  ASSERT_NE(p, nullptr);
  ExpectGrown(before, kBlock);
  std::free(p);
  ExpectGrown(before, 0);
}

TEST(MemoryUsageTest, CallocAndRealloc) {
  const int64_t before = AllocatedBytes();
  auto* p = static_cast<char*>(std::calloc(kBlock, 1));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p[kBlock - 1], 0);
  ExpectGrown(before, kBlock);
  p = static_cast<char*>(std::realloc(p, 3 * kBlock));
  ASSERT_NE(p, nullptr);
  ExpectGrown(before, 3 * kBlock);
  p = static_cast<char*>(std::realloc(p, kBlock / 2));
  ASSERT_NE(p, nullptr);
  ExpectGrown(before, kBlock / 2);
  std::free(p);
  ExpectGrown(before, 0);
}

TEST(MemoryUsageTest, Aligned) {
  const int64_t before = AllocatedBytes();
  void* a = nullptr;
  ASSERT_EQ(posix_memalign(&a, 4096, kBlock), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 4096, 0u);
  void* b = std::aligned_alloc(256, kBlock);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 256, 0u);
  ExpectGrown(before, 2 * kBlock);
  std::free(a);
  std::free(b);
  ExpectGrown(before, 0);
}

TEST(MemoryUsageTest, NewAndDelete) {
  struct alignas(512) Page {
    char bytes[kBlock];
  };
  const int64_t before = AllocatedBytes();
  auto bytes = std::make_unique<char[]>(kBlock);
  auto page = std::make_unique<Page>();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(page.get()) % 512, 0u);
  std::vector<std::string> strings(1000, std::string(1000, 'x'));
  ExpectGrown(before, 3 * kBlock);
  bytes.reset();
  page.reset();
  strings.clear();
  strings.shrink_to_fit();
  ExpectGrown(before, 0);
}

TEST(MemoryUsageTest, FreedOnAnotherThread) {
  const int64_t before = AllocatedBytes();
  void* p = std::malloc(kBlock);
  // The other thread's balance reaches the total when it exits.
  std::thread([p] { std::free(p); }).join();
  ExpectGrown(before, 0);
}

TEST(MemoryUsageTest, SmallBlocksAddUp) {
  // Many small blocks: the per-block footprint (usable size plus any
  // header) adds up to at least what was asked and not much more.
  constexpr int kCount = 100000;
  std::vector<void*> blocks;
  blocks.reserve(kCount);
  const int64_t before = AllocatedBytes();
  for (int i = 0; i < kCount; ++i) blocks.push_back(std::malloc(40));
  const int64_t grown = AllocatedBytes() - before;
  EXPECT_GE(grown, 40 * kCount);
  EXPECT_LE(grown, 64 * kCount + kSlack);
  for (void* p : blocks) std::free(p);
  ExpectGrown(before, 0);
}

}  // namespace
}  // namespace colony::kv
