// Copyright 2026 The Colony Authors.
//
// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
// MSETNX APPEND STRLEN GETRANGE SETRANGE INCR DECR INCRBY DECRBY
// INCRBYFLOAT.
#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kv/commands.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

constexpr int64_t kMaxStringLength = 512LL * 1024 * 1024;

// GetString() is `key`'s live string entry, nullptr if missing; on another
// type it replies WRONGTYPE and sets *wrong.
Entry* GetString(CommandContext& ctx, absl::string_view key, bool* wrong) {
  Entry* e = ctx.LookupType(key, ValueType::kString, wrong);
  if (e == nullptr) {
    if (!*wrong) {
      ctx.server.stats().keyspace_misses.fetch_add(1,
                                                   std::memory_order_relaxed);
    }
    return nullptr;
  }
  ctx.server.stats().keyspace_hits.fetch_add(1, std::memory_order_relaxed);
  return e;
}

// StoreString() sets `key` to `value` (dropping any expiry unless
// `expire_ms` says otherwise) and does a write's bookkeeping.
void StoreString(CommandContext& ctx, absl::string_view key,
                 absl::string_view value, int64_t expire_ms = 0) {
  Shard& shard = ctx.ShardOf(key);
  Entry& e = shard.map.try_emplace(key).first->second;
  e.SetString(value);
  shard.SetExpire(key, e, expire_ms);
  ctx.Modified(key);
  ctx.Notify(kNotifyString, "set", key);
}

void Get(CommandContext& ctx) {
  bool wrong;
  Entry* e = GetString(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->str());
  }
}

// Expiry options shared by SET and GETEX.
struct ExpiryOption {
  bool set = false;       // EX/PX/EXAT/PXAT given
  int64_t expire_ms = 0;  // absolute
  bool keepttl = false;
  bool persist = false;
};

// ParseExpiry() reads an EX/PX/EXAT/PXAT value; false after replying.
bool ParseExpiry(CommandContext& ctx, absl::string_view opt,
                 absl::string_view value, ExpiryOption* out) {
  int64_t n;
  if (!ParseInt64(value, &n)) {
    ctx.NotInteger();
    return false;
  }
  const std::string cmd = absl::AsciiStrToLower(ctx.args[0]);
  auto invalid = [&] {
    ctx.reply.Error(
        absl::StrCat("ERR invalid expire time in '", cmd, "' command"));
    return false;
  };
  if (n <= 0) return invalid();
  const bool seconds =
      absl::EqualsIgnoreCase(opt, "EX") || absl::EqualsIgnoreCase(opt, "EXAT");
  const bool absolute = absl::EqualsIgnoreCase(opt, "EXAT") ||
                        absl::EqualsIgnoreCase(opt, "PXAT");
  if (seconds) {
    if (n > INT64_MAX / 1000) return invalid();
    n *= 1000;
  }
  if (!absolute) {
    if (n > INT64_MAX - ctx.now_ms) return invalid();
    n += ctx.now_ms;
  }
  out->set = true;
  out->expire_ms = n;
  return true;
}

bool IsExpiryOption(absl::string_view o) {
  return absl::EqualsIgnoreCase(o, "EX") || absl::EqualsIgnoreCase(o, "PX") ||
         absl::EqualsIgnoreCase(o, "EXAT") || absl::EqualsIgnoreCase(o, "PXAT");
}

void Set(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  const absl::string_view value = ctx.args[2];
  bool nx = false, xx = false, get = false;
  ExpiryOption expiry;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const absl::string_view o = ctx.args[i];
    const bool has_next = i + 1 < ctx.args.size();
    if (absl::EqualsIgnoreCase(o, "NX") && !xx) {
      nx = true;
    } else if (absl::EqualsIgnoreCase(o, "XX") && !nx) {
      xx = true;
    } else if (absl::EqualsIgnoreCase(o, "GET")) {
      get = true;
    } else if (absl::EqualsIgnoreCase(o, "KEEPTTL") && !expiry.set) {
      expiry.keepttl = true;
    } else if (IsExpiryOption(o) && has_next && !expiry.set &&
               !expiry.keepttl) {
      if (!ParseExpiry(ctx, o, ctx.args[i + 1], &expiry)) return;
      ++i;
    } else {
      ctx.SyntaxError();
      return;
    }
  }
  Entry* e = ctx.Lookup(key);
  if (get && e != nullptr && e->type() != ValueType::kString) {
    ctx.WrongType();
    return;
  }
  std::string old;
  const bool existed = e != nullptr;
  if (get && existed) old = std::string(e->str());
  if ((nx && existed) || (xx && !existed)) {
    if (get) {
      if (existed) {
        ctx.reply.Bulk(old);
      } else {
        ctx.reply.Null();
      }
    } else {
      ctx.reply.Null();
    }
    return;
  }
  int64_t expire_ms = 0;
  if (expiry.set) {
    expire_ms = expiry.expire_ms;
  } else if (expiry.keepttl && existed) {
    expire_ms = ctx.ExpireOf(key, *e);
  }
  StoreString(ctx, key, value, expire_ms);
  if (expiry.set) {
    ctx.Notify(kNotifyGeneric, "expire", key);
    // A relative expiry is appended as an absolute one.
    if (ctx.propagating())
      ctx.Propagate({"SET", std::string(key), std::string(value), "PXAT",
                     absl::StrCat(expire_ms)});
  }
  if (get) {
    if (existed) {
      ctx.reply.Bulk(old);
    } else {
      ctx.reply.Null();
    }
  } else {
    ctx.reply.Ok();
  }
}

void SetNx(CommandContext& ctx) {
  if (ctx.Lookup(ctx.args[1]) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  StoreString(ctx, ctx.args[1], ctx.args[2]);
  ctx.reply.Integer(1);
}

void SetExGeneric(CommandContext& ctx, bool millis) {
  ExpiryOption expiry;
  if (!ParseExpiry(ctx, millis ? "PX" : "EX", ctx.args[2], &expiry)) return;
  StoreString(ctx, ctx.args[1], ctx.args[3], expiry.expire_ms);
  ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  if (ctx.propagating())
    ctx.Propagate({"SET", std::string(ctx.args[1]), std::string(ctx.args[3]),
                   "PXAT", absl::StrCat(expiry.expire_ms)});
  ctx.reply.Ok();
}

void SetEx(CommandContext& ctx) { SetExGeneric(ctx, false); }
void PSetEx(CommandContext& ctx) { SetExGeneric(ctx, true); }

void GetSet(CommandContext& ctx) {
  bool wrong;
  Entry* e = GetString(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->str());
  }
  StoreString(ctx, ctx.args[1], ctx.args[2]);
}

void GetDel(CommandContext& ctx) {
  bool wrong;
  Entry* e = GetString(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(e->str());
  const std::string key(ctx.args[1]);
  ctx.Delete(key);
  ctx.Modified(key);
  ctx.Notify(kNotifyGeneric, "del", key);
}

void GetEx(CommandContext& ctx) {
  const std::string key(ctx.args[1]);
  ExpiryOption expiry;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const absl::string_view o = ctx.args[i];
    if (absl::EqualsIgnoreCase(o, "PERSIST") && !expiry.set &&
        !expiry.persist) {
      expiry.persist = true;
    } else if (IsExpiryOption(o) && i + 1 < ctx.args.size() && !expiry.set &&
               !expiry.persist) {
      if (!ParseExpiry(ctx, o, ctx.args[i + 1], &expiry)) return;
      ++i;
    } else {
      ctx.SyntaxError();
      return;
    }
  }
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kString, &wrong);
  if (wrong) return;
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(e->str());
  if (expiry.set) {
    if (expiry.expire_ms <= ctx.now_ms) {
      ctx.Delete(key);
      ctx.Modified(key);
      ctx.Notify(kNotifyGeneric, "del", key);
      if (ctx.propagating()) ctx.Propagate({"DEL", key});
    } else {
      ctx.SetExpire(key, *e, expiry.expire_ms);
      ctx.Modified(key);
      ctx.Notify(kNotifyGeneric, "expire", key);
      if (ctx.propagating())
        ctx.Propagate({"PEXPIREAT", key, absl::StrCat(expiry.expire_ms)});
    }
  } else if (expiry.persist && e->has_expiry()) {
    ctx.SetExpire(key, *e, 0);
    ctx.Modified(key);
    ctx.Notify(kNotifyGeneric, "persist", key);
    if (ctx.propagating()) ctx.Propagate({"PERSIST", key});
  }
}

void MGet(CommandContext& ctx) {
  ctx.reply.Array(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    Entry* e = ctx.Lookup(ctx.args[i]);
    if (e == nullptr || e->type() != ValueType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(e->str());
    }
  }
}

void MSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.WrongArity();
    return;
  }
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    StoreString(ctx, ctx.args[i], ctx.args[i + 1]);
  }
  ctx.reply.Ok();
}

void MSetNx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.WrongArity();
    return;
  }
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    if (ctx.Lookup(ctx.args[i]) != nullptr) {
      ctx.reply.Integer(0);
      return;
    }
  }
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    StoreString(ctx, ctx.args[i], ctx.args[i + 1]);
  }
  ctx.reply.Integer(1);
}

bool CheckLength(CommandContext& ctx, int64_t length) {
  if (length > kMaxStringLength) {
    ctx.reply.Error(
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

void Append(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kString, &wrong);
  if (wrong) return;
  if (e == nullptr) {
    StoreString(ctx, key, ctx.args[2], 0);
    ctx.Notify(kNotifyString, "append", key);
    ctx.reply.Integer(static_cast<int64_t>(ctx.args[2].size()));
    return;
  }
  if (!CheckLength(
          ctx, static_cast<int64_t>(e->str().size() + ctx.args[2].size()))) {
    return;
  }
  e->AppendString(ctx.args[2]);
  ctx.Modified(key);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply.Integer(static_cast<int64_t>(e->str().size()));
}

void StrLen(CommandContext& ctx) {
  bool wrong;
  Entry* e = ctx.LookupType(ctx.args[1], ValueType::kString, &wrong);
  if (wrong) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(e->str().size()));
}

void GetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.NotInteger();
    return;
  }
  bool wrong;
  Entry* e = ctx.LookupType(ctx.args[1], ValueType::kString, &wrong);
  if (wrong) return;
  if (e == nullptr) {
    ctx.reply.Bulk("");
    return;
  }
  const absl::string_view s = e->str();
  const int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(s.substr(static_cast<size_t>(start),
                          static_cast<size_t>(end - start + 1)));
}

void SetRange(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  int64_t offset;
  if (!ParseInt64(ctx.args[2], &offset)) {
    ctx.NotInteger();
    return;
  }
  if (offset < 0) {
    ctx.reply.Error("ERR offset is out of range");
    return;
  }
  const absl::string_view value = ctx.args[3];
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kString, &wrong);
  if (wrong) return;
  if (e == nullptr) {
    if (value.empty()) {
      ctx.reply.Integer(0);
      return;
    }
    if (!CheckLength(ctx, offset + static_cast<int64_t>(value.size()))) return;
    std::string s(static_cast<size_t>(offset), '\0');
    s.append(value.data(), value.size());
    StoreString(ctx, key, s);
    ctx.Notify(kNotifyString, "setrange", key);
    ctx.reply.Integer(static_cast<int64_t>(s.size()));
    return;
  }
  if (value.empty()) {
    ctx.reply.Integer(static_cast<int64_t>(e->str().size()));
    return;
  }
  if (!CheckLength(ctx, offset + static_cast<int64_t>(value.size()))) return;
  e->OverwriteString(static_cast<size_t>(offset), value);
  ctx.Modified(key);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply.Integer(static_cast<int64_t>(e->str().size()));
}

void IncrGeneric(CommandContext& ctx, int64_t delta) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kString, &wrong);
  if (wrong) return;
  int64_t value = 0;
  if (e != nullptr && !ParseInt64(e->str(), &value)) {
    ctx.NotInteger();
    return;
  }
  if ((delta < 0 && value < 0 && delta < INT64_MIN - value) ||
      (delta > 0 && value > 0 && delta > INT64_MAX - value)) {
    ctx.reply.Error("ERR increment or decrement would overflow");
    return;
  }
  value += delta;
  char buf[32];
  const auto len = static_cast<size_t>(
      absl::numbers_internal::FastIntToBuffer(value, buf) - buf);
  const absl::string_view text(buf, len);
  if (e != nullptr) {
    e->SetString(text);
  } else {
    ctx.Insert(key, Entry(text));
  }
  ctx.Modified(key);
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply.Integer(value);
}

void Incr(CommandContext& ctx) { IncrGeneric(ctx, 1); }
void Decr(CommandContext& ctx) { IncrGeneric(ctx, -1); }

void IncrBy(CommandContext& ctx) {
  int64_t d;
  if (!ParseInt64(ctx.args[2], &d)) return ctx.NotInteger();
  IncrGeneric(ctx, d);
}

void DecrBy(CommandContext& ctx) {
  int64_t d;
  if (!ParseInt64(ctx.args[2], &d)) return ctx.NotInteger();
  if (d == INT64_MIN) {
    ctx.reply.Error("ERR decrement would overflow");
    return;
  }
  IncrGeneric(ctx, -d);
}

void IncrByFloat(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  Entry* e = ctx.LookupType(key, ValueType::kString, &wrong);
  if (wrong) return;
  long double value = 0, incr;
  if (e != nullptr && !ParseLongDouble(e->str(), &value)) {
    ctx.NotFloat();
    return;
  }
  if (!ParseLongDouble(ctx.args[2], &incr)) {
    ctx.NotFloat();
    return;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.Error("ERR increment would produce NaN or Infinity");
    return;
  }
  const std::string text = FormatLongDouble(value);
  if (e != nullptr) {
    e->SetString(text);
  } else {
    ctx.Insert(key, Entry(text));
  }
  ctx.Modified(key);
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  // The result, so that a replay does not depend on float rounding.
  if (ctx.propagating())
    ctx.Propagate({"SET", std::string(key), text, "KEEPTTL"});
  ctx.reply.Bulk(text);
}

}  // namespace

void RegisterStringCommands(CommandTable& t) {
  const KeySpec one{1, 1, 1};
  t.Add("get", 2, kReadOnly | kFast, one, Get, "@read @string @fast");
  t.Add("set", -3, kWrite | kDenyOom, one, Set, "@write @string @slow");
  t.Add("setnx", 3, kWrite | kDenyOom | kFast, one, SetNx,
        "@write @string @fast");
  t.Add("setex", 4, kWrite | kDenyOom, one, SetEx, "@write @string @slow");
  t.Add("psetex", 4, kWrite | kDenyOom, one, PSetEx, "@write @string @slow");
  t.Add("getset", 3, kWrite | kDenyOom | kFast, one, GetSet,
        "@write @string @fast");
  t.Add("getdel", 2, kWrite | kFast, one, GetDel, "@write @string @fast");
  t.Add("getex", -2, kWrite | kFast, one, GetEx, "@write @string @fast");
  t.Add("mget", -2, kReadOnly | kFast, {1, -1, 1}, MGet, "@read @string @fast");
  t.Add("mset", -3, kWrite | kDenyOom, {1, -1, 2}, MSet,
        "@write @string @slow");
  t.Add("msetnx", -3, kWrite | kDenyOom, {1, -1, 2}, MSetNx,
        "@write @string @slow");
  t.Add("append", 3, kWrite | kDenyOom | kFast, one, Append,
        "@write @string @fast");
  t.Add("strlen", 2, kReadOnly | kFast, one, StrLen, "@read @string @fast");
  t.Add("getrange", 4, kReadOnly, one, GetRange, "@read @string @slow");
  t.Add("substr", 4, kReadOnly, one, GetRange, "@read @string @slow");
  t.Add("setrange", 4, kWrite | kDenyOom, one, SetRange,
        "@write @string @slow");
  t.Add("incr", 2, kWrite | kDenyOom | kFast, one, Incr,
        "@write @string @fast");
  t.Add("decr", 2, kWrite | kDenyOom | kFast, one, Decr,
        "@write @string @fast");
  t.Add("incrby", 3, kWrite | kDenyOom | kFast, one, IncrBy,
        "@write @string @fast");
  t.Add("decrby", 3, kWrite | kDenyOom | kFast, one, DecrBy,
        "@write @string @fast");
  t.Add("incrbyfloat", 3, kWrite | kDenyOom | kFast, one, IncrByFloat,
        "@write @string @fast");
}

}  // namespace colony::kv
