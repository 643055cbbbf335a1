// Copyright 2026 The Colony Authors.
//
// Random picks for SPOP, SRANDMEMBER and HRANDFIELD over tables with
// random access (kv/types/dense_table.h): positions drawn uniformly, O(1)
// each. And the SCAN-family cursor and option syntax.
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

// DistinctPositions() is `count` distinct positions in [0, n) (count <=
// n): a uniformly random subset (Floyd's sampling) in random order.
// O(count) expected.
std::vector<size_t> DistinctPositions(size_t n, size_t count, Rng& rng);

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

// The elements an SSCAN or HSCAN call visits without a COUNT (Redis'
// default).
inline constexpr uint64_t kDefaultScanCount = 10;

// ParseScanOptions() reads HSCAN/SSCAN's MATCH and COUNT options (from
// args[3]) into *pattern and *count (left as they are when absent); on a
// bad one it replies Redis' error and returns false.
bool ParseScanOptions(CommandContext& ctx, absl::string_view* pattern,
                      uint64_t* count);

}  // namespace colony::kv

#endif  // COLONY_KV_RANDOM_PICK_H_
