// Copyright 2026 The Colony Authors.
//
// Hash commands: HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN HEXISTS
// HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// A hash is a DenseHash (kv/types/dense_table.h): its fields lie in a
// vector, so HRANDFIELD draws a uniform position, O(1) per field picked as
// in Redis. HSCAN walks that vector from the end down (a removal moves
// only the last field, to a lower position), so a field present for the
// whole scan is returned at least once.
#include <algorithm>
#include <cmath>
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

// ReadHash() is `key`'s live hash for a read command, nullptr if missing;
// on another type it replies WRONGTYPE and sets *wrong. Counts keyspace
// hits and misses, as Redis' reads do.
HashValue* ReadHash(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kHash, wrong);
  auto& stats = ctx.server.stats();
  if (e == nullptr && !*wrong) {
    stats.keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  stats.keyspace_hits.fetch_add(1, std::memory_order_relaxed);
  return e == nullptr ? nullptr : &e->hash();
}

// WriteHash() is `key`'s live hash for a write command, nullptr if missing;
// on another type it replies WRONGTYPE and sets *wrong.
HashValue* WriteHash(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kHash, wrong);
  return e == nullptr ? nullptr : &e->hash();
}

// CreateHash() stores a new empty hash under `key` (which is missing).
HashValue& CreateHash(CommandContext& ctx, absl::string_view key) {
  return ctx.Insert(key, Entry(std::make_unique<HashValue>())).hash();
}

void HSetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.args.size() % 2 == 1) return ctx.WrongArity();
  const absl::string_view key = ctx.args[1];
  bool wrong;
  HashValue* hash = WriteHash(ctx, key, &wrong);
  if (wrong) return;
  if (hash == nullptr) hash = &CreateHash(ctx, key);
  int64_t created = 0;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    auto [value, inserted] = hash->try_emplace(ctx.args[i]);
    value->assign(ctx.args[i + 1].data(), ctx.args[i + 1].size());
    created += inserted ? 1 : 0;
  }
  ctx.Modified(key);
  ctx.Notify(kNotifyHash, "hset", key);
  if (hmset) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(created);
  }
}

void HSet(CommandContext& ctx) { HSetGeneric(ctx, false); }
void HMSet(CommandContext& ctx) { HSetGeneric(ctx, true); }

void HSetNx(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  HashValue* hash = WriteHash(ctx, key, &wrong);
  if (wrong) return;
  if (hash != nullptr && hash->contains(ctx.args[2])) {
    ctx.reply.Integer(0);
    return;
  }
  if (hash == nullptr) hash = &CreateHash(ctx, key);
  hash->insert_or_assign(ctx.args[2], std::string(ctx.args[3]));
  ctx.Modified(key);
  ctx.Notify(kNotifyHash, "hset", key);
  ctx.reply.Integer(1);
}

// ReplyField() writes `field`'s value in `hash` (which may be null), or a
// null.
void ReplyField(CommandContext& ctx, const HashValue* hash,
                absl::string_view field) {
  if (hash != nullptr) {
    auto it = hash->find(field);
    if (it != hash->end()) return ctx.reply.Bulk(it->second);
  }
  ctx.reply.Null();
}

void HGet(CommandContext& ctx) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ReplyField(ctx, hash, ctx.args[2]);
}

void HMGet(CommandContext& ctx) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ReplyField(ctx, hash, ctx.args[i]);
  }
}

void HDel(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  HashValue* hash = WriteHash(ctx, key, &wrong);
  if (wrong) return;
  if (hash == nullptr) return ctx.reply.Integer(0);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    deleted += static_cast<int64_t>(hash->erase(ctx.args[i]));
  }
  if (deleted > 0) {
    ctx.Modified(key);
    ctx.Notify(kNotifyHash, "hdel", key);
    if (hash->empty()) {
      ctx.Delete(key);
      ctx.Notify(kNotifyGeneric, "del", key);
    }
  }
  ctx.reply.Integer(deleted);
}

void HLen(CommandContext& ctx) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(hash == nullptr ? 0 : static_cast<int64_t>(hash->size()));
}

void HStrLen(CommandContext& ctx) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  int64_t len = 0;
  if (hash != nullptr) {
    auto it = hash->find(ctx.args[2]);
    if (it != hash->end()) len = static_cast<int64_t>(it->second.size());
  }
  ctx.reply.Integer(len);
}

void HExists(CommandContext& ctx) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(hash != nullptr && hash->contains(ctx.args[2]) ? 1 : 0);
}

enum class Part { kFields, kValues, kBoth };

void HGetAllGeneric(CommandContext& ctx, Part part) {
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  const size_t n = hash == nullptr ? 0 : hash->size();
  if (part == Part::kBoth) {
    ctx.reply.Map(n);
  } else {
    ctx.reply.Array(n);
  }
  if (hash == nullptr) return;
  for (const auto& [field, value] : *hash) {
    if (part != Part::kValues) ctx.reply.Bulk(field);
    if (part != Part::kFields) ctx.reply.Bulk(value);
  }
}

void HKeys(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kFields); }
void HVals(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kValues); }
void HGetAll(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kBoth); }

// StoreField() sets `field` of `key`'s hash (created if `hash` is null) and
// does a write's bookkeeping.
void StoreField(CommandContext& ctx, HashValue* hash, absl::string_view key,
                absl::string_view field, std::string value,
                absl::string_view event) {
  if (hash == nullptr) hash = &CreateHash(ctx, key);
  hash->insert_or_assign(field, std::move(value));
  ctx.Modified(key);
  ctx.Notify(kNotifyHash, event, key);
}

void HIncrBy(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  int64_t incr;
  if (!ParseInt64(ctx.args[3], &incr)) return ctx.NotInteger();
  bool wrong;
  HashValue* hash = WriteHash(ctx, key, &wrong);
  if (wrong) return;
  int64_t value = 0;
  if (hash != nullptr) {
    auto it = hash->find(ctx.args[2]);
    if (it != hash->end() && !ParseInt64(it->second, &value)) {
      ctx.reply.Error("ERR hash value is not an integer");
      return;
    }
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    ctx.reply.Error("ERR increment or decrement would overflow");
    return;
  }
  value += incr;
  StoreField(ctx, hash, key, ctx.args[2], absl::StrCat(value), "hincrby");
  ctx.reply.Integer(value);
}

void HIncrByFloat(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  long double incr;
  if (!ParseLongDouble(ctx.args[3], &incr)) return ctx.NotFloat();
  if (std::isinf(incr)) {
    ctx.reply.Error("ERR value is NaN or Infinity");
    return;
  }
  bool wrong;
  HashValue* hash = WriteHash(ctx, key, &wrong);
  if (wrong) return;
  long double value = 0;
  if (hash != nullptr) {
    auto it = hash->find(ctx.args[2]);
    if (it != hash->end() && !ParseLongDouble(it->second, &value)) {
      ctx.reply.Error("ERR hash value is not a float");
      return;
    }
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.Error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = FormatLongDouble(value);
  ctx.reply.Bulk(text);
  // The result, so that a replay does not depend on float rounding.
  if (ctx.propagating())
    ctx.Propagate({"HSET", std::string(key), std::string(ctx.args[2]), text});
  StoreField(ctx, hash, key, ctx.args[2], std::move(text), "hincrbyfloat");
}

// ---- HRANDFIELD ----

using Field = HashValue::value_type;

// ReplyPick() writes one field of an HRANDFIELD reply with a count.
void ReplyPick(CommandContext& ctx, const Field& f, bool withvalues) {
  if (withvalues && ctx.reply.protocol() >= 3) ctx.reply.Array(2);
  ctx.reply.Bulk(f.first);
  if (withvalues) ctx.reply.Bulk(f.second);
}

// Each field picked is a uniformly drawn position of the hash: O(1).

// ReplyWithRepeats() writes `count` fields drawn independently and
// uniformly. O(count).
void ReplyWithRepeats(CommandContext& ctx, const HashValue& hash,
                      uint64_t count, bool withvalues, Rng& rng) {
  for (uint64_t i = 0; i < count; ++i) {
    ReplyPick(ctx, hash.at(RandomIndex(rng, hash.size())), withvalues);
  }
}

void HRandFieldWithCount(CommandContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.args[2], &count)) return ctx.NotInteger();
  if (count == INT64_MIN) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 "
        "and 9223372036854775807");
    return;
  }
  const bool withvalues = ctx.args.size() == 4;
  if (ctx.args.size() > 4 ||
      (withvalues && !EqualsIgnoreCase(ctx.args[3], "WITHVALUES"))) {
    return ctx.SyntaxError();
  }
  // The RESP2 reply holds 2 * count elements.
  if (withvalues && (count > INT64_MAX / 2 || count < -(INT64_MAX / 2))) {
    ctx.reply.Error("ERR value is out of range");
    return;
  }
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (hash == nullptr || count == 0) return ctx.reply.Array(0);
  const size_t n = hash->size();
  const int per_pick = withvalues && ctx.reply.protocol() == 2 ? 2 : 1;
  Rng& rng = ThreadRng();
  if (count < 0) {
    const uint64_t picks = static_cast<uint64_t>(-count);
    if (picks > kMaxRepeatedPicks) return ctx.reply.Error(kTooManyPicks);
    ctx.reply.Array(picks * per_pick);
    ReplyWithRepeats(ctx, *hash, picks, withvalues, rng);
    return;
  }
  if (static_cast<uint64_t>(count) >= n) {
    ctx.reply.Array(n * per_pick);
    for (const Field& f : *hash) ReplyPick(ctx, f, withvalues);
    return;
  }
  const size_t need = static_cast<size_t>(count);
  ctx.reply.Array(need * per_pick);
  for (size_t pos : DistinctPositions(n, need, rng)) {
    ReplyPick(ctx, hash->at(pos), withvalues);
  }
}

void HRandField(CommandContext& ctx) {
  if (ctx.args.size() >= 3) return HRandFieldWithCount(ctx);
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (hash == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(hash->at(RandomIndex(ThreadRng(), hash->size())).first);
}

// ---- HSCAN ----

void HScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.args[2], &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  bool wrong;
  HashValue* hash = ReadHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (hash == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  absl::string_view pattern = "*";
  uint64_t count = kDefaultScanCount;
  if (!ParseScanOptions(ctx, &pattern, &count)) return;
  const bool all = pattern == "*";
  std::vector<const Field*> found;
  const uint64_t next = hash->Scan(cursor, count, [&](const Field& f) {
    if (all || GlobMatch(pattern, f.first)) found.push_back(&f);
  });
  ctx.reply.Array(2);
  ctx.reply.Bulk(absl::StrCat(next));
  // Flat field, value pairs in RESP3 too.
  ctx.reply.Array(2 * found.size());
  for (const Field* f : found) {
    ctx.reply.Bulk(f->first);
    ctx.reply.Bulk(f->second);
  }
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  const KeySpec one{1, 1, 1};
  t.Add("hset", -4, kWrite | kDenyOom | kFast, one, HSet, "@write @hash @fast");
  t.Add("hmset", -4, kWrite | kDenyOom | kFast, one, HMSet,
        "@write @hash @fast");
  t.Add("hsetnx", 4, kWrite | kDenyOom | kFast, one, HSetNx,
        "@write @hash @fast");
  t.Add("hget", 3, kReadOnly | kFast, one, HGet, "@read @hash @fast");
  t.Add("hmget", -3, kReadOnly | kFast, one, HMGet, "@read @hash @fast");
  t.Add("hdel", -3, kWrite | kFast, one, HDel, "@write @hash @fast");
  t.Add("hlen", 2, kReadOnly | kFast, one, HLen, "@read @hash @fast");
  t.Add("hstrlen", 3, kReadOnly | kFast, one, HStrLen, "@read @hash @fast");
  t.Add("hexists", 3, kReadOnly | kFast, one, HExists, "@read @hash @fast");
  t.Add("hkeys", 2, kReadOnly, one, HKeys, "@read @hash @slow");
  t.Add("hvals", 2, kReadOnly, one, HVals, "@read @hash @slow");
  t.Add("hgetall", 2, kReadOnly, one, HGetAll, "@read @hash @slow");
  t.Add("hincrby", 4, kWrite | kDenyOom | kFast, one, HIncrBy,
        "@write @hash @fast");
  t.Add("hincrbyfloat", 4, kWrite | kDenyOom | kFast, one, HIncrByFloat,
        "@write @hash @fast");
  t.Add("hrandfield", -2, kReadOnly, one, HRandField, "@read @hash @slow");
  t.Add("hscan", -3, kReadOnly, one, HScan, "@read @hash @slow");
}

}  // namespace colony::kv
