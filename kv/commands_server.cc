// Copyright 2026 The Colony Authors.
//
// Server commands: COMMAND, CONFIG, INFO, TIME, DBSIZE, FLUSHDB, FLUSHALL,
// SWAPDB.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kv/blocking.h"
#include "kv/client.h"
#include "kv/command_docs.h"
#include "kv/commands.h"
#include "kv/kv_server.h"
#include "kv/memory_usage.h"

namespace colony::kv {
namespace {

// ---- COMMAND ----

std::vector<std::string> FlagNames(uint32_t f) {
  std::vector<std::string> out;
  static const struct {
    uint32_t flag;
    const char* name;
  } kNames[] = {
      {kWrite, "write"},       {kReadOnly, "readonly"}, {kDenyOom, "denyoom"},
      {kAdmin, "admin"},       {kPubSub, "pubsub"},     {kNoScript, "noscript"},
      {kBlocking, "blocking"}, {kLoading, "loading"},   {kStale, "stale"},
      {kFast, "fast"},         {kNoAuth, "no_auth"},    {kNoMulti, "no_multi"}};
  for (const auto& n : kNames) {
    if (f & n.flag) out.push_back(n.name);
  }
  return out;
}

// WriteKeySpecs() describes where the keys are, as Redis 7 key specs.
void WriteKeySpecs(RespWriter& w, const CommandSpec& spec) {
  const KeySpec& k = spec.keys;
  if (k.first <= 0 && k.numkeys <= 0) {
    w.Array(0);
    return;
  }
  const bool write = spec.flags & kWrite;
  auto flags = [&] {
    w.Set(1);
    w.Simple(write ? "RW" : "RO");
  };
  auto index = [&](int pos) {
    w.Bulk("begin_search");
    w.Map(2);
    w.Bulk("type");
    w.Bulk("index");
    w.Bulk("spec");
    w.Map(1);
    w.Bulk("index");
    w.Integer(pos);
  };
  const bool dest = k.numkeys > 0 && k.first > 0;
  w.Array(dest ? 2 : 1);
  if (dest) {
    w.Map(3);
    w.Bulk("flags");
    flags();
    index(k.first);
    w.Bulk("find_keys");
    w.Map(2);
    w.Bulk("type");
    w.Bulk("range");
    w.Bulk("spec");
    w.Map(3);
    w.Bulk("lastkey");
    w.Integer(0);
    w.Bulk("keystep");
    w.Integer(1);
    w.Bulk("limit");
    w.Integer(0);
  }
  w.Map(3);
  w.Bulk("flags");
  flags();
  if (k.numkeys > 0) {
    index(k.numkeys);
    w.Bulk("find_keys");
    w.Map(2);
    w.Bulk("type");
    w.Bulk("keynum");
    w.Bulk("spec");
    w.Map(3);
    w.Bulk("keynumidx");
    w.Integer(0);
    w.Bulk("firstkey");
    w.Integer(1);
    w.Bulk("keystep");
    w.Integer(1);
    return;
  }
  index(k.first);
  w.Bulk("find_keys");
  w.Map(2);
  w.Bulk("type");
  w.Bulk("range");
  w.Bulk("spec");
  w.Map(3);
  w.Bulk("lastkey");
  w.Integer(k.last < 0 ? k.last : k.last - k.first);
  w.Bulk("keystep");
  w.Integer(k.step > 0 ? k.step : 1);
  w.Bulk("limit");
  w.Integer(0);
}

void WriteCommandInfo(RespWriter& w, const CommandSpec& spec) {
  w.Array(10);
  w.Bulk(spec.name);
  w.Integer(spec.arity);
  auto flags = FlagNames(spec.flags);
  if (spec.keys.numkeys > 0) flags.push_back("movablekeys");
  w.Set(flags.size());
  for (const auto& f : flags) w.Simple(f);
  int first = spec.keys.first, last = spec.keys.last, step = spec.keys.step;
  if (spec.keys.numkeys > 0) {
    // Keys found through a count: Redis reports no fixed range.
    first = last = step = 0;
  }
  w.Integer(first);
  w.Integer(last);
  w.Integer(step);
  std::vector<std::string> cats =
      absl::StrSplit(spec.acl_categories, ' ', absl::SkipEmpty());
  w.Set(cats.size());
  for (const auto& c : cats) w.Simple(c);
  w.Array(0);  // tips
  WriteKeySpecs(w, spec);
  w.Array(spec.subcommands.size());
  for (const auto& sub : spec.subcommands) WriteCommandInfo(w, *sub);
}

void Command(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  if (ctx.args.size() == 1) {
    ctx.reply.Array(table.all().size());
    for (const auto& spec : table.all()) WriteCommandInfo(ctx.reply, *spec);
    return;
  }
  const absl::string_view sub = ctx.args[1];
  if (absl::EqualsIgnoreCase(sub, "COUNT") && ctx.args.size() == 2) {
    ctx.reply.Integer(static_cast<int64_t>(table.all().size()));
  } else if (absl::EqualsIgnoreCase(sub, "INFO")) {
    if (ctx.args.size() == 2) {
      ctx.reply.Array(table.all().size());
      for (const auto& spec : table.all()) WriteCommandInfo(ctx.reply, *spec);
      return;
    }
    ctx.reply.Array(ctx.args.size() - 2);
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = table.Find(ctx.args[i]);
      if (spec == nullptr) {
        ctx.reply.NullArray();
      } else {
        WriteCommandInfo(ctx.reply, *spec);
      }
    }
  } else if (absl::EqualsIgnoreCase(sub, "DOCS")) {
    CommandDocs(ctx);
  } else if (absl::EqualsIgnoreCase(sub, "LIST")) {
    CommandList(ctx);
  } else if (absl::EqualsIgnoreCase(sub, "GETKEYS") && ctx.args.size() >= 3) {
    const CommandSpec* spec = table.Find(ctx.args[2]);
    if (spec == nullptr) {
      ctx.reply.Error("ERR Invalid command specified");
      return;
    }
    absl::InlinedVector<absl::string_view, 4> keys;
    CommandKeys(*spec, ctx.args.subspan(2), &keys);
    if (keys.empty()) {
      ctx.reply.Error("ERR The command has no key arguments");
      return;
    }
    ctx.reply.Array(keys.size());
    for (auto k : keys) ctx.reply.Bulk(k);
  } else if (absl::EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.Array(1);
    ctx.reply.Simple("COMMAND [COUNT|INFO|DOCS|GETKEYS]");
  } else {
    ctx.reply.Error(absl::StrCat(
        "ERR unknown subcommand or wrong number of arguments for '", sub,
        "'. Try COMMAND HELP."));
  }
}

// ---- CONFIG ----

void Config(CommandContext& ctx) {
  const absl::string_view sub = ctx.args[1];
  KvConfig& config = ctx.server.config();
  if (absl::EqualsIgnoreCase(sub, "GET") && ctx.args.size() >= 3) {
    std::vector<std::pair<std::string, std::string>> all;
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      for (auto& kv : config.Get(ctx.args[i])) {
        bool dup = false;
        for (auto& seen : all) dup |= seen.first == kv.first;
        if (!dup) all.push_back(std::move(kv));
      }
    }
    ctx.reply.Map(all.size());
    for (const auto& [k, v] : all) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
  } else if (absl::EqualsIgnoreCase(sub, "SET") && ctx.args.size() >= 4 &&
             ctx.args.size() % 2 == 0) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
      pairs.emplace_back(ctx.args[i], ctx.args[i + 1]);
    }
    const absl::Status s = config.SetAll(pairs);
    if (!s.ok()) {
      ctx.reply.Error(absl::StrCat("ERR ", s.message()));
      return;
    }
    ctx.reply.Ok();
  } else if (absl::EqualsIgnoreCase(sub, "RESETSTAT") && ctx.args.size() == 2) {
    for (const auto& spec : ctx.server.commands().all()) {
      spec->calls.Reset();
      spec->usec.Reset();
      spec->failed.Reset();
      spec->rejected.Reset();
    }
    ctx.reply.Ok();
  } else if (absl::EqualsIgnoreCase(sub, "REWRITE") && ctx.args.size() == 2) {
    ctx.reply.Error("ERR The server is running without a config file");
  } else if (absl::EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.Array(1);
    ctx.reply.Simple("CONFIG GET|SET|RESETSTAT");
  } else {
    ctx.reply.Error(absl::StrCat(
        "ERR unknown subcommand or wrong number of arguments for '", sub,
        "'. Try CONFIG HELP."));
  }
}

// ---- INFO ----

int64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages = 0, resident = 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

std::string HumanBytes(int64_t n) {
  char buf[64];
  const double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%lldB", static_cast<long long>(n));
  } else if (n < 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024LL * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  }
  return buf;
}

void InfoSection(CommandContext& ctx, absl::string_view name,
                 std::string* out) {
  KvServer& s = ctx.server;
  KvStats& st = s.stats();
  const int64_t now = ctx.now_ms;
  if (name == "server") {
    absl::StrAppend(
        out,
        "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
        "redis_git_dirty:0\r\nredis_mode:standalone\r\n"
        "server_name:colonyd\r\nos:Linux\r\narch_bits:64\r\n"
        "multiplexing_api:epoll\r\n",
        "process_id:", getpid(), "\r\nrun_id:", s.run_id(),
        "\r\ntcp_port:", s.port(),
        "\r\nuptime_in_seconds:", (now - s.start_ms()) / 1000,
        "\r\nuptime_in_days:", (now - s.start_ms()) / 86400000,
        "\r\nhz:", s.config().Value("hz"),
        "\r\nexecutable:colonyd\r\nconfig_file:\r\n\r\n");
  } else if (name == "clients") {
    absl::StrAppend(
        out, "# Clients\r\nconnected_clients:", st.connected_clients.load(),
        "\r\nmaxclients:", s.config().Value("maxclients"),
        "\r\nblocked_clients:", st.blocked_clients.load(),
        "\r\ntracking_clients:0\r\n\r\n");
  } else if (name == "memory") {
    const int64_t rss = ResidentBytes();
    const int64_t used = AllocatedBytes();
    const int64_t peak = PeakAllocatedBytes();
    const int64_t maxmemory = s.evictor().maxmemory();
    char ratio[32];
    std::snprintf(
        ratio, sizeof(ratio), "%.2f",
        used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
    absl::StrAppend(
        out, "# Memory\r\nused_memory:", used,
        "\r\nused_memory_human:", HumanBytes(used), "\r\nused_memory_rss:", rss,
        "\r\nused_memory_rss_human:", HumanBytes(rss),
        "\r\nused_memory_peak:", peak,
        "\r\nused_memory_peak_human:", HumanBytes(peak),
        "\r\nmaxmemory:", maxmemory,
        "\r\nmaxmemory_human:", HumanBytes(maxmemory),
        "\r\nmaxmemory_policy:", s.config().Value("maxmemory-policy"),
        "\r\nmem_fragmentation_ratio:", ratio,
        "\r\nmem_allocator:libc\r\n\r\n");
  } else if (name == "persistence") {
    Aof* aof = s.aof();
    const KvServer::RewriteHistory h = s.rewrite_history();
    // A snapshot (appendonly off) and a rewrite (on) are the same work:
    // the rdb_ fields describe it when the file is off, the aof_ ones
    // when it is on.
    const bool snapshot = aof == nullptr;
    const int64_t running_s =
        h.running_since_ms == 0 ? -1 : (NowMs() - h.running_since_ms) / 1000;
    const int64_t last_s =
        h.last_duration_ms < 0 ? -1 : h.last_duration_ms / 1000;
    absl::StrAppend(
        out,
        "# Persistence\r\nloading:0\r\nasync_loading:0\r\n"
        "rdb_changes_since_last_save:",
        st.dirty.load() - s.dirty_at_save(),
        // A snapshot (appendonly off) or a rewrite (on): the same work.
        "\r\nrdb_bgsave_in_progress:",
        aof == nullptr && s.rewrite_in_progress() ? 1 : 0,
        "\r\nrdb_last_save_time:", s.last_save_ms() / 1000,
        "\r\nrdb_last_bgsave_status:", s.last_rewrite_ok() ? "ok" : "err",
        "\r\nrdb_last_bgsave_time_sec:", snapshot ? last_s : -1,
        "\r\nrdb_current_bgsave_time_sec:", snapshot ? running_s : -1,
        "\r\nrdb_saves:", snapshot ? h.succeeded : 0,
        "\r\nrdb_last_load_keys_loaded:", s.keys_loaded(),
        "\r\naof_enabled:", aof != nullptr ? 1 : 0,
        "\r\naof_rewrite_in_progress:",
        aof != nullptr && s.rewrite_in_progress() ? 1 : 0,
        "\r\naof_rewrite_scheduled:0",
        "\r\naof_last_rewrite_time_sec:", snapshot ? -1 : last_s,
        "\r\naof_current_rewrite_time_sec:", snapshot ? -1 : running_s,
        "\r\naof_last_bgrewrite_status:", s.last_rewrite_ok() ? "ok" : "err",
        "\r\naof_rewrites:", snapshot ? 0 : h.succeeded,
        "\r\naof_rewrites_consecutive_failures:",
        snapshot ? 0 : h.consecutive_failures, "\r\naof_last_write_status:",
        aof != nullptr && aof->write_errno() != 0 ? "err" : "ok");
    if (aof != nullptr) {
      absl::StrAppend(out, "\r\naof_current_size:", aof->current_size(),
                      "\r\naof_base_size:", aof->base_size());
    }
    out->append("\r\n\r\n");
  } else if (name == "stats") {
    absl::StrAppend(
        out, "# Stats\r\ntotal_connections_received:",
        st.connections_received.load(),
        "\r\ntotal_commands_processed:", st.commands_processed.load(),
        "\r\ntotal_net_input_bytes:", st.net_input_bytes.load(),
        "\r\ntotal_net_output_bytes:", st.net_output_bytes.load(),
        "\r\nrejected_connections:", st.rejected_connections.load(),
        "\r\nexpired_keys:", st.expired_keys.load(),
        "\r\nevicted_keys:", st.evicted_keys.load(),
        "\r\nkeyspace_hits:", st.keyspace_hits.load(),
        "\r\nkeyspace_misses:", st.keyspace_misses.load(),
        "\r\ninstantaneous_ops_per_sec:", s.OpsPerSecond(),
        "\r\npubsub_channels:", s.pubsub().Channels({}).size(),
        "\r\npubsub_patterns:", s.pubsub().NumPat(),
        "\r\ntotal_error_replies:", st.error_replies.load(),
        "\r\nclient_output_buffer_limit_disconnections:",
        s.pubsub().overflow_disconnects(), "\r\n\r\n");
  } else if (name == "replication") {
    absl::StrAppend(out,
                    "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
                    "\r\n");
  } else if (name == "cpu") {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld"
                  "\r\n\r\n",
                  ru.ru_stime.tv_sec, static_cast<long>(ru.ru_stime.tv_usec),
                  ru.ru_utime.tv_sec, static_cast<long>(ru.ru_utime.tv_usec));
    out->append(buf);
  } else if (name == "commandstats") {
    out->append("# Commandstats\r\n");
    for (const auto& spec : s.commands().all()) {
      const uint64_t calls = spec->calls.load();
      if (calls == 0 && spec->rejected.load() == 0) continue;
      const uint64_t usec = spec->usec.load();
      char per[32];
      std::snprintf(
          per, sizeof(per), "%.2f",
          calls ? static_cast<double>(usec) / static_cast<double>(calls) : 0.0);
      absl::StrAppend(out, "cmdstat_", spec->name, ":calls=", calls,
                      ",usec=", usec, ",usec_per_call=", per,
                      ",rejected_calls=", spec->rejected.load(),
                      ",failed_calls=", spec->failed.load(), "\r\n");
    }
    out->append("\r\n");
  } else if (name == "keyspace") {
    out->append("# Keyspace\r\n");
    for (int db = 0; db < Keyspace::kDatabases; ++db) {
      size_t keys = 0, expires = 0;
      for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
        Shard& shard = s.keyspace().shard(db, i);
        ShardLock lock(shard);
        keys += shard.map.size();
        expires += shard.expires.size();
      }
      if (keys == 0) continue;
      absl::StrAppend(out, "db", db, ":keys=", keys, ",expires=", expires,
                      ",avg_ttl=0\r\n");
    }
    out->append("\r\n");
  }
}

void Info(CommandContext& ctx) {
  static const char* kDefault[] = {"server",      "clients", "memory",
                                   "persistence", "stats",   "replication",
                                   "cpu",         "keyspace"};
  std::vector<std::string> sections;
  bool all = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string s = absl::AsciiStrToLower(ctx.args[i]);
    if (s == "all" || s == "everything") {
      all = true;
    } else if (s == "default") {
      for (const char* d : kDefault) sections.push_back(d);
    } else {
      sections.push_back(s);
    }
  }
  if (ctx.args.size() == 1) {
    for (const char* d : kDefault) sections.push_back(d);
  }
  if (all) {
    sections.clear();
    for (const char* d : kDefault) sections.push_back(d);
    sections.insert(sections.end() - 1, "commandstats");
  }
  std::string out;
  for (const auto& s : sections) InfoSection(ctx, s, &out);
  if (out.size() >= 2) out.resize(out.size() - 2);  // the last blank line
  ctx.reply.Verbatim(out);
}

void SlowlogCommand(CommandContext& ctx) {
  const absl::string_view sub = ctx.args[1];
  SlowLog& log = ctx.server.slowlog();
  if (absl::EqualsIgnoreCase(sub, "GET")) {
    int64_t count = 10;
    if (ctx.args.size() == 3 &&
        (!ParseInt64(ctx.args[2], &count) || count < -1)) {
      ctx.reply.Error("ERR count should be greater than or equal to -1");
      return;
    }
    const auto entries = log.Get(count);
    ctx.reply.Array(entries.size());
    for (const SlowLog::Entry& e : entries) {
      ctx.reply.Array(6);
      ctx.reply.Integer(static_cast<int64_t>(e.id));
      ctx.reply.Integer(e.unix_seconds);
      ctx.reply.Integer(e.duration_us);
      ctx.reply.Array(e.args.size());
      for (const std::string& a : e.args) ctx.reply.Bulk(a);
      ctx.reply.Bulk(e.client_addr);
      ctx.reply.Bulk(e.client_name);
    }
  } else if (absl::EqualsIgnoreCase(sub, "LEN")) {
    ctx.reply.Integer(static_cast<int64_t>(log.Len()));
  } else if (absl::EqualsIgnoreCase(sub, "RESET")) {
    log.Reset();
    ctx.reply.Ok();
  } else {
    ctx.reply.Array(4);
    ctx.reply.Simple("SLOWLOG <subcommand> [<arg> [value] [opt] ...]:");
    ctx.reply.Simple("GET [<count>]: the slowest recent commands.");
    ctx.reply.Simple("LEN: how many entries the log holds.");
    ctx.reply.Simple("RESET: empty the log.");
  }
}

void Time(CommandContext& ctx) {
  const int64_t us = absl::GetCurrentTimeNanos() / 1000;
  ctx.reply.Array(2);
  ctx.reply.BulkInteger(us / 1000000);
  ctx.reply.BulkInteger(us % 1000000);
}

void DbSize(CommandContext& ctx) {
  size_t n = 0;
  for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
    n += ctx.keyspace().shard(ctx.db(), i).map.size();
  }
  ctx.reply.Integer(static_cast<int64_t>(n));
}

// FlushDb() empties database `db` (every shard locked by the executor),
// marking the watchers of keys that existed.
void FlushOne(CommandContext& ctx, int db) {
  for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
    Shard& shard = ctx.keyspace().shard(db, i);
    for (auto& [key, watchers] : shard.watchers) {
      if (shard.map.contains(key)) {
        for (WatchState* w : watchers) w->dirty.store(true);
      }
    }
    ctx.server.stats().dirty.fetch_add(shard.Clear());
  }
  ctx.modified = true;  // appended to the AOF even when it was empty
}

bool FlushOption(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.SyntaxError();
    return false;
  }
  if (ctx.args.size() == 2 && !absl::EqualsIgnoreCase(ctx.args[1], "ASYNC") &&
      !absl::EqualsIgnoreCase(ctx.args[1], "SYNC")) {
    ctx.SyntaxError();
    return false;
  }
  return true;
}

void FlushDb(CommandContext& ctx) {
  if (!FlushOption(ctx)) return;
  FlushOne(ctx, ctx.db());
  ctx.reply.Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!FlushOption(ctx)) return;
  for (int db = 0; db < Keyspace::kDatabases; ++db) FlushOne(ctx, db);
  ctx.reply.Ok();
}

void SwapDb(CommandContext& ctx) {
  int64_t a, b;
  if (!ParseInt64(ctx.args[1], &a)) {
    ctx.reply.Error("ERR invalid first DB index");
    return;
  }
  if (!ParseInt64(ctx.args[2], &b)) {
    ctx.reply.Error("ERR invalid second DB index");
    return;
  }
  if (a < 0 || a >= Keyspace::kDatabases || b < 0 ||
      b >= Keyspace::kDatabases) {
    ctx.reply.Error("ERR DB index is out of range");
    return;
  }
  if (a != b) {
    for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
      Shard& x = ctx.keyspace().shard(static_cast<int>(a), i);
      Shard& y = ctx.keyspace().shard(static_cast<int>(b), i);
      // Watchers of keys in either database see a change.
      for (Shard* s : {&x, &y}) {
        for (auto& [key, watchers] : s->watchers) {
          if (x.map.contains(key) || y.map.contains(key)) {
            for (WatchState* w : watchers) w->dirty.store(true);
          }
        }
      }
      x.SwapData(y);
      ctx.modified = true;
      // Clients blocked in either database may now find their keys.
      for (Shard* s : {&x, &y}) {
        const int db = s == &x ? static_cast<int>(a) : static_cast<int>(b);
        for (auto& [key, queue] : s->blocked) {
          if (s->map.contains(key)) ctx.ready.emplace_back(db, key);
        }
      }
    }
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterServerCommands(CommandTable& t) {
  t.Add("command", -1, kLoading | kStale, {}, Command, "@slow @connection");
  t.Add("config", -2, kAdmin | kNoScript | kLoading | kStale, {}, Config,
        "@admin @slow @dangerous");
  const uint32_t af = kAdmin | kNoScript | kLoading | kStale;
  t.AddSub("config", "get", -3, af, "@admin @slow @dangerous");
  t.AddSub("config", "set", -4, af, "@admin @slow @dangerous");
  t.AddSub("config", "resetstat", 2, af, "@admin @slow @dangerous");
  t.AddSub("config", "rewrite", 2, af, "@admin @slow @dangerous");
  t.AddSub("config", "help", 2, kLoading | kStale, "@slow");
  const uint32_t cf = kLoading | kStale;
  t.AddSub("command", "count", 2, cf, "@slow @connection");
  t.AddSub("command", "info", -2, cf, "@slow @connection");
  t.AddSub("command", "docs", -2, cf, "@slow @connection");
  t.AddSub("command", "getkeys", -3, cf, "@slow @connection");
  t.AddSub("command", "list", -2, cf, "@slow @connection");
  t.AddSub("command", "help", 2, cf, "@slow @connection");
  t.Add("info", -1, kLoading | kStale, {}, Info, "@slow @dangerous");
  t.Add("slowlog", -2, kAdmin | kLoading | kStale, {}, SlowlogCommand,
        "@admin @slow @dangerous");
  t.AddSub("slowlog", "get", -2, kAdmin | kLoading | kStale,
           "@admin @slow @dangerous");
  t.AddSub("slowlog", "len", 2, kAdmin | kLoading | kStale,
           "@admin @slow @dangerous");
  t.AddSub("slowlog", "reset", 2, kAdmin | kLoading | kStale,
           "@admin @slow @dangerous");
  t.AddSub("slowlog", "help", 2, kLoading | kStale, "@slow");
  t.Add("time", 1, kLoading | kStale | kFast, {}, Time, "@fast");
  t.Add("dbsize", 1, kReadOnly | kFast | kDbWide, {}, DbSize,
        "@keyspace @read @fast");
  t.Add("flushdb", -1, kWrite | kDbWide, {}, FlushDb,
        "@keyspace @write @slow @dangerous");
  t.Add("flushall", -1, kWrite | kAllDbs, {}, FlushAll,
        "@keyspace @write @slow @dangerous");
  t.Add("swapdb", 3, kWrite | kFast | kAllDbs, {}, SwapDb,
        "@keyspace @write @fast @dangerous");
}

}  // namespace colony::kv
