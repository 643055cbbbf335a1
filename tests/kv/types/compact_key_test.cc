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

// Keys on both sides of the inline limit, with embedded zero bytes, and
// 16-byte keys whose last byte can (a printable byte) or cannot (a byte
// that reads as a length, the heap tag) be the tag.
std::vector<std::string> SampleKeys() {
  std::vector<std::string> keys = {"", "a", "key:1", std::string("a\0b", 3)};
  for (size_t n : {14, 15, 16, 17, 64, 1000}) {
    std::string k(n, 'x');
    k[n / 2] = '\0';
    keys.push_back(k);
  }
  for (unsigned char last : {0x00, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xff}) {
    std::string k = "key:00000001234";
    k.push_back(static_cast<char>(last));
    keys.push_back(k);
  }
  return keys;
}

// Inline() is whether a key of `s` should live inside the object.
bool Inline(const std::string& s) {
  if (s.size() <= CompactKey::kInlineCapacity) return true;
  if (s.size() != 16) return false;
  const auto last = static_cast<unsigned char>(s.back());
  return last >= 0x10 && last != 0x80;
}

TEST(CompactKeyTest, HoldsItsBytes) {
  for (const std::string& s : SampleKeys()) {
    const CompactKey k(s);
    EXPECT_EQ(k.view(), s);
    EXPECT_EQ(k.size(), s.size());
    EXPECT_EQ(k.is_inline(), Inline(s)) << s.size();
  }
  EXPECT_EQ(CompactKey().view(), "");
  EXPECT_TRUE(CompactKey().is_inline());
  EXPECT_TRUE(CompactKey("key:000000012345").is_inline());
  EXPECT_FALSE(CompactKey("key:0000000123456").is_inline());
}

TEST(CompactKeyTest, SixteenByteKeysAreDistinctFromEachOther) {
  // Keys that differ only in the byte that is the tag, or whose tag would
  // read as a shorter key's length, stay distinct in a map.
  absl::flat_hash_map<CompactKey, int, CompactKeyHash, CompactKeyEq> map;
  const std::vector<std::string> keys = SampleKeys();
  for (size_t i = 0; i < keys.size(); ++i) {
    map.emplace(CompactKey(keys[i]), static_cast<int>(i));
  }
  ASSERT_EQ(map.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = map.find(absl::string_view(keys[i]));
    ASSERT_NE(it, map.end()) << i;
    EXPECT_EQ(it->second, static_cast<int>(i));
    EXPECT_EQ(it->first.view(), keys[i]);
  }
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
