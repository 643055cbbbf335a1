// Copyright 2026 The Colony Authors.
#include "kv/command.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kv/blocking.h"
#include "kv/client.h"
#include "kv/kv_server.h"

namespace colony::kv {

namespace striped_internal {

int StripeOfThisThread() {
  static std::atomic<int> next{0};
  thread_local const int stripe = next.fetch_add(1) % kStripes;
  return stripe;
}

}  // namespace striped_internal

CommandTable::CommandTable() = default;

void CommandTable::Add(const char* name, int arity, uint32_t flags,
                       KeySpec keys, CommandHandler handler,
                       const char* acl_categories) {
  auto spec = std::make_unique<CommandSpec>();
  spec->name = name;
  spec->arity = arity;
  spec->flags = flags;
  spec->keys = keys;
  spec->handler = handler;
  spec->acl_categories = acl_categories;
  by_name_[name] = spec.get();
  commands_.push_back(std::move(spec));
}

void CommandTable::AddSub(const char* parent, const char* sub, int arity,
                          uint32_t flags, const char* acl_categories) {
  CommandSpec* p = const_cast<CommandSpec*>(Find(parent));
  auto spec = std::make_unique<CommandSpec>();
  spec->name = absl::StrCat(p->name, "|", sub);
  spec->arity = arity;
  spec->flags = flags;
  spec->handler = p->handler;
  spec->acl_categories = acl_categories;
  spec->parent = p;
  p->subcommands.push_back(std::move(spec));
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent,
                                         absl::string_view sub) {
  const size_t prefix = parent.name.size() + 1;
  for (const auto& s : parent.subcommands) {
    if (absl::EqualsIgnoreCase(absl::string_view(s->name).substr(prefix),
                               sub)) {
      return s.get();
    }
  }
  return nullptr;
}

const CommandSpec* CommandTable::Find(absl::string_view name) const {
  char lower[32];
  if (name.size() >= sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    lower[i] = absl::ascii_tolower(static_cast<unsigned char>(name[i]));
  }
  auto it = by_name_.find(absl::string_view(lower, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

void CommandKeys(const CommandSpec& spec,
                 absl::Span<const absl::string_view> args,
                 absl::InlinedVector<absl::string_view, 4>* keys) {
  const int argc = static_cast<int>(args.size());
  const KeySpec& k = spec.keys;
  if (k.numkeys > 0) {
    if (k.first > 0 && k.first < argc) keys->push_back(args[k.first]);
    if (k.numkeys >= argc) return;
    int64_t n;
    if (!ParseInt64(args[k.numkeys], &n) || n <= 0) return;
    for (int64_t i = 0; i < n && k.numkeys + 1 + i < argc; ++i) {
      keys->push_back(args[static_cast<size_t>(k.numkeys + 1 + i)]);
    }
    return;
  }
  if (k.first <= 0) return;
  const int last = k.last < 0 ? argc + k.last : k.last;
  const int step = k.step > 0 ? k.step : 1;
  for (int i = k.first; i <= last && i < argc; i += step) {
    keys->push_back(args[static_cast<size_t>(i)]);
  }
}

int CommandContext::db() const { return client.db.load(); }

Keyspace& CommandContext::keyspace() { return server.keyspace(); }

Entry* CommandContext::LookupIn(int db, absl::string_view key) {
  Shard& shard = ShardIn(db, key);
  auto it = shard.map.find(key);
  if (it == shard.map.end()) return nullptr;
  if (shard.IsExpired(key, it->second, now_ms)) {
    // Lazy expiry. A copy of the key: `key` may point into the entry.
    const std::string owned(key);
    shard.Erase(owned);
    server.stats().expired_keys.fetch_add(1, std::memory_order_relaxed);
    // An expiry is not the command's own change.
    const bool was_modified = modified;
    ModifiedIn(db, owned);
    modified = was_modified;
    if (propagating()) {
      propagated.push_back(Propagated{db, {std::string("DEL"), owned}});
    }
    NotifyIn(db, kNotifyExpired, "expired", owned);
    return nullptr;
  }
  return &it->second;
}

Entry* CommandContext::LookupType(absl::string_view key, ValueType type,
                                  bool* wrong) {
  *wrong = false;
  Entry* e = Lookup(key);
  if (e != nullptr && e->type() != type) {
    *wrong = true;
    WrongType();
    return nullptr;
  }
  return e;
}

Entry& CommandContext::InsertIn(int db, absl::string_view key, Entry entry,
                                int64_t expire_ms) {
  return ShardIn(db, key).Insert(key, std::move(entry), expire_ms);
}

bool CommandContext::DeleteIn(int db, absl::string_view key) {
  return ShardIn(db, key).Erase(key);
}

void CommandContext::SetExpire(absl::string_view key, Entry& entry,
                               int64_t expire_ms) {
  ShardOf(key).SetExpire(key, entry, expire_ms);
}

bool CommandContext::propagating() const { return server.aof() != nullptr; }

void CommandContext::Propagate(std::vector<std::string> args) {
  propagate_replaced = true;
  if (!propagating()) return;
  propagated.push_back(Propagated{db(), std::move(args)});
}

void CommandContext::TakePropagated(uint32_t spec_flags,
                                    std::vector<Propagated>* out) {
  for (Propagated& p : propagated) out->push_back(std::move(p));
  propagated.clear();
  if (!propagate_replaced && modified && (spec_flags & kWrite) != 0 &&
      !args.empty()) {
    out->push_back(
        Propagated{db(), std::vector<std::string>(args.begin(), args.end())});
  }
}

void CommandContext::ModifiedIn(int db, absl::string_view key) {
  modified = true;
  server.stats().dirty.fetch_add(1, std::memory_order_relaxed);
  Shard& shard = ShardIn(db, key);
  if (shard.watchers.empty()) return;
  auto it = shard.watchers.find(key);
  if (it == shard.watchers.end()) return;
  for (WatchState* w : it->second) w->dirty.store(true);
}

void CommandContext::NotifyIn(int db, uint32_t type, absl::string_view event,
                              absl::string_view key) {
  const uint32_t flags = server.notify_flags();
  if ((flags & type) == 0) return;
  if (flags & kNotifyKeyspace) {
    server.pubsub().Publish(absl::StrCat("__keyspace@", db, "__:", key), event);
  }
  if (flags & kNotifyKeyevent) {
    server.pubsub().Publish(absl::StrCat("__keyevent@", db, "__:", event), key);
  }
}

void CommandContext::SignalReadyIn(int db, absl::string_view key) {
  Shard& shard = ShardIn(db, key);
  if (shard.blocked.empty() || !shard.blocked.contains(key)) return;
  for (const auto& [d, k] : ready) {
    if (d == db && k == key) return;
  }
  ready.emplace_back(db, std::string(key));
}

void CommandContext::WrongArity() {
  reply.Error(absl::StrCat("ERR wrong number of arguments for '",
                           absl::AsciiStrToLower(args[0]), "' command"));
}

bool ParseInt64(absl::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  // "0" alone; no leading zeros, no "-0".
  if (s[i] == '0' && (negative || s.size() > i + 1)) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseDouble(absl::string_view s, double* out) {
  if (s.empty() || s.size() > 300) return false;
  if (absl::ascii_isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[320];
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  errno = 0;
  const double v = strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return false;
  if (errno == ERANGE && !std::isinf(v) && v != 0) {
    // Underflow to a denormal is fine; overflow gives inf with ERANGE.
  }
  *out = v;
  return true;
}

bool ParseLongDouble(absl::string_view s, long double* out) {
  if (s.empty() || s.size() > 300) return false;
  if (absl::ascii_isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[320];
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  errno = 0;
  const long double v = strtold(buf, &end);
  if (end != buf + s.size() || std::isnan(v) || errno == ERANGE) return false;
  *out = v;
  return true;
}

std::string FormatLongDouble(long double v) {
  char buf[5 * 1024];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  std::string s(buf, static_cast<size_t>(n));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

bool EqualsIgnoreCase(absl::string_view a, absl::string_view b) {
  return absl::EqualsIgnoreCase(a, b);
}

}  // namespace colony::kv
