// Copyright 2026 The Colony Authors.
#include "kv/types/compact_key.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

// Keys on both sides of the inline limit, with embedded zero bytes.
std::vector<std::string> SampleKeys() {
  std::vector<std::string> keys = {"", "a", "key:1", std::string("a\0b", 3)};
  for (size_t n : {14, 15, 16, 17, 64, 1000}) {
    std::string k(n, 'x');
    k[n / 2] = '\0';
    keys.push_back(k);
  }
  return keys;
}

TEST(CompactKeyTest, HoldsItsBytes) {
  for (const std::string& s : SampleKeys()) {
    const CompactKey k(s);
    EXPECT_EQ(k.view(), s);
    EXPECT_EQ(k.size(), s.size());
    EXPECT_EQ(k.is_inline(), s.size() <= CompactKey::kInlineCapacity)
        << s.size();
  }
  EXPECT_EQ(CompactKey().view(), "");
  EXPECT_TRUE(CompactKey().is_inline());
}

TEST(CompactKeyTest, CopiesAndMoves) {
  for (const std::string& s : SampleKeys()) {
    CompactKey a(s);
    CompactKey b(a);
    EXPECT_EQ(b.view(), s);
    CompactKey c(std::move(a));
    EXPECT_EQ(c.view(), s);
    EXPECT_EQ(a.view(), "");  // NOLINT(bugprone-use-after-move): specified
    CompactKey d("something else entirely, long enough for the heap");
    d = c;
    EXPECT_EQ(d.view(), s);
    CompactKey e("short");
    e = std::move(d);
    EXPECT_EQ(e.view(), s);
    CompactKey& self = e;  // spelled so that no compiler flags it
    e = self;              // self-assignment keeps the key
    EXPECT_EQ(e.view(), s);
  }
}

TEST(CompactKeyTest, MovingALongKeyKeepsItsBlock) {
  const std::string s(100, 'k');
  CompactKey a(s);
  const char* data = a.view().data();
  CompactKey b(std::move(a));
  EXPECT_EQ(b.view().data(), data);
}

TEST(CompactKeyTest, HashesAsItsBytes) {
  for (const std::string& s : SampleKeys()) {
    const CompactKey k(s);
    EXPECT_EQ(CompactKeyHash{}(k), absl::Hash<absl::string_view>{}(s));
    EXPECT_EQ(CompactKeyHash{}(k), CompactKeyHash{}(s));
    EXPECT_EQ(absl::Hash<CompactKey>{}(k), absl::Hash<absl::string_view>{}(s));
    EXPECT_TRUE(CompactKeyEq{}(k, s));
    EXPECT_TRUE(CompactKeyEq{}(s, k));
    EXPECT_FALSE(CompactKeyEq{}(k, s + "!"));
  }
  EXPECT_NE(CompactKey("abc"), CompactKey("abd"));
  EXPECT_EQ(CompactKey("abc"), CompactKey("abc"));
}

// A table of CompactKeys is searched, updated and emptied with plain
// string_views, across rehashes (which move every key).
TEST(CompactKeyTest, WorksAsATransparentMapKey) {
  absl::flat_hash_map<CompactKey, int, CompactKeyHash, CompactKeyEq> map;
  constexpr int kKeys = 5000;
  auto name = [](int i) {
    // Every fourth key is long enough to live on the heap.
    return i % 4 == 0 ? "a-rather-long-key-name:" + std::to_string(i)
                      : "k:" + std::to_string(i);
  };
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = name(i);
    EXPECT_TRUE(map.try_emplace(absl::string_view(k), i).second);
  }
  ASSERT_EQ(map.size(), kKeys);
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = name(i);
    auto it = map.find(absl::string_view(k));
    ASSERT_NE(it, map.end()) << k;
    EXPECT_EQ(it->first.view(), k);
    EXPECT_EQ(it->second, i);
    EXPECT_TRUE(map.contains(k));
  }
  EXPECT_FALSE(map.contains(absl::string_view("k:-1")));
  for (int i = 0; i < kKeys; i += 2) {
    EXPECT_EQ(map.erase(absl::string_view(name(i))), 1u);
  }
  EXPECT_EQ(map.size(), kKeys / 2);
  for (const auto& [key, value] : map) {
    EXPECT_EQ(value % 2, 1);
    EXPECT_EQ(key.view(), name(value));
  }
}

}  // namespace
}  // namespace colony::kv
