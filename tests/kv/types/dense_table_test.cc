// Copyright 2026 The Colony Authors.
//
// DenseTable (kv/types/dense_table.h): lookups, swap-remove and its index
// fix-up, growth and shrinking against a reference set, uniform random
// picks, and the scan cursor's guarantee under concurrent changes.
#include "kv/types/dense_table.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

// ExpectConsistent() checks that every element is found at its position
// and that the table holds exactly `want`.
void ExpectConsistent(const DenseSet& set,
                      const absl::flat_hash_set<std::string>& want) {
  ASSERT_EQ(set.size(), want.size());
  for (size_t i = 0; i < set.size(); ++i) {
    const std::string& m = set.at(i);
    ASSERT_TRUE(want.contains(m)) << m;
    auto it = set.find(m);
    ASSERT_NE(it, set.end()) << m;
    ASSERT_EQ(static_cast<size_t>(it - set.begin()), i) << m;
  }
}

TEST(DenseSetTest, InsertFindErase) {
  DenseSet s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.find("a"), s.end());
  EXPECT_TRUE(s.insert("a"));
  EXPECT_TRUE(s.insert("b"));
  EXPECT_FALSE(s.insert("a"));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.contains("a"));
  EXPECT_TRUE(s.contains("b"));
  EXPECT_FALSE(s.contains("c"));
  EXPECT_EQ(*s.find("b"), "b");
  EXPECT_EQ(s.erase("c"), 0u);
  EXPECT_EQ(s.erase("a"), 1u);
  EXPECT_EQ(s.erase("a"), 0u);
  EXPECT_FALSE(s.contains("a"));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.at(0), "b");
  EXPECT_EQ(s.erase("b"), 1u);
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.insert("a"));
  EXPECT_TRUE(s.contains("a"));
}

TEST(DenseSetTest, EmptyAndBinaryMembers) {
  DenseSet s;
  const std::string nul("a\0b", 3);
  EXPECT_TRUE(s.insert(""));
  EXPECT_TRUE(s.insert(nul));
  EXPECT_TRUE(s.insert("a"));
  EXPECT_TRUE(s.contains(""));
  EXPECT_TRUE(s.contains(nul));
  EXPECT_FALSE(s.contains(absl::string_view("a\0c", 3)));
  EXPECT_EQ(s.erase(""), 1u);
  EXPECT_TRUE(s.contains(nul));
  EXPECT_FALSE(s.contains(""));
}

TEST(DenseSetTest, HeterogeneousLookup) {
  DenseSet s;
  s.insert("member:42");
  // A view into a larger buffer, not NUL-terminated where it ends.
  const char buffer[] = "xxmember:42yy";
  const absl::string_view key(buffer + 2, 9);
  EXPECT_TRUE(s.contains(key));
  EXPECT_EQ(*s.find(key), "member:42");
  EXPECT_FALSE(s.insert(key));
  EXPECT_EQ(s.erase(key), 1u);
}

TEST(DenseSetTest, InsertOfAPartOfAMember) {
  // The key may point into an element that growing the vector moves.
  DenseSet s;
  s.insert("abcdefghijklmnopqrstuvwxyz0123456789");  // not inline
  for (size_t len = 1; len < 30; ++len) {
    const absl::string_view part = absl::string_view(s.at(0)).substr(0, len);
    EXPECT_TRUE(s.insert(part));
  }
  EXPECT_EQ(s.size(), 30u);
  EXPECT_TRUE(s.contains("abcde"));
}

TEST(DenseSetTest, SwapRemoveFixesTheMovedMembersIndexEntry) {
  DenseSet s{"a", "b", "c", "d", "e"};
  ASSERT_EQ(s.at(4), "e");
  s.EraseAt(1);  // "b": "e" takes its place
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.at(1), "e");
  EXPECT_EQ(s.find("e") - s.begin(), 1);
  EXPECT_FALSE(s.contains("b"));
  s.erase("a");  // "d" takes position 0
  EXPECT_EQ(s.at(0), "d");
  EXPECT_EQ(s.find("d") - s.begin(), 0);
  s.EraseAt(s.size() - 1);  // the last one: nothing moves
  ExpectConsistent(s, {"d", "e"});
  // Erasing by a view of the member itself.
  s.erase(s.at(1));
  ExpectConsistent(s, {"d"});
}

TEST(DenseSetTest, MatchesAReferenceSetThroughGrowthAndShrinking) {
  std::mt19937_64 rng(7);
  DenseSet s;
  absl::flat_hash_set<std::string> want;
  // Grow to 20000 members with some erasures, then erase down to a few.
  for (int i = 0; i < 30000; ++i) {
    const std::string m = absl::StrCat("m", rng() % 40000);
    if (rng() % 4 == 0) {
      EXPECT_EQ(s.erase(m), want.erase(m));
    } else {
      EXPECT_EQ(s.insert(m), want.insert(m).second);
    }
  }
  ExpectConsistent(s, want);
  while (s.size() > 5) {
    const size_t pos = rng() % s.size();
    want.erase(s.at(pos));
    s.EraseAt(pos);
    if (s.size() % 997 == 0) ExpectConsistent(s, want);
  }
  ExpectConsistent(s, want);
  for (int i = 0; i < 1000; ++i) {
    const std::string m = absl::StrCat("n", i);
    s.insert(m);
    want.insert(m);
  }
  ExpectConsistent(s, want);
}

TEST(DenseSetTest, SmallSetsHaveNoIndexUntilTheyGrow) {
  DenseSet s;
  absl::flat_hash_set<std::string> want;
  for (size_t i = 0; i < DenseSet::kLinearMax; ++i) {
    const std::string m = absl::StrCat("m", i);
    EXPECT_TRUE(s.insert(m));
    EXPECT_FALSE(s.insert(m));
    want.insert(m);
    EXPECT_FALSE(s.indexed()) << s.size();
    ExpectConsistent(s, want);
  }
  // One past the linear bound builds the index over every member.
  EXPECT_TRUE(s.insert("extra"));
  want.insert("extra");
  EXPECT_TRUE(s.indexed());
  ExpectConsistent(s, want);
  // Erasing keeps it down to kLinearMax / 2 + 1 members, then drops it.
  while (s.size() > DenseSet::kLinearMax / 2 + 1) {
    want.erase(s.at(0));
    s.EraseAt(0);
    EXPECT_TRUE(s.indexed()) << s.size();
    ExpectConsistent(s, want);
  }
  want.erase(s.at(1));
  EXPECT_EQ(s.erase(s.at(1)), 1u);
  EXPECT_FALSE(s.indexed());
  ExpectConsistent(s, want);
  EXPECT_EQ(s.erase("nope"), 0u);
  // And it grows again past the bound.
  for (int i = 0; i < 20; ++i) {
    const std::string m = absl::StrCat("again", i);
    s.insert(m);
    want.insert(m);
    ExpectConsistent(s, want);
  }
  EXPECT_TRUE(s.indexed());
  // A copy of a small set stays small; of an indexed one, indexed.
  DenseSet big_copy(s);
  EXPECT_TRUE(big_copy.indexed());
  DenseSet small{"a", "b"};
  DenseSet small_copy(small);
  EXPECT_FALSE(small_copy.indexed());
  ExpectConsistent(small_copy, {"a", "b"});
}

TEST(DenseSetTest, BigSet) {
  constexpr int kMembers = 1'000'000;
  DenseSet s;
  for (int i = 0; i < kMembers; ++i) {
    ASSERT_TRUE(s.insert(absl::StrCat("element:", i)));
  }
  EXPECT_EQ(s.size(), static_cast<size_t>(kMembers));
  for (int i = 0; i < kMembers; i += 9973) {
    EXPECT_TRUE(s.contains(absl::StrCat("element:", i)));
  }
  EXPECT_FALSE(s.contains("element:-1"));
  // Popping from the end and from the front.
  for (int i = 0; i < kMembers / 2; ++i) s.EraseAt(i % 2 == 0 ? 0 : 1);
  EXPECT_EQ(s.size(), static_cast<size_t>(kMembers / 2));
  for (size_t i = 0; i < s.size(); i += 4999) {
    EXPECT_EQ(s.find(s.at(i)) - s.begin(), static_cast<ptrdiff_t>(i));
  }
}

TEST(DenseSetTest, RandomPicksAreRoughlyUniform) {
  DenseSet s;
  for (int i = 0; i < 16; ++i) s.insert(absl::StrCat("m", i));
  // Erasures reorder the vector; picks stay uniform over what is left.
  s.erase("m3");
  s.erase("m0");
  std::mt19937_64 rng(42);
  absl::flat_hash_map<std::string, int> seen;
  constexpr int kDraws = 140'000;  // 10000 per member
  for (int i = 0; i < kDraws; ++i) {
    ++seen[s.at(std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng))];
  }
  ASSERT_EQ(seen.size(), 14u);
  for (const auto& [m, n] : seen) {
    // The standard deviation is about 96: these bounds are 10 of it.
    EXPECT_GT(n, 9000) << m;
    EXPECT_LT(n, 11000) << m;
  }
}

TEST(DenseSetTest, CopyIsDeepWithItsOwnIndex) {
  DenseSet s{"a", "b", "c"};
  DenseSet copy(s);
  EXPECT_EQ(copy, s);
  EXPECT_NE(&*copy.find("a"), &*s.find("a"));
  copy.erase("a");
  copy.insert("d");
  EXPECT_NE(copy, s);
  EXPECT_TRUE(s.contains("a"));
  EXPECT_FALSE(s.contains("d"));
  ExpectConsistent(copy, {"b", "c", "d"});
  ExpectConsistent(s, {"a", "b", "c"});
  // Equality ignores the order.
  DenseSet other{"c", "b", "a"};
  EXPECT_EQ(other, s);
}

// ScanAll() runs a whole scan with `count`, calling between(step) between
// calls, and returns every member the scan visited (with repeats).
template <typename Between>
std::vector<std::string> ScanAll(const DenseSet& s, uint64_t count,
                                 Between between) {
  std::vector<std::string> out;
  uint64_t cursor = 0;
  for (int step = 0;; ++step) {
    cursor =
        s.Scan(cursor, count, [&](const std::string& m) { out.push_back(m); });
    if (cursor == 0) return out;
    between(step);
    if (step > 1'000'000) {
      ADD_FAILURE() << "the scan does not end";
      return out;
    }
  }
}

TEST(DenseSetTest, ScanVisitsEverythingOnce) {
  DenseSet s;
  for (int i = 0; i < 1000; ++i) s.insert(absl::StrCat("m", i));
  for (uint64_t count : {1, 7, 10, 999, 1000, 5000}) {
    const std::vector<std::string> got = ScanAll(s, count, [](int) {});
    EXPECT_EQ(got.size(), 1000u) << count;
    EXPECT_EQ(absl::flat_hash_set<std::string>(got.begin(), got.end()).size(),
              1000u);
  }
  DenseSet empty;
  EXPECT_EQ(empty.Scan(0, 10, [](const std::string&) { FAIL(); }), 0u);
}

TEST(DenseSetTest, ScanCursorPastTheEndIsClamped) {
  DenseSet s{"a", "b", "c"};
  std::vector<std::string> got;
  EXPECT_EQ(s.Scan(100, 10, [&](const std::string& m) { got.push_back(m); }),
            0u);
  EXPECT_EQ(got.size(), 3u);
  got.clear();
  EXPECT_EQ(
      s.Scan(UINT64_MAX, 2, [&](const std::string& m) { got.push_back(m); }),
      1u);
  EXPECT_EQ(got.size(), 2u);
}

// Redis' SCAN guarantee: a member present for the whole scan is returned
// at least once, whatever is added and removed between the calls.
TEST(DenseSetTest, ScanReturnsEveryStableMemberDespiteChanges) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    DenseSet s;
    std::vector<std::string> stable;
    std::vector<std::string> volatile_members;
    // The two kinds interleaved, so that removals move stable members too.
    int next = 0;
    for (int i = 0; i < 500; ++i) {
      stable.push_back(absl::StrCat("s", i));
      s.insert(stable.back());
      volatile_members.push_back(absl::StrCat("v", next++));
      s.insert(volatile_members.back());
    }
    const uint64_t count = 1 + rng() % 20;
    const std::vector<std::string> got = ScanAll(s, count, [&](int) {
      // Remove a few volatile members (the last element of the vector
      // moves down), add a few.
      for (int k = static_cast<int>(rng() % 8); k > 0; --k) {
        if (volatile_members.empty()) break;
        const size_t i = rng() % volatile_members.size();
        s.erase(volatile_members[i]);
        volatile_members[i] = volatile_members.back();
        volatile_members.pop_back();
      }
      for (int k = static_cast<int>(rng() % 6); k > 0; --k) {
        const std::string m = absl::StrCat("v", next++);
        s.insert(m);
        volatile_members.push_back(m);
      }
    });
    const absl::flat_hash_set<std::string> seen(got.begin(), got.end());
    for (const std::string& m : stable) {
      EXPECT_TRUE(seen.contains(m)) << m << " seed " << seed;
    }
    // Every member returned was in the set at some point.
    for (const std::string& m : got) {
      EXPECT_TRUE(m[0] == 's' || m[0] == 'v') << m;
    }
  }
}

TEST(DenseHashTest, FieldsAndValues) {
  DenseHash h;
  auto [value, inserted] = h.try_emplace("f");
  EXPECT_TRUE(inserted);
  EXPECT_EQ(*value, "");
  *value = "1";
  EXPECT_FALSE(h.try_emplace("f").second);
  EXPECT_EQ(h.find("f")->second, "1");
  EXPECT_TRUE(h.insert_or_assign("g", "2"));
  EXPECT_FALSE(h.insert_or_assign("g", "3"));
  EXPECT_EQ(h.find("g")->second, "3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.find("3"), h.end());  // values are not keys
}

TEST(DenseHashTest, SwapRemoveCarriesTheValue) {
  DenseHash h{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  h.erase("a");
  EXPECT_EQ(h.at(0).first, "c");
  EXPECT_EQ(h.at(0).second, "3");
  EXPECT_EQ(h.find("c")->second, "3");
  EXPECT_EQ(h.find("b")->second, "2");
  h.EraseAt(0);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.find("b")->second, "2");
  EXPECT_EQ(h.find("c"), h.end());
}

TEST(DenseHashTest, CopyAndEquality) {
  DenseHash h{{"a", "1"}, {"b", "2"}};
  DenseHash copy(h);
  EXPECT_EQ(copy, h);
  copy.insert_or_assign("a", "9");
  EXPECT_NE(copy, h);  // same fields, another value
  EXPECT_EQ(h.find("a")->second, "1");
}

TEST(DenseHashTest, MatchesAReferenceMap) {
  std::mt19937_64 rng(11);
  DenseHash h;
  absl::flat_hash_map<std::string, std::string> want;
  for (int i = 0; i < 50000; ++i) {
    const std::string f = absl::StrCat("f", rng() % 5000);
    switch (rng() % 3) {
      case 0:
        EXPECT_EQ(h.erase(f), want.erase(f));
        break;
      default: {
        const std::string v = absl::StrCat(i);
        EXPECT_EQ(h.insert_or_assign(f, v), !want.contains(f));
        want[f] = v;
      }
    }
  }
  ASSERT_EQ(h.size(), want.size());
  for (size_t i = 0; i < h.size(); ++i) {
    const auto& [f, v] = h.at(i);
    ASSERT_EQ(want.at(f), v);
    ASSERT_EQ(h.find(f) - h.begin(), static_cast<ptrdiff_t>(i));
  }
}

}  // namespace
}  // namespace colony::kv
