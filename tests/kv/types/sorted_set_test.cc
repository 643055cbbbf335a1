// Copyright 2026 The Colony Authors.

#include "kv/types/sorted_set.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;
using Pair = std::pair<std::string, double>;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<Pair> All(const SortedSet& set) {
  std::vector<Pair> out;
  for (const SortedSet::Entry e : set) {
    out.emplace_back(std::string(e.member), e.score);
  }
  return out;
}

std::vector<Pair> ScoreRangeOf(const SortedSet& set, const ScoreRange& range,
                               bool reverse = false, int64_t offset = 0,
                               int64_t count = -1) {
  std::vector<Pair> out;
  set.VisitScoreRange(range, reverse, offset, count,
                      [&](absl::string_view m, double s) {
                        out.emplace_back(std::string(m), s);
                      });
  return out;
}

std::vector<Pair> LexRangeOf(const SortedSet& set, const LexRange& range,
                             bool reverse = false, int64_t offset = 0,
                             int64_t count = -1) {
  std::vector<Pair> out;
  set.VisitLexRange(range, reverse, offset, count,
                    [&](absl::string_view m, double s) {
                      out.emplace_back(std::string(m), s);
                    });
  return out;
}

std::vector<Pair> RankRangeOf(const SortedSet& set, size_t start, size_t stop,
                              bool reverse) {
  std::vector<Pair> out;
  set.ByRank(start, stop, reverse, [&](absl::string_view m, double s) {
    out.emplace_back(std::string(m), s);
  });
  return out;
}

std::vector<Pair> Popped(const std::vector<SortedSet::ScoredMember>& v) {
  std::vector<Pair> out;
  for (const auto& e : v) out.emplace_back(e.member, e.score);
  return out;
}

LexBound Incl(absl::string_view v) { return {LexBound::Kind::kInclusive, v}; }
LexBound Excl(absl::string_view v) { return {LexBound::Kind::kExclusive, v}; }
constexpr LexBound kMinusInf = {LexBound::Kind::kNegativeInfinity, {}};
constexpr LexBound kPlusInf = {LexBound::Kind::kPositiveInfinity, {}};

// ---------------------------------------------------------------------------
// Basic operations.

TEST(SortedSetTest, EmptySet) {
  SortedSet set;
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.begin() == set.end());
  EXPECT_FALSE(set.Contains("a"));
  EXPECT_EQ(set.Score("a"), std::nullopt);
  EXPECT_EQ(set.Rank("a"), std::nullopt);
  EXPECT_FALSE(set.Erase("a"));
  EXPECT_EQ(set.CountInScoreRange(ScoreRange{}), 0u);
  EXPECT_EQ(set.CountInLexRange(LexRange{}), 0u);
  EXPECT_TRUE(ScoreRangeOf(set, ScoreRange{}).empty());
  EXPECT_TRUE(LexRangeOf(set, LexRange{}, true).empty());
  EXPECT_EQ(set.EraseScoreRange(ScoreRange{}), 0u);
  EXPECT_EQ(set.EraseLexRange(LexRange{}), 0u);
  EXPECT_TRUE(set.PopMin(3).empty());
  EXPECT_TRUE(set.PopMax(3).empty());
}

TEST(SortedSetTest, InsertReportsAddedUpdatedUnchanged) {
  SortedSet set;
  EXPECT_EQ(set.Insert("a", 1), SortedSet::InsertResult::kAdded);
  EXPECT_EQ(set.Insert("a", 1), SortedSet::InsertResult::kUnchanged);
  EXPECT_EQ(set.Insert("a", 2), SortedSet::InsertResult::kUpdated);
  EXPECT_THAT(set.Score("a"), Optional(2.0));
  EXPECT_EQ(set.size(), 1u);
  // 0 and -0 are the same score, as in Redis (ZADD CH does not count it).
  EXPECT_EQ(set.Insert("z", -0.0), SortedSet::InsertResult::kAdded);
  EXPECT_EQ(set.Insert("z", 0.0), SortedSet::InsertResult::kUnchanged);
  EXPECT_TRUE(std::signbit(*set.Score("z")));
}

TEST(SortedSetTest, UpdateRepositions) {
  SortedSet set;
  set.Insert("a", 1);
  set.Insert("b", 2);
  set.Insert("c", 3);
  EXPECT_EQ(set.Insert("a", 10), SortedSet::InsertResult::kUpdated);
  EXPECT_THAT(All(set), ElementsAre(Pair("b", 2), Pair("c", 3), Pair("a", 10)));
  EXPECT_THAT(set.Rank("a"), Optional(2u));
  EXPECT_THAT(set.Rank("a", /*reverse=*/true), Optional(0u));
  // A change that keeps the order (between its neighbours) is in place.
  EXPECT_EQ(set.Insert("b", 2.5), SortedSet::InsertResult::kUpdated);
  EXPECT_THAT(All(set),
              ElementsAre(Pair("b", 2.5), Pair("c", 3), Pair("a", 10)));
  // Equal score to a neighbour: the member bytes decide.
  EXPECT_EQ(set.Insert("a", 3), SortedSet::InsertResult::kUpdated);
  EXPECT_THAT(All(set),
              ElementsAre(Pair("b", 2.5), Pair("a", 3), Pair("c", 3)));
  EXPECT_EQ(set.Insert("c", -kInf), SortedSet::InsertResult::kUpdated);
  EXPECT_THAT(All(set),
              ElementsAre(Pair("c", -kInf), Pair("b", 2.5), Pair("a", 3)));
}

TEST(SortedSetTest, EqualScoresOrderByMemberBytes) {
  SortedSet set;
  const std::vector<std::string> members = {std::string("a\0b", 3),
                                            std::string("a\0", 2),
                                            "a",
                                            "",
                                            "\xff",
                                            "b",
                                            "\x7f",
                                            "ab",
                                            std::string("\0", 1),
                                            "\x80"};
  for (const std::string& m : members) set.Insert(m, 5);
  std::vector<std::string> expected = {"",
                                       std::string("\0", 1),
                                       "a",
                                       std::string("a\0", 2),
                                       std::string("a\0b", 3),
                                       "ab",
                                       "b",
                                       "\x7f",
                                       "\x80",
                                       "\xff"};
  std::vector<std::string> got;
  for (const SortedSet::Entry e : set) got.emplace_back(e.member);
  EXPECT_EQ(got, expected);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_THAT(set.Rank(expected[i]), Optional(i));
    EXPECT_EQ(set.Nth(i).member, expected[i]);
  }
  EXPECT_FALSE(set.Contains(std::string("a\0c", 3)));
  EXPECT_TRUE(set.Erase(std::string("a\0", 2)));
  EXPECT_TRUE(set.Contains("a"));
  EXPECT_TRUE(set.Contains(std::string("a\0b", 3)));
  EXPECT_EQ(set.size(), expected.size() - 1);
}

TEST(SortedSetTest, Infinities) {
  SortedSet set;
  set.Insert("pos", kInf);
  set.Insert("neg", -kInf);
  set.Insert("zero", 0);
  set.Insert("pos2", kInf);
  EXPECT_THAT(All(set), ElementsAre(Pair("neg", -kInf), Pair("zero", 0),
                                    Pair("pos", kInf), Pair("pos2", kInf)));
  EXPECT_EQ(set.CountInScoreRange({kInf, kInf, false, false}), 2u);
  EXPECT_EQ(set.CountInScoreRange({-kInf, -kInf, false, false}), 1u);
  // "(inf" selects nothing; "(-inf" drops only -inf.
  EXPECT_EQ(set.CountInScoreRange({kInf, kInf, true, false}), 0u);
  EXPECT_EQ(set.CountInScoreRange({-kInf, kInf, true, false}), 3u);
  EXPECT_EQ(set.CountInScoreRange({-kInf, kInf, true, true}), 1u);
  EXPECT_EQ(set.EraseScoreRange({1, kInf, false, false}), 2u);
  EXPECT_THAT(All(set), ElementsAre(Pair("neg", -kInf), Pair("zero", 0)));
}

TEST(SortedSetTest, ExclusiveBoundsAtEqualScores) {
  SortedSet set;
  set.Insert("a", 1);
  set.Insert("b", 1);
  set.Insert("c", 1);
  set.Insert("d", 2);
  EXPECT_EQ(set.CountInScoreRange({1, 2, true, false}), 1u);
  EXPECT_EQ(set.CountInScoreRange({1, 2, false, true}), 3u);
  EXPECT_EQ(set.CountInScoreRange({1, 1, false, false}), 3u);
  EXPECT_EQ(set.CountInScoreRange({1, 1, true, false}), 0u);
  EXPECT_EQ(set.CountInScoreRange({1, 1, false, true}), 0u);
  EXPECT_EQ(set.CountInScoreRange({2, 1, false, false}), 0u);
  EXPECT_THAT(ScoreRangeOf(set, {1, 2, false, true}, /*reverse=*/true),
              ElementsAre(Pair("c", 1), Pair("b", 1), Pair("a", 1)));
  EXPECT_EQ(set.EraseScoreRange({1, 2, true, true}), 0u);
  EXPECT_EQ(set.EraseScoreRange({1, 1, false, false}), 3u);
  EXPECT_THAT(All(set), ElementsAre(Pair("d", 2)));
}

TEST(SortedSetTest, RankAndByRank) {
  SortedSet set;
  for (int i = 0; i < 10; ++i) set.Insert(std::string(1, 'a' + i), i);
  EXPECT_THAT(set.Rank("a"), Optional(0u));
  EXPECT_THAT(set.Rank("j"), Optional(9u));
  EXPECT_THAT(set.Rank("a", true), Optional(9u));
  EXPECT_THAT(set.Rank("c", true), Optional(7u));
  EXPECT_THAT(RankRangeOf(set, 2, 4, false),
              ElementsAre(Pair("c", 2), Pair("d", 3), Pair("e", 4)));
  EXPECT_THAT(RankRangeOf(set, 0, 1, true),
              ElementsAre(Pair("j", 9), Pair("i", 8)));
  EXPECT_THAT(RankRangeOf(set, 9, 9, true), ElementsAre(Pair("a", 0)));
  EXPECT_EQ(set.Nth(5).member, "f");
  EXPECT_EQ(set.Nth(5).score, 5);
}

TEST(SortedSetTest, LimitOffsetAndCount) {
  SortedSet set;
  for (int i = 0; i < 6; ++i) set.Insert(std::string(1, 'a' + i), i);
  const ScoreRange all;
  EXPECT_THAT(ScoreRangeOf(set, all, false, 1, 2),
              ElementsAre(Pair("b", 1), Pair("c", 2)));
  EXPECT_THAT(ScoreRangeOf(set, all, true, 1, 2),
              ElementsAre(Pair("e", 4), Pair("d", 3)));
  EXPECT_TRUE(ScoreRangeOf(set, all, false, -1, 2).empty());
  EXPECT_TRUE(ScoreRangeOf(set, all, false, 1, 0).empty());
  EXPECT_TRUE(ScoreRangeOf(set, all, false, 6, -1).empty());
  EXPECT_THAT(ScoreRangeOf(set, all, false, 4, -7),
              ElementsAre(Pair("e", 4), Pair("f", 5)));
  EXPECT_THAT(ScoreRangeOf(set, {1, 4, true, false}, true, 2, 100),
              ElementsAre(Pair("c", 2)));
  EXPECT_THAT(LexRangeOf(set, {Incl("b"), kPlusInf}, false, 3, 5),
              ElementsAre(Pair("e", 4), Pair("f", 5)));
}

TEST(SortedSetTest, LexRanges) {
  SortedSet set;
  for (absl::string_view m : {"a", "b", "c", "d", "e"}) set.Insert(m, 0);
  set.Insert(std::string("c\0", 2), 0);
  EXPECT_EQ(set.CountInLexRange({kMinusInf, kPlusInf}), 6u);
  EXPECT_EQ(set.CountInLexRange({Incl("b"), Incl("d")}), 4u);
  EXPECT_EQ(set.CountInLexRange({Excl("b"), Excl("d")}), 2u);
  EXPECT_EQ(set.CountInLexRange({Excl("c"), kPlusInf}), 3u);
  EXPECT_EQ(set.CountInLexRange({Incl("c"), Excl("c")}), 0u);
  EXPECT_EQ(set.CountInLexRange({Incl("d"), Incl("b")}), 0u);
  EXPECT_EQ(set.CountInLexRange({kPlusInf, kPlusInf}), 0u);
  EXPECT_EQ(set.CountInLexRange({kMinusInf, kMinusInf}), 0u);
  EXPECT_EQ(set.CountInLexRange({kPlusInf, kMinusInf}), 0u);
  EXPECT_EQ(set.CountInLexRange({Incl(""), Incl("a")}), 1u);
  EXPECT_THAT(
      LexRangeOf(set, {Excl("b"), Incl("d")}, true),
      ElementsAre(Pair("d", 0), Pair(std::string("c\0", 2), 0), Pair("c", 0)));
  EXPECT_EQ(set.EraseLexRange({Incl("c"), Excl("d")}), 2u);
  EXPECT_THAT(All(set), ElementsAre(Pair("a", 0), Pair("b", 0), Pair("d", 0),
                                    Pair("e", 0)));
  EXPECT_EQ(set.EraseLexRange({kMinusInf, Excl("b")}), 1u);
  EXPECT_EQ(set.EraseLexRange({Excl("d"), kPlusInf}), 1u);
  EXPECT_THAT(All(set), ElementsAre(Pair("b", 0), Pair("d", 0)));
}

TEST(SortedSetTest, EraseRankRange) {
  SortedSet set;
  for (int i = 0; i < 8; ++i) set.Insert(std::string(1, 'a' + i), i);
  EXPECT_EQ(set.EraseRankRange(2, 4), 3u);
  EXPECT_THAT(All(set), ElementsAre(Pair("a", 0), Pair("b", 1), Pair("f", 5),
                                    Pair("g", 6), Pair("h", 7)));
  EXPECT_EQ(set.EraseRankRange(4, 4), 1u);
  EXPECT_EQ(set.EraseRankRange(0, 0), 1u);
  EXPECT_THAT(All(set), ElementsAre(Pair("b", 1), Pair("f", 5), Pair("g", 6)));
  EXPECT_FALSE(set.Contains("h"));
  EXPECT_FALSE(set.Contains("a"));
  EXPECT_EQ(set.EraseRankRange(0, 2), 3u);
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.begin() == set.end());
  // Usable again after being emptied.
  set.Insert("x", 1);
  EXPECT_THAT(All(set), ElementsAre(Pair("x", 1)));
}

TEST(SortedSetTest, Pops) {
  SortedSet set;
  for (int i = 0; i < 5; ++i) set.Insert(std::string(1, 'a' + i), i);
  EXPECT_THAT(Popped(set.PopMin(2)), ElementsAre(Pair("a", 0), Pair("b", 1)));
  EXPECT_THAT(Popped(set.PopMax(2)), ElementsAre(Pair("e", 4), Pair("d", 3)));
  EXPECT_THAT(Popped(set.PopMax(0)), ElementsAre());
  EXPECT_THAT(Popped(set.PopMin(10)), ElementsAre(Pair("c", 2)));
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.Contains("c"));
}

TEST(SortedSetTest, CopyAndMove) {
  SortedSet set;
  for (int i = 0; i < 100; ++i) set.Insert("m" + std::to_string(i), i % 7);
  SortedSet copy(set);
  EXPECT_EQ(All(copy), All(set));
  copy.Erase("m3");
  EXPECT_TRUE(set.Contains("m3"));
  SortedSet moved(std::move(copy));
  EXPECT_EQ(moved.size(), 99u);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
  copy.Insert("again", 1);
  EXPECT_THAT(All(copy), ElementsAre(Pair("again", 1)));
  copy = set;
  EXPECT_EQ(All(copy), All(set));
  copy = std::move(moved);
  EXPECT_EQ(copy.size(), 99u);
  EXPECT_FALSE(copy.Contains("m3"));
  EXPECT_THAT(copy.Rank("m6"), Optional(*set.Rank("m6") - 1));
}

TEST(SortedSetTest, MemoryUsageFollowsContents) {
  SortedSet set;
  const size_t empty = set.MemoryUsage();
  for (int i = 0; i < 1000; ++i)
    set.Insert(std::string(100, 'a' + i % 26) + std::to_string(i), i);
  const size_t full = set.MemoryUsage();
  // At least the member bytes, and not wildly more than a few hundred bytes
  // of overhead per member.
  EXPECT_GE(full - empty, 1000u * 100);
  EXPECT_LE(full - empty, 1000u * (100 + 200));
  set.Clear();
  EXPECT_LT(set.MemoryUsage(), full - 1000u * 100);
  EXPECT_TRUE(set.empty());
}

TEST(SortedSetTest, LargeSetRanks) {
  // Enough members for tall nodes (and head growth past its first levels).
  SortedSet set;
  std::mt19937_64 rng(7);
  std::vector<std::pair<double, std::string>> model;
  for (int i = 0; i < 50000; ++i) {
    const double score = static_cast<double>(rng() % 1000);
    std::string m = "k" + std::to_string(i);
    set.Insert(m, score);
    model.emplace_back(score, std::move(m));
  }
  std::sort(model.begin(), model.end());
  ASSERT_EQ(set.size(), model.size());
  size_t i = 0;
  for (const SortedSet::Entry e : set) {
    ASSERT_EQ(e.member, model[i].second);
    ++i;
  }
  for (size_t r = 0; r < model.size(); r += 97) {
    ASSERT_THAT(set.Rank(model[r].second), Optional(r));
    ASSERT_EQ(set.Nth(r).member, model[r].second);
  }
  // Erase every other member by rank ranges from the top down.
  for (size_t r = model.size(); r >= 2; r -= 2)
    set.EraseRankRange(r - 2, r - 2);
  ASSERT_EQ(set.size(), model.size() / 2);
  for (size_t r = 0; r < set.size(); r += 101) {
    ASSERT_EQ(set.Nth(r).member, model[2 * r + 1].second);
  }
}

// ---------------------------------------------------------------------------
// Parsing and formatting, as observed on redis-server 7.0.15.

TEST(FormatScoreTest, MatchesRedis) {
  EXPECT_EQ(FormatScore(1.1), "1.1000000000000001");
  EXPECT_EQ(FormatScore(3), "3");
  EXPECT_EQ(FormatScore(kInf), "inf");
  EXPECT_EQ(FormatScore(-kInf), "-inf");
  EXPECT_EQ(FormatScore(1e20), "1e+20");
  EXPECT_EQ(FormatScore(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatScore(-0.0), "-0");
  EXPECT_EQ(FormatScore(0.0), "0");
  EXPECT_EQ(FormatScore(1e-5), "1.0000000000000001e-05");
  EXPECT_EQ(FormatScore(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(FormatScore(1e17), "1e+17");
  EXPECT_EQ(FormatScore(1.5e16), "15000000000000000");
  EXPECT_EQ(FormatScore(0.5), "0.5");
  EXPECT_EQ(FormatScore(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(FormatScore(5e-324), "4.9406564584124654e-324");
  EXPECT_EQ(FormatScore(-1.999977734365366e-320), "-1.999977734365366e-320");
}

TEST(ParseScoreBoundTest, AcceptsRedisSyntax) {
  struct Case {
    absl::string_view text;
    double value;
    bool exclusive;
  };
  const Case cases[] = {
      {"1.5", 1.5, false},
      {"(1.5", 1.5, true},
      {"-inf", -kInf, false},
      {"+inf", kInf, false},
      {"inf", kInf, false},
      {"(inf", kInf, true},
      {"(-inf", -kInf, true},
      {"INF", kInf, false},
      {"-Infinity", -kInf, false},
      {"infinity", kInf, false},
      {"", 0, false},
      {"(", 0, true},
      {" 1", 1, false},
      {"0x1p0", 1, false},
      {"+1", 1, false},
      {".5", 0.5, false},
      {"1.", 1, false},
      {"1e400", kInf, false},
      {"-1e400", -kInf, false},
      {"1e-400", 0, false},
      {"1e5000", kInf, false},
      {absl::string_view("1\0x", 3), 1, false},
      {absl::string_view("(1\0x", 4), 1, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.text));
    const std::optional<ScoreBound> b = ParseScoreBound(c.text);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->value, c.value);
    EXPECT_EQ(b->exclusive, c.exclusive);
  }
}

TEST(ParseScoreBoundTest, RejectsGarbageAndNaN) {
  for (absl::string_view text : {"1 ", "nan", "(nan", "+nan", "-nan", "abc",
                                 "((1", "1e", "1_0", "0x", "[1", "1.5x"}) {
    EXPECT_EQ(ParseScoreBound(text), std::nullopt) << text;
  }
  EXPECT_EQ(ParseScoreBound(std::string(100, '1') + "x"), std::nullopt);
  EXPECT_TRUE(ParseScoreBound(std::string(100, '1')).has_value());
}

TEST(ParseScoreTest, MatchesZaddArguments) {
  EXPECT_THAT(ParseScore("1"), Optional(1.0));
  EXPECT_THAT(ParseScore("0x10"), Optional(16.0));
  EXPECT_THAT(ParseScore("inf"), Optional(kInf));
  EXPECT_THAT(ParseScore("+inf"), Optional(kInf));
  EXPECT_THAT(ParseScore("-inf"), Optional(-kInf));
  EXPECT_THAT(ParseScore("infinity"), Optional(kInf));
  EXPECT_THAT(ParseScore("4.9e-324"), Optional(5e-324));
  EXPECT_THAT(ParseScore("2e-320"), Optional(2e-320));
  EXPECT_THAT(ParseScore(".5"), Optional(0.5));
  const std::optional<double> neg_zero = ParseScore("-0");
  ASSERT_TRUE(neg_zero.has_value());
  EXPECT_TRUE(std::signbit(*neg_zero));
  for (absl::string_view text :
       {" 1", "1 ", "", "nan", "1e400", "1e-400", "(1", "x", "1e"}) {
    EXPECT_EQ(ParseScore(text), std::nullopt) << text;
  }
  EXPECT_EQ(ParseScore(absl::string_view("1\0", 2)), std::nullopt);
}

TEST(ParseLexBoundTest, MatchesRedis) {
  using Kind = LexBound::Kind;
  struct Case {
    absl::string_view text;
    Kind kind;
    absl::string_view value;
  };
  const Case cases[] = {
      {"-", Kind::kNegativeInfinity, ""},
      {"+", Kind::kPositiveInfinity, ""},
      {absl::string_view("+\0x", 3), Kind::kPositiveInfinity, ""},
      {absl::string_view("-\0", 2), Kind::kNegativeInfinity, ""},
      {"[a", Kind::kInclusive, "a"},
      {"(abc", Kind::kExclusive, "abc"},
      {"[", Kind::kInclusive, ""},
      {"(", Kind::kExclusive, ""},
      {absl::string_view("[a\0", 3), Kind::kInclusive,
       absl::string_view("a\0", 2)},
      {"[+", Kind::kInclusive, "+"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.text));
    const std::optional<LexBound> b = ParseLexBound(c.text);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->kind, c.kind);
    EXPECT_EQ(b->value, c.value);
  }
  for (absl::string_view text : {"", "a", "+x", "-a", "1", " [a"}) {
    EXPECT_EQ(ParseLexBound(text), std::nullopt) << text;
  }
}

// ---------------------------------------------------------------------------
// Randomized comparison against a model: a std::map from member to score,
// and a std::set of (score, member) for the order.

class Model {
 public:
  bool Insert(const std::string& m, double s) {
    auto it = scores_.find(m);
    if (it != scores_.end()) {
      order_.erase({it->second, m});
      it->second = s;
      order_.insert({s, m});
      return false;
    }
    scores_[m] = s;
    order_.insert({s, m});
    return true;
  }
  bool Erase(const std::string& m) {
    auto it = scores_.find(m);
    if (it == scores_.end()) return false;
    order_.erase({it->second, m});
    scores_.erase(it);
    return true;
  }
  std::optional<double> Score(const std::string& m) const {
    auto it = scores_.find(m);
    if (it == scores_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Pair> Ordered() const {
    std::vector<Pair> out;
    for (const auto& [s, m] : order_) out.emplace_back(m, s);
    return out;
  }
  size_t size() const { return scores_.size(); }

 private:
  std::map<std::string, double> scores_;
  std::set<std::pair<double, std::string>> order_;
};

// The model's own reading of the bounds, independent of ScoreRange and
// LexRange's helpers.
bool InScore(double s, double min, double max, bool minex, bool maxex) {
  const bool lo = minex ? s > min : s >= min;
  const bool hi = maxex ? s < max : s <= max;
  return lo && hi;
}

bool LexAtLeastMin(const std::string& m, const LexBound& b) {
  switch (b.kind) {
    case LexBound::Kind::kNegativeInfinity:
      return true;
    case LexBound::Kind::kPositiveInfinity:
      return false;
    case LexBound::Kind::kInclusive:
      return absl::string_view(m).compare(b.value) >= 0;
    case LexBound::Kind::kExclusive:
      return absl::string_view(m).compare(b.value) > 0;
  }
  return false;
}

bool LexAtMostMax(const std::string& m, const LexBound& b) {
  switch (b.kind) {
    case LexBound::Kind::kNegativeInfinity:
      return false;
    case LexBound::Kind::kPositiveInfinity:
      return true;
    case LexBound::Kind::kInclusive:
      return absl::string_view(m).compare(b.value) <= 0;
    case LexBound::Kind::kExclusive:
      return absl::string_view(m).compare(b.value) < 0;
  }
  return false;
}

std::vector<Pair> ApplyLimit(std::vector<Pair> v, bool reverse, int64_t offset,
                             int64_t count) {
  if (reverse) std::reverse(v.begin(), v.end());
  if (offset < 0) return {};
  if (static_cast<size_t>(offset) >= v.size()) return {};
  v.erase(v.begin(), v.begin() + offset);
  if (count >= 0 && static_cast<size_t>(count) < v.size()) v.resize(count);
  return v;
}

// Parameters: equal-score mode (every score is 0 or -0, so that lex ranges
// are meaningful), and the random seed.
class ModelTest : public ::testing::TestWithParam<std::tuple<bool, uint64_t>> {
 protected:
  bool equal_scores() const { return std::get<0>(GetParam()); }

  std::string RandomMember() {
    // A small alphabet with NUL and high bytes, short lengths: many shared
    // prefixes and collisions.
    static constexpr char kAlphabet[] = {'a', 'b', '\0', '\xff', 'c'};
    const size_t len = rng_() % 4;
    std::string m;
    for (size_t i = 0; i < len; ++i) m.push_back(kAlphabet[rng_() % 5]);
    if (rng_() % 2 == 0) m += std::to_string(rng_() % 1000);
    return m;
  }

  double RandomScore() {
    if (equal_scores()) return rng_() % 2 ? 0.0 : -0.0;
    switch (rng_() % 10) {
      case 0:
        return kInf;
      case 1:
        return -kInf;
      case 2:
        return static_cast<double>(rng_() % 1000) / 7.0;
      default:
        return static_cast<double>(static_cast<int>(rng_() % 21) - 10);
    }
  }

  LexBound RandomLexBound(std::string* storage) {
    switch (rng_() % 6) {
      case 0:
        return kMinusInf;
      case 1:
        return kPlusInf;
      default:
        *storage = RandomMember();
        return {rng_() % 2 ? LexBound::Kind::kInclusive
                           : LexBound::Kind::kExclusive,
                *storage};
    }
  }

  ScoreRange RandomScoreRange() {
    ScoreRange r;
    r.min = RandomScore();
    r.max = rng_() % 4 == 0 ? r.min : RandomScore();
    if (rng_() % 3 != 0 && r.min > r.max) std::swap(r.min, r.max);
    r.min_exclusive = rng_() % 2;
    r.max_exclusive = rng_() % 2;
    return r;
  }

  int64_t RandomOffset() {
    switch (rng_() % 5) {
      case 0:
        return -1;
      case 1:
      case 2:
        return 0;
      default:
        return static_cast<int64_t>(rng_() % 20);
    }
  }

  int64_t RandomCount() {
    switch (rng_() % 4) {
      case 0:
        return -1;
      case 1:
        return 0;
      default:
        return static_cast<int64_t>(rng_() % 30);
    }
  }

  void CheckWhole() {
    ASSERT_TRUE(set_.InvariantsHold());
    const std::vector<Pair> expected = model_.Ordered();
    ASSERT_EQ(set_.size(), expected.size());
    ASSERT_EQ(All(set_), expected);
    std::vector<Pair> visited;
    set_.ForEach([&](absl::string_view m, double s) {
      visited.emplace_back(std::string(m), s);
    });
    ASSERT_EQ(visited, expected);
    if (!expected.empty()) {
      // The back links, whole.
      std::vector<Pair> reversed(expected.rbegin(), expected.rend());
      ASSERT_EQ(RankRangeOf(set_, 0, expected.size() - 1, true), reversed);
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_THAT(set_.Rank(expected[i].first), Optional(i));
      ASSERT_THAT(set_.Rank(expected[i].first, true),
                  Optional(expected.size() - 1 - i));
      ASSERT_EQ(set_.Nth(i).member, expected[i].first);
      ASSERT_EQ(set_.Score(expected[i].first), expected[i].second);
    }
  }

  // RandomOp() applies one random operation to the set and the model and
  // compares what they answer. While `growing`, most operations insert.
  // CheckCopy() checks that a copy of the set has the same members, ranks
  // and back links, and stays a working set when changed.
  void CheckCopy() {
    SortedSet copy(set_);
    const std::vector<Pair> expected = model_.Ordered();
    ASSERT_EQ(All(copy), expected);
    if (expected.empty()) return;
    std::vector<Pair> reversed(expected.rbegin(), expected.rend());
    ASSERT_EQ(RankRangeOf(copy, 0, expected.size() - 1, true), reversed);
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_THAT(copy.Rank(expected[i].first), Optional(i));
      ASSERT_EQ(copy.Nth(i).member, expected[i].first);
    }
    // Drop the middle third, then insert it back with new scores.
    const size_t a = expected.size() / 3, b = 2 * expected.size() / 3;
    Model changed_model = model_;
    if (a < b) {
      ASSERT_EQ(copy.EraseRankRange(a, b - 1), b - a);
      for (size_t i = a; i < b; ++i) changed_model.Erase(expected[i].first);
      ASSERT_EQ(All(copy), changed_model.Ordered());
      for (size_t i = a; i < b; ++i) {
        const double score = -1000.0 - static_cast<double>(i);
        copy.Insert(expected[i].first, score);
        changed_model.Insert(expected[i].first, score);
      }
    }
    const std::vector<Pair> changed = changed_model.Ordered();
    ASSERT_EQ(All(copy), changed);
    for (size_t i = 0; i < changed.size(); ++i) {
      ASSERT_THAT(copy.Rank(changed[i].first), Optional(i));
    }
    // The original is untouched.
    ASSERT_EQ(All(set_), expected);
  }

  void RandomOp(bool growing) {
    const std::vector<Pair> ordered = model_.Ordered();
    const size_t n = ordered.size();
    int op = static_cast<int>(rng_() % 100);
    if (growing && rng_() % 3 != 0) op = 0;
    if (op < 35) {
      const std::string m = RandomMember();
      const double s = RandomScore();
      const std::optional<double> old = model_.Score(m);
      const SortedSet::InsertResult got = set_.Insert(m, s);
      if (!old.has_value()) {
        EXPECT_EQ(got, SortedSet::InsertResult::kAdded);
        model_.Insert(m, s);
      } else if (*old == s) {
        EXPECT_EQ(got, SortedSet::InsertResult::kUnchanged);
      } else {
        EXPECT_EQ(got, SortedSet::InsertResult::kUpdated);
        model_.Insert(m, s);
      }
    } else if (op < 45) {
      const std::string m = RandomMember();
      EXPECT_EQ(set_.Erase(m), model_.Erase(m));
    } else if (op < 50) {
      const std::string m = RandomMember();
      EXPECT_EQ(set_.Score(m), model_.Score(m));
      EXPECT_EQ(set_.Contains(m), model_.Score(m).has_value());
      const auto it = std::find_if(ordered.begin(), ordered.end(),
                                   [&](const Pair& p) { return p.first == m; });
      if (it == ordered.end()) {
        EXPECT_EQ(set_.Rank(m), std::nullopt);
      } else {
        EXPECT_THAT(set_.Rank(m), Optional(it - ordered.begin()));
      }
    } else if (op < 58) {
      if (n == 0) return;
      size_t start = rng_() % n, stop = rng_() % n;
      if (start > stop) std::swap(start, stop);
      const bool reverse = rng_() % 2;
      std::vector<Pair> expected = ordered;
      if (reverse) std::reverse(expected.begin(), expected.end());
      expected = std::vector<Pair>(expected.begin() + start,
                                   expected.begin() + stop + 1);
      EXPECT_EQ(RankRangeOf(set_, start, stop, reverse), expected);
    } else if (op < 70) {
      const ScoreRange r = RandomScoreRange();
      std::vector<Pair> in;
      for (const Pair& p : ordered) {
        if (InScore(p.second, r.min, r.max, r.min_exclusive, r.max_exclusive)) {
          in.push_back(p);
        }
      }
      EXPECT_EQ(set_.CountInScoreRange(r), in.size());
      const bool reverse = rng_() % 2;
      const int64_t offset = RandomOffset();
      const int64_t count = RandomCount();
      EXPECT_EQ(ScoreRangeOf(set_, r, reverse, offset, count),
                ApplyLimit(in, reverse, offset, count))
          << r.min << " " << r.max << " " << r.min_exclusive << r.max_exclusive
          << " rev=" << reverse << " off=" << offset << " count=" << count;
    } else if (op < 80 && equal_scores()) {
      std::string lo, hi;
      const LexRange r{RandomLexBound(&lo), RandomLexBound(&hi)};
      std::vector<Pair> in;
      for (const Pair& p : ordered) {
        if (LexAtLeastMin(p.first, r.min) && LexAtMostMax(p.first, r.max)) {
          in.push_back(p);
        }
      }
      EXPECT_EQ(set_.CountInLexRange(r), in.size());
      const bool reverse = rng_() % 2;
      const int64_t offset = RandomOffset();
      const int64_t count = RandomCount();
      EXPECT_EQ(LexRangeOf(set_, r, reverse, offset, count),
                ApplyLimit(in, reverse, offset, count));
    } else if (op < 83) {
      if (n == 0) return;
      size_t start = rng_() % n, stop = rng_() % n;
      if (start > stop) std::swap(start, stop);
      stop = std::min(stop, start + 5);
      EXPECT_EQ(set_.EraseRankRange(start, stop), stop - start + 1);
      for (size_t i = start; i <= stop; ++i) model_.Erase(ordered[i].first);
    } else if (op < 86) {
      // Narrow ranges, so that the set does not drain.
      ScoreRange r = RandomScoreRange();
      if (rng_() % 4 != 0) r.max = r.min + static_cast<double>(rng_() % 2);
      size_t expected = 0;
      for (const Pair& p : ordered) {
        if (InScore(p.second, r.min, r.max, r.min_exclusive, r.max_exclusive)) {
          model_.Erase(p.first);
          ++expected;
        }
      }
      EXPECT_EQ(set_.EraseScoreRange(r), expected);
    } else if (op < 89 && equal_scores()) {
      std::string lo, hi;
      const LexRange r{RandomLexBound(&lo), RandomLexBound(&hi)};
      size_t expected = 0;
      for (const Pair& p : ordered) {
        if (LexAtLeastMin(p.first, r.min) && LexAtMostMax(p.first, r.max)) {
          model_.Erase(p.first);
          ++expected;
        }
      }
      EXPECT_EQ(set_.EraseLexRange(r), expected);
    } else if (op < 93) {
      const size_t k = rng_() % 4;
      const bool max = rng_() % 2;
      std::vector<Pair> expected = ordered;
      if (max) std::reverse(expected.begin(), expected.end());
      expected.resize(std::min(k, expected.size()));
      for (const Pair& p : expected) model_.Erase(p.first);
      EXPECT_EQ(Popped(max ? set_.PopMax(k) : set_.PopMin(k)), expected);
    } else {
      // Everything else: the score of a random rank shifts a little.
      if (n == 0) return;
      const Pair& p = ordered[rng_() % n];
      const double s = equal_scores() ? p.second : p.second + 0.5;
      set_.Insert(p.first, s);
      model_.Insert(p.first, s);
    }
  }

  std::mt19937_64 rng_{std::get<1>(GetParam())};
  SortedSet set_;
  Model model_;
};

TEST_P(ModelTest, RandomOperationsMatchModel) {
  size_t max_size = 0;
  for (int batch = 0; batch < 500; ++batch) {
    for (int i = 0; i < 100; ++i) {
      RandomOp(/*growing=*/batch % 5 != 4);
      if (HasFailure()) return;
    }
    CheckWhole();
    if (batch % 10 == 0) CheckCopy();
    if (HasFailure()) return;
    max_size = std::max(max_size, set_.size());
  }
  // The run reached sizes where the tree has several leaves.
  RecordProperty("max_size", static_cast<int>(max_size));
  EXPECT_GE(max_size, 150u);
}

INSTANTIATE_TEST_SUITE_P(
    Scores, ModelTest,
    ::testing::Combine(::testing::Bool(), ::testing::Values(1, 2, 3)),
    [](const ::testing::TestParamInfo<std::tuple<bool, uint64_t>>& info) {
      return std::string(std::get<0>(info.param) ? "EqualScores"
                                                 : "MixedScores") +
             "Seed" + std::to_string(std::get<1>(info.param));
    });

// A tree several inner levels deep, grown and drained by every kind of
// change, against an ordered model; the tree's own invariants (order,
// counts, separators, leaf links, fill) are checked as it goes.
TEST(SortedSetDeepTest, GrowAndDrainMatchOrderedModel) {
  std::mt19937_64 rng(11);
  SortedSet set;
  std::set<std::pair<double, std::string>> order;
  std::map<std::string, double> scores;
  auto insert = [&](const std::string& m, double s) {
    auto it = scores.find(m);
    if (it != scores.end()) {
      order.erase({it->second, m});
      it->second = s;
    } else {
      scores.emplace(m, s);
    }
    order.emplace(s, m);
    set.Insert(m, s);
  };
  auto erase_model = [&](const std::pair<double, std::string>& p) {
    scores.erase(p.second);
    order.erase(p);
  };
  auto check = [&] {
    ASSERT_TRUE(set.InvariantsHold());
    ASSERT_EQ(set.size(), order.size());
    size_t rank = 0;
    auto it = order.begin();
    for (const SortedSet::Entry e : set) {
      ASSERT_EQ(e.member, it->second);
      ASSERT_EQ(e.score, it->first);
      if (rank % 997 == 0) {
        ASSERT_THAT(set.Rank(e.member), Optional(rank));
      }
      ++rank;
      ++it;
    }
  };
  // Scores from a small range: many ties, ordered by member bytes.
  auto random_member = [&] { return "m" + std::to_string(rng() % 200000); };
  auto random_score = [&] { return static_cast<double>(rng() % 5000); };
  size_t max_height_size = 0;
  for (int phase = 0; phase < 4; ++phase) {
    // Grow to about 80,000 members (updates mixed in).
    while (order.size() < 80000) insert(random_member(), random_score());
    max_height_size = std::max(max_height_size, set.size());
    check();
    if (testing::Test::HasFatalFailure()) return;
    // Drain: single erasures, rank runs, score ranges and pops.
    int steps = 0;
    while (!order.empty()) {
      const int op = static_cast<int>(rng() % 10);
      if (op < 5) {
        const size_t r = rng() % order.size();
        const SortedSet::Entry e = set.Nth(r);
        const std::pair<double, std::string> p(e.score, std::string(e.member));
        ASSERT_TRUE(set.Erase(p.second));
        erase_model(p);
      } else if (op < 7) {
        const size_t start = rng() % order.size();
        const size_t stop = std::min(order.size() - 1,
                                     start + rng() % (phase == 3 ? 5000 : 300));
        // The model's iterator at `start`, found by the set's own Nth()
        // (checked against the model as it erases).
        const SortedSet::Entry first = set.Nth(start);
        auto it = order.find({first.score, std::string(first.member)});
        ASSERT_NE(it, order.end());
        for (size_t i = start; i <= stop; ++i) {
          ASSERT_NE(it, order.end());
          const auto p = *it++;
          erase_model(p);
        }
        ASSERT_EQ(set.EraseRankRange(start, stop), stop - start + 1);
      } else if (op < 8) {
        ScoreRange r;
        r.min = random_score();
        r.max = r.min + static_cast<double>(rng() % 20);
        size_t expected = 0;
        for (auto it = order.lower_bound({r.min, ""});
             it != order.end() && it->first <= r.max;) {
          ++expected;
          scores.erase(it->second);
          it = order.erase(it);
        }
        ASSERT_EQ(set.EraseScoreRange(r), expected);
      } else if (op < 9) {
        const size_t k = rng() % 100;
        const auto popped = set.PopMin(k);
        ASSERT_EQ(popped.size(), std::min(k, order.size()));
        for (const auto& p : popped) {
          ASSERT_EQ(p.member, order.begin()->second);
          erase_model(*order.begin());
        }
      } else {
        // Updates keep some churn while draining.
        for (int i = 0; i < 20; ++i) insert(random_member(), random_score());
      }
      if (++steps % 2000 == 0) {
        check();
        if (testing::Test::HasFatalFailure()) return;
      }
    }
    check();
    if (testing::Test::HasFatalFailure()) return;
  }
  // Members in ascending, then descending order.
  for (int i = 0; i < 50000; ++i) insert("a" + std::to_string(i), i);
  for (int i = 0; i < 50000; ++i) insert("d" + std::to_string(i), -i);
  check();
  EXPECT_GE(max_height_size, 80000u);
}

// Members added in order fill their leaves (a split at the end keeps the
// full leaf whole); added at random they leave leaves part empty.
TEST(SortedSetDeepTest, AppendsFillLeaves) {
  SortedSet ascending, shuffled;
  std::vector<int> order(50000);
  for (int i = 0; i < 50000; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
  for (int i = 0; i < 50000; ++i) {
    ascending.Insert("m" + std::to_string(100000 + i), i);
    shuffled.Insert("m" + std::to_string(100000 + order[i]), order[i]);
  }
  ASSERT_TRUE(ascending.InvariantsHold());
  ASSERT_TRUE(shuffled.InvariantsHold());
  // The same members and index: the difference is the leaves' fill.
  EXPECT_LT(ascending.MemoryUsage() + 50000u * 3, shuffled.MemoryUsage());
}

// Leaves emptied in part merge with their neighbours: a set drained to a
// tenth by random erasures gives most of its tree back.
TEST(SortedSetDeepTest, DrainedLeavesMerge) {
  SortedSet set;
  std::mt19937_64 rng(9);
  std::vector<std::string> members;
  for (int i = 0; i < 60000; ++i) {
    members.push_back("m" + std::to_string(rng()));
    set.Insert(members.back(), static_cast<double>(rng() % 1000000));
  }
  const size_t full = set.TreeBytes();
  std::shuffle(members.begin(), members.end(), rng);
  for (size_t i = 0; i < 54000; ++i) ASSERT_TRUE(set.Erase(members[i]));
  ASSERT_TRUE(set.InvariantsHold());
  ASSERT_EQ(set.size(), 6000u);
  RecordProperty("tree_bytes_full", static_cast<int>(full));
  RecordProperty("tree_bytes_drained", static_cast<int>(set.TreeBytes()));
  // At least ten members a leaf on average (a leaf takes about 1 KiB).
  EXPECT_LT(set.TreeBytes(), 6000u / 10 * 1024);
  EXPECT_LT(set.TreeBytes() * 4, full);
}

}  // namespace
}  // namespace colony::kv
