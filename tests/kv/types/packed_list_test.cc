// Copyright 2026 The Colony Authors.

#include "kv/types/packed_list.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

using Model = std::deque<std::string>;

// Expects `list` to hold exactly `model`, read every way the list offers.
void ExpectSame(const PackedList& list, const Model& model) {
  ASSERT_EQ(list.CheckInvariants(), "");
  ASSERT_EQ(list.size(), model.size());
  ASSERT_EQ(list.empty(), model.empty());
  size_t i = 0;
  for (absl::string_view v : list) {
    ASSERT_LT(i, model.size());
    ASSERT_EQ(v, model[i]) << "element " << i;
    ++i;
  }
  ASSERT_EQ(i, model.size());
  if (model.empty()) return;
  EXPECT_EQ(list.front(), model.front());
  EXPECT_EQ(list.back(), model.back());
  for (size_t j :
       {size_t{0}, model.size() / 3, model.size() / 2, model.size() - 1}) {
    EXPECT_EQ(list.At(j), model[j]) << "At(" << j << ")";
    auto it = list.Iterator(j);
    for (size_t k = j; k < model.size() && k < j + 5; ++k, ++it) {
      EXPECT_EQ(*it, model[k]) << "Iterator(" << j << ") at " << k;
    }
  }
}

TEST(PackedListTest, PushPopBothEnds) {
  PackedList list;
  list.PushBack("b");
  list.PushFront("a");
  list.PushBack("");
  list.PushBack("c");
  ExpectSame(list, {"a", "b", "", "c"});
  EXPECT_EQ(list.PopFront(), "a");
  EXPECT_EQ(list.PopBack(), "c");
  EXPECT_EQ(list.PopBack(), "");
  EXPECT_EQ(list.PopBack(), "b");
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.chunks(), 0u);
}

TEST(PackedListTest, ChunksFillToTheirLimit) {
  PackedList list;
  const std::string value(256, 'v');
  for (int i = 0; i < 1000; ++i) list.PushFront(value);
  ASSERT_EQ(list.CheckInvariants(), "");
  // 264 bytes an element: 31 fit in 8 KiB.
  EXPECT_EQ(list.chunks(), (1000 + 30) / 31);
  EXPECT_LE(list.AllocatedBytes(), list.chunks() * PackedList::kChunkBytes);
  EXPECT_GE(list.AllocatedBytes(), 1000u * (256 + 8));
}

TEST(PackedListTest, OversizedElementsGetTheirOwnChunk) {
  PackedList list;
  const std::string big(3 * PackedList::kChunkBytes, 'x');
  list.PushBack("a");
  list.PushBack(big);
  list.PushBack("b");
  list.PushFront(big);
  ExpectSame(list, {big, "a", big, "b"});
  list.Set(1, big);
  list.Insert(2, big);
  ExpectSame(list, {big, big, big, big, "b"});
  EXPECT_EQ(list.Remove(big, 3, /*from_tail=*/true), 3u);
  ExpectSame(list, {big, "b"});
}

TEST(PackedListTest, InsertsSplitAGrowingChunk) {
  PackedList list;
  Model model;
  for (int i = 0; i < 4; ++i) {
    list.PushBack(absl::StrCat(i));
    model.push_back(absl::StrCat(i));
  }
  // Every insertion lands in the middle of the same chunk.
  for (int i = 0; i < 3000; ++i) {
    const std::string v = absl::StrCat("x", i, std::string(20, 'i'));
    list.Insert(2, v);
    model.insert(model.begin() + 2, v);
  }
  ExpectSame(list, model);
  EXPECT_GT(list.chunks(), 5u);
}

// LREM that thins a list out merges the chunks left thin: three of every
// four elements removed leave chunks a quarter full, three of which fit
// together.
TEST(PackedListTest, RemoveMergesThinnedChunks) {
  PackedList list;
  Model model;
  for (int i = 0; i < 4000; ++i) {
    const std::string v =
        absl::StrCat(i % 4 == 0 ? "keep" : "drop", std::string(92, 'v'));
    list.PushBack(v);
    model.push_back(v);
  }
  const size_t chunks_before = list.chunks();
  const size_t bytes_before = list.AllocatedBytes();
  const std::string drop = absl::StrCat("drop", std::string(92, 'v'));
  EXPECT_EQ(list.Remove(drop, 4000, /*from_tail=*/false), 3000u);
  model.erase(std::remove(model.begin(), model.end(), drop), model.end());
  ExpectSame(list, model);
  ASSERT_EQ(list.CheckInvariants(), "");
  EXPECT_LE(list.chunks() * 2, chunks_before);
  EXPECT_LE(list.AllocatedBytes() * 2, bytes_before);
  // The merged chunks still take pushes at both ends.
  list.PushFront("front");
  list.PushBack("back");
  model.push_front("front");
  model.push_back("back");
  ExpectSame(list, model);
}

TEST(PackedListTest, FindFromEitherEnd) {
  PackedList list{"a", "b", "a", "c", "a"};
  std::vector<size_t> found;
  list.Find("a", /*from_tail=*/false, list.size(), [&](size_t i) {
    found.push_back(i);
    return true;
  });
  EXPECT_EQ(found, (std::vector<size_t>{0, 2, 4}));
  found.clear();
  list.Find("a", /*from_tail=*/true, list.size(), [&](size_t i) {
    found.push_back(i);
    return found.size() < 2;
  });
  EXPECT_EQ(found, (std::vector<size_t>{4, 2}));
  found.clear();
  list.Find("a", /*from_tail=*/false, 2, [&](size_t i) {
    found.push_back(i);
    return true;
  });
  EXPECT_EQ(found, (std::vector<size_t>{0}));  // only two looked at
}

TEST(PackedListTest, CopyAndMove) {
  PackedList list;
  for (int i = 0; i < 500; ++i) list.PushBack(std::string(100, 'a' + i % 26));
  PackedList copy(list);
  EXPECT_EQ(copy, list);
  copy.PushBack("more");
  EXPECT_NE(copy, list);
  PackedList moved(std::move(copy));
  EXPECT_EQ(moved.size(), 501u);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
  moved = list;
  EXPECT_EQ(moved, list);
  moved = PackedList{"z"};
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.front(), "z");
}

// Random operations against a deque of strings; values from empty to
// past a chunk, so that chunk boundaries, splits and lone big elements
// all come up.
TEST(PackedListTest, MatchesADequeUnderRandomOperations) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    auto pick = [&rng](size_t n) {
      return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
    };
    auto value = [&]() {
      static const size_t kLengths[] = {0, 1, 3, 11, 64, 256, 1000, 9000};
      // Few distinct values, so that Remove() and Find() match often.
      return std::string(kLengths[pick(8)], static_cast<char>('a' + pick(3)));
    };
    PackedList list;
    Model model;
    for (int step = 0; step < 3000; ++step) {
      switch (pick(10)) {
        case 0:
        case 1: {
          const std::string v = value();
          list.PushFront(v);
          model.push_front(v);
          break;
        }
        case 2:
        case 3: {
          const std::string v = value();
          list.PushBack(v);
          model.push_back(v);
          break;
        }
        case 4:
          if (!model.empty()) {
            ASSERT_EQ(list.PopFront(), model.front());
            model.pop_front();
          }
          break;
        case 5:
          if (!model.empty()) {
            ASSERT_EQ(list.PopBack(), model.back());
            model.pop_back();
          }
          break;
        case 6:
          if (!model.empty()) {
            const size_t i = pick(model.size());
            const std::string v = value();
            list.Set(i, v);
            model[i] = v;
          }
          break;
        case 7: {
          const size_t i = pick(model.size() + 1);
          const std::string v = value();
          list.Insert(i, v);
          model.insert(model.begin() + static_cast<std::ptrdiff_t>(i), v);
          break;
        }
        case 8: {
          const std::string v = value();
          const size_t limit = pick(4) == 0 ? SIZE_MAX : pick(4);
          const bool from_tail = pick(2) == 1;
          size_t removed = 0;
          Model kept;
          if (!from_tail) {
            for (const std::string& e : model) {
              if (removed < limit && e == v) {
                ++removed;
              } else {
                kept.push_back(e);
              }
            }
          } else {
            for (auto it = model.rbegin(); it != model.rend(); ++it) {
              if (removed < limit && *it == v) {
                ++removed;
              } else {
                kept.push_front(*it);
              }
            }
          }
          ASSERT_EQ(list.Remove(v, limit, from_tail), removed);
          model = kept;
          break;
        }
        case 9:
          if (pick(20) == 0) {
            if (!model.empty()) {
              const size_t a = pick(model.size());
              const size_t b = pick(model.size());
              const size_t first = a < b ? a : b;
              const size_t last = a < b ? b : a;
              list.Trim(first, last);
              model =
                  Model(model.begin() + static_cast<std::ptrdiff_t>(first),
                        model.begin() + static_cast<std::ptrdiff_t>(last) + 1);
            }
          } else if (pick(50) == 0) {
            list.Clear();
            model.clear();
          }
          break;
      }
      if (step % 100 == 0) ExpectSame(list, model);
    }
    ExpectSame(list, model);
  }
}

}  // namespace
}  // namespace colony::kv
