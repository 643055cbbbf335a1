// Copyright 2026 The Colony Authors.
#include "kv/types/entry.h"

#include <memory>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

constexpr size_t kInline = Entry::kInlineCapacity;

TEST(EntryTest, IsSixteenBytes) { EXPECT_EQ(sizeof(Entry), 16u); }

TEST(EntryTest, DefaultIsTheEmptyString) {
  const Entry e;
  EXPECT_EQ(e.type(), ValueType::kString);
  EXPECT_EQ(e.str(), "");
  EXPECT_TRUE(e.IsInline());
  EXPECT_FALSE(e.has_expiry());
  EXPECT_EQ(e.access(), 0u);
  EXPECT_EQ(e.HeapBytes(), 0u);
}

TEST(EntryTest, ShortStringsAreInlineLongOnesOnTheHeap) {
  for (size_t n : {size_t{0}, size_t{1}, kInline - 1, kInline, kInline + 1,
                   size_t{100}, size_t{100000}}) {
    std::string s(n, 'v');
    if (n > 0) s[n - 1] = '\0';  // binary-safe
    const Entry e(s);
    EXPECT_EQ(e.str(), s) << n;
    EXPECT_EQ(e.IsInline(), n <= kInline) << n;
    if (n > kInline) {
      EXPECT_GE(e.HeapBytes(), n);
    }
  }
}

TEST(EntryTest, SetStringSwitchesBetweenInlineAndHeap) {
  Entry e("abc");
  const std::string long1(40, 'x'), long2(30, 'y'), huge(5000, 'z');
  e.SetString(long1);
  EXPECT_EQ(e.str(), long1);
  EXPECT_FALSE(e.IsInline());
  // A shorter string that still fills half the block reuses it.
  const char* block = e.str().data();
  e.SetString(long2);
  EXPECT_EQ(e.str(), long2);
  EXPECT_EQ(e.str().data(), block);
  e.SetString(huge);
  EXPECT_EQ(e.str(), huge);
  // A much shorter one does not keep the big block.
  e.SetString(long1);
  EXPECT_EQ(e.str(), long1);
  EXPECT_LT(e.HeapBytes(), 200u);
  e.SetString("back");
  EXPECT_EQ(e.str(), "back");
  EXPECT_TRUE(e.IsInline());
  EXPECT_EQ(e.HeapBytes(), 0u);
}

// Strings on both sides of the largest capacity an entry records (16
// MiB): rewritten in place, appended to, overwritten, moved and cloned.
TEST(EntryTest, ReusesItsBlockOnBothSidesOfTheRecordedCapacity) {
  for (size_t n : {size_t{300}, (size_t{1} << 24) - 8, (size_t{1} << 24) + 8}) {
    Entry e(std::string(n, 'a'));
    const char* block = e.str().data();
    e.SetString(std::string(n, 'b'));
    EXPECT_EQ(e.str(), std::string(n, 'b')) << n;
    EXPECT_EQ(e.str().data(), block) << n;
    e.SetString(std::string(n - 3, 'c'));  // shorter: still in place
    EXPECT_EQ(e.str().data(), block) << n;
    e.AppendString("xyz");  // back into the freed room
    EXPECT_EQ(e.str().data(), block) << n;
    EXPECT_EQ(e.str(), std::string(n - 3, 'c') + "xyz") << n;
    e.OverwriteString(1, "QQ");
    EXPECT_EQ(e.str().substr(0, 4), "cQQc") << n;
    EXPECT_EQ(e.str().size(), n) << n;
    Entry moved(std::move(e));
    moved.SetString(std::string(n, 'd'));
    EXPECT_EQ(moved.str().data(), block) << n;
    Entry copy = moved.Clone();
    copy.SetString(std::string(n, 'e'));
    EXPECT_EQ(copy.str(), std::string(n, 'e')) << n;
    EXPECT_EQ(moved.str(), std::string(n, 'd')) << n;
    // Growing past the block moves it, with room to grow in place.
    moved.AppendString(std::string(n, 'f'));
    const char* grown = moved.str().data();
    moved.AppendString("g");
    EXPECT_EQ(moved.str().data(), grown) << n;
    EXPECT_EQ(moved.str(), std::string(n, 'd') + std::string(n, 'f') + "g")
        << n;
  }
}

TEST(EntryTest, SetStringFromItsOwnBytes) {
  Entry e(std::string(50, 'q') + "tail");
  e.SetString(e.str().substr(50));  // heap -> inline, from the heap block
  EXPECT_EQ(e.str(), "tail");
  e.SetString(std::string(60, 'r'));
  e.SetString(e.str().substr(10));  // heap -> heap, overlapping
  EXPECT_EQ(e.str(), std::string(50, 'r'));
  Entry f("0123456789");
  f.SetString(f.str().substr(2, 5));  // inline -> inline, overlapping
  EXPECT_EQ(f.str(), "23456");
}

TEST(EntryTest, AppendGrowsAcrossTheInlineLimit) {
  Entry e;
  std::string model;
  for (int i = 0; i < 2000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    e.AppendString(piece);
    model += piece;
    ASSERT_EQ(e.str(), model) << i;
  }
  EXPECT_FALSE(e.IsInline());
  // Growth is geometric: the block is never more than about twice as big
  // as the string, and appends leave room for more.
  EXPECT_LE(e.HeapBytes(), 2 * model.size() + 64);
}

TEST(EntryTest, AppendOfItsOwnBytes) {
  Entry e("abcd");
  e.AppendString(e.str());  // inline, 8 bytes
  EXPECT_EQ(e.str(), "abcdabcd");
  e.AppendString(e.str());  // to the heap, from the inline bytes
  EXPECT_EQ(e.str(), "abcdabcdabcdabcd");
  e.AppendString(e.str());  // heap, reallocating, from the old block
  EXPECT_EQ(e.str(), std::string("abcdabcdabcdabcd") + "abcdabcdabcdabcd");
}

TEST(EntryTest, OverwriteExtendsWithZeros) {
  Entry e("hello");
  e.OverwriteString(1, "EL");
  EXPECT_EQ(e.str(), "hELlo");
  e.OverwriteString(8, "x");  // past the end, still inline
  EXPECT_EQ(e.str(), std::string("hELlo\0\0\0x", 9));
  EXPECT_TRUE(e.IsInline());
  e.OverwriteString(20, "yz");  // onto the heap
  std::string want("hELlo\0\0\0x", 9);
  want.resize(20, '\0');
  want += "yz";
  EXPECT_EQ(e.str(), want);
  EXPECT_FALSE(e.IsInline());
  e.OverwriteString(0, "H");  // in place on the heap
  want[0] = 'H';
  EXPECT_EQ(e.str(), want);
  Entry empty;
  empty.OverwriteString(3, "a");
  EXPECT_EQ(empty.str(), std::string("\0\0\0a", 4));
}

// Random operations against std::string as the model.
TEST(EntryTest, MatchesAStringModel) {
  std::mt19937 rng(7);
  Entry e;
  std::string model;
  for (int step = 0; step < 20000; ++step) {
    const size_t n = rng() % 3 == 0 ? rng() % 64 : rng() % 16;
    std::string piece(n, static_cast<char>('a' + step % 26));
    switch (rng() % 4) {
      case 0:
        e.SetString(piece);
        model = piece;
        break;
      case 1:
        if (model.size() < 4096) {
          e.AppendString(piece);
          model += piece;
        }
        break;
      case 2: {
        const size_t offset = rng() % (model.size() + 8);
        e.OverwriteString(offset, piece);
        if (!piece.empty()) {
          if (model.size() < offset + n) model.resize(offset + n, '\0');
          model.replace(offset, n, piece);
        }
        break;
      }
      case 3: {
        Entry moved(std::move(e));
        e = std::move(moved);
        break;
      }
    }
    ASSERT_EQ(e.str(), model) << step;
    ASSERT_EQ(e.IsInline(), model.size() <= kInline) << step;
  }
}

TEST(EntryTest, HoldsContainers) {
  auto list = std::make_unique<ListValue>();
  list->PushBack("a");
  ListValue* raw = list.get();
  Entry l(std::move(list));
  EXPECT_EQ(l.type(), ValueType::kList);
  EXPECT_EQ(&l.list(), raw);
  EXPECT_EQ(l.list().front(), "a");

  Entry h(std::make_unique<HashValue>());
  h.hash().insert_or_assign("f", "v");
  EXPECT_EQ(h.type(), ValueType::kHash);
  Entry s(std::make_unique<SetValue>());
  s.set().insert("m");
  EXPECT_EQ(s.type(), ValueType::kSet);
  Entry z(std::make_unique<SortedSet>());
  z.zset().Insert("m", 1.5);
  EXPECT_EQ(z.type(), ValueType::kZSet);

  // Moving keeps the container where it is.
  Entry moved(std::move(l));
  EXPECT_EQ(&moved.list(), raw);
  EXPECT_EQ(l.type(), ValueType::kString);  // NOLINT(bugprone-use-after-move)

  // A string replaces a container (which is freed: the sanitizer build
  // would report a leak).
  h.SetString("now a string");
  EXPECT_EQ(h.type(), ValueType::kString);
  EXPECT_EQ(h.str(), "now a string");
}

TEST(EntryTest, CloneIsDeep) {
  Entry l(std::make_unique<ListValue>(ListValue{"a", "b"}));
  l.set_access(42);
  l.set_has_expiry(true);
  Entry copy = l.Clone();
  EXPECT_NE(&copy.list(), &l.list());
  EXPECT_EQ(copy.list(), l.list());
  copy.list().PushBack("c");
  EXPECT_EQ(l.list().size(), 2u);
  EXPECT_EQ(copy.access(), 42u);
  EXPECT_FALSE(copy.has_expiry());

  const std::string long_value(100, 'v');
  Entry s(long_value);
  Entry t = s.Clone();
  EXPECT_EQ(t.str(), long_value);
  EXPECT_NE(t.str().data(), s.str().data());

  Entry h(std::make_unique<HashValue>());
  h.hash().insert_or_assign("f", "v");
  Entry hc = h.Clone();
  EXPECT_NE(&hc.hash(), &h.hash());
  EXPECT_EQ(hc.hash(), h.hash());
  hc.hash().insert_or_assign("f", "w");
  EXPECT_EQ(h.hash().find("f")->second, "v");
  Entry st(std::make_unique<SetValue>());
  st.set().insert("x");
  st.set().insert("y");
  Entry sc = st.Clone();
  EXPECT_EQ(sc.set(), st.set());
  sc.set().erase("x");
  EXPECT_TRUE(st.set().contains("x"));
  EXPECT_NE(sc.set(), st.set());
  Entry z(std::make_unique<SortedSet>());
  z.zset().Insert("m", 2);
  Entry zc = z.Clone();
  EXPECT_EQ(zc.zset().size(), 1u);
  EXPECT_NE(&zc.zset(), &z.zset());
}

TEST(EntryTest, FlagsSurviveValueChangesAndTravelWithMoves) {
  Entry e("x");
  e.set_has_expiry(true);
  e.set_access(0xdeadbeef);
  e.SetString(std::string(30, 'y'));
  e.AppendString("z");
  e.OverwriteString(0, "w");
  e.SetString("short");
  EXPECT_TRUE(e.has_expiry());
  EXPECT_EQ(e.access(), 0xdeadbeefu);
  EXPECT_EQ(e.str(), "short");

  Entry moved(std::move(e));
  EXPECT_TRUE(moved.has_expiry());
  EXPECT_EQ(moved.access(), 0xdeadbeefu);
  EXPECT_FALSE(e.has_expiry());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(e.access(), 0u);

  moved.set_has_expiry(false);
  EXPECT_FALSE(moved.has_expiry());
  EXPECT_EQ(moved.str(), "short");
}

TEST(EntryTest, TypeNames) {
  EXPECT_EQ(TypeName(ValueType::kString), "string");
  EXPECT_EQ(TypeName(ValueType::kList), "list");
  EXPECT_EQ(TypeName(ValueType::kHash), "hash");
  EXPECT_EQ(TypeName(ValueType::kSet), "set");
  EXPECT_EQ(TypeName(ValueType::kZSet), "zset");
}

}  // namespace
}  // namespace colony::kv
