// Copyright 2026 The Colony Authors.
//
// What a DenseSet and a DenseHash take from the heap per element, by the
// keyspace's own accounting (kv/memory_usage.h), against the absl flat
// tables they replaced: no more, summed over sizes spread across the
// growth steps of both.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kv/memory_usage.h"
#include "kv/types/dense_table.h"

namespace colony::kv {
namespace {

// Bytes() is what building a table of `n` elements with `fill` allocates,
// the table object included, measured while it is alive.
template <typename Table, typename Fill>
int64_t Bytes(size_t n, Fill fill) {
  const int64_t before = AllocatedBytes();
  auto table = std::make_unique<Table>();
  for (size_t i = 0; i < n; ++i) fill(*table, i);
  const int64_t bytes = AllocatedBytes() - before;
  return bytes;
}

// Members short enough to be inline in std::string: the tables' own
// overhead is all there is to compare.
std::string Member(size_t i) { return absl::StrCat("m:", i); }

// Sizes from 100 to about 400000, 20% apart.
template <typename F>
void ForSizes(F f) {
  for (double n = 100; n < 400000; n *= 1.2) f(static_cast<size_t>(n));
}

TEST(DenseTableMemoryTest, SetTakesNoMoreThanAFlatHashSet) {
  int64_t dense_total = 0;
  int64_t flat_total = 0;
  ForSizes([&](size_t n) {
    const int64_t dense =
        Bytes<DenseSet>(n, [](DenseSet& s, size_t i) { s.insert(Member(i)); });
    const int64_t flat = Bytes<absl::flat_hash_set<std::string>>(
        n, [](absl::flat_hash_set<std::string>& s, size_t i) {
          s.insert(Member(i));
        });
    std::printf("set %7zu members: dense %5.1f B/member, flat %5.1f\n", n,
                static_cast<double>(dense) / n, static_cast<double>(flat) / n);
    dense_total += dense;
    flat_total += flat;
  });
  std::printf("set total: dense %lld, flat %lld\n",
              static_cast<long long>(dense_total),
              static_cast<long long>(flat_total));
  EXPECT_LE(dense_total, flat_total);
}

TEST(DenseTableMemoryTest, HashTakesNoMoreThanAFlatHashMap) {
  int64_t dense_total = 0;
  int64_t flat_total = 0;
  ForSizes([&](size_t n) {
    const int64_t dense = Bytes<DenseHash>(
        n, [](DenseHash& h, size_t i) { h.insert_or_assign(Member(i), "v"); });
    const int64_t flat = Bytes<absl::flat_hash_map<std::string, std::string>>(
        n, [](absl::flat_hash_map<std::string, std::string>& h, size_t i) {
          h.insert_or_assign(Member(i), "v");
        });
    std::printf("hash %7zu fields: dense %5.1f B/field, flat %5.1f\n", n,
                static_cast<double>(dense) / n, static_cast<double>(flat) / n);
    dense_total += dense;
    flat_total += flat;
  });
  std::printf("hash total: dense %lld, flat %lld\n",
              static_cast<long long>(dense_total),
              static_cast<long long>(flat_total));
  EXPECT_LE(dense_total, flat_total);
}

TEST(DenseTableMemoryTest, SmallCollectionsTakeNoMoreThanFlatTables) {
  // Small sets and hashes (most of them, in the usual keyspace) hold no
  // index: their vector is all they allocate besides the table object.
  for (size_t n = 1; n <= DenseSet::kLinearMax; ++n) {
    const int64_t set =
        Bytes<DenseSet>(n, [](DenseSet& s, size_t i) { s.insert(Member(i)); });
    const int64_t flat_set = Bytes<absl::flat_hash_set<std::string>>(
        n, [](absl::flat_hash_set<std::string>& s, size_t i) {
          s.insert(Member(i));
        });
    const int64_t hash = Bytes<DenseHash>(
        n, [](DenseHash& h, size_t i) { h.insert_or_assign(Member(i), "v"); });
    const int64_t flat_hash =
        Bytes<absl::flat_hash_map<std::string, std::string>>(
            n, [](absl::flat_hash_map<std::string, std::string>& h, size_t i) {
              h.insert_or_assign(Member(i), "v");
            });
    std::printf("%zu elements: set %lld (flat %lld), hash %lld (flat %lld)\n",
                n, static_cast<long long>(set),
                static_cast<long long>(flat_set), static_cast<long long>(hash),
                static_cast<long long>(flat_hash));
    EXPECT_LE(set, flat_set) << n;
    EXPECT_LE(hash, flat_hash) << n;
  }
}

}  // namespace
}  // namespace colony::kv
