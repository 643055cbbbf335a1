// Copyright 2026 The Colony Authors.
//
// The keyspace shard's bookkeeping around the compact entries: the
// has_expiry() bit, the expiry side table (expire_at) and the time index
// (expires) must agree after every operation.
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "kv/keyspace.h"

namespace colony::kv {
namespace {

// ExpectConsistent() checks the three records of expiry against each other.
void ExpectConsistent(const Shard& shard) {
  EXPECT_EQ(shard.expire_at.size(), shard.expires.size());
  size_t with_bit = 0;
  for (const auto& [key, entry] : shard.map) {
    auto it = shard.expire_at.find(key.view());
    EXPECT_EQ(entry.has_expiry(), it != shard.expire_at.end()) << key.view();
    if (it == shard.expire_at.end()) continue;
    ++with_bit;
    EXPECT_TRUE(shard.expires.contains(
        std::make_pair(it->second, std::string(key.view()))))
        << key.view();
  }
  EXPECT_EQ(with_bit, shard.expire_at.size());
}

std::string LongKey(int i) {
  return "a-key-name-too-long-to-be-inline:" + std::to_string(i);
}

TEST(ShardTest, InsertFindErase) {
  Shard shard;
  for (int i = 0; i < 1000; ++i) {
    const std::string k = i % 2 ? LongKey(i) : "k" + std::to_string(i);
    shard.Insert(k, Entry("v" + std::to_string(i)), 0);
  }
  EXPECT_EQ(shard.map.size(), 1000u);
  Entry* e = shard.Find("k10");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->str(), "v10");
  e = shard.Find(LongKey(11));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->str(), "v11");
  EXPECT_EQ(shard.Find("k11"), nullptr);
  EXPECT_TRUE(shard.Erase("k10"));
  EXPECT_FALSE(shard.Erase("k10"));
  EXPECT_EQ(shard.Find("k10"), nullptr);
  EXPECT_EQ(shard.Clear(), 999u);
  EXPECT_TRUE(shard.map.empty());
}

TEST(ShardTest, ExpiryIsKeptBesideTheEntry) {
  Shard shard;
  Entry& e = shard.Insert("k", Entry("v"), 0);
  EXPECT_FALSE(e.has_expiry());
  EXPECT_EQ(shard.ExpireOf("k", e), 0);
  shard.SetExpire("k", e, 1000);
  EXPECT_TRUE(e.has_expiry());
  EXPECT_EQ(shard.ExpireOf("k", e), 1000);
  EXPECT_FALSE(shard.IsExpired("k", e, 999));
  EXPECT_TRUE(shard.IsExpired("k", e, 1000));
  ExpectConsistent(shard);
  shard.SetExpire("k", e, 2000);  // moved in the time index
  EXPECT_EQ(shard.ExpireOf("k", e), 2000);
  EXPECT_EQ(shard.expires.size(), 1u);
  EXPECT_EQ(shard.expires.begin()->first, 2000);
  ExpectConsistent(shard);
  // Changing the value keeps the expiry (INCR, APPEND, SETRANGE).
  e.SetString(std::string(50, 'x'));
  EXPECT_EQ(shard.ExpireOf("k", e), 2000);
  shard.SetExpire("k", e, 0);
  EXPECT_FALSE(e.has_expiry());
  EXPECT_TRUE(shard.expire_at.empty());
  EXPECT_TRUE(shard.expires.empty());
  ExpectConsistent(shard);
}

TEST(ShardTest, InsertReplacesTheExpiry) {
  Shard shard;
  Entry& e = shard.Insert("k", Entry("old"), 500);
  EXPECT_EQ(shard.ExpireOf("k", e), 500);
  // An entry that arrives with the bit set (moved from another key) gets
  // exactly the expiry Insert() is given.
  Entry incoming("new");
  incoming.set_has_expiry(true);
  Entry& f = shard.Insert("k", std::move(incoming), 0);
  EXPECT_EQ(f.str(), "new");
  EXPECT_FALSE(f.has_expiry());
  ExpectConsistent(shard);
  Entry& g = shard.Insert("k", Entry("newer"), 700);
  EXPECT_EQ(shard.ExpireOf("k", g), 700);
  ExpectConsistent(shard);
}

// RENAME and MOVE move an entry out of its slot, then erase the key: the
// moved-from entry has lost its has_expiry() bit, and the erase must still
// drop the key's expiry records (a stale one would be found by the active
// expiry cycle forever).
TEST(ShardTest, EraseAfterMovingTheEntryOutDropsItsExpiry) {
  Shard shard;
  shard.Insert("other", Entry("w"), 99);
  Entry* e = &shard.Insert(LongKey(1), Entry("v"), 1234);
  const int64_t expire = shard.ExpireOf(LongKey(1), *e);
  Entry moved = std::move(*e);
  EXPECT_TRUE(shard.Erase(LongKey(1)));
  shard.Insert(LongKey(2), std::move(moved), expire);
  EXPECT_EQ(shard.expire_at.size(), 2u);
  EXPECT_EQ(shard.ExpireOf(LongKey(2), *shard.Find(LongKey(2))), 1234);
  ExpectConsistent(shard);
}

TEST(ShardTest, SwapDataSwapsKeysAndExpiries) {
  Shard a, b;
  Entry& x = a.Insert("x", Entry("1"), 10);
  a.Insert("y", Entry("2"), 0);
  b.Insert("z", Entry("3"), 30);
  (void)x;
  a.SwapData(b);
  EXPECT_EQ(a.map.size(), 1u);
  EXPECT_EQ(b.map.size(), 2u);
  EXPECT_EQ(a.ExpireOf("z", *a.Find("z")), 30);
  EXPECT_EQ(b.ExpireOf("x", *b.Find("x")), 10);
  EXPECT_EQ(b.ExpireOf("y", *b.Find("y")), 0);
  ExpectConsistent(a);
  ExpectConsistent(b);
  EXPECT_EQ(b.Clear(), 2u);
  EXPECT_TRUE(b.expire_at.empty());
  EXPECT_TRUE(b.expires.empty());
}

// The shard index comes from the top bits of the key's hash, so the low
// seven bits, which absl's tables keep in their control bytes to filter
// probes, still vary among the keys of one shard.
TEST(ShardTest, ShardIndexLeavesTheTableItsHashBits) {
  std::set<int> shards;
  std::set<uint64_t> low_bits_in_shard_0;
  for (int i = 0; i < 20000; ++i) {
    const std::string k = "key:" + std::to_string(i);
    const int index = Keyspace::IndexOf(k);
    ASSERT_GE(index, 0);
    ASSERT_LT(index, Keyspace::kShardsPerDb);
    shards.insert(index);
    if (index == 0) {
      low_bits_in_shard_0.insert(absl::Hash<absl::string_view>{}(k)&0x7f);
    }
  }
  EXPECT_EQ(shards.size(), static_cast<size_t>(Keyspace::kShardsPerDb));
  // About 312 keys land in shard 0; nearly all 128 values appear.
  EXPECT_GT(low_bits_in_shard_0.size(), 100u);
}

}  // namespace
}  // namespace colony::kv
