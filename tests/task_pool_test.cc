// Copyright 2026 The Colony Authors.
//
// TaskPool: every block handed out is distinct, aligned and as large as
// asked, across magazine boundaries, across threads (blocks freed on a
// thread other than the one that took them) and after threads exit (their
// magazines go back to the depot and are handed out again).

#include "scheduler/internal/task_pool.h"

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/base/config.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace colony::scheduler_internal {
namespace {

// Take() allocates `n` blocks of `size`, fills each with a pattern naming
// it, and checks that none was handed out twice.
std::vector<void*> Take(size_t n, size_t size) {
  std::vector<void*> blocks;
  absl::flat_hash_set<void*> seen;
  for (size_t i = 0; i < n; ++i) {
    void* b = TaskPool::Allocate(size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
    EXPECT_TRUE(seen.insert(b).second) << "block " << b << " handed out twice";
    std::memset(b, static_cast<int>(i & 0xff), size);
    blocks.push_back(b);
  }
  return blocks;
}

// Check() verifies that every block still holds its pattern (no block
// overlaps another), then frees them.
void CheckAndFree(const std::vector<void*>& blocks, size_t size) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    const auto* p = static_cast<const unsigned char*>(blocks[i]);
    ASSERT_EQ(p[0], i & 0xff) << "block " << i;
    ASSERT_EQ(p[size - 1], i & 0xff) << "block " << i;
  }
  for (void* b : blocks) TaskPool::Free(b, size);
}

TEST(TaskPoolTest, BlocksAreDistinctAcrossMagazines) {
  for (size_t size : {64, 456, 512, 2048, 4096}) {
    // Several magazines' worth, freed and taken again twice, so that the
    // second round comes from magazines traded at the depot.
    for (int round = 0; round < 3; ++round) {
      std::vector<void*> blocks = Take(3000, size);
      CheckAndFree(blocks, size);
    }
  }
}

TEST(TaskPoolTest, FreesOnAnotherThreadAreReused) {
  constexpr size_t kSize = 448;
  std::vector<void*> blocks = Take(5000, kSize);
  // Freed on another thread, which then exits: its magazines go to the
  // depot.
  std::thread([&] { CheckAndFree(blocks, kSize); }).join();
  // Taken again here, then on a third thread: still all distinct.
  std::vector<void*> again = Take(5000, kSize);
  absl::flat_hash_set<void*> before(blocks.begin(), blocks.end());
  size_t reused = 0;
  for (void* b : again) reused += before.contains(b) ? 1 : 0;
#if !defined(ABSL_HAVE_ADDRESS_SANITIZER) && \
    !defined(ABSL_HAVE_THREAD_SANITIZER)
  // Pooled (without sanitizers, whose allocators hold freed memory back).
  EXPECT_GT(reused, 0u) << "blocks freed by an exited thread were not reused";
#else
  (void)reused;
#endif
  CheckAndFree(again, kSize);
}

TEST(TaskPoolTest, ThreadsTradeBlocksConcurrently) {
  constexpr size_t kSize = 320;
  constexpr int kThreads = 4;
  constexpr int kRounds = 20;
  // Each thread allocates a batch, hands it to its neighbour to free, and
  // frees the batch its other neighbour handed it; every block must be
  // distinct among those live at once.
  std::vector<std::vector<void*>> live(kThreads);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        std::vector<void*> mine = live[static_cast<size_t>(i)];
        if (!mine.empty()) CheckAndFree(mine, kSize);
        live[static_cast<size_t>(i)] =
            Take(700 + 37 * static_cast<size_t>(i), kSize);
      });
    }
    for (auto& t : threads) t.join();
    absl::flat_hash_set<void*> all;
    for (const auto& v : live) {
      for (void* b : v) ASSERT_TRUE(all.insert(b).second);
    }
    // Rotate: thread i frees what thread i-1 took.
    std::vector<void*> last = live.back();
    for (int i = kThreads - 1; i > 0; --i) {
      live[static_cast<size_t>(i)] = live[static_cast<size_t>(i - 1)];
    }
    live[0] = last;
  }
  for (const auto& v : live) CheckAndFree(v, kSize);
}

}  // namespace
}  // namespace colony::scheduler_internal
