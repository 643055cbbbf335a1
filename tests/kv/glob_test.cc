// Copyright 2026 The Colony Authors.
//
// GlobMatch(): Redis' glob rules case by case, a randomized comparison
// with a plain recursive matcher, and patterns that would take exponential
// time in a backtracking matcher.
#include "kv/glob.h"

#include <random>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

TEST(GlobTest, Cases) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  } cases[] = {
      {"*", "", true},
      {"*", "abc", true},
      {"a*", "abc", true},
      {"a*", "bac", false},
      {"*c", "abc", true},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"h[ae]llo", "hello", true},
      {"h[ae]llo", "hillo", false},
      {"h[^e]llo", "hallo", true},
      {"h[^e]llo", "hello", false},
      {"h[a-b]llo", "hbllo", true},
      {"h[a-b]llo", "hcllo", false},
      {"h[b-a]llo", "hallo", true},
      {"\\*", "*", true},
      {"\\*", "a", false},
      {"a\\?b", "a?b", true},
      {"a\\?b", "axb", false},
      {"[\\]]", "]", true},
      {"[abc", "a", true},
      {"**a", "ba", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"", "", true},
      {"", "a", false},
      {"user:*:name", "user:42:name", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match)
        << c.pattern << " vs " << c.text;
  }
  EXPECT_TRUE(GlobMatch("HELLO*", "hello world", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("HELLO*", "hello world"));
  EXPECT_TRUE(GlobMatch(std::string("a\0b", 3), std::string("a\0b", 3)));
}

// A direct transcription of the rules, exponential in the worst case.
bool Reference(const std::string& p, size_t i, const std::string& t, size_t j) {
  if (i == p.size()) return j == t.size();
  if (p[i] == '*') {
    for (size_t k = j; k <= t.size(); ++k) {
      if (Reference(p, i + 1, t, k)) return true;
    }
    return false;
  }
  if (j == t.size()) return false;
  if (p[i] == '?') return Reference(p, i + 1, t, j + 1);
  return p[i] == t[j] && Reference(p, i + 1, t, j + 1);
}

TEST(GlobTest, AgreesWithReferenceOnRandomInputs) {
  std::mt19937 rng(7);
  const std::string pattern_alphabet = "ab*?";
  const std::string text_alphabet = "ab";
  for (int n = 0; n < 20000; ++n) {
    std::string p, t;
    const int plen = static_cast<int>(rng() % 7);
    const int tlen = static_cast<int>(rng() % 8);
    for (int i = 0; i < plen; ++i) p += pattern_alphabet[rng() % 4];
    for (int i = 0; i < tlen; ++i) t += text_alphabet[rng() % 2];
    ASSERT_EQ(GlobMatch(p, t), Reference(p, 0, t, 0))
        << "pattern '" << p << "' text '" << t << "'";
  }
}

TEST(GlobTest, PathologicalPatternsStayFast) {
  // Exponential for a naive backtracking matcher: here one pass per star.
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  const std::string text(20000, 'a');
  const absl::Time start = absl::Now();
  EXPECT_FALSE(GlobMatch(pattern, text));
  // Generous: a quadratic walk of 20k x 62 takes well under this.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace colony::kv
