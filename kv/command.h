// Copyright 2026 The Colony Authors.
//
// Commands of the key-value backend: the table that names them (arity,
// flags and key positions as Redis' COMMAND reports them) and the context
// a command runs in.
//
// A command runs to completion without suspending, with the shards of its
// keys locked (the executor locks them from the key positions before the
// handler runs and unlocks after it returns; see keyspace.h), so a handler
// reads and writes its keys freely and is atomic with respect to every
// other client on every worker. Whole-database commands (kDbWide) run
// with every shard of their database locked; kAllDbs with every shard.
//
// What a write command owes the rest of the server, as Redis' commands do:
//   - ctx.Modified(key) for every key it changed (WATCH, dirty count);
//   - ctx.Notify(kNotifyList, "lpush", key) for keyspace notifications;
//   - ctx.SignalReady(key) when it added elements a blocked client may
//     take (lists and sorted sets).
// Empty aggregates are deleted (ctx.Delete()).
//
// Thread-safety: a CommandTable is immutable once built; a CommandContext
// belongs to one command on one task.
#ifndef COLONY_KV_COMMAND_H_
#define COLONY_KV_COMMAND_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kv/aof.h"
#include "kv/keyspace.h"
#include "kv/resp/writer.h"
#include "kv/striped_counter.h"
#include "time/deadline.h"

namespace colony::kv {

class CommandContext;
class KvServer;
struct Client;

using CommandHandler = void (*)(CommandContext& ctx);

// Command flags (as COMMAND INFO names them, plus the executor's own).
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kDenyOom = 1u << 2,
  kAdmin = 1u << 3,
  kPubSub = 1u << 4,
  kNoScript = 1u << 5,
  kBlocking = 1u << 6,
  kLoading = 1u << 7,
  kStale = 1u << 8,
  kFast = 1u << 9,
  kNoAuth = 1u << 10,      // allowed before AUTH
  kSubscribed = 1u << 11,  // allowed in RESP2 subscriber mode
  kNoMulti = 1u << 12,     // runs at once even inside MULTI
  kDbWide = 1u << 13,      // locks every shard of the client's database
  kAllDbs = 1u << 14,      // locks every shard of every database
  kSkipCommandStats = 1u << 15,
  kSkipSlowlog = 1u << 16,
};

// Where a command's keys are: args[first], args[first + step], ...,
// args[last] (last < 0 counts from the end; -1 is the last argument).
// When numkeys > 0, args[numkeys] holds the key count and the keys
// follow it (LMPOP, ZUNIONSTORE); `first` then names an extra key before
// it (the destination), or 0.
struct KeySpec {
  int first = 0;
  int last = 0;
  int step = 0;
  int numkeys = 0;
};

struct CommandSpec {
  std::string name;  // lower case; "parent|sub" for a subcommand
  int arity;         // Redis' convention: -N means at least N
  uint32_t flags;
  KeySpec keys;
  CommandHandler handler;
  const char* acl_categories = "";  // space separated, e.g. "@write @string"
  // Subcommands (CLIENT KILL...): their own arity and flags, the parent's
  // handler.
  const CommandSpec* parent = nullptr;
  std::vector<std::unique_ptr<CommandSpec>> subcommands;

  // Statistics for INFO commandstats.
  mutable StripedCounter calls;
  mutable StripedCounter usec;
  mutable StripedCounter rejected;
  mutable StripedCounter failed;
};

class CommandTable {
 public:
  CommandTable();
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // Add() registers a command (families call it from their Register*()).
  void Add(const char* name, int arity, uint32_t flags, KeySpec keys,
           CommandHandler handler, const char* acl_categories = "");
  // AddSub() registers subcommand `sub` of `parent` (added before); it
  // runs the parent's handler.
  void AddSub(const char* parent, const char* sub, int arity, uint32_t flags,
              const char* acl_categories = "");
  // Find() looks a command up by name, in any case; nullptr if unknown.
  const CommandSpec* Find(absl::string_view name) const;
  // FindSub() looks up a subcommand of `parent`, in any case.
  static const CommandSpec* FindSub(const CommandSpec& parent,
                                    absl::string_view sub);
  // all() lists every command.
  const std::vector<std::unique_ptr<CommandSpec>>& all() const {
    return commands_;
  }

 private:
  std::vector<std::unique_ptr<CommandSpec>> commands_;
  absl::flat_hash_map<std::string, const CommandSpec*> by_name_;
};

// CommandKeys() appends the keys of a command (per its KeySpec) to `keys`.
void CommandKeys(const CommandSpec& spec,
                 absl::Span<const absl::string_view> args,
                 absl::InlinedVector<absl::string_view, 4>* keys);

// Keyspace notification classes (notify-keyspace-events letters).
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m
  kNotifyLoaded = 1u << 12,
  kNotifyModule = 1u << 13,  // d
  kNotifyNew = 1u << 14,     // n
};

// What a blocking command's handler leaves in CommandContext::block when
// it found nothing to take.
struct BlockRequest {
  // Pops from `key` on behalf of the blocked client, replying to it
  // through `ctx` (whose client is the blocked one); called with the key's
  // shard (and `dest`'s) locked, only when the key holds a value of
  // `type`. Returns false if it took nothing.
  using ServeFn = bool (*)(CommandContext& ctx, absl::string_view key,
                           const std::vector<std::string>& args);
  ServeFn serve = nullptr;
  ValueType type = ValueType::kList;
  std::vector<std::string> keys;
  // A second key the pop writes to (BLMOVE's destination), or empty.
  std::string dest;
  Deadline deadline = Deadline::Infinite();
  // The command's arguments, for `serve`.
  std::vector<std::string> args;
};

class CommandContext {
 public:
  CommandContext(KvServer& server, Client& client, RespWriter& reply,
                 absl::Span<const absl::string_view> args, int64_t now_ms)
      : server(server),
        client(client),
        reply(reply),
        args(args),
        now_ms(now_ms) {}

  KvServer& server;
  Client& client;
  RespWriter& reply;
  // args[0] is the command's name as the client sent it.
  absl::Span<const absl::string_view> args;
  // The command's clock (Unix ms), read once per command.
  const int64_t now_ms;
  // True inside EXEC: blocking commands do not block.
  bool in_exec = false;
  // Set by a blocking command that found nothing to take: the executor
  // blocks the client after unlocking (kv/blocking.h).
  std::unique_ptr<BlockRequest> block;
  // Keys this command made ready for blocked clients.
  absl::InlinedVector<std::pair<int, std::string>, 1> ready;

  // Propagation to the append-only file. By default a write command
  // (kWrite) that changed something (Modified()) is appended as it came;
  // a command whose effect is not a pure function of its arguments says
  // what to append instead with Propagate() (SPOP's SREM of the members it
  // took, SET EX's absolute PXAT), or PropagateNothing(). Lazy expiry
  // appends a DEL ahead of the command.
  //
  // propagating() is true while the append-only file is on: handlers
  // skip building replacements otherwise.
  bool propagating() const;
  // Propagate() appends `args` (in the command's database) in place of
  // the command itself; several calls append several commands.
  void Propagate(std::vector<std::string> args);
  // PropagateNothing() appends nothing for this command.
  void PropagateNothing() { propagate_replaced = true; }
  // Set by Modified() (and by whole-database writes such as FLUSHALL).
  bool modified = false;
  bool propagate_replaced = false;
  // What to append, in order (see TakePropagated()).
  std::vector<Propagated> propagated;
  // TakePropagated() moves what this command appends onto `out`: the
  // lazy-expiry DELs and replacements, then the command's own arguments
  // when `spec_flags` has kWrite, it changed something and nothing
  // replaced it.
  void TakePropagated(uint32_t spec_flags, std::vector<Propagated>* out);

  // db() is the client's selected database.
  int db() const;
  // keyspace() is the server's keyspace.
  Keyspace& keyspace();
  // ShardOf() is `key`'s shard in the selected database (locked).
  Shard& ShardOf(absl::string_view key) { return ShardIn(db(), key); }
  // ShardIn() is `key`'s shard in database `db`; the executor primes it
  // with the first key so that the common case hashes the key once.
  Shard& ShardIn(int db, absl::string_view key) {
    if (key.data() == cached_key_.data() && key.size() == cached_key_.size() &&
        db == cached_db_) {
      return *cached_shard_;
    }
    return keyspace().ShardFor(db, key);
  }
  void PrimeShard(int db, absl::string_view key, Shard* shard) {
    cached_db_ = db;
    cached_key_ = key;
    cached_shard_ = shard;
  }

  // Lookup() is `key`'s live entry, or nullptr; an expired key is deleted
  // on the way (with its "expired" notification).
  Entry* Lookup(absl::string_view key) { return LookupIn(db(), key); }
  Entry* LookupIn(int db, absl::string_view key);
  // LookupType() is Lookup() that also checks the type: on a mismatch it
  // replies WRONGTYPE, sets *wrong and returns nullptr.
  Entry* LookupType(absl::string_view key, ValueType type, bool* wrong);
  // Insert() stores `entry` under `key` with expiry `expire_ms` (absolute
  // Unix ms, 0: none), replacing any entry and expiry; returns it.
  Entry& Insert(absl::string_view key, Entry entry, int64_t expire_ms = 0) {
    return InsertIn(db(), key, std::move(entry), expire_ms);
  }
  Entry& InsertIn(int db, absl::string_view key, Entry entry,
                  int64_t expire_ms = 0);
  // Delete() removes `key`; false if it did not exist.
  bool Delete(absl::string_view key) { return DeleteIn(db(), key); }
  bool DeleteIn(int db, absl::string_view key);
  // SetExpire() sets (0: removes) the absolute expiry of a live entry.
  void SetExpire(absl::string_view key, Entry& entry, int64_t expire_ms);
  // ExpireOf() is the absolute expiry of `key`'s live entry `entry` (0:
  // none).
  int64_t ExpireOf(absl::string_view key, const Entry& entry) {
    return ExpireOfIn(db(), key, entry);
  }
  int64_t ExpireOfIn(int db, absl::string_view key, const Entry& entry) {
    return ShardIn(db, key).ExpireOf(key, entry);
  }

  // Modified() records that `key` changed (WATCH, dirty count).
  void Modified(absl::string_view key) { ModifiedIn(db(), key); }
  void ModifiedIn(int db, absl::string_view key);
  // Notify() sends a keyspace notification, if enabled for `type`.
  void Notify(uint32_t type, absl::string_view event, absl::string_view key) {
    NotifyIn(db(), type, event, key);
  }
  void NotifyIn(int db, uint32_t type, absl::string_view event,
                absl::string_view key);
  // SignalReady() lets clients blocked on `key` be served after the
  // command.
  void SignalReady(absl::string_view key) { SignalReadyIn(db(), key); }
  void SignalReadyIn(int db, absl::string_view key);

  // Common replies.
  void WrongType() {
    reply.Error(
        "WRONGTYPE Operation against a key holding the wrong kind of value");
  }
  void SyntaxError() { reply.Error("ERR syntax error"); }
  void NotInteger() {
    reply.Error("ERR value is not an integer or out of range");
  }
  void NotFloat() { reply.Error("ERR value is not a valid float"); }
  void WrongArity();

 private:
  int cached_db_ = -1;
  absl::string_view cached_key_;
  Shard* cached_shard_ = nullptr;
};

// Number parsing with Redis' rules (no spaces, no "+", no leading zeros
// beyond "0", fits in 64 bits).
bool ParseInt64(absl::string_view s, int64_t* out);
// ParseDouble() accepts what strtod accepts, including "inf", but not NaN
// or trailing garbage or spaces.
bool ParseDouble(absl::string_view s, double* out);
// ParseLongDouble() for INCRBYFLOAT.
bool ParseLongDouble(absl::string_view s, long double* out);
// FormatLongDouble() prints as INCRBYFLOAT replies ("%.17Lf", trailing
// zeros and point stripped).
std::string FormatLongDouble(long double v);
// EqualsIgnoreCase() compares an argument with an option name.
bool EqualsIgnoreCase(absl::string_view a, absl::string_view b);

}  // namespace colony::kv

#endif  // COLONY_KV_COMMAND_H_
