// Copyright 2026 The Colony Authors.
//
// Random picks over hash tables without random access (absl's flat hash
// sets and maps), for SPOP, SRANDMEMBER and HRANDFIELD: draw the positions
// first, sorted, then walk the table once up to the largest of them. A
// pick of `count` from N costs O(N + count log count). And the SCAN-family
// cursor syntax.
//
// Thread-safety: ThreadRng() is per thread; handlers never suspend, so the
// reference does not outlive the thread it came from.
#ifndef COLONY_KV_RANDOM_PICK_H_
#define COLONY_KV_RANDOM_PICK_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/strings/string_view.h"

namespace colony::kv {

class CommandContext;

using Rng = std::mt19937_64;

// ThreadRng() is this thread's generator.
Rng& ThreadRng();

// RandomIndex() is uniform in [0, n); n > 0.
inline size_t RandomIndex(Rng& rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}

// SortedPositions() is `count` positions in [0, n), ascending: distinct
// ones (Floyd's sampling, count <= n) or independent draws.
// O(count log count).
std::vector<size_t> SortedPositions(size_t n, size_t count, bool distinct,
                                    Rng& rng);

// AtPositions() calls visit(iterator) at each of the ascending
// `positions` of `table` (again for a repeated one), in one walk.
template <typename Table, typename Visit>
void AtPositions(Table& table, const std::vector<size_t>& positions,
                 Visit visit) {
  auto it = table.begin();
  size_t at = 0;
  for (size_t p : positions) {
    for (; at < p; ++at) ++it;
    visit(it);
  }
}

// The most members a pick with repetitions (a negative count) returns.
// Redis has no bound and builds the whole reply in memory, which a count
// such as -4e18 turns into an out-of-memory crash; here such a count is an
// error.
inline constexpr uint64_t kMaxRepeatedPicks = uint64_t{1} << 24;
inline constexpr char kTooManyPicks[] =
    "ERR count is too large: at most 16777216 picks with repetitions";

// ParseScanCursor() accepts what strtoul() takes whole, as Redis does: an
// optional sign and decimal digits (the empty string is 0).
bool ParseScanCursor(absl::string_view s, uint64_t* cursor = nullptr);

// ParseScanOptions() reads HSCAN/SSCAN's MATCH and COUNT options (from
// args[3]); on a bad one it replies Redis' error and returns false.
bool ParseScanOptions(CommandContext& ctx, absl::string_view* pattern);

}  // namespace colony::kv

#endif  // COLONY_KV_RANDOM_PICK_H_
