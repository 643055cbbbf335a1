// Copyright 2026 The Colony Authors.
#include "kv/glob.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace colony::kv {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? absl::ascii_tolower(static_cast<unsigned char>(c)) : c;
}

// MatchClass() matches `c` against the class starting after '[' at
// pattern[*p]; leaves *p on the closing ']' (or the end).
bool MatchClass(absl::string_view pattern, size_t* p, char c, bool nocase) {
  size_t i = *p;
  bool negate = false;
  if (i < pattern.size() && pattern[i] == '^') {
    negate = true;
    ++i;
  }
  bool matched = false;
  const char fc = Fold(c, nocase);
  for (; i < pattern.size() && pattern[i] != ']'; ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      ++i;
      if (Fold(pattern[i], nocase) == fc) matched = true;
    } else if (i + 2 < pattern.size() && pattern[i + 1] == '-' &&
               pattern[i + 2] != ']') {
      char lo = Fold(pattern[i], nocase);
      char hi = Fold(pattern[i + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      if (fc >= lo && fc <= hi) matched = true;
      i += 2;
    } else if (Fold(pattern[i], nocase) == fc) {
      matched = true;
    }
  }
  *p = i;
  return matched != negate;
}

// MatchOne() matches the pattern element at pattern[*p] (not '*') against
// `c`, leaving *p on the element's last byte.
bool MatchOne(absl::string_view pattern, size_t* p, char c, bool nocase) {
  switch (pattern[*p]) {
    case '?':
      return true;
    case '[':
      ++*p;
      return MatchClass(pattern, p, c, nocase);
    case '\\':
      if (*p + 1 < pattern.size()) ++*p;
      [[fallthrough]];
    default:
      return Fold(pattern[*p], nocase) == Fold(c, nocase);
  }
}

// Match() is the classic wildcard walk: on a mismatch it returns to just
// after the last '*' and lets that star absorb one more byte. Only the last
// star matters (any earlier one could only absorb less), so the work is
// O(|pattern| * |text|) at worst, whatever the pattern (no exponential
// backtracking on patterns such as "*a*a*a*a*b").
bool Match(absl::string_view pattern, absl::string_view text, bool nocase) {
  size_t p = 0, t = 0;
  size_t star_p = absl::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;
      star_p = p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      size_t q = p;
      if (MatchOne(pattern, &q, text[t], nocase)) {
        // An unclosed class ends the pattern.
        p = std::min(q + 1, pattern.size());
        ++t;
        continue;
      }
    }
    if (star_p == absl::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool GlobMatch(absl::string_view pattern, absl::string_view text, bool nocase) {
  return Match(pattern, text, nocase);
}

}  // namespace colony::kv
