// Copyright 2026 The Colony Authors.
#include "kv/random_pick.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "kv/command.h"

namespace colony::kv {

Rng& ThreadRng() {
  thread_local Rng rng(std::random_device{}());
  return rng;
}

std::vector<size_t> DistinctPositions(size_t n, size_t count, Rng& rng) {
  std::vector<size_t> out;
  out.reserve(count);
  absl::flat_hash_set<size_t> chosen;
  chosen.reserve(count);
  for (size_t j = n - count; j < n; ++j) {
    size_t t = RandomIndex(rng, j + 1);
    if (!chosen.insert(t).second) {
      t = j;
      chosen.insert(j);
    }
    out.push_back(t);
  }
  // Floyd's sampling makes a uniform subset, not a uniform order.
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

bool ParseScanCursor(absl::string_view s, uint64_t* cursor) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (cursor != nullptr) *cursor = negative ? 0 - v : v;
  return true;
}

bool ParseScanOptions(CommandContext& ctx, absl::string_view* pattern,
                      uint64_t* count) {
  for (size_t i = 3; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) {
      ctx.SyntaxError();
      return false;
    }
    if (EqualsIgnoreCase(ctx.args[i], "COUNT")) {
      int64_t n;
      if (!ParseInt64(ctx.args[i + 1], &n)) {
        ctx.NotInteger();
        return false;
      }
      if (n < 1) {
        ctx.SyntaxError();
        return false;
      }
      *count = static_cast<uint64_t>(n);
    } else if (EqualsIgnoreCase(ctx.args[i], "MATCH")) {
      *pattern = ctx.args[i + 1];
    } else {
      ctx.SyntaxError();
      return false;
    }
  }
  return true;
}

}  // namespace colony::kv
