// Copyright 2026 The Colony Authors.
//
// Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP
// SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE
// SDIFFSTORE SSCAN.
//
// A set is a DenseSet (kv/types/dense_table.h): its members lie in a
// vector, so SPOP and SRANDMEMBER draw a uniform position, O(1) per member
// picked as in Redis. SSCAN walks that vector from the end down (a removal
// moves only the last member, to a lower position), so a member present
// for the whole scan is returned at least once.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "kv/commands.h"
#include "kv/glob.h"
#include "kv/kv_server.h"
#include "kv/random_pick.h"

namespace colony::kv {
namespace {

// ReadSet() is `key`'s live set for a read command, nullptr if missing; on
// another type it replies WRONGTYPE and sets *wrong. Counts keyspace hits
// and misses, as Redis' reads do.
SetValue* ReadSet(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kSet, wrong);
  auto& stats = ctx.server.stats();
  if (e == nullptr && !*wrong) {
    stats.keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  stats.keyspace_hits.fetch_add(1, std::memory_order_relaxed);
  return e == nullptr ? nullptr : &e->set();
}

// WriteSet() is `key`'s live set for a write command, nullptr if missing;
// on another type it replies WRONGTYPE and sets *wrong.
SetValue* WriteSet(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kSet, wrong);
  return e == nullptr ? nullptr : &e->set();
}

// StoreSet() makes `set` the value of `key`, replacing whatever was there
// (and its expiry). The SetValue lives on the heap, so the reference stays
// good when other keys are inserted.
SetValue& StoreSet(CommandContext& ctx, absl::string_view key,
                   std::unique_ptr<SetValue> set) {
  return ctx.Insert(key, Entry(std::move(set))).set();
}

// AfterRemoval() deletes `key` once its set is empty (with the "del"
// notification Redis sends). (A set that lost most of its members gives
// the room back itself.)
void AfterRemoval(CommandContext& ctx, absl::string_view key, SetValue& set) {
  if (set.empty()) {
    ctx.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
  }
}

void SAdd(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  SetValue* set = WriteSet(ctx, key, &wrong);
  if (wrong) return;
  if (set == nullptr) set = &StoreSet(ctx, key, std::make_unique<SetValue>());
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    added += set->insert(ctx.args[i]) ? 1 : 0;
  }
  if (added > 0) {
    ctx.Modified(key);
    ctx.Notify(kNotifySet, "sadd", key);
  }
  ctx.reply.Integer(added);
}

void SRem(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  SetValue* set = WriteSet(ctx, key, &wrong);
  if (wrong) return;
  if (set == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    removed += static_cast<int64_t>(set->erase(ctx.args[i]));
  }
  if (removed > 0) {
    ctx.Modified(key);
    ctx.Notify(kNotifySet, "srem", key);
    AfterRemoval(ctx, key, *set);
  }
  ctx.reply.Integer(removed);
}

void SCard(CommandContext& ctx) {
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(set == nullptr ? 0 : static_cast<int64_t>(set->size()));
}

void SIsMember(CommandContext& ctx) {
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(set != nullptr && set->contains(ctx.args[2]) ? 1 : 0);
}

void SMIsMember(CommandContext& ctx) {
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(set != nullptr && set->contains(ctx.args[i]) ? 1 : 0);
  }
}

void SMembers(CommandContext& ctx) {
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (set == nullptr) return ctx.reply.Set(0);
  ctx.reply.Set(set->size());
  for (const std::string& m : *set) ctx.reply.Bulk(m);
}

// ---- random picks ----
//
// Each member picked is a uniformly drawn position of the set: O(1).

// ReplyWithRepeats() writes `count` members drawn independently and
// uniformly. O(count).
void ReplyWithRepeats(CommandContext& ctx, const SetValue& set, uint64_t count,
                      Rng& rng) {
  for (uint64_t i = 0; i < count; ++i) {
    ctx.reply.Bulk(set.at(RandomIndex(rng, set.size())));
  }
}

void SPopWithCount(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  int64_t count;
  if (!ParseInt64(ctx.args[2], &count) || count < 0) {
    ctx.reply.Error("ERR value is out of range, must be positive");
    return;
  }
  bool wrong;
  SetValue* set = WriteSet(ctx, key, &wrong);
  if (wrong) return;
  if (set == nullptr || count == 0) return ctx.reply.Set(0);
  if (static_cast<uint64_t>(count) >= set->size()) {
    ctx.reply.Set(set->size());
    for (const std::string& m : *set) ctx.reply.Bulk(m);
    ctx.Modified(key);
    ctx.Notify(kNotifySet, "spop", key);
    if (ctx.propagating()) ctx.Propagate({"DEL", std::string(key)});
    ctx.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
    return;
  }
  // Each pop draws from the members left: a uniform subset, O(count).
  const size_t n = static_cast<size_t>(count);
  ctx.reply.Set(n);
  // The members taken are appended as an SREM (a replay cannot draw the
  // same ones).
  std::vector<std::string> srem;
  if (ctx.propagating()) {
    srem.reserve(n + 2);
    srem.emplace_back("SREM");
    srem.emplace_back(key);
  }
  Rng& rng = ThreadRng();
  for (size_t i = 0; i < n; ++i) {
    const size_t pos = RandomIndex(rng, set->size());
    ctx.reply.Bulk(set->at(pos));
    if (ctx.propagating()) srem.push_back(set->at(pos));
    set->EraseAt(pos);
  }
  if (ctx.propagating()) ctx.Propagate(std::move(srem));
  ctx.Modified(key);
  ctx.Notify(kNotifySet, "spop", key);
  AfterRemoval(ctx, key, *set);
}

void SPop(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.SyntaxError();
  if (ctx.args.size() == 3) return SPopWithCount(ctx);
  const absl::string_view key = ctx.args[1];
  bool wrong;
  SetValue* set = WriteSet(ctx, key, &wrong);
  if (wrong) return;
  if (set == nullptr) return ctx.reply.Null();
  const size_t pos = RandomIndex(ThreadRng(), set->size());
  ctx.reply.Bulk(set->at(pos));
  if (ctx.propagating()) {
    ctx.Propagate({"SREM", std::string(key), set->at(pos)});
  }
  set->EraseAt(pos);
  ctx.Modified(key);
  ctx.Notify(kNotifySet, "spop", key);
  AfterRemoval(ctx, key, *set);
}

void SRandMemberWithCount(CommandContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.args[2], &count)) return ctx.NotInteger();
  if (count == INT64_MIN) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 "
        "and 9223372036854775807");
    return;
  }
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (set == nullptr || count == 0) return ctx.reply.Array(0);
  Rng& rng = ThreadRng();
  if (count < 0) {
    const uint64_t picks = static_cast<uint64_t>(-count);
    if (picks > kMaxRepeatedPicks) return ctx.reply.Error(kTooManyPicks);
    ctx.reply.Array(picks);
    ReplyWithRepeats(ctx, *set, picks, rng);
    return;
  }
  if (static_cast<uint64_t>(count) >= set->size()) {
    ctx.reply.Array(set->size());
    for (const std::string& m : *set) ctx.reply.Bulk(m);
    return;
  }
  ctx.reply.Array(static_cast<size_t>(count));
  for (size_t pos :
       DistinctPositions(set->size(), static_cast<size_t>(count), rng)) {
    ctx.reply.Bulk(set->at(pos));
  }
}

void SRandMember(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.SyntaxError();
  if (ctx.args.size() == 3) return SRandMemberWithCount(ctx);
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (set == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(set->at(RandomIndex(ThreadRng(), set->size())));
}

void SMove(CommandContext& ctx) {
  const absl::string_view src_key = ctx.args[1];
  const absl::string_view dst_key = ctx.args[2];
  const absl::string_view member = ctx.args[3];
  Entry* src = ctx.Lookup(src_key);
  Entry* dst = ctx.Lookup(dst_key);
  if (src == nullptr) return ctx.reply.Integer(0);
  if (src->type() != ValueType::kSet ||
      (dst != nullptr && dst->type() != ValueType::kSet)) {
    return ctx.WrongType();
  }
  SetValue& src_set = src->set();
  if (src_key == dst_key) {
    return ctx.reply.Integer(src_set.contains(member) ? 1 : 0);
  }
  if (src_set.erase(member) == 0) return ctx.reply.Integer(0);
  // Entries may move when a key is inserted below; only the heap-held
  // SetValues are used from here on.
  SetValue* dst_set = dst == nullptr ? nullptr : &dst->set();
  ctx.Modified(src_key);
  ctx.Notify(kNotifySet, "srem", src_key);
  AfterRemoval(ctx, src_key, src_set);
  if (dst_set == nullptr) {
    dst_set = &StoreSet(ctx, dst_key, std::make_unique<SetValue>());
  }
  if (dst_set->insert(member)) {
    ctx.Modified(dst_key);
    ctx.Notify(kNotifySet, "sadd", dst_key);
  }
  ctx.reply.Integer(1);
}

// ---- set algebra ----

enum class SetOp { kInter, kUnion, kDiff };

// GatherSets() looks up `keys` (missing ones are null); false after
// replying WRONGTYPE when one holds another type.
bool GatherSets(CommandContext& ctx, absl::Span<const absl::string_view> keys,
                bool read, std::vector<const SetValue*>* sets) {
  for (absl::string_view key : keys) {
    bool wrong;
    const SetValue* set =
        read ? ReadSet(ctx, key, &wrong) : WriteSet(ctx, key, &wrong);
    if (wrong) return false;
    sets->push_back(set);
  }
  return true;
}

// Compute() is the members of the result of `op` over `sets` (null sets
// are empty), pointing into them; at most `limit` members (0: no limit).
std::vector<const std::string*> Compute(SetOp op,
                                        std::vector<const SetValue*> sets,
                                        size_t limit = 0) {
  std::vector<const std::string*> out;
  switch (op) {
    case SetOp::kInter: {
      for (const SetValue* s : sets) {
        if (s == nullptr) return out;
      }
      // Walk the smallest set, probe the others.
      std::sort(sets.begin(), sets.end(),
                [](const SetValue* a, const SetValue* b) {
                  return a->size() < b->size();
                });
      for (const std::string& m : *sets[0]) {
        bool everywhere = true;
        for (size_t i = 1; i < sets.size() && everywhere; ++i) {
          everywhere = sets[i] == sets[0] || sets[i]->contains(m);
        }
        if (!everywhere) continue;
        out.push_back(&m);
        if (limit != 0 && out.size() >= limit) break;
      }
      break;
    }
    case SetOp::kUnion: {
      absl::flat_hash_set<absl::string_view> seen;
      for (const SetValue* s : sets) {
        if (s == nullptr) continue;
        for (const std::string& m : *s) {
          if (seen.insert(m).second) out.push_back(&m);
        }
      }
      break;
    }
    case SetOp::kDiff: {
      if (sets[0] == nullptr) return out;
      for (const std::string& m : *sets[0]) {
        bool elsewhere = false;
        for (size_t i = 1; i < sets.size() && !elsewhere; ++i) {
          elsewhere = sets[i] != nullptr && sets[i]->contains(m);
        }
        if (!elsewhere) out.push_back(&m);
      }
      break;
    }
  }
  return out;
}

void SetOpReply(CommandContext& ctx, SetOp op) {
  std::vector<const SetValue*> sets;
  if (!GatherSets(ctx, ctx.args.subspan(1), /*read=*/true, &sets)) return;
  const std::vector<const std::string*> result = Compute(op, std::move(sets));
  ctx.reply.Set(result.size());
  for (const std::string* m : result) ctx.reply.Bulk(*m);
}

void SInter(CommandContext& ctx) { SetOpReply(ctx, SetOp::kInter); }
void SUnion(CommandContext& ctx) { SetOpReply(ctx, SetOp::kUnion); }
void SDiff(CommandContext& ctx) { SetOpReply(ctx, SetOp::kDiff); }

void SetOpStore(CommandContext& ctx, SetOp op, absl::string_view event) {
  const absl::string_view dst = ctx.args[1];
  std::vector<const SetValue*> sets;
  if (!GatherSets(ctx, ctx.args.subspan(2), /*read=*/false, &sets)) return;
  const std::vector<const std::string*> result = Compute(op, std::move(sets));
  if (result.empty()) {
    ctx.reply.Integer(0);
    if (ctx.Lookup(dst) != nullptr) {
      ctx.Delete(dst);
      ctx.Modified(dst);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
    return;
  }
  // Built in full before the destination (maybe a source) is replaced.
  auto set = std::make_unique<SetValue>();
  set->reserve(result.size());
  for (const std::string* m : result) set->insert(*m);
  StoreSet(ctx, dst, std::move(set));
  ctx.Modified(dst);
  ctx.Notify(kNotifySet, event, dst);
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

void SInterStore(CommandContext& ctx) {
  SetOpStore(ctx, SetOp::kInter, "sinterstore");
}
void SUnionStore(CommandContext& ctx) {
  SetOpStore(ctx, SetOp::kUnion, "sunionstore");
}
void SDiffStore(CommandContext& ctx) {
  SetOpStore(ctx, SetOp::kDiff, "sdiffstore");
}

void SInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.args[1], &numkeys) || numkeys < 1) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.args.size()) - 2) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const size_t first_option = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  for (size_t i = first_option; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "LIMIT") && i + 1 < ctx.args.size()) {
      ++i;
      if (!ParseInt64(ctx.args[i], &limit) || limit < 0) {
        ctx.reply.Error("ERR LIMIT can't be negative");
        return;
      }
    } else {
      return ctx.SyntaxError();
    }
  }
  std::vector<const SetValue*> sets;
  if (!GatherSets(ctx, ctx.args.subspan(2, static_cast<size_t>(numkeys)),
                  /*read=*/true, &sets)) {
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(
      Compute(SetOp::kInter, std::move(sets), static_cast<size_t>(limit))
          .size()));
}

// ---- SSCAN ----

void SScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.args[2], &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  bool wrong;
  SetValue* set = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (set == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  absl::string_view pattern = "*";
  uint64_t count = kDefaultScanCount;
  if (!ParseScanOptions(ctx, &pattern, &count)) return;
  const bool all = pattern == "*";
  std::vector<const std::string*> found;
  const uint64_t next = set->Scan(cursor, count, [&](const std::string& m) {
    if (all || GlobMatch(pattern, m)) found.push_back(&m);
  });
  ctx.reply.Array(2);
  ctx.reply.Bulk(absl::StrCat(next));
  ctx.reply.Array(found.size());
  for (const std::string* m : found) ctx.reply.Bulk(*m);
}

}  // namespace

void RegisterSetCommands(CommandTable& t) {
  const KeySpec one{1, 1, 1};
  const KeySpec all_keys{1, -1, 1};
  t.Add("sadd", -3, kWrite | kDenyOom | kFast, one, SAdd, "@write @set @fast");
  t.Add("srem", -3, kWrite | kFast, one, SRem, "@write @set @fast");
  t.Add("scard", 2, kReadOnly | kFast, one, SCard, "@read @set @fast");
  t.Add("sismember", 3, kReadOnly | kFast, one, SIsMember, "@read @set @fast");
  t.Add("smismember", -3, kReadOnly | kFast, one, SMIsMember,
        "@read @set @fast");
  t.Add("smembers", 2, kReadOnly, one, SMembers, "@read @set @slow");
  t.Add("spop", -2, kWrite | kFast, one, SPop, "@write @set @fast");
  t.Add("srandmember", -2, kReadOnly, one, SRandMember, "@read @set @slow");
  t.Add("smove", 4, kWrite | kFast, {1, 2, 1}, SMove, "@write @set @fast");
  t.Add("sinter", -2, kReadOnly, all_keys, SInter, "@read @set @slow");
  // SINTERCARD numkeys key [key ...] [LIMIT limit]
  t.Add("sintercard", -3, kReadOnly, {0, 0, 0, 1}, SInterCard,
        "@read @set @slow");
  t.Add("sunion", -2, kReadOnly, all_keys, SUnion, "@read @set @slow");
  t.Add("sdiff", -2, kReadOnly, all_keys, SDiff, "@read @set @slow");
  t.Add("sinterstore", -3, kWrite | kDenyOom, all_keys, SInterStore,
        "@write @set @slow");
  t.Add("sunionstore", -3, kWrite | kDenyOom, all_keys, SUnionStore,
        "@write @set @slow");
  t.Add("sdiffstore", -3, kWrite | kDenyOom, all_keys, SDiffStore,
        "@write @set @slow");
  t.Add("sscan", -3, kReadOnly, one, SScan, "@read @set @slow");
}

}  // namespace colony::kv
