// Copyright 2026 The Colony Authors.
//
// The worker run queue: FIFO and LIFO pops, conditional pops, overflow of
// the older half, stealing half, wrap-around of the free-running indices
// (with a 4-slot ring so every path runs), and concurrent stresses that
// count every item.

#include "scheduler/internal/run_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "coroutine/internal/sanitizer.h"

namespace colony::scheduler_internal {
namespace {

struct Item {
  int id;
};

using SmallQueue = RunQueue<Item, 4>;

std::vector<Item> MakeItems(int n) {
  std::vector<Item> items(n);
  for (int i = 0; i < n; ++i) items[i].id = i;
  return items;
}

std::vector<int> Ids(const std::vector<Item*>& items) {
  std::vector<int> ids;
  for (Item* i : items) ids.push_back(i->id);
  return ids;
}

TEST(RunQueueTest, PopsInFifoOrder) {
  auto items = MakeItems(3);
  SmallQueue q;
  std::vector<Item*> overflow;
  for (auto& i : items) EXPECT_TRUE(q.Push(&i, &overflow));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.Pop()->id, 0);
  EXPECT_EQ(q.Pop()->id, 1);
  EXPECT_EQ(q.Pop()->id, 2);
  EXPECT_EQ(q.Pop(), nullptr);
  EXPECT_TRUE(overflow.empty());
}

TEST(RunQueueTest, FullRingHandsOverTheOlderHalfAndTheNewItem) {
  auto items = MakeItems(5);
  SmallQueue q;
  std::vector<Item*> overflow;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.Push(&items[i], &overflow));
  EXPECT_FALSE(q.Push(&items[4], &overflow));
  EXPECT_THAT(Ids(overflow), testing::ElementsAre(0, 1, 4));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.Pop()->id, 2);
  EXPECT_EQ(q.Pop()->id, 3);
}

TEST(RunQueueTest, StealTakesHalf) {
  auto items = MakeItems(4);
  SmallQueue victim, thief;
  std::vector<Item*> overflow;
  for (auto& i : items) victim.Push(&i, &overflow);
  Item* direct = victim.StealInto(thief);
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(direct->id, 1);  // the last of the stolen batch {0, 1}
  EXPECT_EQ(thief.size(), 1u);
  EXPECT_EQ(thief.Pop()->id, 0);
  EXPECT_EQ(victim.size(), 2u);
  EXPECT_EQ(victim.Pop()->id, 2);
  // One item left: a thief takes it.
  EXPECT_EQ(victim.StealInto(thief)->id, 3);
  EXPECT_EQ(victim.StealInto(thief), nullptr);
}

bool Always(Item*) { return true; }
bool Never(Item*) { return false; }

TEST(RunQueueTest, PopNewestIfTakesTheLastPushedOrTheOldest) {
  auto items = MakeItems(4);
  SmallQueue q;
  std::vector<Item*> overflow;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(q.Push(&items[i], &overflow));
  EXPECT_EQ(q.PopNewestIf(Always)->id, 2);
  // The test sees the newest item; refused, the oldest comes out.
  std::vector<int> looked_at;
  EXPECT_EQ(q.PopNewestIf([&](Item* i) {
               looked_at.push_back(i->id);
               return false;
             })->id,
            0);
  EXPECT_THAT(looked_at, testing::ElementsAre(1));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.PopNewestIf(Never)->id, 1);
  EXPECT_EQ(q.PopNewestIf(Always), nullptr);
  EXPECT_EQ(q.Pop(), nullptr);
  // The slot PopNewestIf() freed is reused by the next push.
  EXPECT_TRUE(q.Push(&items[3], &overflow));
  EXPECT_EQ(q.PopNewestIf(Always)->id, 3);
  EXPECT_TRUE(q.empty());
}

// PopNewestIfAlone() (a ring no thief reaches) picks exactly what
// PopNewestIf() picks: two rings given the same random pushes and pops,
// across the wrap-around of the indices and full rings, hand out the same
// items in the same order.
TEST(RunQueueTest, PopNewestIfAloneTakesWhatPopNewestIfTakes) {
  auto items = MakeItems(20000);
  SmallQueue locked(UINT32_MAX - 40);
  SmallQueue alone(UINT32_MAX - 40);
  std::vector<Item*> overflow_locked, overflow_alone;
  uint32_t rng = 12345;
  auto next = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
  };
  int pushed = 0, popped = 0, newest = 0;
  for (int step = 0; step < 40000 && pushed < 20000; ++step) {
    if (next() % 3 != 0) {
      Item* item = &items[pushed++];
      const bool a = locked.Push(item, &overflow_locked);
      const bool b = alone.Push(item, &overflow_alone);
      ASSERT_EQ(a, b) << "step " << step;
    } else {
      // Take the newest when its id is even: both rings see the same item.
      auto even = [](Item* i) { return i->id % 2 == 0; };
      Item* const a = locked.PopNewestIf(even);
      Item* const b = alone.PopNewestIfAlone(even);
      ASSERT_EQ(a, b) << "step " << step;
      if (a != nullptr) {
        ++popped;
        if (a->id % 2 == 0) ++newest;
      }
    }
    ASSERT_EQ(locked.size(), alone.size()) << "step " << step;
  }
  EXPECT_EQ(overflow_locked, overflow_alone);
  // Both kinds of pop happened, and some pushes overflowed.
  EXPECT_GT(newest, 100);
  EXPECT_GT(popped - newest, 100);
  EXPECT_FALSE(overflow_alone.empty());
  while (Item* a = locked.PopNewestIf(Never)) {
    EXPECT_EQ(alone.PopNewestIfAlone(Never), a);
  }
  EXPECT_TRUE(alone.empty());
}

TEST(RunQueueTest, PopOldestIfTakesTheHeadOnlyWhenTold) {
  auto items = MakeItems(2);
  SmallQueue q;
  std::vector<Item*> overflow;
  EXPECT_EQ(q.PopOldestIf(Always), nullptr);  // empty
  for (auto& i : items) q.Push(&i, &overflow);
  const uint32_t head = q.head_index();
  EXPECT_EQ(q.PopOldestIf(Never), nullptr);
  EXPECT_EQ(q.head_index(), head);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.PopOldestIf([](Item* i) { return i->id == 0; })->id, 0);
  EXPECT_NE(q.head_index(), head);
  EXPECT_EQ(q.PopOldestIf([](Item* i) { return i->id == 0; }), nullptr);
  EXPECT_EQ(q.PopNewestIf(Always)->id, 1);
}

TEST(RunQueueTest, ThievesTakeTheOldestWhileTheOwnerTakesTheNewest) {
  auto items = MakeItems(4);
  SmallQueue victim, thief;
  std::vector<Item*> overflow;
  for (auto& i : items) victim.Push(&i, &overflow);
  EXPECT_EQ(victim.PopNewestIf(Always)->id, 3);
  EXPECT_EQ(victim.StealInto(thief)->id, 1);  // the batch {0, 1}
  EXPECT_EQ(thief.PopNewestIf(Always)->id, 0);
  EXPECT_EQ(victim.PopNewestIf(Always)->id, 2);
  EXPECT_EQ(victim.StealInto(thief), nullptr);
}

TEST(RunQueueTest, IndicesWrapAround) {
  auto items = MakeItems(64);
  SmallQueue q(UINT32_MAX - 5);
  SmallQueue thief(UINT32_MAX - 1);
  std::vector<Item*> overflow;
  std::vector<int> seen;
  for (int round = 0; round < 16; ++round) {
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(q.Push(&items[round * 3 + k], &overflow));
    }
    if (round % 2 == 0) {
      if (Item* direct = q.StealInto(thief)) seen.push_back(direct->id);
      while (Item* i = thief.Pop()) seen.push_back(i->id);
    }
    while (Item* i = q.Pop()) seen.push_back(i->id);
  }
  ASSERT_EQ(seen.size(), 48u);
  std::sort(seen.begin(), seen.end());
  for (int i = 0; i < 48; ++i) EXPECT_EQ(seen[i], i);
}

// How the owner takes items back in StressEveryItemOnce().
enum class OwnerPops { kOldest, kNewest, kMixed };

// The owner pushes and pops while thieves steal into their own queues;
// every item must come out exactly once, through one of the three exits
// (owner pop, thief, overflow). With kMixed the owner pops from both ends,
// through all three of its pops.
template <uint32_t kSlots>
void StressEveryItemOnce(int n, int thieves, OwnerPops pops) {
  std::vector<Item> items(n);
  for (int i = 0; i < n; ++i) items[i].id = i;
  std::unique_ptr<std::atomic<int>[]> seen(new std::atomic<int>[n]);
  for (int i = 0; i < n; ++i) seen[i].store(0);
  RunQueue<Item, kSlots> owner_queue;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < thieves; ++t) {
    threads.emplace_back([&] {
      RunQueue<Item, kSlots> mine;
      for (;;) {
        const bool finished = done.load(std::memory_order_acquire);
        if (Item* direct = owner_queue.StealInto(mine)) {
          seen[direct->id].fetch_add(1);
        }
        while (Item* i = mine.Pop()) seen[i->id].fetch_add(1);
        if (finished && owner_queue.empty()) return;
      }
    });
  }
  auto pop = [&](int i) -> Item* {
    switch (pops) {
      case OwnerPops::kOldest:
        return owner_queue.Pop();
      case OwnerPops::kNewest:
        return owner_queue.PopNewestIf(Always);
      case OwnerPops::kMixed:
        break;
    }
    switch (i % 4) {
      case 0:
        return owner_queue.PopNewestIf(Always);
      case 1:
        return owner_queue.Pop();
      case 2:
        if (Item* item = owner_queue.PopOldestIf(
                [](Item* oldest) { return oldest->id % 2 == 0; })) {
          return item;
        }
        [[fallthrough]];
      default:
        return owner_queue.PopNewestIf(
            [](Item* newest) { return newest->id % 3 != 0; });
    }
  };
  std::vector<Item*> overflow;
  for (int i = 0; i < n; ++i) {
    owner_queue.Push(&items[i], &overflow);
    if (i % 3 == 0) {
      if (Item* item = pop(i / 3)) seen[item->id].fetch_add(1);
    }
  }
  int i = 0;
  while (Item* item = pop(i++)) seen[item->id].fetch_add(1);
  done.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  for (Item* item : overflow) seen[item->id].fetch_add(1);
  int wrong = 0;
  for (int i = 0; i < n; ++i) wrong += seen[i].load() != 1;
  EXPECT_EQ(wrong, 0);
}

constexpr int kStressItems = coroutine_internal::kTsan ? 200'000 : 1'000'000;

// Each ring size under every way the owner pops.
constexpr OwnerPops kAllPops[] = {OwnerPops::kOldest, OwnerPops::kNewest,
                                  OwnerPops::kMixed};

TEST(RunQueueStressTest, FourSlotRingEveryItemOnce) {
  for (OwnerPops pops : kAllPops) {
    SCOPED_TRACE(static_cast<int>(pops));
    StressEveryItemOnce<4>(kStressItems, 2, pops);
  }
}

TEST(RunQueueStressTest, FullSizeRingEveryItemOnce) {
  for (OwnerPops pops : kAllPops) {
    SCOPED_TRACE(static_cast<int>(pops));
    StressEveryItemOnce<256>(kStressItems, 3, pops);
  }
}

}  // namespace
}  // namespace colony::scheduler_internal
