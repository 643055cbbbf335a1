// Copyright 2026 The Colony Authors.
//
// Sorted-set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
// ZREVRANK ZCOUNT ZLEXCOUNT, the range reads ZRANGE ZREVRANGE
// ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZRANGESTORE,
// the range removals ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX, the
// pops ZPOPMIN ZPOPMAX ZMPOP and their blocking forms BZPOPMIN BZPOPMAX
// BZMPOP, ZRANDMEMBER, ZSCAN, and the set operations ZUNIONSTORE
// ZINTERSTORE ZDIFFSTORE ZUNION ZINTER ZDIFF ZINTERCARD.
//
// Replies follow Redis 7.0: scores are doubles (RESP2: bulk strings), and
// in RESP3 a member with its score is a two-element array.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kv/blocking.h"
#include "kv/commands.h"
#include "kv/glob.h"
#include "kv/kv_server.h"
#include "kv/random_pick.h"
#include "kv/types/sorted_set.h"

namespace colony::kv {
namespace {

// Up to this many members, ZSCAN returns the whole set in one call (as
// Redis does for its compact encoding, whose default limit this is).
constexpr size_t kScanWholeSetMax = 128;

constexpr const char* kNanError = "ERR resulting score is not a number (NaN)";
constexpr const char* kNotFloatRange = "ERR min or max is not a float";
constexpr const char* kNotLexRange =
    "ERR min or max not valid string range item";

// A member and its score, viewed in a set that outlives the view.
struct Item {
  absl::string_view member;
  double score;
};

// Canonical() stores zero as +0: Redis' compact encoding (what small sets
// use) keeps an integral score as an integer, so -0 reads back as 0.
double Canonical(double score) { return score == 0 ? 0.0 : score; }

// ReadZSet() is `key`'s sorted set for a read command, nullptr if missing
// (*wrong set, WRONGTYPE replied, on another type); counts hits/misses.
SortedSet* ReadZSet(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kZSet, wrong);
  if (*wrong) return nullptr;
  auto& stats = ctx.server.stats();
  if (e == nullptr) {
    stats.keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  stats.keyspace_hits.fetch_add(1, std::memory_order_relaxed);
  return &e->zset();
}

// NewZSetEntry() is an entry holding `set`.
Entry NewZSetEntry(std::unique_ptr<SortedSet> set) {
  return Entry(std::move(set));
}

// AfterRemoval() does a removal's bookkeeping: the notification, and the
// key's deletion with its "del" when the set became empty. `z` must not be
// used afterwards.
void AfterRemoval(CommandContext& ctx, absl::string_view key,
                  const SortedSet& z, absl::string_view event) {
  ctx.Modified(key);
  ctx.Notify(kNotifyZset, event, key);
  if (z.empty()) {
    ctx.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
  }
}

// ReplyItems() writes members, with their scores when `withscores`: flat
// in RESP2, [member, score] pairs in RESP3.
void ReplyItems(CommandContext& ctx, const std::vector<Item>& items,
                bool withscores) {
  const bool pairs = withscores && ctx.reply.protocol() >= 3;
  ctx.reply.Array(withscores && !pairs ? items.size() * 2 : items.size());
  for (const Item& it : items) {
    if (pairs) ctx.reply.Array(2);
    ctx.reply.Bulk(it.member);
    if (withscores) ctx.reply.Double(it.score);
  }
}

// ParseLong() reads a Redis "long" argument, replying `error` (or the
// usual "not an integer") when it is not one.
bool ParseLong(CommandContext& ctx, absl::string_view arg, int64_t* out,
               const char* error = nullptr) {
  if (ParseInt64(arg, out)) return true;
  if (error != nullptr) {
    ctx.reply.Error(error);
  } else {
    ctx.NotInteger();
  }
  return false;
}

// ParseScoreRange() reads a ZRANGEBYSCORE-style interval.
bool ParseScoreRange(absl::string_view min, absl::string_view max,
                     ScoreRange* range) {
  const std::optional<ScoreBound> lo = ParseScoreBound(min);
  const std::optional<ScoreBound> hi = ParseScoreBound(max);
  if (!lo || !hi) return false;
  range->min = lo->value;
  range->min_exclusive = lo->exclusive;
  range->max = hi->value;
  range->max_exclusive = hi->exclusive;
  return true;
}

// ParseLexRange() reads a ZRANGEBYLEX-style interval (views into the
// arguments).
bool ParseLexRange(absl::string_view min, absl::string_view max,
                   LexRange* range) {
  const std::optional<LexBound> lo = ParseLexBound(min);
  const std::optional<LexBound> hi = ParseLexBound(max);
  if (!lo || !hi) return false;
  range->min = *lo;
  range->max = *hi;
  return true;
}

// NormalizeRanks() resolves negative rank indexes against `size` as Redis
// does; false when the range selects nothing.
bool NormalizeRanks(int64_t size, int64_t* start, int64_t* end) {
  if (*start < 0) *start += size;
  if (*end < 0) *end += size;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= size) return false;
  if (*end >= size) *end = size - 1;
  return true;
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// ---- ZADD / ZINCRBY ----

void ZAddGeneric(CommandContext& ctx, bool incr) {
  const absl::string_view key = ctx.args[1];
  bool nx = false, xx = false, gt = false, lt = false, ch = false;
  size_t idx = 2;
  for (; idx < ctx.args.size(); ++idx) {
    const absl::string_view o = ctx.args[idx];
    if (EqualsIgnoreCase(o, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(o, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(o, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(o, "incr")) {
      incr = true;
    } else if (EqualsIgnoreCase(o, "gt")) {
      gt = true;
    } else if (EqualsIgnoreCase(o, "lt")) {
      lt = true;
    } else {
      break;
    }
  }
  const size_t rest = ctx.args.size() - idx;
  if (rest == 0 || rest % 2 != 0) return ctx.SyntaxError();
  const size_t pairs = rest / 2;
  if (nx && xx) {
    ctx.reply.Error(
        "ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.Error(
        "ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && pairs > 1) {
    ctx.reply.Error("ERR INCR option supports a single increment-element pair");
    return;
  }
  std::vector<double> scores(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    const std::optional<double> s = ParseScore(ctx.args[idx + 2 * i]);
    if (!s) return ctx.NotFloat();
    scores[i] = *s;
  }
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kZSet, &wrong);
  if (wrong) return;
  if (e == nullptr && xx) {
    if (incr) return ctx.reply.Null();
    return ctx.reply.Integer(0);
  }
  if (e == nullptr) {
    e = &ctx.Insert(key, NewZSetEntry(std::make_unique<SortedSet>()));
  }
  SortedSet& z = e->zset();
  int64_t added = 0, updated = 0, processed = 0;
  double result = 0;
  bool nan = false;
  for (size_t i = 0; i < pairs; ++i) {
    const absl::string_view member = ctx.args[idx + 2 * i + 1];
    double score = scores[i];
    const std::optional<double> current = z.Score(member);
    if (current) {
      if (nx) continue;
      if (incr) {
        score += *current;
        if (std::isnan(score)) {
          nan = true;
          break;
        }
      }
      if ((lt && score >= *current) || (gt && score <= *current)) continue;
      ++processed;
      result = score;
      if (score != *current) {
        z.Insert(member, Canonical(score));
        ++updated;
      }
    } else if (!xx) {
      z.Insert(member, Canonical(score));
      ++added;
      ++processed;
      result = score;
    }
  }
  if (nan) {
    ctx.reply.Error(kNanError);
  } else if (incr) {
    if (processed > 0) {
      ctx.reply.Double(result);
    } else {
      ctx.reply.Null();
    }
  } else {
    ctx.reply.Integer(ch ? added + updated : added);
  }
  if (added > 0 || updated > 0) {
    ctx.Modified(key);
    ctx.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
    ctx.SignalReady(key);
  } else if (z.empty()) {
    ctx.Delete(key);  // created for nothing
  }
}

void ZAdd(CommandContext& ctx) { ZAddGeneric(ctx, false); }
void ZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, true); }

// ---- removal and simple reads ----

void ZRem(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kZSet, &wrong);
  if (wrong) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  SortedSet& z = e->zset();
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.args.size() && !z.empty(); ++i) {
    if (z.Erase(ctx.args[i])) ++deleted;
  }
  if (deleted > 0) AfterRemoval(ctx, key, z, "zrem");
  ctx.reply.Integer(deleted);
}

void ZCard(CommandContext& ctx) {
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->size()));
}

void ZScore(CommandContext& ctx) {
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  const std::optional<double> s =
      z == nullptr ? std::nullopt : z->Score(ctx.args[2]);
  if (s) {
    ctx.reply.Double(*s);
  } else {
    ctx.reply.Null();
  }
}

void ZMScore(CommandContext& ctx) {
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const std::optional<double> s =
        z == nullptr ? std::nullopt : z->Score(ctx.args[i]);
    if (s) {
      ctx.reply.Double(*s);
    } else {
      ctx.reply.Null();
    }
  }
}

void ZRankGeneric(CommandContext& ctx, bool reverse) {
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  const std::optional<size_t> rank =
      z == nullptr ? std::nullopt : z->Rank(ctx.args[2], reverse);
  if (rank) {
    ctx.reply.Integer(static_cast<int64_t>(*rank));
  } else {
    ctx.reply.Null();
  }
}

void ZRank(CommandContext& ctx) { ZRankGeneric(ctx, false); }
void ZRevRank(CommandContext& ctx) { ZRankGeneric(ctx, true); }

void ZCount(CommandContext& ctx) {
  ScoreRange range;
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &range)) {
    return ctx.reply.Error(kNotFloatRange);
  }
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(
      z == nullptr ? 0 : static_cast<int64_t>(z->CountInScoreRange(range)));
}

void ZLexCount(CommandContext& ctx) {
  LexRange range;
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &range)) {
    return ctx.reply.Error(kNotLexRange);
  }
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(
      z == nullptr ? 0 : static_cast<int64_t>(z->CountInLexRange(range)));
}

// ---- ZRANGE and its older forms ----

enum class RangeBy { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// StoreResult() replaces `dst` with the members of `items` (ZRANGESTORE,
// ZUNIONSTORE, ...) and replies with their number; an empty result deletes
// `dst`.
void StoreResult(CommandContext& ctx, absl::string_view dst,
                 std::unique_ptr<SortedSet> result, absl::string_view event) {
  const size_t n = result->size();
  if (n == 0) {
    ctx.reply.Integer(0);
    if (ctx.Lookup(dst) != nullptr) {
      ctx.Delete(dst);
      ctx.Modified(dst);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
    return;
  }
  ctx.Insert(dst, NewZSetEntry(std::move(result)));
  ctx.reply.Integer(static_cast<int64_t>(n));
  ctx.Modified(dst);
  ctx.Notify(kNotifyZset, event, dst);
  ctx.SignalReady(dst);
}

// ZRangeGeneric() serves ZRANGE, ZRANGESTORE (store) and the older range
// commands, which fix `by` and `dir`. args[src] is the source key,
// followed by its two bounds and the options.
void ZRangeGeneric(CommandContext& ctx, size_t src, bool store, RangeBy by,
                   Direction dir) {
  const absl::string_view key = ctx.args[src];
  size_t min_idx = src + 1, max_idx = src + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = src + 3; j < ctx.args.size(); ++j) {
    const absl::string_view o = ctx.args[j];
    const size_t left = ctx.args.size() - j - 1;
    if (!store && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(o, "limit") && left >= 2) {
      if (!ParseLong(ctx, ctx.args[j + 1], &offset) ||
          !ParseLong(ctx, ctx.args[j + 2], &limit)) {
        return;
      }
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(o, "rev")) {
      dir = Direction::kReverse;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(o, "bylex")) {
      by = RangeBy::kLex;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(o, "byscore")) {
      by = RangeBy::kScore;
    } else {
      return ctx.SyntaxError();
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (by == RangeBy::kAuto) by = RangeBy::kRank;
  const bool reverse = dir == Direction::kReverse;
  if (limit != -1 && by == RangeBy::kRank) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with "
        "either BYSCORE or BYLEX");
    return;
  }
  if (withscores && by == RangeBy::kLex) {
    ctx.reply.Error(
        "ERR syntax error, WITHSCORES not supported in combination with "
        "BYLEX");
    return;
  }
  // BYSCORE and BYLEX take the bounds as max, min when reversed.
  if (reverse && by != RangeBy::kRank) std::swap(min_idx, max_idx);
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (by) {
    case RangeBy::kAuto:
    case RangeBy::kRank:
      if (!ParseLong(ctx, ctx.args[min_idx], &start) ||
          !ParseLong(ctx, ctx.args[max_idx], &end)) {
        return;
      }
      break;
    case RangeBy::kScore:
      if (!ParseScoreRange(ctx.args[min_idx], ctx.args[max_idx],
                           &score_range)) {
        return ctx.reply.Error(kNotFloatRange);
      }
      break;
    case RangeBy::kLex:
      if (!ParseLexRange(ctx.args[min_idx], ctx.args[max_idx], &lex_range)) {
        return ctx.reply.Error(kNotLexRange);
      }
      break;
  }
  bool wrong;
  SortedSet* z = ReadZSet(ctx, key, &wrong);
  if (wrong) return;
  std::vector<Item> items;
  if (z != nullptr) {
    auto collect = [&](absl::string_view m, double s) {
      items.push_back({m, s});
    };
    switch (by) {
      case RangeBy::kAuto:
      case RangeBy::kRank:
        if (NormalizeRanks(static_cast<int64_t>(z->size()), &start, &end)) {
          items.reserve(static_cast<size_t>(end - start + 1));
          z->ByRank(static_cast<size_t>(start), static_cast<size_t>(end),
                    reverse, collect);
        }
        break;
      case RangeBy::kScore:
        z->VisitScoreRange(score_range, reverse, offset, limit, collect);
        break;
      case RangeBy::kLex:
        z->VisitLexRange(lex_range, reverse, offset, limit, collect);
        break;
    }
  }
  if (!store) return ReplyItems(ctx, items, withscores);
  auto result = std::make_unique<SortedSet>();
  for (const Item& it : items) result->Insert(it.member, it.score);
  StoreResult(ctx, ctx.args[1], std::move(result), "zrangestore");
}

void ZRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kAuto, Direction::kAuto);
}
void ZRangeStore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 2, true, RangeBy::kAuto, Direction::kAuto);
}
void ZRevRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kRank, Direction::kReverse);
}
void ZRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kScore, Direction::kForward);
}
void ZRevRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kScore, Direction::kReverse);
}
void ZRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kLex, Direction::kForward);
}
void ZRevRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeBy::kLex, Direction::kReverse);
}

// ---- range removals ----

void ZRemRangeGeneric(CommandContext& ctx, RangeBy by) {
  const absl::string_view key = ctx.args[1];
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  const char* event = "";
  switch (by) {
    case RangeBy::kAuto:
    case RangeBy::kRank:
      event = "zremrangebyrank";
      if (!ParseLong(ctx, ctx.args[2], &start) ||
          !ParseLong(ctx, ctx.args[3], &end)) {
        return;
      }
      break;
    case RangeBy::kScore:
      event = "zremrangebyscore";
      if (!ParseScoreRange(ctx.args[2], ctx.args[3], &score_range)) {
        return ctx.reply.Error(kNotFloatRange);
      }
      break;
    case RangeBy::kLex:
      event = "zremrangebylex";
      if (!ParseLexRange(ctx.args[2], ctx.args[3], &lex_range)) {
        return ctx.reply.Error(kNotLexRange);
      }
      break;
  }
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kZSet, &wrong);
  if (wrong) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  SortedSet& z = e->zset();
  size_t deleted = 0;
  switch (by) {
    case RangeBy::kAuto:
    case RangeBy::kRank:
      if (!NormalizeRanks(static_cast<int64_t>(z.size()), &start, &end)) {
        return ctx.reply.Integer(0);
      }
      deleted = z.EraseRankRange(static_cast<size_t>(start),
                                 static_cast<size_t>(end));
      break;
    case RangeBy::kScore:
      deleted = z.EraseScoreRange(score_range);
      break;
    case RangeBy::kLex:
      deleted = z.EraseLexRange(lex_range);
      break;
  }
  if (deleted > 0) AfterRemoval(ctx, key, z, event);
  ctx.reply.Integer(static_cast<int64_t>(deleted));
}

void ZRemRangeByRank(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeBy::kRank);
}
void ZRemRangeByScore(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeBy::kScore);
}
void ZRemRangeByLex(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeBy::kLex);
}

// ---- pops ----

// How a pop replies.
enum class PopShape {
  kFlat,       // ZPOPMIN/ZPOPMAX: member, score, member, score...
  kPairs,      // ZPOPMIN/ZPOPMAX with a count in RESP3: [member, score]...
  kKeyFlat,    // BZPOPMIN/BZPOPMAX: key, member, score
  kKeyNested,  // ZMPOP/BZMPOP: [key, [[member, score]...]]
};

// Pop() pops up to `count` members (-1: one, the plain form) from the
// first of `keys` that exists and replies in `shape`; a missing set is an
// empty array, or a null for ZMPOP's shape. Returns whether it popped.
bool Pop(CommandContext& ctx, absl::Span<const absl::string_view> keys,
         bool max, int64_t count, PopShape shape) {
  Entry* e = nullptr;
  absl::string_view key;
  for (absl::string_view k : keys) {
    e = ctx.Lookup(k);
    if (e == nullptr) continue;
    if (e->type() != ValueType::kZSet) {
      ctx.WrongType();
      return false;
    }
    key = k;
    break;
  }
  if (e == nullptr) {
    if (shape == PopShape::kKeyNested) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Array(0);
    }
    return false;
  }
  if (count == 0) {
    ctx.reply.Array(0);
    return false;
  }
  if (count < 0) count = 1;
  SortedSet& z = e->zset();
  const size_t n = std::min(static_cast<size_t>(count), z.size());
  std::vector<SortedSet::ScoredMember> popped = max ? z.PopMax(n) : z.PopMin(n);
  // BZPOPMIN, BZMPOP and ZMPOP are appended as the pop that happened.
  if (ctx.propagating())
    ctx.Propagate(
        {max ? "ZPOPMAX" : "ZPOPMIN", std::string(key), absl::StrCat(n)});
  switch (shape) {
    case PopShape::kFlat:
      ctx.reply.Array(popped.size() * 2);
      break;
    case PopShape::kPairs:
      ctx.reply.Array(popped.size());
      break;
    case PopShape::kKeyFlat:
      ctx.reply.Array(popped.size() * 2 + 1);
      ctx.reply.Bulk(key);
      break;
    case PopShape::kKeyNested:
      ctx.reply.Array(2);
      ctx.reply.Bulk(key);
      ctx.reply.Array(popped.size());
      break;
  }
  const bool pairs = shape == PopShape::kPairs || shape == PopShape::kKeyNested;
  for (const SortedSet::ScoredMember& p : popped) {
    if (pairs) ctx.reply.Array(2);
    ctx.reply.Bulk(p.member);
    ctx.reply.Double(p.score);
  }
  AfterRemoval(ctx, key, z, max ? "zpopmax" : "zpopmin");
  return true;
}

void ZPopGeneric(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3) return ctx.SyntaxError();
  int64_t count = -1;
  if (ctx.args.size() == 3) {
    constexpr const char* kNotPositive =
        "ERR value is out of range, must be positive";
    if (!ParseLong(ctx, ctx.args[2], &count, kNotPositive)) return;
    if (count < 0) return ctx.reply.Error(kNotPositive);
  }
  const PopShape shape = ctx.reply.protocol() >= 3 && count != -1
                             ? PopShape::kPairs
                             : PopShape::kFlat;
  Pop(ctx, ctx.args.subspan(1, 1), max, count, shape);
}

void ZPopMin(CommandContext& ctx) { ZPopGeneric(ctx, false); }
void ZPopMax(CommandContext& ctx) { ZPopGeneric(ctx, true); }

// The parsed form of ZMPOP and BZMPOP: numkeys at args[numkeys_idx].
struct MPopArgs {
  absl::Span<const absl::string_view> keys;
  bool max = false;
  int64_t count = 1;
};

bool ParseMPop(CommandContext& ctx, absl::Span<const absl::string_view> args,
               size_t numkeys_idx, MPopArgs* out) {
  int64_t numkeys;
  constexpr const char* kBadNumkeys = "ERR numkeys should be greater than 0";
  if (!ParseLong(ctx, args[numkeys_idx], &numkeys, kBadNumkeys)) return false;
  if (numkeys < 1) {
    ctx.reply.Error(kBadNumkeys);
    return false;
  }
  if (static_cast<uint64_t>(numkeys) >= args.size() - numkeys_idx - 1) {
    ctx.SyntaxError();
    return false;
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
  if (EqualsIgnoreCase(args[where_idx], "min")) {
    out->max = false;
  } else if (EqualsIgnoreCase(args[where_idx], "max")) {
    out->max = true;
  } else {
    ctx.SyntaxError();
    return false;
  }
  bool counted = false;
  for (size_t j = where_idx + 1; j < args.size(); ++j) {
    if (!counted && EqualsIgnoreCase(args[j], "count") && j + 1 < args.size()) {
      constexpr const char* kBadCount = "ERR count should be greater than 0";
      if (!ParseLong(ctx, args[++j], &out->count, kBadCount)) return false;
      if (out->count < 1) {
        ctx.reply.Error(kBadCount);
        return false;
      }
      counted = true;
    } else {
      ctx.SyntaxError();
      return false;
    }
  }
  out->keys = args.subspan(numkeys_idx + 1, static_cast<size_t>(numkeys));
  return true;
}

void ZMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPop(ctx, ctx.args, 1, &a)) return;
  Pop(ctx, a.keys, a.max, a.count, PopShape::kKeyNested);
}

// ServeBlockedPop() pops for a client blocked in BZPOPMIN, BZPOPMAX or
// BZMPOP (their arguments in `args`) once `key` has members.
bool ServeBlockedPop(CommandContext& ctx, absl::string_view key,
                     const std::vector<std::string>& args) {
  const absl::string_view keys[] = {key};
  if (EqualsIgnoreCase(args[0], "bzmpop")) {
    std::vector<absl::string_view> views(args.begin(), args.end());
    MPopArgs a;
    std::string unused;
    RespWriter quiet(&unused, 2);
    CommandContext parse(ctx.server, ctx.client, quiet, views, ctx.now_ms);
    if (!ParseMPop(parse, views, 2, &a)) return false;
    return Pop(ctx, keys, a.max, a.count, PopShape::kKeyNested);
  }
  return Pop(ctx, keys, EqualsIgnoreCase(args[0], "bzpopmax"), -1,
             PopShape::kKeyFlat);
}

// BlockingPop() pops from the first non-empty of `keys` or blocks the
// client on all of them (a null reply inside MULTI, as Redis gives).
void BlockingPop(CommandContext& ctx, absl::Span<const absl::string_view> keys,
                 absl::string_view timeout, bool max, int64_t count,
                 PopShape shape) {
  Deadline deadline = Deadline::Infinite();
  if (!ParseBlockTimeout(ctx, timeout, &deadline)) return;
  for (absl::string_view k : keys) {
    Entry* e = ctx.Lookup(k);
    if (e == nullptr) continue;
    if (e->type() != ValueType::kZSet) return ctx.WrongType();
    const absl::string_view one[] = {k};
    Pop(ctx, one, max, count, shape);
    return;
  }
  if (ctx.in_exec) return ctx.reply.NullArray();
  auto block = std::make_unique<BlockRequest>();
  block->serve = ServeBlockedPop;
  block->type = ValueType::kZSet;
  for (absl::string_view k : keys) block->keys.emplace_back(k);
  block->deadline = deadline;
  for (absl::string_view a : ctx.args) block->args.emplace_back(a);
  ctx.block = std::move(block);
}

void BZPopGeneric(CommandContext& ctx, bool max) {
  BlockingPop(ctx, ctx.args.subspan(1, ctx.args.size() - 2), ctx.args.back(),
              max, -1, PopShape::kKeyFlat);
}

void BZPopMin(CommandContext& ctx) { BZPopGeneric(ctx, false); }
void BZPopMax(CommandContext& ctx) { BZPopGeneric(ctx, true); }

void BZMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPop(ctx, ctx.args, 2, &a)) return;
  BlockingPop(ctx, a.keys, ctx.args[1], a.max, a.count, PopShape::kKeyNested);
}

// ---- ZRANDMEMBER ----

void ZRandMember(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  if (ctx.args.size() == 2) {
    bool wrong;
    SortedSet* z = ReadZSet(ctx, key, &wrong);
    if (wrong) return;
    if (z == nullptr) return ctx.reply.Null();
    std::uniform_int_distribution<size_t> pick(0, z->size() - 1);
    return ctx.reply.Bulk(z->Nth(pick(Rng())).member);
  }
  int64_t l;
  if (!ParseLong(ctx, ctx.args[2], &l)) return;
  if (l == INT64_MIN) {
    ctx.reply.Error(
        "ERR value is out of range, value must between "
        "-9223372036854775807 and 9223372036854775807");
    return;
  }
  bool withscores = false;
  if (ctx.args.size() > 4 ||
      (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "withscores"))) {
    return ctx.SyntaxError();
  }
  if (ctx.args.size() == 4) {
    withscores = true;
    if (l < -INT64_MAX / 2 || l > INT64_MAX / 2) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  bool wrong;
  SortedSet* z = ReadZSet(ctx, key, &wrong);
  if (wrong) return;
  if (z == nullptr || l == 0) return ctx.reply.Array(0);
  const size_t size = z->size();
  const bool pairs = withscores && ctx.reply.protocol() >= 3;
  auto emit = [&](const SortedSet::Entry& m) {
    if (pairs) ctx.reply.Array(2);
    ctx.reply.Bulk(m.member);
    if (withscores) ctx.reply.Double(m.score);
  };
  std::uniform_int_distribution<size_t> pick(0, size - 1);
  if (l < 0) {
    // Repeats allowed: draw every one independently.
    const uint64_t count = static_cast<uint64_t>(-l);
    if (count > kMaxRepeatedPicks) return ctx.reply.Error(kTooManyPicks);
    ctx.reply.Array(withscores && !pairs ? count * 2 : count);
    for (uint64_t i = 0; i < count; ++i) emit(z->Nth(pick(Rng())));
    return;
  }
  const size_t count =
      static_cast<uint64_t>(l) < size ? static_cast<size_t>(l) : size;
  ctx.reply.Array(withscores && !pairs ? count * 2 : count);
  if (count == size) {
    for (const SortedSet::Entry& m : *z) emit(m);
    return;
  }
  if (count * 3 > size) {
    // Most of the set: drop random ranks until `count` are left.
    std::vector<bool> keep(size, true);
    for (size_t left = size; left > count;) {
      const size_t r = pick(Rng());
      if (keep[r]) {
        keep[r] = false;
        --left;
      }
    }
    size_t rank = 0;
    for (const SortedSet::Entry& m : *z) {
      if (keep[rank++]) emit(m);
    }
    return;
  }
  absl::flat_hash_set<size_t> chosen;
  chosen.reserve(count);
  while (chosen.size() < count) {
    const size_t r = pick(Rng());
    if (chosen.insert(r).second) emit(z->Nth(r));
  }
}

// ---- ZSCAN ----

// A large set's ZSCAN cursor is the score to resume at, as a 64-bit key
// that orders like the score (0 is never a score's key: it would be a
// NaN). A call returns whole runs of equal scores, so a member that stays
// in the set is returned at least once even as others come and go.
uint64_t CursorOfScore(double score) {
  const uint64_t bits = std::bit_cast<uint64_t>(score);
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return (bits & kSign) ? ~bits : bits | kSign;
}

double ScoreOfCursor(uint64_t cursor) {
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return std::bit_cast<double>((cursor & kSign) ? cursor & ~kSign : ~cursor);
}

// CompactScore() is a score as Redis prints it from its compact encoding:
// integers (up to 2^62 in magnitude) without exponent, others as %.17g.
std::string CompactScore(double score) {
  constexpr double kLimit = static_cast<double>(INT64_MAX / 2);
  if (std::isfinite(score) && score >= -kLimit && score <= kLimit &&
      score == std::trunc(score)) {
    return absl::StrCat(static_cast<int64_t>(score));
  }
  return FormatScore(score);
}

void ZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.args[2], &cursor)) {
    return ctx.reply.Error("ERR invalid cursor");
  }
  bool wrong;
  SortedSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (z == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  int64_t count = 10;
  absl::string_view pattern;
  bool use_pattern = false;
  for (size_t i = 3; i < ctx.args.size(); i += 2) {
    const size_t left = ctx.args.size() - i;
    if (EqualsIgnoreCase(ctx.args[i], "count") && left >= 2) {
      if (!ParseLong(ctx, ctx.args[i + 1], &count)) return;
      if (count < 1) return ctx.SyntaxError();
    } else if (EqualsIgnoreCase(ctx.args[i], "match") && left >= 2) {
      pattern = ctx.args[i + 1];
      use_pattern = pattern != "*";
    } else {
      return ctx.SyntaxError();
    }
  }
  std::vector<Item> items;
  uint64_t next = 0;
  const bool whole = z->size() <= kScanWholeSetMax;
  auto collect = [&](absl::string_view m, double s) {
    items.push_back({m, s});
  };
  if (whole) {
    for (const SortedSet::Entry& m : *z) items.push_back({m.member, m.score});
  } else {
    const double from = cursor == 0 ? -std::numeric_limits<double>::infinity()
                                    : ScoreOfCursor(cursor);
    if (!std::isnan(from)) {
      ScoreRange range;
      range.min = from;
      z->VisitScoreRange(range, false, 0, count, collect);
    }
    if (!items.empty()) {
      // Finish the run of the last score, then find the next score.
      const double last = items.back().score;
      int64_t done = 0;
      for (auto it = items.rbegin(); it != items.rend() && it->score == last;
           ++it) {
        ++done;
      }
      ScoreRange same;
      same.min = same.max = last;
      z->VisitScoreRange(same, false, done, -1, collect);
      ScoreRange above;
      above.min = last;
      above.min_exclusive = true;
      z->VisitScoreRange(above, false, 0, 1, [&](absl::string_view, double s) {
        next = CursorOfScore(s);
      });
    }
  }
  if (use_pattern) {
    std::erase_if(
        items, [&](const Item& it) { return !GlobMatch(pattern, it.member); });
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(absl::StrCat(next));
  ctx.reply.Array(items.size() * 2);
  for (const Item& it : items) {
    ctx.reply.Bulk(it.member);
    ctx.reply.Bulk(whole ? CompactScore(it.score) : FormatScore(it.score));
  }
}

// ---- ZUNION / ZINTER / ZDIFF and their STORE forms ----

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input of a set operation: a sorted set, a plain set (every member
// scoring 1), or nothing (a missing key).
struct Source {
  const SortedSet* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;

  size_t size() const {
    return zset != nullptr ? zset->size() : set != nullptr ? set->size() : 0;
  }
  std::optional<double> Score(absl::string_view member) const {
    if (zset != nullptr) return zset->Score(member);
    if (set != nullptr && set->contains(member)) return 1.0;
    return std::nullopt;
  }
  template <typename F>
  void ForEach(F f) const {
    if (zset != nullptr) {
      for (const SortedSet::Entry& m : *zset) f(m.member, m.score);
    } else if (set != nullptr) {
      for (const std::string& m : *set) f(absl::string_view(m), 1.0);
    }
  }
};

void Combine(double* target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      *target += value;
      // inf + -inf is taken as 0.
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      if (value < *target) *target = value;
      break;
    case Aggregate::kMax:
      if (value > *target) *target = value;
      break;
  }
}

// SetOperation() serves the family: `dst` is the destination of the
// STORE forms (empty otherwise), args[numkeys_idx] the number of inputs;
// `card_only` is ZINTERCARD.
void SetOperation(CommandContext& ctx, bool store, size_t numkeys_idx, SetOp op,
                  bool card_only) {
  int64_t setnum;
  if (!ParseLong(ctx, ctx.args[numkeys_idx], &setnum)) return;
  if (setnum < 1) {
    ctx.reply.Error(absl::StrCat("ERR at least 1 input key is needed for '",
                                 absl::AsciiStrToLower(ctx.args[0]),
                                 "' command"));
    return;
  }
  if (static_cast<uint64_t>(setnum) > ctx.args.size() - numkeys_idx - 1) {
    return ctx.SyntaxError();
  }
  const size_t n = static_cast<size_t>(setnum);
  std::vector<Source> src(n);
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < n; ++i, ++j) {
    Entry* e = ctx.Lookup(ctx.args[j]);
    if (e == nullptr) continue;
    if (e->type() == ValueType::kZSet) {
      src[i].zset = &e->zset();
    } else if (e->type() == ValueType::kSet) {
      src[i].set = &e->set();
    } else {
      return ctx.WrongType();
    }
  }
  Aggregate aggregate = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < ctx.args.size()) {
    const size_t remaining = ctx.args.size() - j;
    const absl::string_view o = ctx.args[j];
    if (op != SetOp::kDiff && !card_only && remaining >= n + 1 &&
        EqualsIgnoreCase(o, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        const std::optional<double> w = ParseScore(ctx.args[j]);
        if (!w) return ctx.reply.Error("ERR weight value is not a float");
        src[i].weight = *w;
      }
    } else if (op != SetOp::kDiff && !card_only && remaining >= 2 &&
               EqualsIgnoreCase(o, "aggregate")) {
      const absl::string_view a = ctx.args[j + 1];
      if (EqualsIgnoreCase(a, "sum")) {
        aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        aggregate = Aggregate::kMax;
      } else {
        return ctx.SyntaxError();
      }
      j += 2;
    } else if (!store && !card_only && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(o, "limit")) {
      constexpr const char* kBadLimit = "ERR LIMIT can't be negative";
      if (!ParseLong(ctx, ctx.args[j + 1], &limit, kBadLimit)) return;
      if (limit < 0) return ctx.reply.Error(kBadLimit);
      j += 2;
    } else {
      return ctx.SyntaxError();
    }
  }
  if (op != SetOp::kDiff) {
    // Smallest first: the intersection walks the smallest input.
    std::stable_sort(
        src.begin(), src.end(),
        [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  auto result = std::make_unique<SortedSet>();
  // Stored scores are canonical, replied ones as computed (as Redis does).
  auto add = [&](absl::string_view m, double s) {
    result->Insert(m, store ? Canonical(s) : s);
  };
  int64_t cardinality = 0;
  switch (op) {
    case SetOp::kInter: {
      if (src[0].size() == 0) break;
      bool stop = false;
      src[0].ForEach([&](absl::string_view m, double s) {
        if (stop) return;
        double score = src[0].weight * s;
        if (std::isnan(score)) score = 0;
        for (size_t i = 1; i < n; ++i) {
          const std::optional<double> v = src[i].Score(m);
          if (!v) return;
          Combine(&score, *v * src[i].weight, aggregate);
        }
        if (card_only) {
          ++cardinality;
          if (limit > 0 && cardinality >= limit) stop = true;
        } else {
          add(m, score);
        }
      });
      break;
    }
    case SetOp::kUnion: {
      absl::flat_hash_map<absl::string_view, double> acc;
      acc.reserve(src.back().size());
      for (const Source& s : src) {
        s.ForEach([&](absl::string_view m, double v) {
          double score = s.weight * v;
          if (std::isnan(score)) score = 0;
          auto [it, inserted] = acc.try_emplace(m, score);
          if (!inserted) Combine(&it->second, score, aggregate);
        });
      }
      for (const auto& [m, s] : acc) add(m, s);
      break;
    }
    case SetOp::kDiff:
      src[0].ForEach([&](absl::string_view m, double s) {
        for (size_t i = 1; i < n; ++i) {
          if (src[i].Score(m)) return;
        }
        add(m, s);
      });
      break;
  }
  if (store) {
    static constexpr const char* kEvents[] = {"zunionstore", "zinterstore",
                                              "zdiffstore"};
    StoreResult(ctx, ctx.args[1], std::move(result),
                kEvents[static_cast<int>(op)]);
    return;
  }
  if (card_only) return ctx.reply.Integer(cardinality);
  std::vector<Item> items;
  items.reserve(result->size());
  for (const SortedSet::Entry& m : *result)
    items.push_back({m.member, m.score});
  ReplyItems(ctx, items, withscores);
}

void ZUnionStore(CommandContext& ctx) {
  SetOperation(ctx, true, 2, SetOp::kUnion, false);
}
void ZInterStore(CommandContext& ctx) {
  SetOperation(ctx, true, 2, SetOp::kInter, false);
}
void ZDiffStore(CommandContext& ctx) {
  SetOperation(ctx, true, 2, SetOp::kDiff, false);
}
void ZUnion(CommandContext& ctx) {
  SetOperation(ctx, false, 1, SetOp::kUnion, false);
}
void ZInter(CommandContext& ctx) {
  SetOperation(ctx, false, 1, SetOp::kInter, false);
}
void ZDiff(CommandContext& ctx) {
  SetOperation(ctx, false, 1, SetOp::kDiff, false);
}
void ZInterCard(CommandContext& ctx) {
  SetOperation(ctx, false, 1, SetOp::kInter, true);
}

}  // namespace

void RegisterSortedSetCommands(CommandTable& t) {
  const KeySpec one{1, 1, 1};
  const KeySpec inputs{0, 0, 0, 1};           // numkeys key...
  const KeySpec dest_and_inputs{1, 0, 0, 2};  // dest numkeys key...
  t.Add("zadd", -4, kWrite | kDenyOom | kFast, one, ZAdd,
        "@write @sortedset @fast");
  t.Add("zincrby", 4, kWrite | kDenyOom | kFast, one, ZIncrBy,
        "@write @sortedset @fast");
  t.Add("zrem", -3, kWrite | kFast, one, ZRem, "@write @sortedset @fast");
  t.Add("zcard", 2, kReadOnly | kFast, one, ZCard, "@read @sortedset @fast");
  t.Add("zscore", 3, kReadOnly | kFast, one, ZScore, "@read @sortedset @fast");
  t.Add("zmscore", -3, kReadOnly | kFast, one, ZMScore,
        "@read @sortedset @fast");
  t.Add("zrank", 3, kReadOnly | kFast, one, ZRank, "@read @sortedset @fast");
  t.Add("zrevrank", 3, kReadOnly | kFast, one, ZRevRank,
        "@read @sortedset @fast");
  t.Add("zcount", 4, kReadOnly | kFast, one, ZCount, "@read @sortedset @fast");
  t.Add("zlexcount", 4, kReadOnly | kFast, one, ZLexCount,
        "@read @sortedset @fast");
  t.Add("zrange", -4, kReadOnly, one, ZRange, "@read @sortedset @slow");
  t.Add("zrangestore", -5, kWrite | kDenyOom, {1, 2, 1}, ZRangeStore,
        "@write @sortedset @slow");
  t.Add("zrevrange", -4, kReadOnly, one, ZRevRange, "@read @sortedset @slow");
  t.Add("zrangebyscore", -4, kReadOnly, one, ZRangeByScore,
        "@read @sortedset @slow");
  t.Add("zrevrangebyscore", -4, kReadOnly, one, ZRevRangeByScore,
        "@read @sortedset @slow");
  t.Add("zrangebylex", -4, kReadOnly, one, ZRangeByLex,
        "@read @sortedset @slow");
  t.Add("zrevrangebylex", -4, kReadOnly, one, ZRevRangeByLex,
        "@read @sortedset @slow");
  t.Add("zremrangebyrank", 4, kWrite, one, ZRemRangeByRank,
        "@write @sortedset @slow");
  t.Add("zremrangebyscore", 4, kWrite, one, ZRemRangeByScore,
        "@write @sortedset @slow");
  t.Add("zremrangebylex", 4, kWrite, one, ZRemRangeByLex,
        "@write @sortedset @slow");
  t.Add("zpopmin", -2, kWrite | kFast, one, ZPopMin, "@write @sortedset @fast");
  t.Add("zpopmax", -2, kWrite | kFast, one, ZPopMax, "@write @sortedset @fast");
  t.Add("zmpop", -4, kWrite, inputs, ZMPop, "@write @sortedset @slow");
  t.Add("bzpopmin", -3, kWrite | kNoScript | kFast | kBlocking, {1, -2, 1},
        BZPopMin, "@write @sortedset @fast @blocking");
  t.Add("bzpopmax", -3, kWrite | kNoScript | kFast | kBlocking, {1, -2, 1},
        BZPopMax, "@write @sortedset @fast @blocking");
  t.Add("bzmpop", -5, kWrite | kBlocking, {0, 0, 0, 2}, BZMPop,
        "@write @sortedset @slow @blocking");
  t.Add("zrandmember", -2, kReadOnly, one, ZRandMember,
        "@read @sortedset @slow");
  t.Add("zscan", -3, kReadOnly, one, ZScan, "@read @sortedset @slow");
  t.Add("zunionstore", -4, kWrite | kDenyOom, dest_and_inputs, ZUnionStore,
        "@write @sortedset @slow");
  t.Add("zinterstore", -4, kWrite | kDenyOom, dest_and_inputs, ZInterStore,
        "@write @sortedset @slow");
  t.Add("zdiffstore", -4, kWrite | kDenyOom, dest_and_inputs, ZDiffStore,
        "@write @sortedset @slow");
  t.Add("zunion", -3, kReadOnly, inputs, ZUnion, "@read @sortedset @slow");
  t.Add("zinter", -3, kReadOnly, inputs, ZInter, "@read @sortedset @slow");
  t.Add("zdiff", -3, kReadOnly, inputs, ZDiff, "@read @sortedset @slow");
  t.Add("zintercard", -3, kReadOnly, inputs, ZInterCard,
        "@read @sortedset @slow");
}

}  // namespace colony::kv
