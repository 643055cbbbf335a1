// Copyright 2026 The Colony Authors.
#include "kv/glob.h"

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

bool Match(absl::string_view pattern, absl::string_view text, bool nocase,
           int depth) {
  if (depth > 1000) return false;  // pathological patterns
  size_t p = 0;
  size_t t = 0;
  while (p < pattern.size()) {
    switch (pattern[p]) {
      case '*': {
        while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
        if (p + 1 == pattern.size()) return true;
        for (size_t k = t; k <= text.size(); ++k) {
          if (Match(pattern.substr(p + 1), text.substr(k), nocase, depth + 1)) {
            return true;
          }
        }
        return false;
      }
      case '?':
        if (t >= text.size()) return false;
        ++t;
        break;
      case '[': {
        if (t >= text.size()) return false;
        ++p;
        if (!MatchClass(pattern, &p, text[t], nocase)) return false;
        ++t;
        break;
      }
      case '\\':
        if (p + 1 < pattern.size()) ++p;
        [[fallthrough]];
      default:
        if (t >= text.size() ||
            Fold(pattern[p], nocase) != Fold(text[t], nocase)) {
          return false;
        }
        ++t;
        break;
    }
    if (p < pattern.size()) ++p;
  }
  return t == text.size();
}

}  // namespace

bool GlobMatch(absl::string_view pattern, absl::string_view text, bool nocase) {
  return Match(pattern, text, nocase, 0);
}

}  // namespace colony::kv
