// Copyright 2026 The Colony Authors.
//
// Keyspace commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN
// RANDOMKEY COPY MOVE TOUCH, and expiry: EXPIRE PEXPIRE EXPIREAT PEXPIREAT
// TTL PTTL EXPIRETIME PEXPIRETIME PERSIST.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kv/commands.h"
#include "kv/glob.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

void Del(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.Lookup(ctx.args[i]) == nullptr) continue;
    const std::string key(ctx.args[i]);
    ctx.Delete(key);
    ctx.Modified(key);
    ctx.Notify(kNotifyGeneric, "del", key);
    ++n;
  }
  ctx.reply.Integer(n);
}

void Exists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.Lookup(ctx.args[i]) != nullptr) ++n;
  }
  ctx.reply.Integer(n);
}

void Type(CommandContext& ctx) {
  Entry* e = ctx.Lookup(ctx.args[1]);
  ctx.reply.Simple(e == nullptr ? "none" : TypeName(e->type()));
}

// MayBeReady() signals blocked clients when `e` is a list or sorted set.
void MayBeReady(CommandContext& ctx, int db, const Entry& e,
                absl::string_view key) {
  if (e.type() == ValueType::kList || e.type() == ValueType::kZSet) {
    ctx.SignalReadyIn(db, key);
  }
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  const std::string src(ctx.args[1]);
  const std::string dst(ctx.args[2]);
  Entry* e = ctx.Lookup(src);
  if (e == nullptr) {
    ctx.reply.Error("ERR no such key");
    return;
  }
  if (src == dst) {
    if (nx) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Ok();
    }
    return;
  }
  if (ctx.Lookup(dst) != nullptr) {
    if (nx) {
      ctx.reply.Integer(0);
      return;
    }
    ctx.Delete(dst);
  }
  const int64_t expire_ms = ctx.ExpireOf(src, *e);
  Entry moved = std::move(*e);
  ctx.Delete(src);
  Entry& placed = ctx.Insert(dst, std::move(moved), expire_ms);
  ctx.Modified(src);
  ctx.Modified(dst);
  ctx.Notify(kNotifyGeneric, "rename_from", src);
  ctx.Notify(kNotifyGeneric, "rename_to", dst);
  MayBeReady(ctx, ctx.db(), placed, dst);
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

void Keys(CommandContext& ctx) {
  const absl::string_view pattern = ctx.args[1];
  const bool all = pattern == "*";
  std::vector<absl::string_view> keys;
  for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
    Shard& shard = ctx.keyspace().shard(ctx.db(), i);
    for (const auto& [key, entry] : shard.map) {
      if (shard.IsExpired(key, entry, ctx.now_ms)) continue;
      if (all || GlobMatch(pattern, key)) keys.push_back(key);
    }
  }
  ctx.reply.Array(keys.size());
  for (absl::string_view k : keys) ctx.reply.Bulk(k);
}

// The SCAN cursor is the index of the next shard to visit (0: start or
// done); a call returns whole shards until it has COUNT keys.
void Scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!absl::SimpleAtoi(ctx.args[1], &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  int64_t count = 10;
  absl::string_view pattern;
  bool has_pattern = false;
  std::string type;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) {
      ctx.SyntaxError();
      return;
    }
    if (absl::EqualsIgnoreCase(ctx.args[i], "MATCH")) {
      pattern = ctx.args[i + 1];
      has_pattern = pattern != "*";
    } else if (absl::EqualsIgnoreCase(ctx.args[i], "COUNT")) {
      if (!ParseInt64(ctx.args[i + 1], &count)) {
        ctx.NotInteger();
        return;
      }
      if (count < 1) {
        ctx.SyntaxError();
        return;
      }
    } else if (absl::EqualsIgnoreCase(ctx.args[i], "TYPE")) {
      type = absl::AsciiStrToLower(ctx.args[i + 1]);
    } else {
      ctx.SyntaxError();
      return;
    }
  }
  std::vector<absl::string_view> keys;
  uint64_t shard_index = cursor;
  while (shard_index < static_cast<uint64_t>(Keyspace::kShardsPerDb) &&
         static_cast<int64_t>(keys.size()) < count) {
    Shard& shard =
        ctx.keyspace().shard(ctx.db(), static_cast<int>(shard_index));
    for (const auto& [key, entry] : shard.map) {
      if (shard.IsExpired(key, entry, ctx.now_ms)) continue;
      if (has_pattern && !GlobMatch(pattern, key)) continue;
      if (!type.empty() && TypeName(entry.type()) != type) continue;
      keys.push_back(key);
    }
    ++shard_index;
  }
  if (shard_index >= static_cast<uint64_t>(Keyspace::kShardsPerDb)) {
    shard_index = 0;
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(absl::StrCat(shard_index));
  ctx.reply.Array(keys.size());
  for (absl::string_view k : keys) ctx.reply.Bulk(k);
}

void RandomKey(CommandContext& ctx) {
  thread_local std::minstd_rand rng(std::random_device{}());
  size_t total = 0;
  for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
    total += ctx.keyspace().shard(ctx.db(), i).map.size();
  }
  // A few tries to skip keys that are expired but not yet deleted.
  for (int attempt = 0; attempt < 100 && total > 0; ++attempt) {
    size_t pick = rng() % total;
    for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
      Shard& shard = ctx.keyspace().shard(ctx.db(), i);
      if (pick >= shard.map.size()) {
        pick -= shard.map.size();
        continue;
      }
      auto it = shard.map.begin();
      std::advance(it, static_cast<long>(pick));
      if (shard.IsExpired(it->first, it->second, ctx.now_ms)) break;
      ctx.reply.Bulk(it->first);
      return;
    }
  }
  ctx.reply.Null();
}

bool ParseDb(CommandContext& ctx, absl::string_view arg, int* db) {
  int64_t n;
  if (!ParseInt64(arg, &n)) {
    ctx.NotInteger();
    return false;
  }
  if (n < 0 || n >= Keyspace::kDatabases) {
    ctx.reply.Error("ERR DB index is out of range");
    return false;
  }
  *db = static_cast<int>(n);
  return true;
}

void Copy(CommandContext& ctx) {
  const std::string src(ctx.args[1]);
  const std::string dst(ctx.args[2]);
  int dst_db = ctx.db();
  bool replace = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    if (absl::EqualsIgnoreCase(ctx.args[i], "REPLACE")) {
      replace = true;
    } else if (absl::EqualsIgnoreCase(ctx.args[i], "DB") &&
               i + 1 < ctx.args.size()) {
      if (!ParseDb(ctx, ctx.args[++i], &dst_db)) return;
    } else {
      ctx.SyntaxError();
      return;
    }
  }
  if (src == dst && dst_db == ctx.db()) {
    ctx.reply.Error("ERR source and destination objects are the same");
    return;
  }
  Entry* e = ctx.Lookup(src);
  if (e == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (ctx.LookupIn(dst_db, dst) != nullptr) {
    if (!replace) {
      ctx.reply.Integer(0);
      return;
    }
    ctx.DeleteIn(dst_db, dst);
  }
  Entry& placed = ctx.InsertIn(dst_db, dst, e->Clone(), ctx.ExpireOf(src, *e));
  ctx.ModifiedIn(dst_db, dst);
  ctx.NotifyIn(dst_db, kNotifyGeneric, "copy_to", dst);
  MayBeReady(ctx, dst_db, placed, dst);
  ctx.reply.Integer(1);
}

void Move(CommandContext& ctx) {
  const std::string key(ctx.args[1]);
  int dst_db;
  if (!ParseDb(ctx, ctx.args[2], &dst_db)) return;
  if (dst_db == ctx.db()) {
    ctx.reply.Error("ERR source and destination objects are the same");
    return;
  }
  Entry* e = ctx.Lookup(key);
  if (e == nullptr || ctx.LookupIn(dst_db, key) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const int64_t expire_ms = ctx.ExpireOf(key, *e);
  Entry moved = std::move(*e);
  ctx.Delete(key);
  Entry& placed = ctx.InsertIn(dst_db, key, std::move(moved), expire_ms);
  ctx.Modified(key);
  ctx.ModifiedIn(dst_db, key);
  ctx.Notify(kNotifyGeneric, "move_from", key);
  ctx.NotifyIn(dst_db, kNotifyGeneric, "move_to", key);
  MayBeReady(ctx, dst_db, placed, key);
  ctx.reply.Integer(1);
}

// ---- expiry ----

enum ExpireUnit { kSeconds, kMillis };

void ExpireGeneric(CommandContext& ctx, ExpireUnit unit, bool absolute) {
  const std::string key(ctx.args[1]);
  int64_t when;
  if (!ParseInt64(ctx.args[2], &when)) {
    ctx.NotInteger();
    return;
  }
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const absl::string_view o = ctx.args[i];
    if (absl::EqualsIgnoreCase(o, "NX")) {
      nx = true;
    } else if (absl::EqualsIgnoreCase(o, "XX")) {
      xx = true;
    } else if (absl::EqualsIgnoreCase(o, "GT")) {
      gt = true;
    } else if (absl::EqualsIgnoreCase(o, "LT")) {
      lt = true;
    } else {
      ctx.reply.Error(absl::StrCat("ERR Unsupported option ", o));
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    ctx.reply.Error(
        "ERR NX and XX, GT or LT options at the same time are not "
        "compatible");
    return;
  }
  if (gt && lt) {
    ctx.reply.Error(
        "ERR GT and LT options at the same time are not compatible");
    return;
  }
  const std::string name = absl::AsciiStrToLower(ctx.args[0]);
  auto invalid = [&] {
    ctx.reply.Error(
        absl::StrCat("ERR invalid expire time in '", name, "' command"));
  };
  if (unit == kSeconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (!absolute) {
    if ((when > 0 && ctx.now_ms > INT64_MAX - when) ||
        (when < 0 && ctx.now_ms < INT64_MIN - when)) {
      return invalid();
    }
    when += ctx.now_ms;
  }
  Entry* e = ctx.Lookup(key);
  if (e == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const int64_t current = ctx.ExpireOf(key, *e);  // 0: none (infinite)
  if (nx && current != 0) return ctx.reply.Integer(0);
  if (xx && current == 0) return ctx.reply.Integer(0);
  if (gt && (current == 0 || when <= current)) return ctx.reply.Integer(0);
  if (lt && current != 0 && when >= current) return ctx.reply.Integer(0);
  if (when <= ctx.now_ms) {
    ctx.Delete(key);
    ctx.Modified(key);
    ctx.Notify(kNotifyGeneric, "del", key);
    if (ctx.propagating()) ctx.Propagate({"DEL", key});
    ctx.reply.Integer(1);
    return;
  }
  ctx.SetExpire(key, *e, when);
  ctx.Modified(key);
  ctx.Notify(kNotifyGeneric, "expire", key);
  // Appended as an absolute time: a restart does not extend the TTL.
  if (ctx.propagating()) ctx.Propagate({"PEXPIREAT", key, absl::StrCat(when)});
  ctx.reply.Integer(1);
}

void Expire(CommandContext& ctx) { ExpireGeneric(ctx, kSeconds, false); }
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, kMillis, false); }
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, kSeconds, true); }
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, kMillis, true); }

void TtlGeneric(CommandContext& ctx, bool millis, bool absolute) {
  Entry* e = ctx.Lookup(ctx.args[1]);
  if (e == nullptr) return ctx.reply.Integer(-2);
  const int64_t expire_ms = ctx.ExpireOf(ctx.args[1], *e);
  if (expire_ms == 0) return ctx.reply.Integer(-1);
  if (absolute) {
    ctx.reply.Integer(millis ? expire_ms : (expire_ms + 500) / 1000);
    return;
  }
  const int64_t left = std::max<int64_t>(0, expire_ms - ctx.now_ms);
  ctx.reply.Integer(millis ? left : (left + 500) / 1000);
}

void Ttl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void Persist(CommandContext& ctx) {
  const std::string key(ctx.args[1]);
  Entry* e = ctx.Lookup(key);
  if (e == nullptr || !e->has_expiry()) return ctx.reply.Integer(0);
  ctx.SetExpire(key, *e, 0);
  ctx.Modified(key);
  ctx.Notify(kNotifyGeneric, "persist", key);
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterKeyspaceCommands(CommandTable& t) {
  const KeySpec all_keys{1, -1, 1};
  t.Add("del", -2, kWrite, all_keys, Del, "@keyspace @write @slow");
  t.Add("unlink", -2, kWrite | kFast, all_keys, Del, "@keyspace @write @fast");
  t.Add("exists", -2, kReadOnly | kFast, all_keys, Exists,
        "@keyspace @read @fast");
  t.Add("touch", -2, kReadOnly | kFast, all_keys, Exists,
        "@keyspace @read @fast");
  t.Add("type", 2, kReadOnly | kFast, {1, 1, 1}, Type, "@keyspace @read @fast");
  t.Add("rename", 3, kWrite, {1, 2, 1}, Rename, "@keyspace @write @slow");
  t.Add("renamenx", 3, kWrite | kFast, {1, 2, 1}, RenameNx,
        "@keyspace @write @fast");
  t.Add("keys", 2, kReadOnly | kDbWide, {}, Keys,
        "@keyspace @read @slow @dangerous");
  t.Add("scan", -2, kReadOnly | kDbWide, {}, Scan, "@keyspace @read @slow");
  t.Add("randomkey", 1, kReadOnly | kDbWide, {}, RandomKey,
        "@keyspace @read @slow");
  t.Add("copy", -3, kWrite | kDenyOom | kAllDbs, {1, 2, 1}, Copy,
        "@keyspace @write @slow");
  t.Add("move", 3, kWrite | kFast | kAllDbs, {1, 1, 1}, Move,
        "@keyspace @write @fast");
  const KeySpec one{1, 1, 1};
  t.Add("expire", -3, kWrite | kFast, one, Expire, "@keyspace @write @fast");
  t.Add("pexpire", -3, kWrite | kFast, one, PExpire, "@keyspace @write @fast");
  t.Add("expireat", -3, kWrite | kFast, one, ExpireAt,
        "@keyspace @write @fast");
  t.Add("pexpireat", -3, kWrite | kFast, one, PExpireAt,
        "@keyspace @write @fast");
  t.Add("ttl", 2, kReadOnly | kFast, one, Ttl, "@keyspace @read @fast");
  t.Add("pttl", 2, kReadOnly | kFast, one, PTtl, "@keyspace @read @fast");
  t.Add("expiretime", 2, kReadOnly | kFast, one, ExpireTime,
        "@keyspace @read @fast");
  t.Add("pexpiretime", 2, kReadOnly | kFast, one, PExpireTime,
        "@keyspace @read @fast");
  t.Add("persist", 2, kWrite | kFast, one, Persist, "@keyspace @write @fast");
}

}  // namespace colony::kv
