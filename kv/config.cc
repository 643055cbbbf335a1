// Copyright 2026 The Colony Authors.
#include "kv/config.h"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kv/glob.h"
#include "kv/output_limits.h"

namespace colony::kv {

using base_internal::ThreadMutexLock;

namespace {

// NormalizeEventFlags() writes notify-keyspace-events as Redis reports
// it: "A" for every class (or the classes one by one), then K, E, m, n.
std::string NormalizeEventFlags(absl::string_view value) {
  auto has = [&](char c) { return value.find(c) != absl::string_view::npos; };
  static constexpr absl::string_view kClasses = "g$lshzxetd";
  std::string out;
  bool all = has('A');
  if (!all) {
    all = true;
    for (char c : kClasses) all = all && has(c);
  }
  if (all) {
    out = "A";
  } else {
    for (char c : kClasses) {
      if (has(c)) out += c;
    }
  }
  for (char c : absl::string_view("KEmn")) {
    if (has(c)) out += c;
  }
  return out;
}

}  // namespace

KvConfig::KvConfig() {
  Define("requirepass", Kind::kString, "");
  Define("maxclients", Kind::kInt, "10000", {}, 1, 1000000);
  Define("timeout", Kind::kInt, "0", {}, 0, INT32_MAX);
  Define("tcp-keepalive", Kind::kInt, "300", {}, 0, INT32_MAX);
  Define("databases", Kind::kImmutable, "16");
  Define("daemonize", Kind::kImmutable, "no");
  Define("maxmemory", Kind::kMemory, "0", {}, 0);
  Define("maxmemory-policy", Kind::kEnum, "noeviction",
         {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
          "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"});
  Define("maxmemory-samples", Kind::kInt, "5", {}, 1, 64);
  Define("maxmemory-eviction-tenacity", Kind::kInt, "10", {}, 0, 100);
  Define("lfu-log-factor", Kind::kInt, "10", {}, 0, INT32_MAX);
  Define("lfu-decay-time", Kind::kInt, "1", {}, 0, INT32_MAX);
  Define("notify-keyspace-events", Kind::kFlags, "");
  Define("proto-max-bulk-len", Kind::kMemory, "536870912", {}, 1024 * 1024);
  Define("client-query-buffer-limit", Kind::kMemory, "1073741824", {},
         1024 * 1024);
  Define("client-output-buffer-limit", Kind::kString,
         FormatClientOutputBufferLimits(DefaultClientOutputBufferLimits()));
  Define("hz", Kind::kInt, "10", {}, 1, 500);
  Define("appendonly", Kind::kBool, "no");
  Define("appendfsync", Kind::kEnum, "everysec", {"always", "everysec", "no"});
  Define("appendfilename", Kind::kString, "appendonly.aof");
  Define("aof-load-truncated", Kind::kBool, "yes");
  Define("auto-aof-rewrite-percentage", Kind::kInt, "100", {}, 0);
  Define("auto-aof-rewrite-min-size", Kind::kMemory, "67108864", {}, 0);
  Define("save", Kind::kString, "");
  Define("dir", Kind::kString, ".");
  Define("dbfilename", Kind::kString, "dump.rdb");
  Define("bind", Kind::kString, "* -::*");
  Define("port", Kind::kInt, "6379", {}, 0, 65535);
  Define("io-threads", Kind::kInt, "1", {}, 1, 128);
  Define("slowlog-log-slower-than", Kind::kInt, "10000", {}, -1);
  Define("slowlog-max-len", Kind::kInt, "128", {}, 0);
  Define("lazyfree-lazy-eviction", Kind::kBool, "no");
  Define("lazyfree-lazy-expire", Kind::kBool, "no");
  Define("lazyfree-lazy-server-del", Kind::kBool, "no");
  Define("lazyfree-lazy-user-del", Kind::kBool, "no");
  Define("lazyfree-lazy-user-flush", Kind::kBool, "no");
  Define("protected-mode", Kind::kBool, "yes");
  Define("loglevel", Kind::kEnum, "notice",
         {"debug", "verbose", "notice", "warning"});
  // Encoding thresholds: accepted and reported, no effect here.
  Define("hash-max-listpack-entries", Kind::kInt, "512", {}, 0);
  Define("hash-max-listpack-value", Kind::kInt, "64", {}, 0);
  Define("list-max-listpack-size", Kind::kInt, "-2", {}, INT32_MIN);
  Define("list-compress-depth", Kind::kInt, "0", {}, 0);
  Define("set-max-intset-entries", Kind::kInt, "512", {}, 0);
  Define("zset-max-listpack-entries", Kind::kInt, "128", {}, 0);
  Define("zset-max-listpack-value", Kind::kInt, "64", {}, 0);
  Define("stream-node-max-bytes", Kind::kMemory, "4096", {}, 0);
  Define("stream-node-max-entries", Kind::kInt, "100", {}, 0);
  Alias("hash-max-ziplist-entries", "hash-max-listpack-entries");
  Alias("hash-max-ziplist-value", "hash-max-listpack-value");
  Alias("list-max-ziplist-size", "list-max-listpack-size");
  Alias("zset-max-ziplist-entries", "zset-max-listpack-entries");
  Alias("zset-max-ziplist-value", "zset-max-listpack-value");
}

void KvConfig::Define(std::string name, Kind kind, std::string value,
                      std::vector<std::string> choices, int64_t min,
                      int64_t max) {
  ThreadMutexLock lock(mu_);
  params_[std::move(name)] =
      Param{kind, std::move(value), std::move(choices), min, max, {}};
}

void KvConfig::Alias(std::string alias, std::string name) {
  ThreadMutexLock lock(mu_);
  aliases_[std::move(alias)] = std::move(name);
}

std::string KvConfig::Canonical(absl::string_view name) const {
  std::string lower = absl::AsciiStrToLower(name);
  auto it = aliases_.find(lower);
  return it == aliases_.end() ? lower : it->second;
}

void KvConfig::OnChange(const std::string& name,
                        std::function<void(const std::string&)> fn) {
  std::string value;
  {
    ThreadMutexLock lock(mu_);
    Param& p = params_.at(name);
    p.observers.push_back(fn);
    value = p.value;
  }
  fn(value);
}

std::vector<std::pair<std::string, std::string>> KvConfig::Get(
    absl::string_view pattern) const {
  ThreadMutexLock lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  if (pattern.find_first_of("*?[") == absl::string_view::npos) {
    // An exact name is echoed as the client wrote it.
    auto it = params_.find(Canonical(pattern));
    if (it != params_.end()) out.emplace_back(pattern, it->second.value);
    return out;
  }
  for (const auto& [name, p] : params_) {
    if (GlobMatch(pattern, name, /*nocase=*/true))
      out.emplace_back(name, p.value);
  }
  for (const auto& [alias, name] : aliases_) {
    if (GlobMatch(pattern, alias, /*nocase=*/true)) {
      out.emplace_back(alias, params_.at(name).value);
    }
  }
  return out;
}

std::string KvConfig::Value(absl::string_view name) const {
  ThreadMutexLock lock(mu_);
  auto it = params_.find(Canonical(name));
  return it == params_.end() ? std::string() : it->second.value;
}

bool KvConfig::Known(absl::string_view name) const {
  ThreadMutexLock lock(mu_);
  return params_.count(Canonical(name)) > 0;
}

bool KvConfig::ParseMemory(absl::string_view s, int64_t* bytes) {
  std::string lower = absl::AsciiStrToLower(s);
  int64_t mul = 1;
  static const struct {
    const char* suffix;
    int64_t mul;
  } kUnits[] = {{"gb", 1LL << 30},
                {"mb", 1LL << 20},
                {"kb", 1LL << 10},
                {"g", 1000LL * 1000 * 1000},
                {"m", 1000LL * 1000},
                {"k", 1000},
                {"b", 1}};
  for (const auto& u : kUnits) {
    if (absl::EndsWith(lower, u.suffix)) {
      mul = u.mul;
      lower.resize(lower.size() - strlen(u.suffix));
      break;
    }
  }
  int64_t n;
  if (lower.empty() || !absl::SimpleAtoi(lower, &n)) return false;
  if (n < 0 || (n > 0 && mul > INT64_MAX / n)) return false;
  *bytes = n * mul;
  return true;
}

absl::Status KvConfig::Set(absl::string_view name, absl::string_view value) {
  std::vector<std::function<void(const std::string&)>> observers;
  std::string stored;
  {
    ThreadMutexLock lock(mu_);
    const std::string canonical = Canonical(name);
    auto it = params_.find(canonical);
    if (it == params_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Unknown option or number of arguments for CONFIG SET - '", name,
          "'"));
    }
    Param& p = it->second;
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("CONFIG SET failed (possibly related to argument '",
                       name, "') - ", why));
    };
    stored = std::string(value);
    switch (p.kind) {
      case Kind::kInt: {
        int64_t n;
        if (!absl::SimpleAtoi(value, &n)) {
          return fail("argument couldn't be parsed into an integer");
        }
        if (n < p.min || n > p.max) {
          return fail(absl::StrCat("argument must be between ", p.min, " and ",
                                   p.max, " inclusive"));
        }
        stored = absl::StrCat(n);
        break;
      }
      case Kind::kMemory: {
        int64_t n;
        if (!ParseMemory(value, &n)) {
          return fail("argument must be a memory value");
        }
        if (n < p.min || n > p.max) {
          return fail(absl::StrCat("argument must be between ", p.min, " and ",
                                   p.max, " inclusive"));
        }
        stored = absl::StrCat(n);
        break;
      }
      case Kind::kBool: {
        const std::string lower = absl::AsciiStrToLower(value);
        if (lower != "yes" && lower != "no") {
          return fail("argument must be 'yes' or 'no'");
        }
        stored = lower;
        break;
      }
      case Kind::kEnum: {
        const std::string lower = absl::AsciiStrToLower(value);
        bool ok = false;
        for (const std::string& c : p.choices) ok = ok || c == lower;
        if (!ok)
          return fail("argument(s) must be one of the following: " +
                      absl::StrJoin(p.choices, ", "));
        stored = lower;
        break;
      }
      case Kind::kFlags: {
        for (char c : value) {
          if (std::string_view("KEg$lshzxetmdnA").find(c) ==
              std::string_view::npos) {
            return fail(
                "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
          }
        }
        stored = NormalizeEventFlags(value);
        break;
      }
      case Kind::kImmutable:
        return fail("can't set immutable config");
      case Kind::kString:
        if (canonical == "client-output-buffer-limit") {
          // A partial update of the classes it names, whole or not at all.
          ClientOutputBufferLimits limits = DefaultClientOutputBufferLimits();
          ParseClientOutputBufferLimits(p.value, &limits).IgnoreError();
          const absl::Status s = ParseClientOutputBufferLimits(value, &limits);
          if (!s.ok()) return fail(s.message());
          stored = FormatClientOutputBufferLimits(limits);
        }
        break;
    }
    p.value = stored;
    observers = p.observers;
  }
  for (auto& fn : observers) fn(stored);
  return absl::OkStatus();
}

absl::Status KvConfig::SetAll(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::string> seen;
  for (const auto& [name, value] : pairs) {
    if (!Known(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Unknown option or number of arguments for CONFIG SET - '", name,
          "'"));
    }
    std::string canonical;
    {
      ThreadMutexLock lock(mu_);
      canonical = Canonical(name);
    }
    for (const std::string& s : seen) {
      if (s == canonical) {
        return absl::InvalidArgumentError(
            absl::StrCat("CONFIG SET failed (possibly related to argument '",
                         name, "') - duplicate parameter"));
      }
    }
    seen.push_back(canonical);
  }
  // Apply in order; on a failure put back what was applied.
  std::vector<std::pair<std::string, std::string>> undo;
  for (const auto& [name, value] : pairs) {
    const std::string before = Value(name);
    const absl::Status s = Set(name, value);
    if (!s.ok()) {
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
        Set(it->first, it->second).IgnoreError();
      }
      return s;
    }
    undo.emplace_back(name, before);
  }
  return absl::OkStatus();
}

}  // namespace colony::kv
