// Copyright 2026 The Colony Authors.
//
// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX
// LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and the blocking
// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (kv/blocking.h).
//
// A list is a ListValue (kv/types/packed_list.h: elements packed in
// chunks); a list that becomes empty is deleted. Commands that add elements
// call SignalReady() so that clients blocked on the key are served after the
// command. A blocking command that finds nothing leaves a BlockRequest whose
// serve function performs the same pop later, on behalf of the blocked client.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "kv/blocking.h"
#include "kv/commands.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

enum class End { kHead, kTail };

// ---- Helpers ----

// GetList() is `key`'s live list, nullptr if missing; on another type it
// replies WRONGTYPE and sets *wrong. `read` counts keyspace hits/misses,
// as Redis does for read commands.
ListValue* GetList(CommandContext& ctx, absl::string_view key, bool* wrong,
                   bool read = false) {
  Entry* e = ctx.LookupType(key, ValueType::kList, wrong);
  if (read && !*wrong) {
    auto& counter = e == nullptr ? ctx.server.stats().keyspace_misses
                                 : ctx.server.stats().keyspace_hits;
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  return e == nullptr ? nullptr : &e->list();
}

// ParseEnd() reads LEFT or RIGHT; false after replying a syntax error.
bool ParseEnd(CommandContext& ctx, absl::string_view arg, End* end) {
  if (absl::EqualsIgnoreCase(arg, "LEFT")) {
    *end = End::kHead;
  } else if (absl::EqualsIgnoreCase(arg, "RIGHT")) {
    *end = End::kTail;
  } else {
    ctx.SyntaxError();
    return false;
  }
  return true;
}

// PushTo() pushes `value` at one end of `list`.
void PushTo(ListValue& list, End end, absl::string_view value) {
  if (end == End::kHead) {
    list.PushFront(value);
  } else {
    list.PushBack(value);
  }
}

// PopFrom() removes and returns the element at one end of a non-empty
// `list`.
std::string PopFrom(ListValue& list, End end) {
  return end == End::kHead ? list.PopFront() : list.PopBack();
}

// Removed() does a pop's bookkeeping on `key` (which must name `list`):
// the event, the deletion of an emptied list, WATCH.
// `key` must not point into the entry (it is an argument).
void Removed(CommandContext& ctx, absl::string_view key, const ListValue& list,
             End end) {
  ctx.Notify(kNotifyList, end == End::kHead ? "lpop" : "rpop", key);
  if (list.empty()) {
    ctx.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.Modified(key);
}

// TooLarge() replies an error and is true when `value` is longer than a
// list element may be (4 GiB).
bool TooLarge(CommandContext& ctx, absl::string_view value) {
  if (value.size() <= ListValue::kMaxElementBytes) return false;
  ctx.reply.Error("ERR element too large for a list (at most 4 GiB)");
  return true;
}

// NewList() creates an empty list under `key` (which must be missing).
ListValue& NewList(CommandContext& ctx, absl::string_view key) {
  return ctx.Insert(key, Entry(std::make_unique<ListValue>())).list();
}

// PopRangeWithKey() pops up to `count` elements from one end of `key`'s
// non-empty `list` and replies [key, [elements...]] (LMPOP, BLMPOP).
void PopRangeWithKey(CommandContext& ctx, absl::string_view key,
                     ListValue& list, End end, int64_t count) {
  const size_t n = std::min<size_t>(list.size(), static_cast<size_t>(count));
  if (ctx.propagating())
    ctx.Propagate({end == End::kHead ? "LPOP" : "RPOP", std::string(key),
                   absl::StrCat(n)});
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Array(n);
  for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(PopFrom(list, end));
  Removed(ctx, key, list, end);
}

// Move() pops from one end of `src`'s non-empty `from_list` and pushes the
// element at one end of `dst` (created if missing; it must not hold
// another type), replying with the element (LMOVE and its kin).
void Move(CommandContext& ctx, absl::string_view src, ListValue& from_list,
          absl::string_view dst, ListValue* to_list, End from, End to) {
  std::string value = PopFrom(from_list, from);
  if (ctx.propagating())
    ctx.Propagate({"LMOVE", std::string(src), std::string(dst),
                   from == End::kHead ? "LEFT" : "RIGHT",
                   to == End::kHead ? "LEFT" : "RIGHT"});
  if (to_list == nullptr) to_list = &NewList(ctx, dst);
  ctx.reply.Bulk(value);
  PushTo(*to_list, to, value);
  ctx.Modified(dst);
  ctx.Notify(kNotifyList, to == End::kHead ? "lpush" : "rpush", dst);
  ctx.SignalReady(dst);
  // Lists live on the heap: inserting `dst` did not move `from_list`.
  Removed(ctx, src, from_list, from);
}

// Waiting() is true when clients blocked on `key` are still waiting: its
// elements are theirs first (a push's serving is under way), so a new
// blocking pop queues behind them, as it would have found the list
// already served in Redis.
bool Waiting(CommandContext& ctx, absl::string_view key) {
  Shard& shard = ctx.ShardOf(key);
  if (shard.blocked.empty()) return false;
  auto it = shard.blocked.find(key);
  if (it == shard.blocked.end()) return false;
  for (const auto& b : it->second) {
    if (b->state.load() == BlockedClient::kWaiting) return true;
  }
  return false;
}

// Block() asks the executor to block the client on `keys`.
void Block(CommandContext& ctx, BlockRequest::ServeFn serve,
           std::vector<std::string> keys, std::string dest, Deadline deadline) {
  ctx.block = std::make_unique<BlockRequest>();
  ctx.block->serve = serve;
  ctx.block->type = ValueType::kList;
  ctx.block->keys = std::move(keys);
  ctx.block->dest = std::move(dest);
  ctx.block->deadline = deadline;
  for (absl::string_view a : ctx.args) ctx.block->args.emplace_back(a);
}

// ---- Push ----

void PushGeneric(CommandContext& ctx, End end, bool only_existing) {
  const absl::string_view key = ctx.args[1];
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (TooLarge(ctx, ctx.args[i])) return;
  }
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    if (only_existing) {
      ctx.reply.Integer(0);
      return;
    }
    list = &NewList(ctx, key);
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    PushTo(*list, end, ctx.args[i]);
  }
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
  ctx.Modified(key);
  ctx.Notify(kNotifyList, end == End::kHead ? "lpush" : "rpush", key);
  ctx.SignalReady(key);
}

void LPush(CommandContext& ctx) { PushGeneric(ctx, End::kHead, false); }
void RPush(CommandContext& ctx) { PushGeneric(ctx, End::kTail, false); }
void LPushX(CommandContext& ctx) { PushGeneric(ctx, End::kHead, true); }
void RPushX(CommandContext& ctx) { PushGeneric(ctx, End::kTail, true); }

void LInsert(CommandContext& ctx) {
  bool after;
  if (absl::EqualsIgnoreCase(ctx.args[2], "AFTER")) {
    after = true;
  } else if (absl::EqualsIgnoreCase(ctx.args[2], "BEFORE")) {
    after = false;
  } else {
    ctx.SyntaxError();
    return;
  }
  if (TooLarge(ctx, ctx.args[4])) return;
  const absl::string_view key = ctx.args[1];
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  size_t pivot = list->size();
  list->Find(ctx.args[3], /*from_tail=*/false, list->size(), [&](size_t i) {
    pivot = i;
    return false;
  });
  if (pivot == list->size()) {
    ctx.reply.Integer(-1);
    return;
  }
  list->Insert(after ? pivot + 1 : pivot, ctx.args[4]);
  ctx.Modified(key);
  ctx.Notify(kNotifyList, "linsert", key);
  ctx.SignalReady(key);
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

// ---- Pop ----

void PopGeneric(CommandContext& ctx, End end) {
  if (ctx.args.size() > 3) {
    ctx.WrongArity();
    return;
  }
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 0;
  if (has_count && (!ParseInt64(ctx.args[2], &count) || count < 0)) {
    ctx.reply.Error("ERR value is out of range, must be positive");
    return;
  }
  const absl::string_view key = ctx.args[1];
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    if (has_count) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  if (!has_count) {
    ctx.reply.Bulk(PopFrom(*list, end));
  } else if (count == 0) {
    ctx.reply.Array(0);
    return;
  } else {
    const size_t n = std::min<size_t>(list->size(), static_cast<size_t>(count));
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(PopFrom(*list, end));
  }
  Removed(ctx, key, *list, end);
}

void LPop(CommandContext& ctx) { PopGeneric(ctx, End::kHead); }
void RPop(CommandContext& ctx) { PopGeneric(ctx, End::kTail); }

// ---- Read ----

void LLen(CommandContext& ctx) {
  bool wrong;
  ListValue* list = GetList(ctx, ctx.args[1], &wrong, /*read=*/true);
  if (wrong) return;
  ctx.reply.Integer(list == nullptr ? 0 : static_cast<int64_t>(list->size()));
}

// ClampRange() turns LRANGE/LTRIM's inclusive [start, stop] (negative
// counts from the end) into [*first, *last] within a list of `len`
// elements; false if the range is empty.
bool ClampRange(int64_t start, int64_t stop, int64_t len, int64_t* first,
                int64_t* last) {
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  *first = start;
  *last = stop;
  return true;
}

void LRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &stop)) {
    ctx.NotInteger();
    return;
  }
  bool wrong;
  ListValue* list = GetList(ctx, ctx.args[1], &wrong, /*read=*/true);
  if (wrong) return;
  int64_t first, last;
  if (list == nullptr ||
      !ClampRange(start, stop, static_cast<int64_t>(list->size()), &first,
                  &last)) {
    ctx.reply.Array(0);
    return;
  }
  const auto n = static_cast<size_t>(last - first + 1);
  ctx.reply.Array(n);
  auto it = list->Iterator(static_cast<size_t>(first));
  for (size_t i = 0; i < n; ++i, ++it) ctx.reply.Bulk(*it);
}

// ListIndex() resolves a possibly negative index; false if out of range.
bool ListIndex(int64_t index, size_t size, size_t* out) {
  const int64_t len = static_cast<int64_t>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void LIndex(CommandContext& ctx) {
  bool wrong;
  ListValue* list = GetList(ctx, ctx.args[1], &wrong, /*read=*/true);
  if (wrong) return;
  if (list == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t index;
  if (!ParseInt64(ctx.args[2], &index)) {
    ctx.NotInteger();
    return;
  }
  size_t i;
  if (!ListIndex(index, list->size(), &i)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(list->At(i));
}

void LPos(CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT option
  int64_t maxlen = 0;  // 0: the whole list
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const absl::string_view opt = ctx.args[i];
    const bool more = i + 1 < ctx.args.size();
    if (absl::EqualsIgnoreCase(opt, "RANK") && more) {
      if (!ParseInt64(ctx.args[++i], &rank)) {
        ctx.NotInteger();
        return;
      }
      if (rank == 0) {
        ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 "
            "from the second ... or use negative to start from the end of "
            "the list");
        return;
      }
    } else if (absl::EqualsIgnoreCase(opt, "COUNT") && more) {
      if (!ParseInt64(ctx.args[++i], &count) || count < 0) {
        ctx.reply.Error("ERR COUNT can't be negative");
        return;
      }
    } else if (absl::EqualsIgnoreCase(opt, "MAXLEN") && more) {
      if (!ParseInt64(ctx.args[++i], &maxlen) || maxlen < 0) {
        ctx.reply.Error("ERR MAXLEN can't be negative");
        return;
      }
    } else {
      ctx.SyntaxError();
      return;
    }
  }
  bool wrong;
  ListValue* list = GetList(ctx, ctx.args[1], &wrong, /*read=*/true);
  if (wrong) return;
  if (list == nullptr) {
    if (count != -1) {
      ctx.reply.Array(0);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  // A negative rank searches from the tail. Redis negates the rank in
  // place, so the smallest one stays negative: every match then counts
  // from the first, with no COUNT limit.
  const bool from_tail = rank < 0;
  bool unlimited = false;
  if (rank == INT64_MIN) {
    rank = 1;
    unlimited = true;
  } else if (rank < 0) {
    rank = -rank;
  }
  const absl::string_view element = ctx.args[2];
  std::vector<int64_t> found;
  int64_t matches = 0;
  const size_t max_scanned =
      maxlen == 0 ? list->size() : static_cast<size_t>(maxlen);
  list->Find(element, from_tail, max_scanned, [&](size_t index) {
    ++matches;
    if (matches < rank) return true;
    found.push_back(static_cast<int64_t>(index));
    if (count == -1) return false;
    return !(count > 0 && !unlimited &&
             static_cast<int64_t>(found.size()) >= count);
  });
  if (count == -1) {
    if (found.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Integer(found[0]);
    }
    return;
  }
  ctx.reply.Array(found.size());
  for (int64_t index : found) ctx.reply.Integer(index);
}

// ---- Modify ----

void LSet(CommandContext& ctx) {
  const absl::string_view key = ctx.args[1];
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    ctx.reply.Error("ERR no such key");
    return;
  }
  int64_t index;
  if (!ParseInt64(ctx.args[2], &index)) {
    ctx.NotInteger();
    return;
  }
  size_t i;
  if (!ListIndex(index, list->size(), &i)) {
    ctx.reply.Error("ERR index out of range");
    return;
  }
  if (TooLarge(ctx, ctx.args[3])) return;
  list->Set(i, ctx.args[3]);
  ctx.reply.Ok();
  ctx.Modified(key);
  ctx.Notify(kNotifyList, "lset", key);
}

void LRem(CommandContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.args[2], &count)) {
    ctx.NotInteger();
    return;
  }
  const absl::string_view key = ctx.args[1];
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const absl::string_view element = ctx.args[3];
  // At most `limit` matches go, nearest the head (count > 0) or the tail
  // (count < 0) first; 0 removes them all.
  const uint64_t limit = count == 0  ? UINT64_MAX
                         : count > 0 ? static_cast<uint64_t>(count)
                                     : 0 - static_cast<uint64_t>(count);
  const uint64_t removed = list->Remove(element, limit, count < 0);
  if (removed > 0) {
    ctx.Notify(kNotifyList, "lrem", key);
    if (list->empty()) {
      ctx.Delete(key);
      ctx.Notify(kNotifyGeneric, "del", key);
    }
    ctx.Modified(key);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void LTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &stop)) {
    ctx.NotInteger();
    return;
  }
  const absl::string_view key = ctx.args[1];
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return;
  if (list == nullptr) {
    ctx.reply.Ok();
    return;
  }
  int64_t first, last;
  if (!ClampRange(start, stop, static_cast<int64_t>(list->size()), &first,
                  &last)) {
    list->Clear();
  } else {
    list->Trim(static_cast<size_t>(first), static_cast<size_t>(last));
  }
  ctx.Notify(kNotifyList, "ltrim", key);
  if (list->empty()) {
    ctx.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.Modified(key);
  ctx.reply.Ok();
}

// ---- Move ----

void MoveGeneric(CommandContext& ctx, End from, End to) {
  const absl::string_view src = ctx.args[1];
  const absl::string_view dst = ctx.args[2];
  bool wrong;
  ListValue* from_list = GetList(ctx, src, &wrong);
  if (wrong) return;
  if (from_list == nullptr) {
    ctx.reply.Null();
    return;
  }
  ListValue* to_list = GetList(ctx, dst, &wrong);
  if (wrong) return;
  Move(ctx, src, *from_list, dst, to_list, from, to);
}

void LMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx, ctx.args[3], &from) || !ParseEnd(ctx, ctx.args[4], &to)) {
    return;
  }
  MoveGeneric(ctx, from, to);
}

void RPopLPush(CommandContext& ctx) {
  MoveGeneric(ctx, End::kTail, End::kHead);
}

// ---- Multi-key pops ----

// Where LMPOP's and BLMPOP's arguments are.
struct MPopArgs {
  size_t first_key = 0;
  size_t num_keys = 0;
  End end = End::kHead;
  int64_t count = 1;
};

// ParseMPop() reads `numkeys key... LEFT|RIGHT [COUNT count]` starting at
// args[numkeys_at]; false after replying an error.
bool ParseMPop(CommandContext& ctx, absl::Span<const absl::string_view> args,
               size_t numkeys_at, MPopArgs* out) {
  int64_t numkeys;
  if (!ParseInt64(args[numkeys_at], &numkeys) || numkeys <= 0) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return false;
  }
  const size_t where_at = numkeys_at + 1;
  if (static_cast<uint64_t>(numkeys) >= args.size() - where_at) {
    ctx.SyntaxError();
    return false;
  }
  out->first_key = where_at;
  out->num_keys = static_cast<size_t>(numkeys);
  const size_t end_at = where_at + out->num_keys;
  if (!ParseEnd(ctx, args[end_at], &out->end)) return false;
  bool have_count = false;
  for (size_t i = end_at + 1; i < args.size(); ++i) {
    if (!have_count && absl::EqualsIgnoreCase(args[i], "COUNT") &&
        i + 1 < args.size()) {
      if (!ParseInt64(args[++i], &out->count) || out->count <= 0) {
        ctx.reply.Error("ERR count should be greater than 0");
        return false;
      }
      have_count = true;
    } else {
      ctx.SyntaxError();
      return false;
    }
  }
  return true;
}

void LMPop(CommandContext& ctx) {
  MPopArgs m;
  if (!ParseMPop(ctx, ctx.args, 1, &m)) return;
  for (size_t i = 0; i < m.num_keys; ++i) {
    const absl::string_view key = ctx.args[m.first_key + i];
    bool wrong;
    ListValue* list = GetList(ctx, key, &wrong);
    if (wrong) return;
    if (list == nullptr || list->empty()) continue;
    PopRangeWithKey(ctx, key, *list, m.end, m.count);
    return;
  }
  ctx.reply.NullArray();
}

// ---- Blocking ----

// Serve functions: the pop of a blocked client, run when one of its keys
// got elements (kv/blocking.h). `args` are the blocking command's.

bool ServeBPop(CommandContext& ctx, absl::string_view key,
               const std::vector<std::string>& args) {
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return true;  // the client got WRONGTYPE
  if (list == nullptr || list->empty()) return false;
  const End end =
      absl::EqualsIgnoreCase(args[0], "brpop") ? End::kTail : End::kHead;
  if (ctx.propagating())
    ctx.Propagate({end == End::kHead ? "LPOP" : "RPOP", std::string(key)});
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Bulk(PopFrom(*list, end));
  Removed(ctx, key, *list, end);
  return true;
}

bool ServeBLMPop(CommandContext& ctx, absl::string_view key,
                 const std::vector<std::string>& args) {
  bool wrong;
  ListValue* list = GetList(ctx, key, &wrong);
  if (wrong) return true;
  if (list == nullptr || list->empty()) return false;
  // Parsed once already when the client blocked: this cannot fail.
  std::vector<absl::string_view> views(args.begin(), args.end());
  MPopArgs m;
  if (!ParseMPop(ctx, views, 2, &m)) return true;
  PopRangeWithKey(ctx, key, *list, m.end, m.count);
  return true;
}

// BlockingMoveEnds() reads BLMOVE's (or BRPOPLPUSH's) ends from `args`.
void BlockingMoveEnds(const std::vector<std::string>& args, End* from,
                      End* to) {
  if (absl::EqualsIgnoreCase(args[0], "brpoplpush")) {
    *from = End::kTail;
    *to = End::kHead;
    return;
  }
  *from = absl::EqualsIgnoreCase(args[3], "LEFT") ? End::kHead : End::kTail;
  *to = absl::EqualsIgnoreCase(args[4], "LEFT") ? End::kHead : End::kTail;
}

bool ServeBLMove(CommandContext& ctx, absl::string_view key,
                 const std::vector<std::string>& args) {
  bool wrong;
  ListValue* from_list = GetList(ctx, key, &wrong);
  if (wrong) return true;
  if (from_list == nullptr || from_list->empty()) return false;
  const std::string& dst = args[2];
  // A destination of another type: the client gets WRONGTYPE and the
  // element stays for the next client, as in Redis.
  ListValue* to_list = GetList(ctx, dst, &wrong);
  if (wrong) return true;
  End from, to;
  BlockingMoveEnds(args, &from, &to);
  Move(ctx, key, *from_list, dst, to_list, from, to);
  return true;
}

// BPopGeneric() is BLPOP/BRPOP (keys in args[1..n-2]) and BLMPOP (`m`).
void BPopGeneric(CommandContext& ctx, End end, size_t timeout_at,
                 size_t first_key, size_t num_keys, const MPopArgs* m) {
  Deadline deadline;
  if (!ParseBlockTimeout(ctx, ctx.args[timeout_at], &deadline)) return;
  for (size_t i = 0; i < num_keys; ++i) {
    const absl::string_view key = ctx.args[first_key + i];
    bool wrong;
    ListValue* list = GetList(ctx, key, &wrong);
    if (wrong) return;
    if (list == nullptr || list->empty()) continue;
    if (!ctx.in_exec && Waiting(ctx, key)) continue;
    if (m != nullptr) {
      PopRangeWithKey(ctx, key, *list, m->end, m->count);
      return;
    }
    if (ctx.propagating())
      ctx.Propagate({end == End::kHead ? "LPOP" : "RPOP", std::string(key)});
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(PopFrom(*list, end));
    Removed(ctx, key, *list, end);
    return;
  }
  if (ctx.in_exec) {
    ctx.reply.NullArray();
    return;
  }
  std::vector<std::string> keys;
  for (size_t i = 0; i < num_keys; ++i) {
    keys.emplace_back(ctx.args[first_key + i]);
  }
  Block(ctx, m != nullptr ? ServeBLMPop : ServeBPop, std::move(keys), "",
        deadline);
}

void BLPop(CommandContext& ctx) {
  BPopGeneric(ctx, End::kHead, ctx.args.size() - 1, 1, ctx.args.size() - 2,
              nullptr);
}

void BRPop(CommandContext& ctx) {
  BPopGeneric(ctx, End::kTail, ctx.args.size() - 1, 1, ctx.args.size() - 2,
              nullptr);
}

void BLMPop(CommandContext& ctx) {
  MPopArgs m;
  if (!ParseMPop(ctx, ctx.args, 2, &m)) return;
  BPopGeneric(ctx, m.end, 1, m.first_key, m.num_keys, &m);
}

void BMoveGeneric(CommandContext& ctx, End from, End to, size_t timeout_at) {
  Deadline deadline;
  if (!ParseBlockTimeout(ctx, ctx.args[timeout_at], &deadline)) return;
  const absl::string_view src = ctx.args[1];
  const absl::string_view dst = ctx.args[2];
  bool wrong;
  ListValue* from_list = GetList(ctx, src, &wrong);
  if (wrong) return;
  if (from_list != nullptr && !from_list->empty() &&
      (ctx.in_exec || !Waiting(ctx, src))) {
    ListValue* to_list = GetList(ctx, dst, &wrong);
    if (wrong) return;
    Move(ctx, src, *from_list, dst, to_list, from, to);
    return;
  }
  if (ctx.in_exec) {
    ctx.reply.Null();
    return;
  }
  Block(ctx, ServeBLMove, {std::string(src)}, std::string(dst), deadline);
}

void BLMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx, ctx.args[3], &from) || !ParseEnd(ctx, ctx.args[4], &to)) {
    return;
  }
  BMoveGeneric(ctx, from, to, 5);
}

void BRPopLPush(CommandContext& ctx) {
  BMoveGeneric(ctx, End::kTail, End::kHead, 3);
}

}  // namespace

void RegisterListCommands(CommandTable& t) {
  const KeySpec one{1, 1, 1};
  const KeySpec two{1, 2, 1};
  t.Add("lpush", -3, kWrite | kDenyOom | kFast, one, LPush,
        "@write @list @fast");
  t.Add("rpush", -3, kWrite | kDenyOom | kFast, one, RPush,
        "@write @list @fast");
  t.Add("lpushx", -3, kWrite | kDenyOom | kFast, one, LPushX,
        "@write @list @fast");
  t.Add("rpushx", -3, kWrite | kDenyOom | kFast, one, RPushX,
        "@write @list @fast");
  t.Add("linsert", 5, kWrite | kDenyOom, one, LInsert, "@write @list @slow");
  t.Add("lpop", -2, kWrite | kFast, one, LPop, "@write @list @fast");
  t.Add("rpop", -2, kWrite | kFast, one, RPop, "@write @list @fast");
  t.Add("llen", 2, kReadOnly | kFast, one, LLen, "@read @list @fast");
  t.Add("lrange", 4, kReadOnly, one, LRange, "@read @list @slow");
  t.Add("lindex", 3, kReadOnly, one, LIndex, "@read @list @slow");
  t.Add("lpos", -3, kReadOnly, one, LPos, "@read @list @slow");
  t.Add("lset", 4, kWrite | kDenyOom, one, LSet, "@write @list @slow");
  t.Add("lrem", 4, kWrite, one, LRem, "@write @list @slow");
  t.Add("ltrim", 4, kWrite, one, LTrim, "@write @list @slow");
  t.Add("lmove", 5, kWrite | kDenyOom, two, LMove, "@write @list @slow");
  t.Add("rpoplpush", 3, kWrite | kDenyOom, two, RPopLPush,
        "@write @list @slow");
  t.Add("lmpop", -4, kWrite, {0, 0, 0, 1}, LMPop, "@write @list @slow");
  t.Add("blpop", -3, kWrite | kNoScript | kBlocking, {1, -2, 1}, BLPop,
        "@write @list @slow @blocking");
  t.Add("brpop", -3, kWrite | kNoScript | kBlocking, {1, -2, 1}, BRPop,
        "@write @list @slow @blocking");
  t.Add("blmove", 6, kWrite | kDenyOom | kNoScript | kBlocking, two, BLMove,
        "@write @list @slow @blocking");
  t.Add("brpoplpush", 4, kWrite | kDenyOom | kNoScript | kBlocking, two,
        BRPopLPush, "@write @list @slow @blocking");
  t.Add("blmpop", -5, kWrite | kBlocking, {0, 0, 0, 2}, BLMPop,
        "@write @list @slow @blocking");
}

}  // namespace colony::kv
